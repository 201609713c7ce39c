"""The home page panel: the person's next feedback session and a link to contribute."""

from __future__ import annotations

from . import selectors


def home_panel(*, person) -> dict | None:
    """Shown to everyone who has been invited to a session; two queries."""
    session = selectors.next_session_for(person=person)
    if session is None and not selectors.session_list(person=person).exists():
        return None
    return {"title": "Your next feedback session", "template": "feedback/partials/home_panel.html", "session": session}
