"""The learning log's part from this app, and a person's own data."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from saypro.core import learning_log
from saypro.core.learning_log import LogEntry
from saypro.core.models import User

from ..models import Adoption, MentorReview, Reflection
from .visibility import DRAFT, _board_q

VERB_ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"


def _in_span(qs: QuerySet, field: str, start: datetime | None, end: datetime | None) -> QuerySet:
    if start is not None:
        qs = qs.filter(**{f"{field}__gte": start})
    if end is not None:
        qs = qs.filter(**{f"{field}__lt": end})
    return qs


def learning_log_entries(*, person: User, start: datetime | None = None, end: datetime | None = None) -> list[LogEntry]:
    """This app's part of a person's learning log: their reflections, mentor feedback, practices tried.

    A reflection counts at its first submission (or its start, while never submitted). Mentor
    feedback is each mentor review. "I tried it" appears only while the reflection is still on
    the board, so another person's reflection made private never shows in this log or its exports.
    Three queries, whatever the number of entries.
    """
    entries: list[LogEntry] = []
    detail_url = learning_log.pk_url("reflections:detail")
    reflections = _in_span(
        Reflection.objects.filter(author=person).annotate(logged_at=Coalesce("first_submitted_at", "created_at")),
        "logged_at",
        start,
        end,
    ).only("pk", "title", "state", "visibility", "created_at", "first_submitted_at")
    for r in reflections:
        entries.append(
            LogEntry(
                when=r.logged_at,
                kind="reflection",
                title=str(r),
                detail=f"{r.get_state_display()} · {r.get_visibility_display().split(' — ')[0]}",
                url=detail_url(r.pk),
                verb=learning_log.VERB_AUTHORED if r.state == DRAFT else learning_log.VERB_SUBMITTED,
                object_id=f"reflections.reflection:{r.pk}",
            )
        )
    reviews = _in_span(
        MentorReview.objects.filter(reflection__author=person)
        .select_related("mentor", "reflection")
        # Wide rows (the note, the reflection's text and search columns) the log does not show.
        .only(
            "created_at",
            "decision",
            "depth",
            "reflection_id",
            "mentor__first_name",
            "mentor__last_name",
            "mentor__email",
            "reflection__title",
        ),
        "created_at",
        start,
        end,
    )
    for review in reviews:
        validated = review.decision == MentorReview.Decision.VALIDATED
        entries.append(
            LogEntry(
                when=review.created_at,
                kind="mentor_feedback",
                title=f"Mentor feedback on “{review.reflection}”",
                detail=f"{'Validated' if validated else 'More depth asked'} by {review.mentor.full_name}, "
                f"depth {review.depth} of 4",
                url=detail_url(review.reflection_id),
                verb=learning_log.VERB_PASSED if validated else VERB_ATTEMPTED,
                object_id=f"reflections.reflection:{review.reflection_id}",
            )
        )
    tried = _in_span(
        Adoption.objects.filter(person=person, kind=Adoption.Kind.TRIED)
        .filter(_board_q("reflection__"))
        .select_related("reflection", "reflection__author")
        .only(
            "created_at",
            "note",
            "reflection_id",
            "reflection__title",
            "reflection__author__first_name",
            "reflection__author__last_name",
            "reflection__author__email",
        ),
        "created_at",
        start,
        end,
    )
    for adoption in tried:
        entries.append(
            LogEntry(
                when=adoption.created_at,
                kind="practice",
                title=f"Tried “{adoption.reflection}” from {adoption.reflection.author.full_name}",
                detail=adoption.note,
                url=detail_url(adoption.reflection_id),
                verb=learning_log.VERB_COMPLETED,
                object_id=f"reflections.reflection:{adoption.reflection_id}:tried",
            )
        )
    return entries


def month_span(month: date) -> tuple[datetime, datetime]:
    """The start and end (exclusive) of a calendar month in the organisation's time zone."""
    start = timezone.make_aware(datetime.combine(month.replace(day=1), datetime.min.time()))
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, timezone.make_aware(datetime.combine(next_month, datetime.min.time()))
