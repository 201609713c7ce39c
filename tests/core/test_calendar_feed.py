"""Calendar subscriptions: a private, revocable feed of a person's sessions, circles and cafés."""

import datetime as dt

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cafes.models import Cafe, Rsvp, TalkProposal
from circles.models import Round
from feedback.models import FeedbackSession
from saypro.core import selectors, services
from saypro.core.calendar import calendar_entries_for, ics_feed
from saypro.core.models import CalendarFeed
from saypro.core.personal_data import personal_data_erase, personal_data_export
from tests.factories.cafes import CafeFactory, RsvpFactory, TalkFactory
from tests.factories.circles import CircleFactory, MembershipFactory, RoundFactory
from tests.factories.feedback import FeedbackSessionFactory, InvitationFactory


def _events(body: str) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def _feed_url(token: str) -> str:
    return reverse("core:calendar-feed", kwargs={"token": token})


@pytest.fixture
def published_circle(db):
    round = RoundFactory(state=Round.State.PUBLISHED)
    return CircleFactory(round=round)


# --- services and selectors -----------------------------------------------------------------------


def test_calendar_feed_create_stores_only_a_hash(employee):
    token = services.calendar_feed_create(person=employee)

    feed = CalendarFeed.objects.get(person=employee)
    assert len(token) >= 40
    assert token not in feed.token_hash
    assert feed.token_hash == selectors.calendar_feed_token_hash(token)
    assert selectors.calendar_feed_person(token=token) == employee


def test_calendar_feed_create_again_ends_the_old_address(employee):
    old = services.calendar_feed_create(person=employee)

    new = services.calendar_feed_create(person=employee)

    assert CalendarFeed.objects.filter(person=employee).count() == 1
    assert selectors.calendar_feed_person(token=old) is None
    assert selectors.calendar_feed_person(token=new) == employee


def test_calendar_feed_revoke_ends_the_address(employee):
    token = services.calendar_feed_create(person=employee)

    assert services.calendar_feed_revoke(person=employee) is True
    assert services.calendar_feed_revoke(person=employee) is False
    assert selectors.calendar_feed_person(token=token) is None


def test_calendar_feed_person_refuses_an_inactive_person(employee):
    token = services.calendar_feed_create(person=employee)
    employee.is_active = False
    employee.save(update_fields=["is_active"])

    assert selectors.calendar_feed_person(token=token) is None


def test_calendar_feed_mark_read_at_most_once_a_minute(employee):
    services.calendar_feed_create(person=employee)
    first = timezone.now()

    services.calendar_feed_mark_read(person=employee, now=first)
    services.calendar_feed_mark_read(person=employee, now=first + dt.timedelta(seconds=30))
    assert CalendarFeed.objects.get(person=employee).last_read_at == first

    services.calendar_feed_mark_read(person=employee, now=first + dt.timedelta(minutes=2))
    assert CalendarFeed.objects.get(person=employee).last_read_at == first + dt.timedelta(minutes=2)


def test_feedback_sessions_in_the_feed_are_the_persons_agreed_ones(employee, other_employee):
    invited = InvitationFactory(person=employee).session
    facilitated = FeedbackSessionFactory(facilitator=employee)
    proposed = InvitationFactory(person=employee, session__state=FeedbackSession.State.PROPOSED).session
    cancelled = InvitationFactory(person=employee, session__state=FeedbackSession.State.CANCELLED).session
    InvitationFactory(person=other_employee)
    long_past = InvitationFactory(
        person=employee,
        session__state=FeedbackSession.State.HELD,
        session__starts_at=timezone.now() - dt.timedelta(days=60),
    ).session

    uids = {entry.uid for entry in calendar_entries_for(person=employee)}

    assert uids == {f"feedback-session-{invited.pk}", f"feedback-session-{facilitated.pk}"}
    assert not {f"feedback-session-{s.pk}" for s in (proposed, cancelled, long_past)} & uids


def test_circles_in_the_feed_are_published_ones_the_person_did_not_leave(employee, published_circle):
    MembershipFactory(circle=published_circle, person=employee)
    left = MembershipFactory(
        circle=CircleFactory(round=RoundFactory(state=Round.State.PUBLISHED)), person=employee, left_at=timezone.now()
    )
    formed = MembershipFactory(circle=CircleFactory(round=RoundFactory(state=Round.State.FORMED)), person=employee)
    MembershipFactory(circle=CircleFactory(round=RoundFactory(state=Round.State.PUBLISHED)))

    entries = calendar_entries_for(person=employee)

    assert [entry.uid for entry in entries] == [f"circle-{published_circle.pk}"]
    assert entries[0].starts_at == published_circle.round.meets_at
    assert f"circle-{left.circle.pk}" != entries[0].uid != f"circle-{formed.circle.pk}"


def test_cafes_in_the_feed_going_waitlisted_or_speaking(employee):
    going = RsvpFactory(person=employee).cafe
    waitlisted = RsvpFactory(person=employee, status=Rsvp.Status.WAITLIST).cafe
    speaking = TalkFactory(speaker=employee, state=TalkProposal.State.ACCEPTED).cafe
    RsvpFactory(person=employee, status=Rsvp.Status.CANCELLED)
    RsvpFactory(person=employee, cafe=CafeFactory(state=Cafe.State.CANCELLED))
    RsvpFactory(person=employee, cafe=CafeFactory(state=Cafe.State.DRAFT))
    TalkFactory(speaker=employee, state=TalkProposal.State.PROPOSED)

    entries = {entry.uid: entry for entry in calendar_entries_for(person=employee)}

    assert set(entries) == {f"cafe-{going.pk}", f"cafe-{waitlisted.pk}", f"cafe-{speaking.pk}"}
    assert entries[f"cafe-{waitlisted.pk}"].tentative is True
    assert entries[f"cafe-{going.pk}"].tentative is False
    assert entries[f"cafe-{speaking.pk}"].tentative is False


def test_ics_feed_reads_back_with_the_invites_uids(employee, published_circle):
    session = InvitationFactory(person=employee).session
    MembershipFactory(circle=published_circle, person=employee)
    cafe = RsvpFactory(person=employee, status=Rsvp.Status.WAITLIST).cafe

    body = ics_feed(entries=calendar_entries_for(person=employee), name="SayPro learning")

    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["method"]) == "PUBLISH"
    assert str(calendar["x-wr-calname"]) == "SayPro learning"
    events = _events(body)
    assert set(events) == {
        f"feedback-session-{session.pk}@saypro-share-learnings",
        f"circle-{published_circle.pk}@saypro-share-learnings",
        f"cafe-{cafe.pk}@saypro-share-learnings",
    }
    session_event = events[f"feedback-session-{session.pk}@saypro-share-learnings"]
    assert session_event.decoded("dtstart") == session.starts_at
    assert str(session_event["summary"]) == f"Feedback session: {session.module.title}"
    assert str(session_event["url"]) == f"{settings.SITE_URL}/feedback/{session.pk}/"
    assert str(events[f"cafe-{cafe.pk}@saypro-share-learnings"]["status"]) == "TENTATIVE"


# --- views --------------------------------------------------------------------------------------------


def test_feed_view_serves_the_persons_calendar_without_signing_in(client, employee, other_employee):
    mine = InvitationFactory(person=employee).session
    InvitationFactory(person=other_employee)
    token = services.calendar_feed_create(person=employee)

    response = client.get(_feed_url(token))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert set(_events(response.content.decode())) == {f"feedback-session-{mine.pk}@saypro-share-learnings"}
    assert CalendarFeed.objects.get(person=employee).last_read_at is not None


def test_feed_view_follows_changes_and_drops_cancelled_events(client, employee):
    session = InvitationFactory(person=employee).session
    cafe = RsvpFactory(person=employee).cafe
    token = services.calendar_feed_create(person=employee)
    client.get(_feed_url(token))

    later = session.starts_at + dt.timedelta(days=1)
    FeedbackSession.objects.filter(pk=session.pk).update(
        starts_at=later, ends_at=later + dt.timedelta(hours=1), sequence=2
    )
    Cafe.objects.filter(pk=cafe.pk).update(state=Cafe.State.CANCELLED)
    events = _events(client.get(_feed_url(token)).content.decode())

    assert set(events) == {f"feedback-session-{session.pk}@saypro-share-learnings"}
    event = events[f"feedback-session-{session.pk}@saypro-share-learnings"]
    assert event.decoded("dtstart") == later
    assert int(event["sequence"]) == 2


@pytest.mark.parametrize("token", ["not-a-token", "x" * 65, "x" * 5000])
def test_feed_view_unknown_token_is_404(client, employee, token):
    services.calendar_feed_create(person=employee)

    assert client.get(_feed_url(token)).status_code == 404


def test_feed_view_revoked_token_is_404(client, employee):
    token = services.calendar_feed_create(person=employee)
    services.calendar_feed_revoke(person=employee)

    assert client.get(_feed_url(token)).status_code == 404


def test_feed_view_query_count_does_not_grow(client, employee, django_assert_num_queries):
    token = services.calendar_feed_create(person=employee)
    for _ in range(5):
        InvitationFactory(person=employee)
        RsvpFactory(person=employee)
        MembershipFactory(circle=CircleFactory(round=RoundFactory(state=Round.State.PUBLISHED)), person=employee)

    # The person by secret, one query per app, and the last-read stamp.
    with django_assert_num_queries(5):
        response = client.get(_feed_url(token))

    assert len(_events(response.content.decode())) == 15


def test_subscription_page_needs_sign_in(client, db):
    response = client.get(reverse("core:calendar-subscription"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert client.post(reverse("core:calendar-subscription"), {"action": "create"}).status_code == 302
    assert not CalendarFeed.objects.exists()


def test_subscription_page_shows_a_new_address_once(client_for, employee):
    client = client_for(employee)

    response = client.post(reverse("core:calendar-subscription"), {"action": "create"}, follow=True)

    html = response.content.decode()
    assert "Your private calendar address" in html
    address = html.split('id="calendar-address" type="text" value="')[1].split('"')[0]
    token = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert address == f"http://testserver{_feed_url(token)}"
    assert selectors.calendar_feed_person(token=token) == employee
    again = client.get(reverse("core:calendar-subscription")).content.decode()
    assert token not in again
    assert "You have a calendar address" in again


def test_subscription_page_revoke(client_for, employee):
    token = services.calendar_feed_create(person=employee)
    client = client_for(employee)

    response = client.post(reverse("core:calendar-subscription"), {"action": "revoke"}, follow=True)

    assert "You have no calendar address." in response.content.decode()
    assert selectors.calendar_feed_person(token=token) is None


def test_subscription_page_acts_on_the_signed_in_person_only(client_for, employee, other_employee):
    theirs = services.calendar_feed_create(person=other_employee)
    client = client_for(employee)

    client.post(reverse("core:calendar-subscription"), {"action": "revoke"})
    client.post(reverse("core:calendar-subscription"), {"action": "create"})

    assert selectors.calendar_feed_person(token=theirs) == other_employee


def test_subscription_page_unknown_action_is_400(client_for, employee):
    response = client_for(employee).post(reverse("core:calendar-subscription"), {"action": "delete-everyone"})

    assert response.status_code == 400
    assert not CalendarFeed.objects.exists()


# --- personal data -------------------------------------------------------------------------------------


def test_export_says_when_the_address_was_made_but_not_the_secret(employee):
    token = services.calendar_feed_create(person=employee)

    section = personal_data_export(person=employee)["calendar_subscription"]

    assert set(section) == {"created_at", "last_read_at"}
    assert token not in str(section)


def test_erase_ends_the_calendar_address(employee):
    token = services.calendar_feed_create(person=employee)

    personal_data_erase(person=employee, by=employee)

    assert selectors.calendar_feed_person(token=token) is None
