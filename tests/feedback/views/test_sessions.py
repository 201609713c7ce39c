"""Session pages: the list, a session's page, creating, scheduling, changing and cancelling."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.models import Contribution, FeedbackSession, Invitation
from saypro.core.models import Enrolment
from tests.factories import ModuleFactory, UserFactory
from tests.factories.feedback import ContributionFactory, FeedbackSessionFactory, InvitationFactory, SuggestionFactory

State = FeedbackSession.State
Kind = Contribution.Kind


def local_input(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def form_data(officer, **overrides):
    start = timezone.now() + dt.timedelta(days=3)
    data = {
        "starts_at": local_input(start),
        "ends_at": local_input(start + dt.timedelta(minutes=90)),
        "place": "Training room, 3rd floor",
        "online_url": "",
        "facilitator": officer.pk,
        "prompts": "What will you try next week?",
    }
    data.update(overrides)
    return data


# --- the list ------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra_sessions", [0, 30])
def test_session_list_query_count_does_not_grow(
    client_for, session, officer, extra_sessions, django_assert_num_queries
):
    FeedbackSessionFactory.create_batch(extra_sessions, facilitator=officer)
    client = client_for(officer)

    with django_assert_num_queries(6):
        response = client.get(reverse("feedback:session-list"))

    assert response.status_code == 200
    assert len(response.context["sessions"]) == min(extra_sessions + 1, 25)


@pytest.fixture
def two_sessions(session, outsider):
    """`session` (the employee's) and the outsider's session of another module."""
    return session


def test_session_list_shows_a_participant_only_their_sessions(client_for, two_sessions, employee):
    response = client_for(employee).get(reverse("feedback:session-list"))

    assert list(response.context["sessions"]) == [two_sessions]


def test_session_list_shows_an_officer_every_session_with_filters(client_for, two_sessions, officer):
    FeedbackSessionFactory(state=State.HELD, starts_at=timezone.now() - dt.timedelta(days=20))
    client = client_for(officer)

    everything = client.get(reverse("feedback:session-list"))
    held = client.get(reverse("feedback:session-list"), {"state": "held"})
    upcoming = client.get(reverse("feedback:session-list"), {"when": "upcoming"})

    assert len(everything.context["sessions"]) == 3
    assert [s.state for s in held.context["sessions"]] == ["held"]
    assert len(upcoming.context["sessions"]) == 2


# --- a session's page ----------------------------------------------------------------------------


@pytest.mark.parametrize("contributions", [1, 40])
def test_session_detail_query_count_does_not_grow(
    client_for, session, employee, peer, contributions, django_assert_num_queries
):
    for i in range(contributions):
        c = ContributionFactory(session=session, author=peer if i % 2 else employee, kind=Kind.CHALLENGE)
        SuggestionFactory(contribution=c, author=employee if i % 2 else peer)
    client = client_for(employee)

    with django_assert_num_queries(11):
        response = client.get(reverse("feedback:session-detail", kwargs={"pk": session.pk}))

    assert response.status_code == 200


def test_session_detail_shows_the_form_prompts_counts_and_own_hidden_reason(
    client_for, session, employee, peer, officer
):
    session.prompts = "What will you delegate next?"
    session.save()
    ContributionFactory(session=session, author=employee, hidden_at=timezone.now(), hidden_reason="Names a colleague")
    ContributionFactory(session=session, author=peer, hidden_at=timezone.now(), hidden_reason="Peer's secret reason")
    ContributionFactory(session=session, author=peer, recorded_by=officer, text="Recorded for Sipho")

    response = client_for(employee).get(reverse("feedback:session-detail", kwargs={"pk": session.pk}))

    html = response.content.decode()
    assert "Add your contribution" in html
    assert "What will you delegate next?" in html
    assert "Hidden by the officer. Reason: Names a colleague" in html
    assert "Peer&#x27;s secret reason" not in html
    assert "recorded by the officer" in html
    assert response.context["counts"] == {"eligible": 2, "attended": 0, "active": 1, "invited": 2, "unrecorded": 2}


def test_session_detail_after_held_shows_the_summary_and_no_form(client_for, session, employee, peer):
    challenge = ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE, text="Saying no upwards")
    SuggestionFactory(contribution=challenge, author=peer, text="Offer two options, not a refusal")
    ContributionFactory(session=session, author=peer, kind=Kind.SUCCESS_STORY, text="Backlog closed", highlighted=True)
    FeedbackSession.objects.filter(pk=session.pk).update(state=State.HELD)

    response = client_for(employee).get(reverse("feedback:session-detail", kwargs={"pk": session.pk}))

    html = response.content.decode()
    assert "Add your contribution" not in html
    assert "This session has been held; its contributions are locked." in html
    summary = html.split('id="summary-heading"', 1)[1].split("</section>", 1)[0]
    assert "Saying no upwards" in summary
    assert "Offer two options, not a refusal" in summary
    assert "Backlog closed" in summary


def test_session_detail_of_a_cancelled_session_shows_the_reason(client_for, session, employee):
    FeedbackSession.objects.filter(pk=session.pk).update(state=State.CANCELLED, cancel_reason="The venue flooded.")

    response = client_for(employee).get(reverse("feedback:session-detail", kwargs={"pk": session.pk}))

    assert "This session was cancelled. Reason: The venue flooded." in response.content.decode()


# --- creating and scheduling ---------------------------------------------------------------------


def test_session_create_schedules_and_invites(client_for, officer, employee):
    module = ModuleFactory(title="Coaching conversations")
    Enrolment.objects.create(person=employee, module=module)

    response = client_for(officer).post(reverse("feedback:session-create"), {"module": module.pk, **form_data(officer)})

    session = FeedbackSession.objects.get()
    assert response["Location"] == reverse("feedback:session-detail", kwargs={"pk": session.pk})
    assert (session.state, session.place, session.facilitator) == (State.SCHEDULED, "Training room, 3rd floor", officer)
    assert list(session.invitations.values_list("person_id", flat=True)) == [employee.pk]


def test_session_create_preselects_the_module_from_the_module_page(client_for, officer, module):
    response = client_for(officer).get(reverse("feedback:session-create"), {"module": module.pk})

    assert response.context["form"].initial == {"module": module.pk}


def test_session_create_in_the_past_keeps_the_input_and_writes_nothing(client_for, officer, module):
    past = timezone.now() - dt.timedelta(days=1)
    data = {
        "module": module.pk,
        **form_data(officer, starts_at=local_input(past), ends_at=local_input(past + dt.timedelta(hours=1))),
    }

    response = client_for(officer).post(reverse("feedback:session-create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors["starts_at"] == ["This time has already passed; pick a start in the future."]
    assert 'value="Training room, 3rd floor"' in response.content.decode()
    assert FeedbackSession.objects.count() == 0


def test_session_create_second_live_session_is_refused_with_a_message_on_the_module(client_for, officer, session):
    response = client_for(officer).post(
        reverse("feedback:session-create"), {"module": session.module_id, **form_data(officer)}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["module"] == [
        "Delegation that develops people already has a feedback session. Cancel it first if it should be replaced."
    ]
    assert FeedbackSession.objects.filter(module=session.module).count() == 1


def test_session_create_without_place_or_link_is_refused(client_for, officer, module):
    response = client_for(officer).post(
        reverse("feedback:session-create"), {"module": module.pk, **form_data(officer, place="")}
    )

    assert response.context["form"].errors["place"] == ["Give a place, an online link, or both."]
    assert FeedbackSession.objects.count() == 0


def test_session_schedule_confirms_a_proposed_session(client_for, officer, module, employee):
    Enrolment.objects.create(person=employee, module=module)
    proposal = FeedbackSessionFactory(module=module, state=State.PROPOSED, facilitator=None, place="")
    url = reverse("feedback:session-schedule", kwargs={"pk": proposal.pk})
    client = client_for(officer)

    form = client.get(url).context["form"]
    response = client.post(url, form_data(officer, online_url="https://meet.example.org/delegation"))

    assert form.initial["facilitator"] == officer.pk
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.state, proposal.online_url) == (State.SCHEDULED, "https://meet.example.org/delegation")
    assert Invitation.objects.filter(session=proposal, person=employee).exists()


def test_session_schedule_of_a_scheduled_session_shows_why_not(client_for, officer, session):
    response = client_for(officer).post(
        reverse("feedback:session-schedule", kwargs={"pk": session.pk}), form_data(officer)
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Only a proposed session can be scheduled; this one is Scheduled."
    ]


def test_session_edit_moves_the_session(client_for, officer, session):
    new_start = timezone.now() + dt.timedelta(days=6)
    data = form_data(officer, starts_at=local_input(new_start), ends_at=local_input(new_start + dt.timedelta(hours=1)))

    response = client_for(officer).post(reverse("feedback:session-edit", kwargs={"pk": session.pk}), data)

    assert response.status_code == 302
    session.refresh_from_db()
    assert local_input(session.starts_at) == data["starts_at"]
    assert session.sequence == 1


def test_session_cancel_needs_a_reason(client_for, officer, session):
    url = reverse("feedback:session-cancel", kwargs={"pk": session.pk})
    client = client_for(officer)

    refused = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "The trainer is ill."})

    assert refused.context["form"].errors["reason"] == ["Say why the session is cancelled; participants read it."]
    assert done.status_code == 302
    session.refresh_from_db()
    assert (session.state, session.cancel_reason) == (State.CANCELLED, "The trainer is ill.")


# --- module participation and newsletter candidates ----------------------------------------------


def test_module_participation_shows_counts_per_session(client_for, manager, session, employee, peer):
    ContributionFactory(session=session, author=employee)
    Invitation.objects.filter(session=session, person=peer).update(attendance="present")
    late = UserFactory()
    Enrolment.objects.create(person=late, module=session.module, status="withdrawn", withdrawn_at=timezone.now())
    InvitationFactory(session=session, person=late)

    response = client_for(manager).get(
        reverse("feedback:module-participation", kwargs={"module_pk": session.module_id})
    )

    html = response.content.decode()
    assert response.context["rows"][0]["counts"] == {
        "eligible": 2,
        "attended": 1,
        "active": 1,
        "invited": 3,
        "unrecorded": 2,
    }
    assert '<td class="text-end" data-count="eligible">2</td>' in html
    assert "New session for this module" not in html  # managers read, officers act


def test_newsletter_candidates_lists_highlighted_contributions_of_held_sessions(client_for, officer, session, employee):
    picked = ContributionFactory(session=session, author=employee, highlighted=True, text="Ask before you tell")
    ContributionFactory(session=session, author=employee, text="Not highlighted")
    FeedbackSession.objects.filter(pk=session.pk).update(state=State.HELD)

    response = client_for(officer).get(reverse("feedback:newsletter-candidates"))

    assert list(response.context["candidates"]) == [picked]
    assert "Ask before you tell" in response.content.decode()
