"""Calendars for sessions, circles and cafés, built with the icalendar library.

Two shapes: an invite (.ics attached to an e-mail, METHOD:REQUEST or CANCEL) and a person's
subscription feed (METHOD:PUBLISH, polled by their calendar program). Both give an event the
same UID, so a calendar that has the invite and the feed shows one event, and a change (same
UID, higher SEQUENCE) updates it in place.

Each activity app offers `<app>.selectors.calendar_entries(*, person, start)`, returning the
CalendarEntry rows of what the person takes part in from `start` on; core gathers them from
CALENDAR_SOURCES and imports no app.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from icalendar import Calendar, Event, vCalAddress, vText

CALENDAR_SOURCES = [
    "feedback.selectors.calendar_entries",
    "circles.selectors.calendar_entries",
    "cafes.selectors.calendar_entries",
]

# A feed keeps a month of the past, so an event a calendar program already shows does not vanish
# the moment it ends, and a cancelled one disappears at the next poll.
FEED_PAST = timedelta(days=31)


@dataclass(frozen=True)
class CalendarEntry:
    """One event in a person's calendar feed."""

    uid: str  # the same uid as the event's e-mail invite, e.g. "cafe-12"
    summary: str
    starts_at: datetime
    ends_at: datetime
    location: str = ""
    description: str = ""
    url: str = ""  # a path on this site
    sequence: int = 0
    tentative: bool = False  # e.g. on a café's waitlist


def event_uid(uid: str) -> str:
    return f"{uid}@saypro-share-learnings"


def ics_invite(
    *,
    uid: str,
    summary: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str = "",
    description: str = "",
    url: str = "",
    sequence: int = 0,
    cancelled: bool = False,
    attendee_emails: list[str] | None = None,
) -> dict:
    """Return an e-mail attachment dict holding one calendar event.

    A change is sent with the same uid and a higher `sequence`; a cancellation with
    METHOD:CANCEL, so calendar programs update or remove the event they already have.
    """
    cal = Calendar()
    cal.add("prodid", "-//SayPro//Share Learnings//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", event_uid(uid))
    event.add("dtstamp", datetime.now(tz=starts_at.tzinfo))
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("summary", summary)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}")
    organizer.params["cn"] = vText(settings.ORGANISATION_NAME)
    event["organizer"] = organizer
    for email in attendee_emails or []:
        event.add("attendee", f"mailto:{email}")
    cal.add_component(event)
    method = "CANCEL" if cancelled else "REQUEST"
    return {
        "filename": "invite.ics",
        "content": cal.to_ical().decode(),
        "mimetype": f"text/calendar; method={method}; charset=utf-8",
    }


def ics_invite_for(entry: CalendarEntry, *, cancelled: bool = False, attendee_emails: list[str] | None = None) -> dict:
    """The e-mail invite of one calendar entry: the same event the person's feed shows."""
    return ics_invite(
        uid=entry.uid,
        summary=entry.summary,
        starts_at=entry.starts_at,
        ends_at=entry.ends_at,
        location=entry.location,
        description=entry.description,
        url=f"{settings.SITE_URL}{entry.url}" if entry.url else "",
        sequence=entry.sequence,
        cancelled=cancelled,
        attendee_emails=attendee_emails,
    )


def calendar_entries_for(*, person, now: datetime | None = None) -> list[CalendarEntry]:
    """Everything the person takes part in from a month ago on, from every activity app, by start."""
    start = (now or timezone.now()) - FEED_PAST
    entries: list[CalendarEntry] = []
    for dotted in CALENDAR_SOURCES:
        entries.extend(import_string(dotted)(person=person, start=start))
    return sorted(entries, key=lambda entry: (entry.starts_at, entry.uid))


def ics_feed(*, entries: list[CalendarEntry], name: str, now: datetime | None = None) -> str:
    """A subscription calendar (METHOD:PUBLISH) holding `entries`."""
    stamp = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//SayPro//Share Learnings//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    # Calendar programs poll a feed at their own pace; this asks for about once an hour.
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for entry in entries:
        event = Event()
        event.add("uid", event_uid(entry.uid))
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.starts_at)
        event.add("dtend", entry.ends_at)
        event.add("summary", entry.summary)
        event.add("sequence", entry.sequence)
        event.add("status", "TENTATIVE" if entry.tentative else "CONFIRMED")
        if entry.location:
            event.add("location", entry.location)
        if entry.description:
            event.add("description", entry.description)
        if entry.url:
            event.add("url", f"{settings.SITE_URL}{entry.url}")
        cal.add_component(event)
    return cal.to_ical().decode()
