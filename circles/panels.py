"""The circles panel on the home page: the next circle and this week's sign-up, in two queries."""

from __future__ import annotations

from django.utils import timezone

from .models import Circle, Round
from .selectors import round_open_for_home


def home_panel(*, person) -> dict | None:
    if not person.is_authenticated:
        return None
    now = timezone.now()
    next_circle = (
        Circle.objects.filter(
            round__state=Round.State.PUBLISHED,
            round__meets_at__gt=now - timezone.timedelta(hours=2),
            memberships__person=person,
            memberships__left_at__isnull=True,
        )
        .select_related("topic", "round")
        .order_by("round__meets_at")
        .first()
    )
    open_round = round_open_for_home(person=person, now=now)
    signed_up = bool(open_round and open_round.signed_up)
    return {
        "title": "Peer sharing circles",
        "template": "circles/partials/home_panel.html",
        "next_circle": next_circle,
        "open_round": open_round,
        "signed_up": signed_up,
    }
