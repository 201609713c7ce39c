"""The home page panel: the person's next feedback session and a link to contribute."""

from __future__ import annotations

from . import selectors


def home_panel(*, person) -> dict | None:
    """Shown to everyone who has been invited to a session; one query (and the person's roles)."""
    session, sees_any = selectors.session_next_for_home(person=person)
    if not sees_any:
        return None
    return {"title": "Your next feedback session", "template": "feedback/partials/home_panel.html", "session": session}


def heard_home_panel(*, person) -> dict | None:
    """ "What we heard about your modules", for module owners; one query (none for anonymous)."""
    from .heard.selectors import modules_owned_with_challenges

    modules = modules_owned_with_challenges(person=person)
    if not modules:
        return None
    return {
        "title": "What we heard about your modules",
        "template": "feedback/partials/heard_home_panel.html",
        "modules": modules,
    }
