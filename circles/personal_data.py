"""A person's peer-sharing-circle data, for "export and delete my data" (see saypro/personal_data.py).

Export: the person's sign-ups with their ranked topics, their standing opt-in, their own
"never with" rules, the circles they were in (attendance, leaving, hosting) and the learnings
they recorded. Fellow members are not listed.

Erase decides per record:

- Sign-ups, topic preferences, the standing opt-in and the person's "never with" rules are
  private and count for nothing once a round is formed: deleted. (Rules other people made about
  the person are theirs and stay.)
- A place in a formed round still under review is deleted, so the officer sees the gap before
  publishing. A place in a published circle that has not met yet is left through the circles
  app's own service: the host is told and, when the person hosted, the next host takes over.
- Places in circles that met (attendance, the mix of departments) and recorded learnings are
  counted by the monthly report: they stay, with their text, under the anonymised name.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone

from saypro.core import fragments
from saypro.core.models import User
from saypro.core.personal_data import jsonable

from . import services
from .models import Circle, Learning, Membership, NeverWith, Round, Signup, SignupChoice, StandingSignup, Topic

SECTION_TITLE = "Circles"
ERASE_EXPLAINED = [
    "Your sign-ups, topic preferences, standing opt-in and “never with” choices are deleted.",
    "You leave circles that have not met yet (the host is told); circles you took part in and the learnings "
    "you recorded stay under the name “Former colleague”, because they count in the monthly reports.",
]


def _circle(circle: Circle) -> dict:
    return {
        "number": circle.number,
        "topic": circle.topic.name,
        "week_starts_on": jsonable(circle.round.week_starts_on),
        "meets_at": jsonable(circle.round.meets_at),
    }


def export(*, person: User) -> dict:
    """The person's sign-ups, standing opt-in, rules, circles and learnings (seven queries)."""
    signups = (
        Signup.objects.filter(person=person)
        .select_related("round")
        .prefetch_related(Prefetch("choices", queryset=SignupChoice.objects.select_related("topic").order_by("rank")))
        .order_by("round__week_starts_on", "id")
    )
    standing = StandingSignup.objects.filter(person=person).first()
    topic_ids = list(standing.topic_ids) if standing else []
    topic_names = dict(Topic.objects.filter(pk__in=topic_ids or [0]).values_list("pk", "name"))
    never_with = NeverWith.objects.filter(person=person).select_related("other").order_by("created_at", "id")
    memberships = (
        Membership.objects.filter(person=person)
        .select_related("circle__topic", "circle__round")
        .order_by("round__meets_at", "id")
    )
    learnings = (
        Learning.objects.filter(author=person)
        .select_related("circle__topic", "circle__round")
        .order_by("created_at", "id")
    )
    return {
        "signups": [
            {
                "week_starts_on": jsonable(s.round.week_starts_on),
                "not_this_week": s.not_this_week,
                "source": s.source,
                "topics": [c.topic.name for c in s.choices.all()],
                "created_at": jsonable(s.created_at),
                "updated_at": jsonable(s.updated_at),
            }
            for s in signups
        ],
        "standing_opt_in": (
            {
                "active": standing.is_active,
                "paused_until": jsonable(standing.paused_until),
                "topics": [topic_names[pk] for pk in topic_ids if pk in topic_names],
                "updated_at": jsonable(standing.updated_at),
            }
            if standing
            else None
        ),
        # The person's own rules: colleagues they chose by name, so naming them tells them nothing new.
        "never_with": [{"colleague": n.other.full_name, "since": jsonable(n.created_at)} for n in never_with],
        "memberships": [
            {
                "circle": _circle(m.circle),
                "host": m.circle.host_id == person.pk,
                "attended": m.attended,
                "left_at": jsonable(m.left_at),
                "left_reason": m.left_reason,
            }
            for m in memberships
        ],
        "learnings": [
            {
                "circle": _circle(lrn.circle),
                "body": lrn.body,
                "hidden": lrn.is_hidden,
                "hidden_reason": lrn.hidden_reason,
                "created_at": jsonable(lrn.created_at),
            }
            for lrn in learnings
        ],
    }


def erase(*, person: User) -> dict:
    """Delete sign-ups, preferences and rules; leave coming circles; keep circles that met and learnings.

    Runs inside the caller's transaction. Returns counts of what changed.
    Side effects: leaving a published circle tells its host (see circles.services.circle_membership_leave).
    """
    now = timezone.now()
    signup_count = Signup.objects.filter(person=person).count()
    Signup.objects.filter(person=person).delete()
    standing_count, _ = StandingSignup.objects.filter(person=person).delete()
    never_with_count, _ = NeverWith.objects.filter(person=person).delete()

    under_review = Membership.objects.filter(person=person, round__state=Round.State.FORMED)
    Circle.objects.filter(host=person, round__state=Round.State.FORMED).update(host=None)
    fragments.changed("rounds")  # the round page shows each circle's host; update() sends no signal
    under_review_count = under_review.count()
    under_review.delete()

    coming = list(
        Membership.objects.filter(
            person=person, round__state=Round.State.PUBLISHED, round__meets_at__gt=now, left_at__isnull=True
        )
    )
    for membership in coming:
        services.circle_membership_leave(membership=membership, by=person, now=now)
    return {
        "signups_deleted": signup_count,
        "standing_opt_in_deleted": standing_count,
        "never_with_rules_deleted": never_with_count,
        "places_under_review_deleted": under_review_count,
        "coming_circles_left": len(coming),
        "memberships_kept": Membership.objects.filter(person=person).count(),
        "learnings_kept": Learning.objects.filter(author=person).count(),
    }
