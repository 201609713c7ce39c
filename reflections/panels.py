"""The reflections panel of the home page."""

from __future__ import annotations

from saypro.core.fragments import PersonalCache, panel_rendered
from saypro.core.models import MentorLink
from saypro.core.person_cache import ROLES
from saypro.core.roles import is_mentor, is_officer
from saypro.core.selectors import HOME_PANELS

from . import selectors

# Kept per person: stale when one of their reflections, or one of their mentees', is written, when
# they gain or lose a mentee, or when roles change (ReflectionsConfig.ready).
HOME_CACHE = PersonalCache("home:reflections", shared=[HOME_PANELS, ROLES])


def home_panel(*, person) -> dict | None:
    """My drafts, what waits for my mentor, and (for mentors) what waits for me. No query when
    cached, two at most when not."""
    if not person.is_authenticated:
        return None
    return HOME_CACHE.get_or_set(
        person_id=person.pk, compute=lambda: (panel_rendered(_home_panel_read(person), person=person), None)
    )


def _home_panel_read(person) -> dict:
    counts = selectors.reflection_state_counts(person=person)
    mentor = is_mentor.test(person)
    return {
        "title": "Reflections",
        "template": "reflections/partials/home_panel.html",
        "drafts": counts["draft"],
        "awaiting": counts["submitted"] + counts["resubmitted"],
        "changes_requested": counts["changes_requested"],
        "is_mentor": mentor,
        "queue": selectors.mentor_queue(mentor=person).count() if mentor else 0,
        "is_officer": is_officer.test(person),
    }


def reflection_home_readers(reflection) -> list[int]:
    """Whose panel counts the reflection: its author's, and their active mentors' (one query)."""
    mentors = MentorLink.objects.filter(mentee_id=reflection.author_id, is_active=True).values_list(
        "mentor_id", flat=True
    )
    return [reflection.author_id, *mentors]
