"""Reads for mentors: the queue of mentees' reflections shared with them, and reviews."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from saypro.core.fragments import PersonalCache, VersionedCache
from saypro.core.models import MentorLink, User

from ..models import Comment, MentorReview, Reflection
from .visibility import AWAITING, SHARED_WITH_MENTOR, _count, _mentee_ids

# The mentor queue's page kept per mentor and query string (views.board.MentorQueueView): stale when a
# mentee's reflection or a review comment on one is written, when the mentor gains or loses a mentee
# (ReflectionsConfig.ready), when a name, a department or a template is renamed (MENTOR_QUEUE_SHARED),
# after writes in bulk (fragments.changed("mentor_queue")), and a minute after it was rendered, since
# it says how long each reflection has waited and counts the last 30 days.
MENTOR_QUEUE_SHARED = VersionedCache("mentor_queue", seconds=600)
MENTOR_QUEUE_CACHE = PersonalCache("mentor_queue", seconds=600, shared=[MENTOR_QUEUE_SHARED])


def review_comment_queue_readers(comment) -> list[int]:
    """Whose mentor queue counts a comment: for a review comment, the reflection author's mentors (one query)."""
    if comment.channel != Comment.Channel.REVIEW:
        return []
    author = Reflection.objects.filter(pk=comment.reflection_id).values("author_id")
    return list(MentorLink.objects.filter(mentee_id__in=author, is_active=True).values_list("mentor_id", flat=True))


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
