"""The cafés panel on the home page: the next café and the person's RSVP to it."""

from __future__ import annotations

from saypro.core.fragments import PersonalCache, panel_rendered
from saypro.core.selectors import HOME_PANELS

from . import selectors

# Kept per person: stale when one of their RSVPs is written, when a café is (the agenda's version),
# and when the café shown starts (CafesConfig.ready). Read from the café's kept answers it cost
# more than the rest of home: every answer to the café unpickled to find the person's own.
HOME_CACHE = PersonalCache("home:cafes", shared=[HOME_PANELS, selectors.AGENDA_CACHE])


def home_panel(*, person) -> dict | None:
    """No query when cached (one at most when not); None when no café is coming."""
    if not person.is_authenticated:
        return None

    def read():
        cafe, rsvp_status = selectors.cafe_next_for_cached(person=person)
        if cafe is None:
            return None, None  # none coming: only a write changes that
        panel = {
            "title": "Next knowledge café",
            "template": "cafes/partials/home_panel.html",
            "cafe": cafe,
            "rsvp_status": rsvp_status,
        }
        # The café shown stops being next when it starts.
        return panel_rendered(panel, person=person), cafe.starts_at

    return HOME_CACHE.get_or_set(person_id=person.pk, compute=read)
