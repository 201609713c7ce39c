"""Writes of feedback sessions: scheduling, invitations, reminders, contributions, moderation, attendance."""

import datetime as dt
import uuid
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback import services
from feedback.models import Contribution, FeedbackSession, Invitation, Suggestion
from saypro.core import roles
from saypro.core.fragments import is_version_bump
from saypro.core.models import AuditEntry, Enrolment, JobHeartbeat, Notification, OutboundEmail
from saypro.core.services import enrolment_withdraw
from tests.factories import ModuleFactory, UserFactory
from tests.factories.feedback import ContributionFactory, FeedbackSessionFactory, InvitationFactory

State = FeedbackSession.State
Kind = Contribution.Kind


def later(**kwargs):
    return timezone.now().replace(microsecond=0) + dt.timedelta(**kwargs)


def emails(kind, **filters):
    return OutboundEmail.objects.filter(kind=kind, **filters)


def schedule_kwargs(officer, **overrides):
    values = {
        "starts_at": later(days=3),
        "ends_at": later(days=3, hours=1, minutes=30),
        "place": "Boardroom 2",
        "online_url": "",
        "facilitator": officer,
        "prompts": "What will you do differently?\nWhat surprised you?",
        "by": officer,
    }
    values.update(overrides)
    return values


@pytest.fixture
def enrolled_module(db):
    """A module with two enrolled participants and one who withdrew."""
    module = ModuleFactory(title="Leading yourself")
    people = [UserFactory(roles=[roles.EMPLOYEE]) for _ in range(3)]
    for person in people:
        Enrolment.objects.create(person=person, module=module)
    enrolment_withdraw(enrolment=Enrolment.objects.get(person=people[2], module=module))
    return module, people


# --- proposals -----------------------------------------------------------------------------------


def test_session_propose_due_proposes_for_major_modules_ended_or_ending_within_a_week(officer):
    today = timezone.localdate()
    ended = ModuleFactory(title="Ended", ends_on=today - dt.timedelta(days=2))
    ending = ModuleFactory(title="Ending", ends_on=today + dt.timedelta(days=7))
    ModuleFactory(title="Later", ends_on=today + dt.timedelta(days=8))
    ModuleFactory(title="Minor", ends_on=today - dt.timedelta(days=1), is_major=False)
    ModuleFactory(title="Long ago", starts_on=today - dt.timedelta(days=90), ends_on=today - dt.timedelta(days=31))
    FeedbackSessionFactory(module=ModuleFactory(title="Cancelled", ends_on=today), state=State.CANCELLED)
    FeedbackSessionFactory(module=ModuleFactory(title="Has one", ends_on=today))

    proposed = services.session_propose_due(today=today)

    assert sorted(s.module.title for s in proposed) == ["Ended", "Ending"]
    assert {s.state for s in proposed} == {State.PROPOSED}
    assert FeedbackSession.objects.filter(module__in=[ended, ending], state=State.PROPOSED).count() == 2
    assert sorted(
        Notification.objects.filter(recipient=officer, kind="session_proposed").values_list("title", flat=True)
    ) == [
        "Schedule a feedback session for Ended",
        "Schedule a feedback session for Ending",
    ]
    assert emails("session_proposed", recipient=officer).count() == 2


def test_session_propose_due_twice_proposes_once(officer):
    ModuleFactory(ends_on=timezone.localdate())

    services.session_propose_due()
    again = services.session_propose_due()

    assert again == []
    assert FeedbackSession.objects.count() == 1
    assert Notification.objects.filter(recipient=officer, kind="session_proposed").count() == 1


def test_session_propose_due_suggests_a_weekday_morning_after_the_module(db):
    module = ModuleFactory(ends_on=dt.date(2026, 12, 4))  # a Friday

    (session,) = services.session_propose_due(today=dt.date(2026, 12, 1))

    local = timezone.localtime(session.starts_at)
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 12, 7), 10, 0)  # the Monday after
    assert session.ends_at - session.starts_at == dt.timedelta(minutes=90)
    assert session.module == module


def test_session_propose_due_task_records_its_run(officer):
    from feedback.tasks import session_propose_due_task

    ModuleFactory(ends_on=timezone.localdate())

    assert session_propose_due_task() == 1
    assert JobHeartbeat.objects.get(name="feedback.session_propose_due_task").last_result == "1"


# --- scheduling ----------------------------------------------------------------------------------


def test_session_create_schedules_and_invites_enrolled_participants_not_withdrawn(enrolled_module, officer):
    module, people = enrolled_module

    session = services.session_create(module=module, **schedule_kwargs(officer))

    assert session.state == State.SCHEDULED
    assert set(session.invitations.values_list("person_id", flat=True)) == {people[0].pk, people[1].pk}
    assert AuditEntry.objects.filter(action="feedback.session_schedule", target_id=str(session.pk)).count() == 1


def test_session_create_queues_the_invitations_after_commit(
    enrolled_module, officer, django_capture_on_commit_callbacks
):
    module, _ = enrolled_module
    with django_capture_on_commit_callbacks() as callbacks:
        session = services.session_create(module=module, **schedule_kwargs(officer))

    with mock.patch("feedback.tasks.session_invitations_send_task.apply_async") as apply_async:
        for callback in callbacks:
            callback()

    apply_async.assert_called_once_with(kwargs={"session_id": session.pk})


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"starts_at": later(minutes=-5)}, "starts_at", "This time has already passed; pick a start in the future."),
        ({"ends_at": later(days=2)}, "ends_at", "The session must end after it starts."),
        ({"place": "  ", "online_url": ""}, "place", "Give a place, an online link, or both."),
        ({"facilitator": None}, "facilitator", "Choose the officer who facilitates the session."),
    ],
)
def test_session_create_bad_input_writes_nothing(enrolled_module, officer, overrides, field, message):
    module, _ = enrolled_module

    with pytest.raises(ValidationError) as exc:
        services.session_create(module=module, **schedule_kwargs(officer, **overrides))

    assert exc.value.message_dict[field] == [message]
    assert FeedbackSession.objects.count() == 0
    assert Invitation.objects.count() == 0


def test_session_create_refuses_a_non_officer_facilitator(enrolled_module, officer, employee):
    module, _ = enrolled_module

    with pytest.raises(ValidationError) as exc:
        services.session_create(module=module, **schedule_kwargs(officer, facilitator=employee))

    assert exc.value.message_dict["facilitator"] == ["The facilitator must be an Advice Desk Officer."]


def test_session_create_refuses_a_second_live_session_for_the_module(enrolled_module, officer):
    module, _ = enrolled_module
    services.session_create(module=module, **schedule_kwargs(officer))

    with pytest.raises(ValidationError) as exc:
        services.session_create(
            module=module, **schedule_kwargs(officer, starts_at=later(days=5), ends_at=later(days=5, hours=1))
        )

    assert exc.value.message_dict["module"] == [
        "Leading yourself already has a feedback session. Cancel it first if it should be replaced."
    ]
    assert FeedbackSession.objects.count() == 1


def test_session_create_replaces_a_cancelled_session(enrolled_module, officer):
    module, _ = enrolled_module
    first = services.session_create(module=module, **schedule_kwargs(officer))
    services.session_cancel(session=first, reason="The trainer is ill.", by=officer)

    second = services.session_create(
        module=module, **schedule_kwargs(officer, starts_at=later(days=9), ends_at=later(days=9, hours=1))
    )

    assert second.state == State.SCHEDULED
    assert list(FeedbackSession.objects.filter(module=module).order_by("pk").values_list("state", flat=True)) == [
        State.CANCELLED,
        State.SCHEDULED,
    ]


def test_one_live_session_per_module_is_a_database_constraint(db):
    session = FeedbackSessionFactory()
    FeedbackSessionFactory(module=session.module, state=State.CANCELLED)

    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackSessionFactory(module=session.module, state=State.PROPOSED)


def test_session_schedule_confirms_a_proposal(enrolled_module, officer):
    module, people = enrolled_module
    (proposal,) = services.session_propose_due(today=module.ends_on)

    services.session_schedule(session=proposal, **schedule_kwargs(officer, online_url="https://meet.example.org/x"))

    proposal.refresh_from_db()
    assert (proposal.state, proposal.facilitator, proposal.online_url) == (
        State.SCHEDULED,
        officer,
        "https://meet.example.org/x",
    )
    assert proposal.invitations.count() == 2


def test_session_schedule_refuses_a_session_already_scheduled(session, officer):
    with pytest.raises(ValidationError) as exc:
        services.session_schedule(session=session, **schedule_kwargs(officer))

    assert exc.value.messages == ["Only a proposed session can be scheduled; this one is Scheduled."]


# --- invitations, changes and cancellation ------------------------------------------------------


def test_session_invitations_send_emails_each_participant_once_with_a_calendar_invite(enrolled_module, officer):
    module, people = enrolled_module
    session = services.session_create(module=module, **schedule_kwargs(officer))

    first = services.session_invitations_send(session_id=session.pk)
    second = services.session_invitations_send(session_id=session.pk)

    assert (first, second) == (2, 0)
    sent = emails("session_scheduled").order_by("recipient_id")
    assert [e.recipient_id for e in sent] == [people[0].pk, people[1].pk]
    ics = sent[0].attachments[0]["content"]
    assert "METHOD:REQUEST" in ics
    assert "SEQUENCE:0" in ics
    assert f"UID:feedback-session-{session.pk}@saypro-share-learnings" in ics
    assert "Boardroom 2" in sent[0].body_text
    assert "What will you do differently?" in sent[0].body_text
    assert set(session.invitations.values_list("notified_sequence", flat=True)) == {0}


def test_session_invitations_send_invites_a_late_enrolment(enrolled_module, officer):
    module, _ = enrolled_module
    session = services.session_create(module=module, **schedule_kwargs(officer))
    services.session_invitations_send(session_id=session.pk)
    late = UserFactory()
    Enrolment.objects.create(person=late, module=module)

    assert services.session_invitations_send(session_id=session.pk) == 1
    assert emails("session_scheduled", recipient=late).count() == 1


def test_session_update_of_time_sends_an_updated_invite_with_a_higher_sequence(enrolled_module, officer):
    module, people = enrolled_module
    session = services.session_create(module=module, **schedule_kwargs(officer))
    services.session_invitations_send(session_id=session.pk)

    services.session_update(
        session=session, **schedule_kwargs(officer, starts_at=later(days=4), ends_at=later(days=4, hours=1))
    )
    services.session_invitations_send(session_id=session.pk)

    assert session.sequence == 1
    changed = emails("session_changed", recipient=people[0]).get()
    assert "SEQUENCE:1" in changed.attachments[0]["content"]
    assert f"UID:feedback-session-{session.pk}@saypro-share-learnings" in changed.attachments[0]["content"]
    assert changed.subject.startswith("[SayPro] Changed: Feedback session: Leading yourself")
    assert emails("session_scheduled", recipient=people[0]).count() == 1


def test_session_update_of_prompts_only_sends_no_new_invite(session, officer, django_capture_on_commit_callbacks):
    kwargs = schedule_kwargs(officer, starts_at=session.starts_at, ends_at=session.ends_at, place=session.place)
    with django_capture_on_commit_callbacks() as callbacks:
        services.session_update(session=session, **{**kwargs, "prompts": "One new question"})

    assert session.sequence == 0
    assert [c for c in callbacks if not is_version_bump(c)] == []  # kept pages go stale; nothing is sent


def test_session_update_of_a_held_session_is_refused(session, officer):
    session.state = State.HELD
    session.save()

    with pytest.raises(ValidationError) as exc:
        services.session_update(session=session, **schedule_kwargs(officer))

    assert exc.value.messages == ["A held session can no longer be changed."]


def test_session_cancel_tells_every_participant_with_the_reason_and_a_calendar_cancellation(session, officer, employee):
    services.session_cancel(session=session, reason="  The venue flooded.  ", by=officer)
    told = services.session_cancellation_send(session_id=session.pk)

    session.refresh_from_db()
    assert (session.state, session.cancel_reason, session.sequence) == (State.CANCELLED, "The venue flooded.", 1)
    assert told == 2
    email = emails("session_cancelled", recipient=employee).get()
    assert "METHOD:CANCEL" in email.attachments[0]["content"]
    assert "SEQUENCE:1" in email.attachments[0]["content"]
    assert "Reason: The venue flooded." in email.body_text
    entry = AuditEntry.objects.get(action="feedback.session_cancel")
    assert (entry.actor, entry.reason) == (officer, "The venue flooded.")


def test_session_cancel_without_a_reason_changes_nothing(session, officer):
    with pytest.raises(ValidationError) as exc:
        services.session_cancel(session=session, reason="   ", by=officer)

    assert exc.value.message_dict == {"reason": ["Say why the session is cancelled; participants read it."]}
    session.refresh_from_db()
    assert session.state == State.SCHEDULED
    assert AuditEntry.objects.count() == 0


# --- reminders -----------------------------------------------------------------------------------


def reminder_counts():
    return {
        kind: sorted(emails(kind).values_list("recipient_id", flat=True))
        for kind in ("session_day_reminder", "session_hour_reminder")
    }


def test_session_reminders_send_the_day_before_and_an_hour_before_once_each(session, employee, peer):
    invited = sorted([employee.pk, peer.pk])

    day = services.session_reminders_send(now=session.starts_at - dt.timedelta(hours=20))
    day_again = services.session_reminders_send(now=session.starts_at - dt.timedelta(hours=19))
    hour = services.session_reminders_send(now=session.starts_at - dt.timedelta(minutes=55))
    hour_again = services.session_reminders_send(now=session.starts_at - dt.timedelta(minutes=10))

    assert (day, day_again, hour, hour_again) == (2, 0, 2, 0)
    assert reminder_counts() == {"session_day_reminder": invited, "session_hour_reminder": invited}
    email = emails("session_hour_reminder", recipient=employee).get()
    assert email.subject == f"[SayPro] In an hour: Feedback session: {session.module.title}, " + services._when(session)


def test_session_reminders_send_nothing_outside_the_windows(session):
    assert services.session_reminders_send(now=session.starts_at - dt.timedelta(hours=30)) == 0
    assert services.session_reminders_send(now=session.starts_at + dt.timedelta(minutes=1)) == 0
    assert reminder_counts() == {"session_day_reminder": [], "session_hour_reminder": []}


def test_session_reminders_skip_participants_who_withdrew(session, employee, peer):
    enrolment_withdraw(enrolment=Enrolment.objects.get(person=peer, module=session.module))

    services.session_reminders_send(now=session.starts_at - dt.timedelta(hours=20))

    assert reminder_counts()["session_day_reminder"] == [employee.pk]


def test_session_reminders_skip_cancelled_sessions(session, officer):
    services.session_cancel(session=session, reason="Clash with the audit.", by=officer)

    assert services.session_reminders_send(now=session.starts_at - dt.timedelta(hours=20)) == 0


def test_session_reminders_after_a_crash_half_way_finish_without_duplicates(session, employee, peer):
    real_notify = services.notify
    calls = []

    def dies_on_the_second_reminder(**kwargs):
        if kwargs["kind"].endswith("_reminder"):
            calls.append(kwargs["recipient"].pk)
            if len(calls) == 2:
                raise ConnectionError("worker lost")
        return real_notify(**kwargs)

    now = session.starts_at - dt.timedelta(hours=20)
    with (
        mock.patch("feedback.services.notify", side_effect=dies_on_the_second_reminder),
        pytest.raises(ConnectionError),
    ):
        services.session_reminders_send(now=now)
    assert emails("session_day_reminder").count() == 1

    assert services.session_reminders_send(now=now) == 1
    assert reminder_counts()["session_day_reminder"] == sorted([employee.pk, peer.pk])


def test_session_reminders_for_a_moved_session_go_out_again_for_the_new_time(session, officer, employee):
    services.session_reminders_send(now=session.starts_at - dt.timedelta(hours=20))
    kwargs = schedule_kwargs(
        officer, starts_at=session.starts_at + dt.timedelta(days=1), ends_at=session.ends_at + dt.timedelta(days=1)
    )
    services.session_update(session=session, **kwargs)

    services.session_reminders_send(now=session.starts_at - dt.timedelta(hours=20))

    assert emails("session_day_reminder", recipient=employee).count() == 2


def test_session_reminders_send_also_sends_invitations_owed(session, employee, peer):
    """A broker outage after scheduling leaves the invitations to the hourly run."""
    services.session_reminders_send(now=timezone.now())

    assert sorted(emails("session_scheduled").values_list("recipient_id", flat=True)) == sorted([employee.pk, peer.pk])


def test_session_reminders_send_task_records_its_run(session):
    from feedback.tasks import session_reminders_send_task

    session_reminders_send_task()

    assert JobHeartbeat.objects.get(name="feedback.session_reminders_send_task").last_ok is True


# --- contributions -------------------------------------------------------------------------------


def test_contribution_add_keeps_the_authors_placement_and_sanitises_markdown(session, employee):
    contribution, created = services.contribution_add(
        session=session, author=employee, kind=Kind.INSIGHT, text="  **Ask first** <script>alert(1)</script>  "
    )

    assert created is True
    assert contribution.text == "**Ask first** <script>alert(1)</script>"
    assert "<strong>Ask first</strong>" in contribution.text_html
    assert "<script>" not in contribution.text_html
    assert (contribution.department, contribution.location, contribution.job_role) == (
        employee.department,
        employee.location,
        employee.job_role,
    )
    assert contribution.recorded_by is None


def test_contribution_add_same_token_twice_saves_once(session, employee):
    token = uuid.uuid4()

    first, created_first = services.contribution_add(
        session=session, author=employee, kind=Kind.CHALLENGE, text="Delegating to my seniors", submission_token=token
    )
    second, created_second = services.contribution_add(
        session=session, author=employee, kind=Kind.CHALLENGE, text="Delegating to my seniors", submission_token=token
    )

    assert (created_first, created_second) == (True, False)
    assert first == second
    assert Contribution.objects.count() == 1


def test_contribution_submit_once_is_a_database_constraint(session, employee):
    token = uuid.uuid4()
    ContributionFactory(session=session, author=employee, submission_token=token)

    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionFactory(session=session, author=employee, submission_token=token)


def test_contribution_add_recorded_on_behalf_counts_for_the_participant(session, employee, officer):
    contribution, _ = services.contribution_add(
        session=session, author=employee, kind=Kind.SUCCESS_STORY, text="We closed the backlog.", recorded_by=officer
    )

    assert (contribution.author, contribution.recorded_by) == (employee, officer)
    assert AuditEntry.objects.get(action="feedback.contribution_record").actor == officer


@pytest.mark.parametrize(
    ("kind", "text", "errors"),
    [
        ("insight", "   ", {"text": ["Write your contribution before sending it."]}),
        ("insight", "x" * 1501, {"text": ["Keep it to 1500 characters; this has 1501."]}),
        ("opinion", "Fine text", {"kind": ["Choose an insight, a challenge or a success story."]}),
    ],
)
def test_contribution_add_bad_input_writes_nothing(session, employee, kind, text, errors):
    with pytest.raises(ValidationError) as exc:
        services.contribution_add(session=session, author=employee, kind=kind, text=text)

    assert exc.value.message_dict == errors
    assert Contribution.objects.count() == 0


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (State.HELD, "This session has been held; its contributions are locked."),
        (State.CANCELLED, "This session was cancelled; it takes no contributions."),
        (State.PROPOSED, "This session is not scheduled yet; contributions open once it is."),
    ],
)
def test_contribution_add_outside_contributing_states_is_refused(session, employee, state, message):
    FeedbackSession.objects.filter(pk=session.pk).update(state=state)
    session.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        services.contribution_add(session=session, author=employee, kind=Kind.INSIGHT, text="Late thought")

    assert exc.value.messages == [message]
    assert Contribution.objects.count() == 0


def test_contribution_add_by_someone_not_invited_is_refused(session, outsider):
    with pytest.raises(ValidationError) as exc:
        services.contribution_add(session=session, author=outsider, kind=Kind.INSIGHT, text="Hello")

    assert exc.value.message_dict == {"author": ["Only participants invited to this session contribute to it."]}
    assert Contribution.objects.count() == 0


def test_contribution_update_changes_own_text_while_open(session, employee):
    contribution = ContributionFactory(session=session, author=employee)

    services.contribution_update(contribution=contribution, kind=Kind.CHALLENGE, text="New *text*", by=employee)

    contribution.refresh_from_db()
    assert (contribution.kind, contribution.text, contribution.text_html) == (
        Kind.CHALLENGE,
        "New *text*",
        "<p>New <em>text</em></p>\n",
    )


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("other_author", "Only its author changes a contribution."),
        ("held", "This session has been held; its contributions are locked."),
        ("hidden", "The officer hid this contribution; it can no longer be changed."),
        ("withdrawn", "This contribution was withdrawn."),
    ],
)
def test_contribution_update_and_withdraw_refused(session, employee, peer, setup, message):
    contribution = ContributionFactory(session=session, author=employee, text="Original")
    by = peer if setup == "other_author" else employee
    if setup == "held":
        FeedbackSession.objects.filter(pk=session.pk).update(state=State.HELD)
        contribution.session.refresh_from_db()
    elif setup == "hidden":
        contribution.hidden_at, contribution.hidden_reason = timezone.now(), "Off topic"
    elif setup == "withdrawn":
        contribution.withdrawn_at = timezone.now()

    with pytest.raises(ValidationError) as update_exc:
        services.contribution_update(contribution=contribution, kind=Kind.INSIGHT, text="Changed", by=by)
    with pytest.raises(ValidationError) as withdraw_exc:
        services.contribution_withdraw(contribution=contribution, by=by)

    assert update_exc.value.messages == withdraw_exc.value.messages == [message]
    assert Contribution.objects.get(pk=contribution.pk).text == "Original"


def test_contribution_withdraw_keeps_the_row_but_hides_it(session, employee):
    contribution = ContributionFactory(session=session, author=employee, highlighted=True)

    services.contribution_withdraw(contribution=contribution, by=employee)

    contribution.refresh_from_db()
    assert contribution.withdrawn_at is not None
    assert contribution.highlighted is False
    assert contribution.is_visible is False


def test_contribution_flag_set_highlights_with_an_audit_entry(session, employee, officer):
    contribution = ContributionFactory(session=session, author=employee)

    services.contribution_flag_set(contribution=contribution, flag="highlighted", value=True, by=officer)
    services.contribution_flag_set(contribution=contribution, flag="discussed", value=True, by=officer)
    services.contribution_flag_set(contribution=contribution, flag="discussed", value=False, by=officer)

    contribution.refresh_from_db()
    assert (contribution.highlighted, contribution.discussed) == (True, False)
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == [
        "feedback.contribution_highlighted",
        "feedback.contribution_discussed",
        "feedback.contribution_undiscussed",
    ]


def test_contribution_flag_set_refuses_to_highlight_a_hidden_contribution(session, employee, officer):
    contribution = ContributionFactory(session=session, author=employee, hidden_at=timezone.now(), hidden_reason="x")

    with pytest.raises(ValidationError) as exc:
        services.contribution_flag_set(contribution=contribution, flag="highlighted", value=True, by=officer)

    assert exc.value.messages == ["A hidden or withdrawn contribution cannot be marked."]


def test_contribution_hide_keeps_the_reason_for_the_author_and_the_audit_trail(session, employee, officer):
    contribution = ContributionFactory(session=session, author=employee, highlighted=True)

    services.contribution_hide(contribution=contribution, reason="Names a colleague who is not here.", by=officer)

    contribution.refresh_from_db()
    assert (contribution.hidden_reason, contribution.hidden_by, contribution.highlighted) == (
        "Names a colleague who is not here.",
        officer,
        False,
    )
    entry = AuditEntry.objects.get(action="feedback.contribution_hide")
    assert (entry.actor, entry.reason, entry.target_id) == (
        officer,
        "Names a colleague who is not here.",
        str(contribution.pk),
    )
    notice = Notification.objects.get(recipient=employee, kind="contribution_hidden")
    assert notice.body == "Reason: Names a colleague who is not here."


def test_contribution_hide_without_a_reason_changes_nothing(session, employee, officer):
    contribution = ContributionFactory(session=session, author=employee)

    with pytest.raises(ValidationError) as exc:
        services.contribution_hide(contribution=contribution, reason="", by=officer)

    assert exc.value.message_dict == {"reason": ["Say why it is hidden; the author reads this reason."]}
    assert Contribution.objects.get(pk=contribution.pk).hidden_at is None
    assert AuditEntry.objects.count() == 0


def test_contribution_unhide_puts_it_back_with_the_old_reason_in_the_audit_and_tells_the_author(
    session, employee, officer
):
    contribution = ContributionFactory(session=session, author=employee)
    services.contribution_hide(contribution=contribution, reason="Looked like a name.", by=officer)

    services.contribution_unhide(contribution=contribution, by=officer)

    contribution.refresh_from_db()
    assert (contribution.hidden_at, contribution.hidden_by, contribution.hidden_reason, contribution.is_visible) == (
        None,
        None,
        "",
        True,
    )
    entry = AuditEntry.objects.get(action="feedback.contribution_unhidden")
    assert (entry.actor, entry.reason, entry.target_id) == (officer, "Looked like a name.", str(contribution.pk))
    notice = Notification.objects.get(recipient=employee, kind="moderation")
    assert notice.key.startswith(f"contribution:{contribution.pk}:unhidden:")
    assert notice.title == "Your insight is shown again"


def test_contribution_unhide_works_after_the_session_is_held(session, employee, officer):
    contribution = ContributionFactory(
        session=session, author=employee, hidden_at=session.starts_at, hidden_by=officer, hidden_reason="Off topic"
    )
    FeedbackSession.objects.filter(pk=session.pk).update(state=State.HELD)
    contribution.refresh_from_db()

    services.contribution_unhide(contribution=contribution, by=officer)

    assert Contribution.objects.get(pk=contribution.pk).hidden_at is None


def test_contribution_hidden_again_after_being_put_back_tells_the_author_again(session, employee, officer):
    contribution = ContributionFactory(session=session, author=employee)

    services.contribution_hide(contribution=contribution, reason="Off topic", by=officer)
    services.contribution_unhide(contribution=contribution, by=officer)
    services.contribution_hide(contribution=contribution, reason="Off topic after all", by=officer)

    assert list(Notification.objects.filter(recipient=employee).order_by("pk").values_list("kind", "body")) == [
        ("contribution_hidden", "Reason: Off topic"),
        ("moderation", "The officer put it back: everyone in the session sees it again."),
        ("contribution_hidden", "Reason: Off topic after all"),
    ]


@pytest.mark.parametrize("who", ["employee", "peer"])
def test_contribution_unhide_by_someone_not_an_officer_changes_nothing(request, session, employee, officer, who):
    contribution = ContributionFactory(
        session=session, author=employee, hidden_at=session.starts_at, hidden_by=officer, hidden_reason="Off topic"
    )

    with pytest.raises(ValidationError) as exc:
        services.contribution_unhide(contribution=contribution, by=request.getfixturevalue(who))

    assert exc.value.messages == ["Only an Advice Desk Officer puts a hidden contribution back."]
    assert Contribution.objects.get(pk=contribution.pk).hidden_reason == "Off topic"
    assert (AuditEntry.objects.count(), Notification.objects.count()) == (0, 0)


def test_contribution_unhide_of_a_shown_contribution_is_refused(session, employee, officer):
    contribution = ContributionFactory(session=session, author=employee)

    with pytest.raises(ValidationError) as exc:
        services.contribution_unhide(contribution=contribution, by=officer)

    assert exc.value.messages == ["This contribution is not hidden."]
    assert (AuditEntry.objects.count(), Notification.objects.count()) == (0, 0)


# --- suggestions ---------------------------------------------------------------------------------


def test_suggestion_add_answers_a_peers_challenge_and_tells_them(session, employee, peer):
    challenge = ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE)
    token = uuid.uuid4()

    suggestion, created = services.suggestion_add(
        contribution=challenge, author=peer, text="Try a RACI.", submission_token=token
    )
    again, created_again = services.suggestion_add(
        contribution=challenge, author=peer, text="Try a RACI.", submission_token=token
    )

    assert (created, created_again, suggestion) == (True, False, again)
    assert Suggestion.objects.count() == 1
    assert (
        Notification.objects.get(recipient=employee, kind="challenge_suggestion").title
        == f"{peer.full_name} answered your challenge"
    )


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("insight", "Only a challenge can be answered with a suggestion."),
        ("own", "Suggestions come from peers; add more detail by editing your challenge."),
        ("held", "This session has been held; its contributions are locked."),
        ("outsider", "Only participants invited to this session answer its challenges."),
        ("empty", "Write your suggestion before sending it."),
    ],
)
def test_suggestion_add_refused(session, employee, peer, outsider, case, message):
    challenge = ContributionFactory(
        session=session, author=employee, kind=Kind.INSIGHT if case == "insight" else Kind.CHALLENGE
    )
    author = {"own": employee, "outsider": outsider}.get(case, peer)
    if case == "held":
        FeedbackSession.objects.filter(pk=session.pk).update(state=State.HELD)
        challenge.session.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        services.suggestion_add(contribution=challenge, author=author, text="" if case == "empty" else "Try this")

    assert exc.value.messages == [message]
    assert Suggestion.objects.count() == 0


# --- attendance and closing ----------------------------------------------------------------------


def test_attendance_set_records_present_late_absent(session, employee, officer):
    invitation = Invitation.objects.get(session=session, person=employee)

    services.attendance_set(invitation=invitation, attendance="late", by=officer)

    invitation.refresh_from_db()
    assert invitation.attendance == "late"
    assert invitation.attendance_recorded_at is not None


def test_attendance_set_bad_value_writes_nothing(session, employee, officer):
    invitation = Invitation.objects.get(session=session, person=employee)

    with pytest.raises(ValidationError) as exc:
        services.attendance_set(invitation=invitation, attendance="maybe", by=officer)

    assert exc.value.message_dict == {"attendance": ["Choose present, late or absent."]}
    assert Invitation.objects.get(pk=invitation.pk).attendance == ""


def test_attendance_set_on_a_held_session_runs_the_follow_up_again(
    session, employee, officer, django_capture_on_commit_callbacks
):
    FeedbackSession.objects.filter(pk=session.pk).update(state=State.HELD)
    invitation = Invitation.objects.select_related("session").get(session=session, person=employee)

    with django_capture_on_commit_callbacks() as callbacks:
        services.attendance_set(invitation=invitation, attendance="present", by=officer)

    with mock.patch("feedback.tasks.session_follow_up_task.apply_async") as apply_async:
        for callback in callbacks:
            callback()
    apply_async.assert_called_once_with(kwargs={"session_id": session.pk})


def attendance_rows(session):
    return list(session.invitations.order_by("pk").values_list("pk", "attendance", "attendance_recorded_at"))


def test_attendance_record_saves_200_rows_with_one_select_and_one_update(
    session, officer, employee, django_assert_num_queries
):
    people = UserFactory.create_batch(198)
    Invitation.objects.bulk_create([Invitation(session=session, person=p) for p in people])
    Invitation.objects.filter(session=session, person=employee).update(attendance="late")
    invitations = list(session.invitations.order_by("pk"))
    sent = {
        i.pk: "late" if i.person_id == employee.pk else ["present", "absent"][n % 2] for n, i in enumerate(invitations)
    }

    with django_assert_num_queries(2):
        recorded, changed = services.attendance_record(session=session, attendance=sent, by=officer)

    assert [i.pk for i in recorded] == list(sent)
    assert changed == 199
    assert dict(session.invitations.values_list("pk", "attendance")) == sent
    assert session.invitations.filter(attendance_recorded_at__isnull=True).count() == 1  # the unchanged one


def test_attendance_record_takes_the_ids_as_a_form_sends_them(session, officer, employee, peer):
    mine = Invitation.objects.get(session=session, person=employee)

    recorded, changed = services.attendance_record(session=session, attendance={str(mine.pk): "absent"}, by=officer)

    assert (recorded, changed) == ([mine], 1)
    assert recorded[0].attendance == "absent"
    assert dict(session.invitations.values_list("person_id", "attendance")) == {employee.pk: "absent", peer.pk: ""}


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("peer", "asleep", "{peer}: “asleep” is not an attendance. Choose present, late or absent."),
        ("peer", "x" * 300, "{peer}: “" + "x" * 20 + "” is not an attendance. Choose present, late or absent."),
        (
            "999999",
            "present",
            "Someone in the list (invitation 999999) is not invited to this session; "
            "reload the console and save again.",
        ),
        (
            "outsider",
            "present",
            "Someone in the list (invitation {outsider}) is not invited to this session; "
            "reload the console and save again.",
        ),
        ("12a", "present", "“12a” is not someone in this list; reload the console and save again."),
    ],
    ids=["unknown-status", "long-status-cut", "unknown-id", "another-sessions-invitation", "not-a-number"],
)
def test_attendance_record_bad_row_refuses_the_whole_list(
    session, officer, employee, peer, outsider, key, value, message
):
    mine = Invitation.objects.get(session=session, person=employee)
    foreign = Invitation.objects.get(person=outsider)
    key = {"peer": Invitation.objects.get(session=session, person=peer).pk, "outsider": foreign.pk}.get(key, key)
    before = attendance_rows(session)

    with pytest.raises(ValidationError) as exc:
        services.attendance_record(session=session, attendance={mine.pk: "present", key: value}, by=officer)

    assert exc.value.message_dict == {"attendance": [message.format(peer=peer.full_name, outsider=foreign.pk)]}
    assert attendance_rows(session) == before
    assert Invitation.objects.get(pk=foreign.pk).attendance == ""


def test_attendance_record_names_every_problem_at_once(session, officer, employee, peer):
    mine = Invitation.objects.get(session=session, person=employee)
    theirs = Invitation.objects.get(session=session, person=peer)

    with pytest.raises(ValidationError) as exc:
        services.attendance_record(
            session=session, attendance={mine.pk: "maybe", theirs.pk: "", "0": "late"}, by=officer
        )

    assert exc.value.messages == [
        f"{employee.full_name}: “maybe” is not an attendance. Choose present, late or absent.",
        "Someone in the list (invitation 0) is not invited to this session; reload the console and save again.",
    ]


def test_attendance_record_on_a_cancelled_session_is_refused(session, officer, employee):
    mine = Invitation.objects.get(session=session, person=employee)
    FeedbackSession.objects.filter(pk=session.pk).update(state=State.CANCELLED)
    session.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        services.attendance_record(session=session, attendance={mine.pk: "present"}, by=officer)

    assert exc.value.messages == ["Attendance cannot be recorded for a cancelled session."]
    assert Invitation.objects.get(pk=mine.pk).attendance == ""


@pytest.mark.parametrize(("ticks", "queued"), [(("present", "absent"), 1), (("absent", "absent"), 0)])
def test_attendance_record_on_a_held_session_runs_the_follow_up_once_when_someone_attended(
    session, officer, employee, peer, django_capture_on_commit_callbacks, ticks, queued
):
    FeedbackSession.objects.filter(pk=session.pk).update(state=State.HELD)
    session.refresh_from_db()
    rows = [Invitation.objects.get(session=session, person=p).pk for p in (employee, peer)]

    with django_capture_on_commit_callbacks() as callbacks:
        services.attendance_record(session=session, attendance=dict(zip(rows, ticks, strict=True)), by=officer)

    with mock.patch("feedback.tasks.session_follow_up_task.apply_async") as apply_async:
        for callback in callbacks:
            callback()
    assert apply_async.call_args_list == [mock.call(kwargs={"session_id": session.pk})] * queued


def starting_in(session, delta):
    """Move the session's start to now + delta (it lasts 90 minutes)."""
    session.starts_at = timezone.now() + delta
    session.ends_at = session.starts_at + dt.timedelta(minutes=90)
    session.save(update_fields=["starts_at", "ends_at"])
    return session


def test_session_open_then_close_marks_it_held_and_queues_the_follow_up(
    session, officer, django_capture_on_commit_callbacks
):
    starting_in(session, -dt.timedelta(minutes=5))
    services.session_open(session=session, by=officer)
    with django_capture_on_commit_callbacks() as callbacks:
        services.session_close(session=session, by=officer)

    session.refresh_from_db()
    assert session.state == State.HELD
    assert session.held_at is not None
    assert list(AuditEntry.objects.order_by("pk").values_list("action", "reason", "data")) == [
        ("feedback.session_open", "", {"early": False}),
        ("feedback.session_close", "", {"early": False}),
    ]
    # Cached pages' version bumps (saypro/core/fragments.py) aside.
    assert len([c for c in callbacks if not is_version_bump(c)]) == 1


def test_session_opens_without_a_reason_from_the_lead_time_before_its_start(session, officer):
    starting_in(session, dt.timedelta(minutes=59))

    services.session_open(session=session, by=officer)

    assert FeedbackSession.objects.get(pk=session.pk).state == State.OPEN


@pytest.mark.parametrize("reason", ["", "   "])
def test_session_open_earlier_than_the_lead_time_without_a_reason_is_refused(session, officer, reason):
    starting_in(session, dt.timedelta(minutes=61))
    opens_at = timezone.localtime(session.starts_at - dt.timedelta(minutes=60))

    with pytest.raises(ValidationError) as exc:
        services.session_open(session=session, by=officer, reason=reason)

    assert exc.value.message_dict == {
        "reason": [f"The session opens from {opens_at:%d %B %Y, %H:%M}; say why you open it earlier."]
    }
    assert FeedbackSession.objects.get(pk=session.pk).state == State.SCHEDULED
    assert AuditEntry.objects.count() == 0


def test_session_open_early_with_a_reason_is_audited_as_early(session, officer):
    services.session_open(session=session, by=officer, reason="  The trainer asked to start the day before.  ")

    assert FeedbackSession.objects.get(pk=session.pk).state == State.OPEN
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.reason, entry.data) == (
        "feedback.session_open",
        officer,
        "The trainer asked to start the day before.",
        {"early": True},
    )


def test_session_open_lead_time_is_a_setting(session, officer, settings):
    settings.FEEDBACK_OPEN_LEAD_MINUTES = 180
    starting_in(session, dt.timedelta(minutes=170))

    services.session_open(session=session, by=officer)

    assert AuditEntry.objects.get().data == {"early": False}


def test_session_close_before_its_start_without_a_reason_is_refused_and_sends_nothing(
    session, officer, django_capture_on_commit_callbacks
):
    starting_in(session, dt.timedelta(minutes=5))
    services.session_open(session=session, by=officer)

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as exc:
        services.session_close(session=session, by=officer)

    starts_at = timezone.localtime(session.starts_at)
    assert exc.value.message_dict == {
        "reason": [f"The session starts at {starts_at:%d %B %Y, %H:%M}; say why you close it before it started."]
    }
    assert FeedbackSession.objects.get(pk=session.pk).state == State.OPEN
    assert callbacks == []


def test_session_close_before_its_start_with_a_reason_is_audited_as_early(session, officer):
    services.session_close(session=session, by=officer, reason="The group met informally instead.")

    assert FeedbackSession.objects.get(pk=session.pk).state == State.HELD
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.reason, entry.data) == (
        "feedback.session_close",
        "The group met informally instead.",
        {"early": True},
    )


def test_session_transition_reason_longer_than_the_limit_is_refused(session, officer):
    with pytest.raises(ValidationError) as exc:
        services.session_open(session=session, by=officer, reason="x" * 1001)

    assert exc.value.message_dict == {"reason": ["Keep the reason to 1000 characters; this has 1001."]}


def test_session_close_twice_is_refused(session, officer):
    services.session_close(session=session, by=officer, reason="Held early.")

    with pytest.raises(ValidationError) as exc:
        services.session_close(session=session, by=officer, reason="Held early.")

    assert exc.value.messages == ["Only a scheduled or open session can be closed; this one is Held."]


def test_invitation_factory_builds_an_invited_participant(db):
    invitation = InvitationFactory()

    assert invitation.session.invitations.get() == invitation


def test_contribution_add_anonymous_challenge_keeps_the_author(session, employee):
    contribution, created = services.contribution_add(
        session=session, author=employee, kind="challenge", text="Saying no upwards", anonymous=True
    )

    assert created is True
    assert (contribution.author, contribution.anonymous, contribution.name_for_colleagues) == (
        employee,
        True,
        "a colleague",
    )


@pytest.mark.parametrize("kind", ["insight", "success_story"])
def test_contribution_add_anonymous_other_than_a_challenge_is_refused(session, employee, kind):
    with pytest.raises(ValidationError) as exc:
        services.contribution_add(session=session, author=employee, kind=kind, text="Shared", anonymous=True)

    assert exc.value.message_dict == {
        "anonymous": [
            "Only a challenge can be posted without your name; insights and success stories are shared by name."
        ]
    }
    assert Contribution.objects.count() == 0


def test_contribution_anonymous_only_on_a_challenge_is_a_database_constraint(session, employee):
    with pytest.raises(IntegrityError), transaction.atomic():
        ContributionFactory(session=session, author=employee, kind=Contribution.Kind.INSIGHT, anonymous=True)


def test_attendance_everyone_present_marks_only_who_is_not_recorded(session, officer, employee, peer):
    Invitation.objects.filter(session=session, person=peer).update(attendance="absent")

    marked = services.attendance_everyone_present(session=session, by=officer)

    assert marked == 1
    assert dict(Invitation.objects.filter(session=session).values_list("person_id", "attendance")) == {
        employee.pk: "present",
        peer.pk: "absent",
    }
    assert Invitation.objects.get(session=session, person=employee).attendance_recorded_at is not None


def test_attendance_everyone_present_on_a_cancelled_session_is_refused(session, officer):
    FeedbackSession.objects.filter(pk=session.pk).update(state=State.CANCELLED)
    session.refresh_from_db()

    with pytest.raises(ValidationError) as exc:
        services.attendance_everyone_present(session=session, by=officer)

    assert exc.value.messages == ["Attendance cannot be recorded for a cancelled session."]
    assert Invitation.objects.filter(session=session).exclude(attendance="").count() == 0
