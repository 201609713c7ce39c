"""The cafés panel on the home page: the next café and the person's RSVP to it."""

from __future__ import annotations

from . import selectors


def home_panel(*, person) -> dict | None:
    """No query when cached (one when not); None when no café is coming."""
    cafe, rsvp_status = selectors.cafe_next_for_cached(person=person)
    if cafe is None:
        return None
    return {
        "title": "Next knowledge café",
        "template": "cafes/partials/home_panel.html",
        "cafe": cafe,
        "rsvp_status": rsvp_status,
    }
