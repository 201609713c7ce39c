"""Reads for mentors: the queue of mentees' reflections shared with them, and reviews."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from saypro.core.models import User

from ..models import Comment, MentorReview, Reflection
from .visibility import AWAITING, SHARED_WITH_MENTOR, _count, _mentee_ids


def mentor_queue(*, mentor: User) -> QuerySet[Reflection]:
    """Mentees' reflections shared with this mentor and waiting for a review, oldest first."""
    return (
        Reflection.objects.filter(
            author_id__in=_mentee_ids(mentor), state__in=AWAITING, visibility__in=SHARED_WITH_MENTOR
        )
        .select_related("author", "author__department", "template")
        .annotate(review_comment_count=_count(Comment.objects.filter(channel=Comment.Channel.REVIEW)))
        .order_by("submitted_at", "pk")
    )


def mentor_queue_counts(*, mentor: User) -> dict[str, int]:
    """Waiting for review, waiting on the mentee, and validated in the last 30 days (one query)."""
    since = timezone.now() - timedelta(days=30)
    return Reflection.objects.filter(author_id__in=_mentee_ids(mentor), visibility__in=SHARED_WITH_MENTOR).aggregate(
        awaiting=Count("pk", filter=Q(state__in=AWAITING)),
        changes_requested=Count("pk", filter=Q(state=Reflection.State.CHANGES_REQUESTED)),
        validated_recently=Count("pk", filter=Q(state=Reflection.State.VALIDATED, validated_at__gte=since)),
    )


def review_list(*, reflection: Reflection) -> QuerySet[MentorReview]:
    return reflection.reviews.select_related("mentor").order_by("created_at", "pk")
