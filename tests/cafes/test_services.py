import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cafes import services
from cafes.models import Cafe, Rsvp, TalkFeedback, TalkInterest, TalkProposal
from saypro.core.models import AuditEntry, Notification, OutboundEmail
from saypro.core.services import person_place
from tests.factories import DepartmentFactory, UserFactory
from tests.factories.cafes import CafeFactory, RsvpFactory, SpeakerPreferenceFactory, TalkFactory, on_agenda

pytestmark = pytest.mark.django_db


def _emails(kind: str) -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(kind=kind).order_by("id"))


def _talk_fields(**overrides) -> dict:
    fields = {
        "title": "Feedforward, not feedback",
        "idea": "Ask for two suggestions for the future instead of judgement of the past.",
        "why_it_matters": "People accept ideas about the future more easily.",
        "audience_can_try": "Ask one colleague for a feedforward this week.",
    }
    return fields | overrides


# --- cafés ------------------------------------------------------------------------------------------


def test_cafe_create_refuses_past_time_and_missing_place_nothing_written(officer):
    with pytest.raises(ValidationError) as exc:
        services.cafe_create(
            by=officer, title="Café", starts_at=timezone.now() - dt.timedelta(hours=1), place="", online_url=""
        )
    assert exc.value.message_dict == {
        "place": ["Give a place, an online link, or both, so people know where to go."],
        "starts_at": ["Choose a date and time in the future."],
    }
    assert Cafe.objects.count() == 0


def test_cafe_create_drafts_with_audit_entry(officer):
    cafe = services.cafe_create(
        by=officer,
        title="May café",
        starts_at=timezone.now() + dt.timedelta(days=3),
        online_url="https://meet.example/x",
    )
    assert (cafe.state, cafe.created_by, cafe.capacity) == (Cafe.State.DRAFT, officer, 30)
    assert AuditEntry.objects.filter(action="cafes.cafe_create", target_id=str(cafe.pk)).count() == 1


def test_cafe_open_only_from_draft(officer):
    cafe = CafeFactory(state=Cafe.State.DRAFT)
    services.cafe_open(cafe=cafe, by=officer)
    cafe.refresh_from_db()
    assert cafe.state == Cafe.State.OPEN
    with pytest.raises(ValidationError, match="Only a draft café can be opened"):
        services.cafe_open(cafe=cafe, by=officer)


def test_cafe_update_refuses_capacity_below_people_going(officer, cafe):
    RsvpFactory.create_batch(3, cafe=cafe)
    with pytest.raises(ValidationError) as exc:
        services.cafe_update(cafe=cafe, by=officer, capacity=2)
    assert exc.value.message_dict == {
        "capacity": ["3 people are already going; the capacity cannot be lower than that."]
    }
    cafe.refresh_from_db()
    assert cafe.capacity == 30


def test_cafe_update_raising_capacity_promotes_waitlist_in_order(officer):
    cafe = CafeFactory(capacity=1)
    RsvpFactory(cafe=cafe)
    first = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST, answered_at=timezone.now() - dt.timedelta(hours=2))
    second = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST, answered_at=timezone.now() - dt.timedelta(hours=1))
    services.cafe_update(cafe=cafe, by=officer, capacity=2)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (Rsvp.Status.GOING, Rsvp.Status.WAITLIST)
    assert [e.recipient_id for e in _emails("cafe_rsvp_promoted")] == [first.person_id]


def test_cafe_update_after_publishing_sends_invite_with_higher_sequence(officer):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED)
    talk = on_agenda(cafe)[0]
    going = RsvpFactory(cafe=cafe)
    RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST)
    services.cafe_update(cafe=cafe, by=officer, starts_at=cafe.starts_at + dt.timedelta(hours=1))
    cafe.refresh_from_db()
    assert cafe.sequence == 1
    emails = _emails("cafe_changed")
    assert sorted(e.recipient_id for e in emails) == sorted([talk.speaker_id, going.person_id])
    assert all("SEQUENCE:1" in e.attachments[0]["content"] for e in emails)


def test_cafe_update_theme_only_after_publishing_sends_nothing(officer):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED)
    on_agenda(cafe)
    services.cafe_update(cafe=cafe, by=officer, theme="Trust")
    cafe.refresh_from_db()
    assert (cafe.theme, cafe.sequence, OutboundEmail.objects.count()) == ("Trust", 0, 0)


def test_cafe_cancel_needs_a_reason(officer, cafe):
    with pytest.raises(ValidationError) as exc:
        services.cafe_cancel(cafe=cafe, by=officer, reason="  ")
    assert exc.value.message_dict == {"reason": ["Say why the café is cancelled; everyone affected reads it."]}
    cafe.refresh_from_db()
    assert cafe.state == Cafe.State.OPEN


def test_cafe_cancel_tells_everyone_and_keeps_talks_for_later(officer):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED)
    accepted = on_agenda(cafe)[0]
    proposed = TalkFactory(cafe=cafe)
    going = RsvpFactory(cafe=cafe)
    waiting = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST)
    RsvpFactory(cafe=cafe, status=Rsvp.Status.CANCELLED)
    services.cafe_cancel(cafe=cafe, by=officer, reason="The venue flooded.")
    cafe.refresh_from_db()
    assert cafe.state == Cafe.State.CANCELLED
    emails = _emails("cafe_cancelled")
    assert sorted(e.recipient_id for e in emails) == sorted(
        [accepted.speaker_id, proposed.speaker_id, going.person_id, waiting.person_id]
    )
    assert all("METHOD:CANCEL" in e.attachments[0]["content"] for e in emails)
    assert "The venue flooded." in emails[0].body_text
    for talk in (accepted, proposed):
        talk.refresh_from_db()
        assert (talk.state, talk.cafe_id, talk.position) == (TalkProposal.State.KEPT, None, None)


def test_cafe_mark_held_delivers_talks_records_attendance_and_invites_reflections(
    officer, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the invitations are a task queued on commit
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() - dt.timedelta(hours=2))
    talk = on_agenda(cafe)[0]
    came, missed = RsvpFactory(cafe=cafe), RsvpFactory(cafe=cafe)
    new_department = DepartmentFactory(name="Finance")
    person_place(person=talk.speaker, department=new_department, location=None, job_role=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.cafe_mark_held(cafe=cafe, by=officer, attended_ids=[came.person_id])
    talk.refresh_from_db()
    assert (talk.state, talk.delivered_at, talk.department_id) == (
        TalkProposal.State.DELIVERED,
        cafe.starts_at,
        new_department.pk,
    )
    assert list(Rsvp.objects.filter(cafe=cafe, attended=True).values_list("person_id", flat=True)) == [came.person_id]
    prompts = Notification.objects.filter(kind="reflection_prompt")
    assert [(n.recipient_id, n.title) for n in prompts] == [
        (came.person_id, f"Write a reflection: Knowledge café: {cafe.title}")
    ]
    assert missed.person_id not in [n.recipient_id for n in prompts]


def test_cafe_mark_held_refuses_before_the_start(officer, cafe):
    with pytest.raises(ValidationError, match="has not started yet"):
        services.cafe_mark_held(cafe=cafe, by=officer)
    cafe.refresh_from_db()
    assert cafe.state == Cafe.State.OPEN


def test_cafe_draft_next_month_on_the_third_thursday_once(officer):
    cafe = services.cafe_draft_next_month(today=dt.date(2026, 3, 1))
    local = timezone.localtime(cafe.starts_at)
    assert (local.date(), local.hour, cafe.state, cafe.drafted_for_month) == (
        dt.date(2026, 4, 16),
        15,
        Cafe.State.DRAFT,
        dt.date(2026, 4, 1),
    )
    assert Notification.objects.filter(recipient=officer, kind="cafe_drafted").count() == 1
    assert services.cafe_draft_next_month(today=dt.date(2026, 3, 1)) is None
    assert Cafe.objects.count() == 1


def test_cafe_draft_next_month_skips_a_month_already_planned(db):
    tz = timezone.get_current_timezone()
    CafeFactory(starts_at=dt.datetime(2026, 5, 7, 15, 0, tzinfo=tz))
    assert services.cafe_draft_next_month(today=dt.date(2026, 4, 1)) is None
    assert Cafe.objects.count() == 1


def test_cafe_draft_next_month_in_december_drafts_january(db):
    cafe = services.cafe_draft_next_month(today=dt.date(2026, 12, 1))
    assert timezone.localtime(cafe.starts_at).date() == dt.date(2027, 1, 21)


# --- reminders --------------------------------------------------------------------------------------


def test_reminders_day_then_hour_each_at_most_once():
    now = timezone.now()
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=now + dt.timedelta(hours=20))
    talk = on_agenda(cafe)[0]
    going = RsvpFactory(cafe=cafe)
    RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST)
    RsvpFactory(cafe=cafe, status=Rsvp.Status.CANCELLED)
    assert services.cafe_send_reminders(now=now) == 2
    assert services.cafe_send_reminders(now=now + dt.timedelta(hours=1)) == 0
    later = cafe.starts_at - dt.timedelta(minutes=50)
    assert services.cafe_send_reminders(now=later) == 2
    assert services.cafe_send_reminders(now=later + dt.timedelta(minutes=5)) == 0
    keys = sorted(OutboundEmail.objects.filter(kind="cafe_reminder").values_list("recipient_id", "key"))
    assert keys == sorted(
        [(p, f"cafe:{cafe.pk}:reminder-{w}") for p in (talk.speaker_id, going.person_id) for w in ("day", "hour")]
    )


def test_reminders_skip_cancelled_draft_and_far_cafes():
    now = timezone.now()
    for state in (Cafe.State.CANCELLED, Cafe.State.DRAFT):
        RsvpFactory(cafe=CafeFactory(state=state, starts_at=now + dt.timedelta(hours=3)))
    RsvpFactory(cafe=CafeFactory(starts_at=now + dt.timedelta(days=3)))
    assert services.cafe_send_reminders(now=now) == 0


# --- talk proposals ---------------------------------------------------------------------------------


def test_talk_propose_with_empty_idea_refused_nothing_written(employee, cafe):
    with pytest.raises(ValidationError) as exc:
        services.talk_propose(speaker=employee, cafe=cafe, **_talk_fields(idea="   "))
    assert exc.value.message_dict == {"idea": ["Say the one idea of your talk in a sentence or two."]}
    assert TalkProposal.objects.count() == 0


def test_talk_propose_records_first_talk_and_tells_officers(employee, cafe, officer):
    talk = services.talk_propose(speaker=employee, cafe=cafe, wants_practice_buddy=True, **_talk_fields())
    assert (talk.state, talk.first_talk, talk.wants_practice_buddy, talk.duration_minutes) == (
        TalkProposal.State.PROPOSED,
        True,
        True,
        5,
    )
    assert Notification.objects.get(recipient=officer, kind="cafe_proposal").title == (
        "New talk proposal: Feedforward, not feedback"
    )


def test_talk_propose_practice_buddy_only_for_first_time_speakers(employee, started_cafe, cafe):
    on_agenda(started_cafe, speaker=employee)
    with pytest.raises(ValidationError) as exc:
        services.talk_propose(speaker=employee, cafe=cafe, wants_practice_buddy=True, **_talk_fields())
    assert exc.value.message_dict == {
        "wants_practice_buddy": ["Practice buddies are for first-time speakers; you have given a talk before."]
    }
    assert TalkProposal.objects.filter(speaker=employee).count() == 1


def test_talk_propose_refuses_a_cafe_that_takes_no_more_proposals(employee, started_cafe):
    with pytest.raises(ValidationError) as exc:
        services.talk_propose(speaker=employee, cafe=started_cafe, **_talk_fields())
    assert exc.value.message_dict == {"cafe": ["This café takes no more proposals; choose a coming café."]}


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("", ""),
        ("/reflections/12/", "/reflections/12/"),
        ("http://127.0.0.1:8000/reflections/7/?x=1", "/reflections/7/"),
    ],
)
def test_reflection_link_clean_accepts_reflection_pages(typed, stored, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert services.reflection_link_clean(typed) == stored


@pytest.mark.parametrize(
    "typed", ["https://evil.example/reflections/1/", "/circles/3/", "/reflections/", "javascript:alert(1)"]
)
def test_reflection_link_clean_refuses_other_addresses(typed, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    with pytest.raises(ValidationError) as exc:
        services.reflection_link_clean(typed)
    assert list(exc.value.message_dict) == ["reflection_url"]


def test_talk_interest_toggle_on_and_off(other_employee):
    talk = TalkFactory()
    assert services.talk_interest_toggle(talk=talk, person=other_employee) is True
    assert TalkInterest.objects.filter(talk=talk).count() == 1
    assert services.talk_interest_toggle(talk=talk, person=other_employee) is False
    assert TalkInterest.objects.filter(talk=talk).count() == 0


def test_talk_interest_refused_on_own_talk(employee):
    talk = TalkFactory(speaker=employee)
    with pytest.raises(ValidationError, match="your own proposal"):
        services.talk_interest_toggle(talk=talk, person=employee)
    assert TalkInterest.objects.count() == 0


def test_talk_accept_takes_last_slot_and_snapshots_placement(officer, cafe):
    on_agenda(cafe, count=2)
    talk = TalkFactory(cafe=None, state=TalkProposal.State.KEPT)
    services.talk_accept(talk=talk, by=officer, cafe=cafe, note="Lovely idea.")
    talk.refresh_from_db()
    assert (talk.state, talk.cafe_id, talk.position, talk.department_id) == (
        TalkProposal.State.ACCEPTED,
        cafe.pk,
        3,
        talk.speaker.department_id,
    )
    assert _emails("talk_accepted")[0].recipient_id == talk.speaker_id
    assert AuditEntry.objects.filter(action="cafes.talk_accept").count() == 1


def test_talk_accept_into_published_cafe_marks_agenda_changed(officer):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED)
    services.talk_accept(talk=TalkFactory(cafe=cafe), by=officer, cafe=cafe)
    cafe.refresh_from_db()
    assert cafe.agenda_changed is True


def test_talk_decline_needs_a_kind_note(officer):
    talk = TalkFactory()
    with pytest.raises(ValidationError) as exc:
        services.talk_decline(talk=talk, by=officer, note="")
    assert list(exc.value.message_dict) == ["note"]
    talk.refresh_from_db()
    assert talk.state == TalkProposal.State.PROPOSED
    services.talk_decline(talk=talk, by=officer, note="This fits the circles better; bring it there?")
    talk.refresh_from_db()
    assert talk.state == TalkProposal.State.DECLINED
    assert _emails("talk_declined")[0].body_text.count("This fits the circles better") == 1


def test_talk_keep_for_later_detaches_from_cafe(officer, cafe):
    talk = TalkFactory(cafe=cafe)
    services.talk_keep(talk=talk, by=officer)
    talk.refresh_from_db()
    assert (talk.state, talk.cafe_id) == (TalkProposal.State.KEPT, None)


def test_talk_withdraw_closes_the_gap_on_the_agenda(cafe):
    first, second, third = on_agenda(cafe, count=3)
    services.talk_withdraw(talk=first, by=first.speaker)
    positions = dict(TalkProposal.objects.filter(cafe=cafe).values_list("pk", "position"))
    assert positions == {first.pk: None, second.pk: 1, third.pk: 2}


def test_talk_update_refused_after_decision(cafe):
    talk = on_agenda(cafe)[0]
    with pytest.raises(ValidationError, match="decided already"):
        services.talk_update(talk=talk, by=talk.speaker, title="New")


# --- the agenda -------------------------------------------------------------------------------------


def test_agenda_move_swaps_neighbours_and_stops_at_the_ends(officer, cafe):
    first, second = on_agenda(cafe, count=2)
    services.agenda_move(talk=second, by=officer, direction="up")
    assert list(TalkProposal.objects.filter(cafe=cafe).order_by("position").values_list("pk", flat=True)) == [
        second.pk,
        first.pk,
    ]
    services.agenda_move(talk=second, by=officer, direction="up")
    second.refresh_from_db()
    assert second.position == 1


def test_agenda_publish_sends_each_speaker_slot_and_invite(officer, cafe):
    first, second = on_agenda(cafe, count=2)
    services.agenda_publish(cafe=cafe, by=officer)
    cafe.refresh_from_db()
    assert (cafe.state, cafe.sequence) == (Cafe.State.PUBLISHED, 0)
    emails = _emails("cafe_agenda")
    assert [e.recipient_id for e in emails] == [first.speaker_id, second.speaker_id]
    assert "slot 2" in emails[1].body_text
    assert "SEQUENCE:0" in emails[0].attachments[0]["content"]
    assert emails[0].attachments[0]["mimetype"] == "text/calendar; method=REQUEST; charset=utf-8"


def test_agenda_publish_without_talks_refused(officer, cafe):
    with pytest.raises(ValidationError, match="Accept at least one talk"):
        services.agenda_publish(cafe=cafe, by=officer)
    cafe.refresh_from_db()
    assert cafe.state == Cafe.State.OPEN


def test_agenda_change_after_publishing_sends_update_with_higher_sequence(officer, cafe):
    first, second = on_agenda(cafe, count=2)
    services.agenda_publish(cafe=cafe, by=officer)
    with pytest.raises(ValidationError, match="has not changed"):
        services.agenda_publish(cafe=cafe, by=officer)
    services.agenda_move(talk=second, by=officer, direction="up")
    services.agenda_publish(cafe=cafe, by=officer)
    cafe.refresh_from_db()
    assert (cafe.sequence, cafe.agenda_changed) == (1, False)
    updates = [e for e in _emails("cafe_agenda") if e.key == f"cafe:{cafe.pk}:agenda:1"]
    assert sorted(e.recipient_id for e in updates) == sorted([first.speaker_id, second.speaker_id])
    assert all("SEQUENCE:1" in e.attachments[0]["content"] for e in updates)
    assert "slot 1" in next(e for e in updates if e.recipient_id == second.speaker_id).body_text


# --- RSVPs ------------------------------------------------------------------------------------------


def test_rsvp_going_until_full_then_waitlist():
    cafe = CafeFactory(capacity=2)
    people = UserFactory.create_batch(3)
    statuses = [services.rsvp_going(cafe=cafe, person=p).status for p in people]
    assert statuses == [Rsvp.Status.GOING, Rsvp.Status.GOING, Rsvp.Status.WAITLIST]
    assert len(_emails("cafe_rsvp_going")) == 2


def test_rsvp_going_twice_changes_nothing(employee, cafe):
    first = services.rsvp_going(cafe=cafe, person=employee)
    again = services.rsvp_going(cafe=cafe, person=employee)
    assert (again.pk, again.answered_at, Rsvp.objects.count()) == (first.pk, first.answered_at, 1)


def test_rsvp_going_snapshots_placement(employee, cafe):
    rsvp = services.rsvp_going(cafe=cafe, person=employee)
    assert (rsvp.department_id, rsvp.location_id, rsvp.job_role_id) == (
        employee.department_id,
        employee.location_id,
        employee.job_role_id,
    )


@pytest.mark.parametrize(
    ("state", "hours", "message"),
    [
        (Cafe.State.CANCELLED, 24, "This café was cancelled, so it takes no RSVPs."),
        (Cafe.State.PUBLISHED, -1, "This café has already taken place, so it takes no RSVPs."),
        (Cafe.State.HELD, -24, "This café has already taken place, so it takes no RSVPs."),
    ],
)
def test_rsvp_to_past_or_cancelled_cafe_refused_nothing_written(employee, state, hours, message):
    cafe = CafeFactory(state=state, starts_at=timezone.now() + dt.timedelta(hours=hours))
    with pytest.raises(ValidationError) as exc:
        services.rsvp_going(cafe=cafe, person=employee)
    assert exc.value.messages == [message]
    assert Rsvp.objects.count() == 0


def test_rsvp_cancel_promotes_first_on_waitlist_who_is_told():
    cafe = CafeFactory(capacity=1)
    going = RsvpFactory(cafe=cafe)
    first = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST, answered_at=timezone.now() - dt.timedelta(hours=2))
    second = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST, answered_at=timezone.now() - dt.timedelta(hours=1))
    services.rsvp_cancel(cafe=cafe, person=going.person)
    statuses = dict(Rsvp.objects.values_list("pk", "status"))
    assert statuses == {going.pk: "cancelled", first.pk: "going", second.pk: "waitlist"}
    promoted = _emails("cafe_rsvp_promoted")
    assert [e.recipient_id for e in promoted] == [first.person_id]
    assert promoted[0].subject.endswith(f"A seat opened up: you're going to {cafe.title}")
    assert "BEGIN:VCALENDAR" in promoted[0].attachments[0]["content"]


def test_rsvp_cancel_from_waitlist_promotes_nobody():
    cafe = CafeFactory(capacity=1)
    RsvpFactory(cafe=cafe)
    leaving = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST)
    other = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST)
    services.rsvp_cancel(cafe=cafe, person=leaving.person)
    other.refresh_from_db()
    assert other.status == Rsvp.Status.WAITLIST


def test_rsvp_again_after_cancelling_joins_the_end_of_the_waitlist():
    cafe = CafeFactory(capacity=1)
    rsvp = RsvpFactory(cafe=cafe)
    services.rsvp_cancel(cafe=cafe, person=rsvp.person)
    RsvpFactory(cafe=cafe)
    again = services.rsvp_going(cafe=cafe, person=rsvp.person)
    assert (again.pk, again.status) == (rsvp.pk, Rsvp.Status.WAITLIST)


def test_rsvp_cancel_without_rsvp_refused(employee, cafe):
    with pytest.raises(ValidationError, match="You had not said you were coming."):
        services.rsvp_cancel(cafe=cafe, person=employee)


# --- feedback ---------------------------------------------------------------------------------------

GOOD = {"clarity": 4, "usefulness": 5, "delivery": 3, "worked": "Clear story.", "try_next": "Slow down a bit."}


def test_feedback_give_then_again_edits_the_same_feedback(talk, attendee):
    feedback, created = services.feedback_give(talk=talk, giver=attendee, **GOOD)
    assert created is True
    again, created = services.feedback_give(talk=talk, giver=attendee, **(GOOD | {"clarity": 2}))
    assert (created, again.pk, again.clarity) == (False, feedback.pk, 2)
    assert TalkFeedback.objects.count() == 1


def test_feedback_on_own_talk_refused(talk, employee, started_cafe):
    RsvpFactory(cafe=started_cafe, person=employee)
    with pytest.raises(ValidationError, match="This is your own talk"):
        services.feedback_give(talk=talk, giver=employee, **GOOD)
    assert TalkFeedback.objects.count() == 0


@pytest.mark.parametrize("status", [None, Rsvp.Status.WAITLIST, Rsvp.Status.CANCELLED])
def test_feedback_from_someone_not_at_the_cafe_refused(talk, other_employee, started_cafe, status):
    if status:
        RsvpFactory(cafe=started_cafe, person=other_employee, status=status)
    with pytest.raises(ValidationError) as exc:
        services.feedback_give(talk=talk, giver=other_employee, **GOOD)
    assert exc.value.messages == [
        "Only people who were at this café (who RSVP'd going) can give feedback on its talks."
    ]
    assert TalkFeedback.objects.count() == 0


def test_feedback_from_marked_attendee_accepted(talk, other_employee, started_cafe):
    RsvpFactory(cafe=started_cafe, person=other_employee, status=Rsvp.Status.CANCELLED, attended=True)
    assert services.feedback_give(talk=talk, giver=other_employee, **GOOD)[1] is True


def test_feedback_before_the_cafe_starts_refused(other_employee, cafe):
    talk = on_agenda(cafe)[0]
    RsvpFactory(cafe=cafe, person=other_employee)
    with pytest.raises(ValidationError, match="Feedback opens when the café starts."):
        services.feedback_give(talk=talk, giver=other_employee, **GOOD)


@pytest.mark.parametrize("value", [0, 6, -1, "five", None])
def test_feedback_rating_out_of_range_refused(talk, attendee, value):
    with pytest.raises(ValidationError) as exc:
        services.feedback_give(talk=talk, giver=attendee, **(GOOD | {"delivery": value}))
    assert exc.value.message_dict == {
        "delivery": ["Answer “How well was it delivered (pace, voice, timing)?” with a number from 1 to 5."]
    }
    assert TalkFeedback.objects.count() == 0


def test_feedback_notifies_speaker_only_when_opted_in_and_never_names_the_giver(talk, attendee, employee):
    services.feedback_give(talk=talk, giver=attendee, **GOOD)
    assert Notification.objects.filter(recipient=employee).count() == 0
    SpeakerPreferenceFactory(person=employee, notify_new_feedback=True)
    second = UserFactory()
    RsvpFactory(cafe=talk.cafe, person=second)
    services.feedback_give(talk=talk, giver=second, **GOOD)
    services.feedback_give(talk=talk, giver=second, **(GOOD | {"clarity": 1}))
    notices = list(Notification.objects.filter(recipient=employee, kind="talk_feedback_received"))
    assert len(notices) == 1
    for person in (attendee, second):
        for text in (person.full_name, person.email, person.first_name):
            assert text not in notices[0].title + notices[0].body


def test_feedback_hide_needs_a_reason_and_is_audited(officer, talk, attendee):
    feedback, _ = services.feedback_give(talk=talk, giver=attendee, **GOOD)
    with pytest.raises(ValidationError):
        services.feedback_hide(feedback=feedback, by=officer, reason="")
    services.feedback_hide(feedback=feedback, by=officer, reason="Insulting.")
    feedback.refresh_from_db()
    assert (feedback.hidden_reason, AuditEntry.objects.filter(action="cafes.feedback_hide").count()) == (
        "Insulting.",
        1,
    )


def test_speaker_preference_set_upserts(employee):
    services.speaker_preference_set(person=employee, notify_new_feedback=True, share_with_mentor=False)
    pref = services.speaker_preference_set(person=employee, notify_new_feedback=False, share_with_mentor=True)
    assert (pref.notify_new_feedback, pref.share_with_mentor) == (False, True)


def test_practice_buddy_pairs_first_timer_with_experienced_speaker(officer, started_cafe):
    talk = TalkFactory(wants_practice_buddy=True, first_talk=True)
    buddy = on_agenda(started_cafe)[0].speaker
    services.talk_practice_buddy_set(talk=talk, by=officer, buddy=buddy)
    talk.refresh_from_db()
    assert talk.practice_buddy == buddy
    assert sorted(e.recipient_id for e in _emails("talk_practice_buddy")) == sorted([talk.speaker_id, buddy.pk])


@pytest.mark.parametrize(
    ("wants", "who", "message"),
    [
        (False, "experienced", "This speaker did not ask for a practice buddy."),
        (True, "speaker", "Choose a colleague other than the speaker."),
        (True, "newcomer", "Choose someone who has given a talk at a café before."),
    ],
)
def test_practice_buddy_refusals_write_nothing(officer, started_cafe, wants, who, message):
    talk = TalkFactory(wants_practice_buddy=wants)
    buddy = {
        "experienced": lambda: on_agenda(started_cafe)[0].speaker,
        "speaker": lambda: talk.speaker,
        "newcomer": UserFactory,
    }[who]()
    with pytest.raises(ValidationError) as exc:
        services.talk_practice_buddy_set(talk=talk, by=officer, buddy=buddy)
    assert exc.value.message_dict == {"practice_buddy": [message]}
    talk.refresh_from_db()
    assert (talk.practice_buddy, Notification.objects.filter(kind="talk_practice_buddy").count()) == (None, 0)


def test_cafe_mark_held_invites_attendees_through_the_reflections_app(
    officer, django_capture_on_commit_callbacks, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() - dt.timedelta(hours=2))
    came = RsvpFactory(cafe=cafe)
    with django_capture_on_commit_callbacks(execute=True):
        services.cafe_mark_held(cafe=cafe, by=officer)
    prompt = Notification.objects.get(recipient=came.person, kind="reflection_prompt")
    assert prompt.url == f"/reflections/write/?kind=cafe&context=cafes.cafe%3A{cafe.pk}"


def test_cafe_reflection_prompts_lost_with_the_broker_are_sent_by_the_sweep_once(
    officer, django_capture_on_commit_callbacks, monkeypatch
):
    """The task queued at "mark held" never arrives; the sweep invites everyone, and a second sweep nobody."""
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() - dt.timedelta(hours=2))
    came = [RsvpFactory(cafe=cafe), RsvpFactory(cafe=cafe)]
    RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST)
    lost = []
    monkeypatch.setattr(services, "task_enqueue", lambda task, **kwargs: lost.append((task.name, kwargs)) and False)
    with django_capture_on_commit_callbacks(execute=True):
        services.cafe_mark_held(cafe=cafe, by=officer)
    assert lost == [("cafes.cafe_send_reflection_prompts_task", {"cafe_id": cafe.pk})]
    assert Notification.objects.filter(kind="reflection_prompt").count() == 0

    assert services.cafe_send_reflection_prompts_due() == 2
    assert services.cafe_send_reflection_prompts_due() == 0

    prompted = Notification.objects.filter(kind="reflection_prompt").values_list("recipient_id", flat=True)
    assert sorted(prompted) == sorted(r.person_id for r in came)
