"""The circles panel on the home page: the next circle and this week's sign-up."""

from __future__ import annotations

from django.utils import timezone

from saypro.core.fragments import PersonalCache, panel_rendered
from saypro.core.selectors import HOME_PANELS

from .models import Circle, Round
from .selectors import round_open_for_home

# A circle stays "next" until two hours after it meets.
NEXT_CIRCLE_GRACE = timezone.timedelta(hours=2)
# Kept per person: stale when one of their memberships or sign-ups is written, when a round, a
# circle or a topic is (HOME_PANELS), and when the circle shown is over or the sign-up closes
# (CirclesConfig.ready).
HOME_CACHE = PersonalCache("home:circles", shared=[HOME_PANELS])


def home_panel(*, person) -> dict | None:
    """No query when cached, two when not."""
    if not person.is_authenticated:
        return None
    return HOME_CACHE.get_or_set(person_id=person.pk, compute=lambda: _home_panel_read(person))


def _home_panel_read(person):
    now = timezone.now()
    next_circle = (
        Circle.objects.filter(
            round__state=Round.State.PUBLISHED,
            round__meets_at__gt=now - NEXT_CIRCLE_GRACE,
            memberships__person=person,
            memberships__left_at__isnull=True,
        )
        .select_related("topic", "round")
        .order_by("round__meets_at")
        .first()
    )
    open_round = round_open_for_home(person=person, now=now)
    # Time alone changes the panel only when the circle shown is over or the sign-up shown closes.
    ends = [
        *([next_circle.round.meets_at + NEXT_CIRCLE_GRACE] if next_circle else []),
        *([open_round.signup_deadline] if open_round else []),
    ]
    panel = {
        "title": "Peer sharing circles",
        "template": "circles/partials/home_panel.html",
        "next_circle": next_circle,
        "open_round": open_round,
        "signed_up": bool(open_round and open_round.signed_up),
    }
    return panel_rendered(panel, person=person), min(ends, default=None)
