"""Reads of the monthly newsletter: what may be featured and what an issue holds."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery

from saypro.core.models import User
from saypro.core.roles import is_officer

from ..models import NewsletterIssue, NewsletterItem, Reflection
from .visibility import _board_q


def newsletter_candidates() -> QuerySet[Reflection]:
    """Board reflections whose authors agreed to be featured: the only ones a newsletter may hold."""
    return Reflection.objects.filter(_board_q(), may_be_featured=True)


def newsletter_candidate_list(*, issue: NewsletterIssue, limit: int = 100) -> list[Reflection]:
    """What the officer can pick from: the issue's picks plus the newest validated consenting board reflections.

    A reflection the mentor sent back for more depth is not offered; one the officer already
    picked stays listed, since that was an explicit choice.
    """
    picked = list(
        newsletter_candidates()
        .filter(newsletter_items__issue=issue)
        .select_related("author", "department")
        .annotate(
            position=Subquery(
                NewsletterItem.objects.filter(issue=issue, reflection=OuterRef("pk")).values("position")[:1]
            )
        )
        .order_by("position")
    )
    picked_ids = {r.pk for r in picked}
    others = [
        r
        for r in newsletter_candidates()
        .filter(state=Reflection.State.VALIDATED)
        .select_related("author", "department")
        .order_by("-first_shared_at", "-pk")[:limit]
        if r.pk not in picked_ids
    ]
    return picked + others


def newsletter_list(*, viewer: User) -> QuerySet[NewsletterIssue]:
    qs = NewsletterIssue.objects.annotate(item_count=Count("items"))
    if not is_officer.test(viewer):
        qs = qs.filter(state=NewsletterIssue.State.PUBLISHED)
    return qs.order_by("-month")


def newsletter_get(*, pk: int) -> NewsletterIssue | None:
    return NewsletterIssue.objects.select_related("published_by").filter(pk=pk).first()


def newsletter_reflections(*, issue: NewsletterIssue) -> list[Reflection]:
    """The issue's reflections in order, leaving out any no longer on the board or no longer consenting."""
    return list(
        newsletter_candidates()
        .filter(newsletter_items__issue=issue)
        .select_related("author", "department", "location", "job_role")
        .order_by("newsletter_items__position")
    )


def newsletter_items_for_email(*, issue: NewsletterIssue) -> list[dict]:
    """Plain values for the e-mail templates (no model objects cross into the e-mail renderer)."""
    return [
        {
            "title": r.title,
            "author": r.author.full_name,
            "department": str(r.department or ""),
            "key_takeaway": r.key_takeaway,
            "url": r.get_absolute_url(),
            "validated": r.is_validated,
        }
        for r in newsletter_reflections(issue=issue)
    ]
