import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cafes import selectors
from cafes.models import Cafe, Rsvp, TalkProposal
from saypro.core.learning_log import VERB_ATTENDED, VERB_PRESENTED
from tests.factories import DepartmentFactory, UserFactory
from tests.factories.cafes import CafeFactory, RsvpFactory, TalkFactory, TalkFeedbackFactory, on_agenda

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def _held(year, month, day, hour=15):
    return CafeFactory(state=Cafe.State.HELD, starts_at=dt.datetime(year, month, day, hour, tzinfo=TZ))


def test_cafe_agenda_computes_start_times_from_formats():
    cafe = CafeFactory(starts_at=dt.datetime(2030, 5, 16, 15, 0, tzinfo=TZ), opening_minutes=10, changeover_minutes=2)
    on_agenda(cafe, duration_minutes=5)
    on_agenda(cafe, duration_minutes=10)
    on_agenda(cafe, duration_minutes=7)
    times = [
        (s.number, f"{s.starts_at.astimezone(TZ):%H:%M}", f"{s.ends_at.astimezone(TZ):%H:%M}")
        for s in selectors.cafe_agenda(cafe=cafe)
    ]
    assert times == [(1, "15:10", "15:15"), (2, "15:17", "15:27"), (3, "15:29", "15:36")]


def test_cafe_seat_counts_and_waitlist_place():
    cafe = CafeFactory(capacity=3)
    RsvpFactory.create_batch(2, cafe=cafe)
    RsvpFactory(cafe=cafe, status=Rsvp.Status.CANCELLED)
    now = timezone.now()
    first = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST, answered_at=now - dt.timedelta(minutes=5))
    second = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST, answered_at=now)
    seats = selectors.cafe_seat_counts(cafe=cafe)
    assert (seats.going, seats.waitlist, seats.left) == (2, 2, 1)
    assert selectors.cafe_seats_and_rsvp(cafe=cafe, person=second.person)[1].waitlist_place == 2
    assert selectors.cafe_seats_and_rsvp(cafe=cafe, person=first.person)[1].waitlist_place == 1


def test_seats_and_rsvp_kept_per_person_and_fresh_after_an_answer(monkeypatch):
    """A kept read takes the person's own entry, not every answer to the café; any answer makes it stale."""
    cafe = CafeFactory(capacity=1)
    going = RsvpFactory(cafe=cafe)
    waiting = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST)
    selectors.cafe_seats_and_rsvp(cafe=cafe, person=waiting.person)
    read = []
    real = selectors.RSVP_CACHE.get_or_set
    monkeypatch.setattr(selectors.RSVP_CACHE, "get_or_set", lambda key, compute: read.append(key) or real(key, compute))

    seats, rsvp = selectors.cafe_seats_and_rsvp(cafe=cafe, person=waiting.person)
    assert (seats.going, seats.waitlist, rsvp.waitlist_place) == (1, 1, 1)
    assert read == [f"seats:{cafe.pk}:{waiting.person.pk}"]

    going.status = Rsvp.Status.CANCELLED
    going.save()
    waiting.status = Rsvp.Status.GOING
    waiting.save()
    seats, rsvp = selectors.cafe_seats_and_rsvp(cafe=cafe, person=waiting.person)
    assert (seats.going, seats.waitlist, rsvp.status, rsvp.waitlist_place) == (1, 0, Rsvp.Status.GOING, None)


def test_cafe_list_hides_drafts_from_colleagues(employee, officer):
    draft = CafeFactory(state=Cafe.State.DRAFT)
    open_cafe = CafeFactory()
    assert list(selectors.cafe_list(viewer=employee)) == [open_cafe]
    assert set(selectors.cafe_list(viewer=officer)) == {draft, open_cafe}


def test_talk_list_hides_declined_and_withdrawn_from_colleagues(employee, other_employee, officer):
    public = TalkFactory(speaker=employee)
    declined = TalkFactory(speaker=employee, state=TalkProposal.State.DECLINED)
    withdrawn = TalkFactory(speaker=employee, state=TalkProposal.State.WITHDRAWN)
    assert list(selectors.talk_list(viewer=other_employee)) == [public]
    assert set(selectors.talk_list(viewer=employee)) == {public, declined, withdrawn}
    assert set(selectors.talk_list(viewer=officer)) == {public, declined, withdrawn}


def test_talk_feedback_summary_averages_only_from_three_and_texts_sorted(talk):
    TalkFeedbackFactory(talk=talk, clarity=5, usefulness=4, delivery=3, worked="b", try_next="Z")
    TalkFeedbackFactory(talk=talk, clarity=4, usefulness=4, delivery=3, worked="a", try_next="y")
    summary = selectors.talk_feedback_summary(talk=talk)
    assert (summary.count, summary.averages, summary.worked, summary.try_next) == (2, [], ["a", "b"], ["y", "Z"])
    TalkFeedbackFactory(talk=talk, clarity=4, usefulness=5, delivery=2)
    TalkFeedbackFactory(talk=talk, clarity=1, hidden_at=timezone.now(), hidden_reason="Abuse")
    summary = selectors.talk_feedback_summary(talk=talk)
    assert [(a.field, a.average) for a in summary.averages] == [
        ("clarity", Decimal("4.3")),
        ("usefulness", Decimal("4.3")),
        ("delivery", Decimal("2.7")),
    ]


def test_speaker_growth_orders_by_cafe_and_hides_small_averages(employee):
    later = on_agenda(_held(2026, 3, 19), speaker=employee, state=TalkProposal.State.DELIVERED)[0]
    earlier = on_agenda(_held(2026, 1, 15), speaker=employee, state=TalkProposal.State.DELIVERED)[0]
    TalkFeedbackFactory.create_batch(3, talk=earlier, clarity=3)
    TalkFeedbackFactory.create_batch(2, talk=later, clarity=5)
    TalkFactory(speaker=employee)  # only proposed: not on the growth page
    rows = selectors.speaker_growth(speaker=employee)
    assert [(r.talk.pk, r.count, r.averages["clarity"]) for r in rows] == [
        (earlier.pk, 3, Decimal("3.0")),
        (later.pk, 2, None),
    ]


def test_cafe_talks_delivered_in_month_boundaries_in_local_time():
    # 00:30 on 1 April in Johannesburg is still 31 March in UTC: it belongs to April.
    april = _held(2026, 4, 1, hour=0)
    march = _held(2026, 3, 31, hour=23)
    cancelled = CafeFactory(state=Cafe.State.CANCELLED, starts_at=dt.datetime(2026, 4, 9, 15, tzinfo=TZ))
    in_april = on_agenda(april, state=TalkProposal.State.DELIVERED)[0]
    on_agenda(march, state=TalkProposal.State.DELIVERED)
    TalkFactory(cafe=cancelled, state=TalkProposal.State.KEPT)
    on_agenda(april)  # accepted but not delivered
    start, end = dt.datetime(2026, 4, 1, tzinfo=TZ), dt.datetime(2026, 5, 1, tzinfo=TZ)
    assert list(selectors.cafe_talks_delivered_in(start=start, end=end)) == [in_april]


def test_cafe_talks_delivered_keep_the_department_at_the_time(officer, reflection_invites):
    from saypro.core.services import person_place

    cafe = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() - dt.timedelta(hours=1))
    talk = on_agenda(cafe)[0]
    before = talk.speaker.department
    from cafes.services import cafe_mark_held

    cafe_mark_held(cafe=cafe, by=officer)
    person_place(person=talk.speaker, department=DepartmentFactory(name="Moved"), location=None, job_role=None)
    delivered = selectors.cafe_talks_delivered_in(start=cafe.starts_at, end=cafe.starts_at + dt.timedelta(hours=1))
    assert [t.department for t in delivered] == [before]


def test_cafe_attendance_in_counts_attended_at_held_cafes():
    cafe = _held(2026, 2, 19)
    came = RsvpFactory(cafe=cafe, attended=True)
    RsvpFactory(cafe=cafe, attended=False)
    RsvpFactory(cafe=CafeFactory(starts_at=dt.datetime(2026, 2, 20, tzinfo=TZ)), attended=True)
    start, end = dt.datetime(2026, 2, 1, tzinfo=TZ), dt.datetime(2026, 3, 1, tzinfo=TZ)
    assert list(selectors.cafe_attendance_in(start=start, end=end)) == [came]


def test_learning_log_entries_for_talks_given_and_cafes_attended(employee):
    spoke_at = _held(2026, 1, 15)
    talk = on_agenda(spoke_at, speaker=employee, state=TalkProposal.State.DELIVERED)[0]
    went_to = _held(2026, 2, 19)
    RsvpFactory(cafe=went_to, person=employee, attended=True)
    RsvpFactory(cafe=_held(2025, 12, 11), person=employee, attended=True)
    entries = selectors.learning_log_entries(
        person=employee, start=dt.datetime(2026, 1, 1, tzinfo=TZ), end=dt.datetime(2026, 3, 1, tzinfo=TZ)
    )
    assert [(e.kind, e.verb, e.object_id) for e in entries] == [
        ("cafe", VERB_ATTENDED, f"cafes.cafe:{went_to.pk}"),
        ("talk", VERB_PRESENTED, f"cafes.talkproposal:{talk.pk}"),
    ]
    assert entries[1].title == f"Gave a lightning talk: {talk.title}"


def test_cafe_next_for_finds_the_next_open_cafe_and_rsvp(employee):
    CafeFactory(state=Cafe.State.DRAFT, starts_at=timezone.now() + dt.timedelta(days=1))
    later = CafeFactory(starts_at=timezone.now() + dt.timedelta(days=20))
    sooner = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() + dt.timedelta(days=2))
    rsvp = RsvpFactory(cafe=sooner, person=employee)
    assert selectors.cafe_next_for(person=employee) == (sooner, rsvp.status)
    assert selectors.cafe_next_for(person=UserFactory()) == (sooner, None)
    assert later.pk != sooner.pk


def test_feedback_refusal_for_cancelled_cafe(other_employee):
    cafe = CafeFactory(state=Cafe.State.CANCELLED, starts_at=timezone.now() - dt.timedelta(hours=1))
    talk = TalkFactory(cafe=cafe, state=TalkProposal.State.ACCEPTED, position=1)
    assert selectors.feedback_refusal(talk=talk, person=other_employee) == (
        "This café was cancelled, so its talks take no feedback."
    )
