"""Calendar invites (.ics) for sessions, circles and cafés, built with the icalendar library."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText


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
    event.add("uid", f"{uid}@saypro-share-learnings")
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
