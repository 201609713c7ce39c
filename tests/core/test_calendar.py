"""Calendar invites: what a calendar program reads back from the .ics we attach."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.conf import settings

from saypro.core.calendar import ics_invite

JHB = ZoneInfo("Africa/Johannesburg")
START = dt.datetime(2026, 6, 3, 14, 0, tzinfo=JHB)
END = dt.datetime(2026, 6, 3, 15, 0, tzinfo=JHB)


def _event(attachment: dict) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(attachment["content"])
    events = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert len(events) == 1
    return calendar, events[0]


def test_ics_invite_request_reads_back():
    attachment = ics_invite(
        uid="circle:42",
        summary="Circle: delegation",
        starts_at=START,
        ends_at=END,
        location="Room 3, Johannesburg",
        description="Bring one example.",
        url="https://learn.example/circles/42/",
        attendee_emails=["zoe@example.org", "sipho@example.org"],
    )

    calendar, event = _event(attachment)
    assert attachment["filename"] == "invite.ics"
    assert attachment["mimetype"] == "text/calendar; method=REQUEST; charset=utf-8"
    assert str(calendar["method"]) == "REQUEST"
    assert str(calendar["version"]) == "2.0"
    assert str(event["uid"]) == "circle:42@saypro-share-learnings"
    assert event.decoded("dtstart") == START
    assert event.decoded("dtend") == END
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=2)
    assert int(event["sequence"]) == 0
    assert str(event["status"]) == "CONFIRMED"
    assert str(event["summary"]) == "Circle: delegation"
    assert str(event["location"]) == "Room 3, Johannesburg"
    assert str(event["description"]) == "Bring one example."
    assert str(event["url"]) == "https://learn.example/circles/42/"
    assert [str(a) for a in event["attendee"]] == ["mailto:zoe@example.org", "mailto:sipho@example.org"]
    assert str(event["organizer"]) == "mailto:" + settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">")
    assert event["organizer"].params["CN"] == settings.ORGANISATION_NAME


def test_ics_invite_change_keeps_uid_and_raises_sequence():
    first = _event(ics_invite(uid="cafe:7", summary="Café", starts_at=START, ends_at=END))[1]
    moved_start = START + dt.timedelta(days=1)

    moved = _event(
        ics_invite(uid="cafe:7", summary="Café", starts_at=moved_start, ends_at=END + dt.timedelta(days=1), sequence=1)
    )[1]

    assert str(moved["uid"]) == str(first["uid"])
    assert (int(first["sequence"]), int(moved["sequence"])) == (0, 1)
    assert moved.decoded("dtstart") == moved_start


def test_ics_invite_cancellation():
    attachment = ics_invite(
        uid="session:9", summary="Feedback session", starts_at=START, ends_at=END, sequence=2, cancelled=True
    )

    calendar, event = _event(attachment)
    assert attachment["mimetype"] == "text/calendar; method=CANCEL; charset=utf-8"
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == "session:9@saypro-share-learnings"
    assert int(event["sequence"]) == 2


def test_ics_invite_without_optional_fields():
    _, event = _event(ics_invite(uid="x:1", summary="Only the basics", starts_at=START, ends_at=END))

    for name in ("location", "description", "url", "attendee"):
        assert name.upper() not in event


@pytest.mark.parametrize("summary", ["Ubuntu, delegation; and \\ trust", "Café — ✨ Lightning talks", "مرحبا"])
def test_ics_invite_escapes_text(summary):
    _, event = _event(ics_invite(uid="x:2", summary=summary, starts_at=START, ends_at=END))

    assert str(event["summary"]) == summary


def test_ics_invite_utc_times_stay_the_same_instant():
    start_utc = dt.datetime(2026, 6, 3, 12, 0, tzinfo=dt.UTC)

    _, event = _event(
        ics_invite(uid="x:3", summary="s", starts_at=start_utc, ends_at=start_utc + dt.timedelta(hours=1))
    )

    assert event.decoded("dtstart") == START
