"""The officer's facilitation console: attendance, the live board, marks, closing."""

import pytest
from django.urls import reverse

from feedback.models import Contribution, FeedbackSession, Invitation
from saypro.core.models import Enrolment
from tests.factories import UserFactory
from tests.factories.feedback import ContributionFactory, InvitationFactory, SuggestionFactory

Kind = Contribution.Kind


def crowd(session, n):
    """n more invited participants, each with a contribution, every third a challenge with a suggestion."""
    people = UserFactory.create_batch(n)
    Enrolment.objects.bulk_create([Enrolment(person=p, module=session.module) for p in people])
    for i, person in enumerate(people):
        InvitationFactory(session=session, person=person)
        kind = [Kind.INSIGHT, Kind.SUCCESS_STORY, Kind.CHALLENGE][i % 3]
        contribution = ContributionFactory(session=session, author=person, kind=kind, highlighted=i % 5 == 0)
        if kind == Kind.CHALLENGE:
            SuggestionFactory(contribution=contribution, author=people[i - 1])
    return people


@pytest.mark.parametrize("participants", [5, 200])
def test_console_query_count_does_not_grow_with_participants(
    client_for, session, officer, participants, django_assert_num_queries
):
    crowd(session, participants - 2)  # the fixture already invites two
    client = client_for(officer)

    with django_assert_num_queries(11):
        response = client.get(reverse("feedback:console", kwargs={"pk": session.pk}))

    assert response.status_code == 200
    assert len(response.context["invitations"]) == participants


@pytest.mark.parametrize("participants", [5, 200])
def test_console_board_query_count_does_not_grow_with_participants(
    client_for, session, officer, participants, django_assert_num_queries
):
    crowd(session, participants - 2)
    client = client_for(officer)

    with django_assert_num_queries(8):
        response = client.get(reverse("feedback:console-board", kwargs={"pk": session.pk}))

    assert response.status_code == 200


def test_console_shows_guidance_labelled_attendance_and_groups_with_counts(
    client_for, session, officer, employee, peer
):
    ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE, text="Saying no to my manager")
    ContributionFactory(session=session, author=peer, kind=Kind.INSIGHT, text="Weekly one-to-ones")
    ContributionFactory(
        session=session, author=peer, kind=Kind.INSIGHT, hidden_at=session.starts_at, hidden_reason="Off topic"
    )
    invitation = Invitation.objects.get(session=session, person=employee)

    response = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk}))

    html = response.content.decode()
    assert "Guidance for a constructive dialogue" in html
    assert f'<legend class="fs-6 mb-0 float-none w-auto">{employee.full_name}</legend>' in html
    assert f'<label class="btn btn-outline-success" for="attendance-{invitation.pk}-present">Present</label>' in html
    assert f'name="attendance-{invitation.pk}" id="attendance-{invitation.pk}-late" value="late"' in html
    totals = {g.kind: g.total for g in response.context["groups"]}
    assert totals == {"insight": 1, "challenge": 1, "success_story": 0}
    assert "Hidden — reason shown to the author: Off topic" in html
    assert 'src="/static/js/feedback.js"' in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_console_filters_by_kind_and_mark(client_for, session, officer, employee, peer):
    ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE, highlighted=True)
    ContributionFactory(session=session, author=peer, kind=Kind.CHALLENGE)
    ContributionFactory(session=session, author=peer, kind=Kind.INSIGHT, highlighted=True)
    url = reverse("feedback:console", kwargs={"pk": session.pk})

    response = client_for(officer).get(url, {"kind": "challenge", "show": "highlighted"})

    groups = response.context["groups"]
    assert [(g.kind, len(g.contributions), g.total) for g in groups] == [("challenge", 1, 2)]


def test_console_board_answers_204_when_nothing_changed_and_the_board_when_something_did(
    client_for, session, officer, employee
):
    client = client_for(officer)
    url = reverse("feedback:console-board", kwargs={"pk": session.pk})
    version = client.get(url).context["version"]

    unchanged = client.get(url, {"v": version}, headers={"HX-Request": "true"})
    ContributionFactory(session=session, author=employee, text="A brand new insight")
    changed = client.get(url, {"v": version}, headers={"HX-Request": "true"})

    assert unchanged.status_code == 204
    assert changed.status_code == 200
    assert "A brand new insight" in changed.content.decode()
    assert changed.context["version"] != version


def test_console_board_stops_polling_once_held(client_for, session, officer):
    FeedbackSession.objects.filter(pk=session.pk).update(state=FeedbackSession.State.HELD)

    response = client_for(officer).get(reverse("feedback:console-board", kwargs={"pk": session.pk}))

    assert "hx-trigger" not in response.content.decode()


def test_attendance_htmx_tick_saves_one_row_and_returns_it(client_for, session, officer, employee):
    invitation = Invitation.objects.get(session=session, person=employee)

    response = client_for(officer).post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {f"attendance-{invitation.pk}": "present"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert 'role="status">Saved: present</span>' in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).attendance == "present"


def test_attendance_form_without_javascript_saves_every_row(client_for, session, officer, employee, peer):
    mine = Invitation.objects.get(session=session, person=employee)
    theirs = Invitation.objects.get(session=session, person=peer)

    response = client_for(officer).post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {f"attendance-{mine.pk}": "late", f"attendance-{theirs.pk}": "absent"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:console", kwargs={"pk": session.pk}) + "#attendance"
    assert dict(Invitation.objects.filter(session=session).values_list("person_id", "attendance")) == {
        employee.pk: "late",
        peer.pk: "absent",
    }


def test_attendance_bad_value_is_reported_and_nothing_saved(client_for, session, officer, employee):
    invitation = Invitation.objects.get(session=session, person=employee)

    response = client_for(officer).post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {f"attendance-{invitation.pk}": "asleep"},
        follow=True,
    )

    assert "Choose present, late or absent." in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).attendance == ""


def test_attendance_for_another_sessions_invitation_is_ignored(client_for, session, officer, outsider):
    foreign = Invitation.objects.get(person=outsider)

    client_for(officer).post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}), {f"attendance-{foreign.pk}": "present"}
    )

    assert Invitation.objects.get(pk=foreign.pk).attendance == ""


def test_flag_toggle_with_htmx_returns_the_card_pressed(client_for, session, officer, employee):
    contribution = ContributionFactory(session=session, author=employee)
    url = reverse("feedback:contribution-flag", kwargs={"pk": contribution.pk, "flag": "highlighted"})

    response = client_for(officer).post(url, {"value": "1"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert f'id="contribution-{contribution.pk}"' in html
    assert f'aria-pressed="true" id="highlight-{contribution.pk}"' in html
    assert '<input type="hidden" name="value" value="0">' in html
    assert Contribution.objects.get(pk=contribution.pk).highlighted is True


def test_flag_toggle_without_javascript_redirects_to_the_card(client_for, session, officer, employee):
    contribution = ContributionFactory(session=session, author=employee, discussed=True)
    url = reverse("feedback:contribution-flag", kwargs={"pk": contribution.pk, "flag": "discussed"})

    response = client_for(officer).post(url, {"value": "0"})

    assert (
        response["Location"]
        == reverse("feedback:console", kwargs={"pk": session.pk}) + f"#contribution-{contribution.pk}"
    )
    assert Contribution.objects.get(pk=contribution.pk).discussed is False


def test_flag_unknown_mark_is_404(client_for, session, officer, employee):
    contribution = ContributionFactory(session=session, author=employee)

    response = client_for(officer).post(
        reverse("feedback:contribution-flag", kwargs={"pk": contribution.pk, "flag": "starred"})
    )

    assert response.status_code == 404


def test_open_then_close_from_the_console_locks_contributions(client_for, session, officer, employee):
    client = client_for(officer)
    client.post(reverse("feedback:session-open", kwargs={"pk": session.pk}))
    assert FeedbackSession.objects.get(pk=session.pk).state == "open"

    response = client.post(reverse("feedback:session-close", kwargs={"pk": session.pk}), follow=True)

    assert FeedbackSession.objects.get(pk=session.pk).state == "held"
    assert "The session is held and its contributions are locked." in response.content.decode()
    late = client_for(employee).post(
        reverse("feedback:contribution-add", kwargs={"pk": session.pk}),
        {"kind": "insight", "text": "One more thing", "submission_token": "8c9a5a4e-6d7b-4bb5-9a0c-5f9e6cb0f3a1"},
    )
    assert late.status_code == 200
    assert "This session has been held; its contributions are locked." in late.content.decode()
    assert Contribution.objects.count() == 0


def test_close_twice_shows_a_clear_message(client_for, session, officer):
    client = client_for(officer)
    client.post(reverse("feedback:session-close", kwargs={"pk": session.pk}))

    response = client.post(reverse("feedback:session-close", kwargs={"pk": session.pk}), follow=True)

    assert "Only a scheduled or open session can be closed; this one is Held." in response.content.decode()
