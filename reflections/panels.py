"""The reflections panel of the home page."""

from __future__ import annotations

from saypro.core.roles import is_mentor, is_officer

from . import selectors


def home_panel(*, person) -> dict | None:
    """My drafts, what waits for my mentor, and (for mentors) what waits for me. Two queries at most."""
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
