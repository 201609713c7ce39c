"""Reads for the monthly impact report (called by saypro.impact); each states its definition."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import BooleanField, Case, CharField, F, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from ..models import Adoption, Comment, MentorReview, Reflection
from .visibility import _board_q


def reflection_board_shared_in(*, start: datetime, end: datetime) -> QuerySet[Reflection]:
    """Peer learnings shared on the board in [start, end).

    DESIGN.md: "*board* — reflections visible to colleagues whose first sharing with colleagues
    fell in M", where "Visible" means "not hidden by moderation and, for reflections, shared with
    colleagues — judged when the snapshot is built, so a later hide or a reflection made private
    again drops out at the next rebuild", and the sharer's department is the one "they had *at
    the time of the event*".

    Here: `first_shared_at` in [start, end) and, now, visibility "colleagues", not hidden and not
    withdrawn to draft. Each row carries `department_id`, `location_id`, `job_role_id`: the
    author's placement copied at that first sharing. Pass month bounds in the organisation's
    time zone (see `month_span`).
    """
    return (
        Reflection.objects.filter(_board_q(), first_shared_at__gte=start, first_shared_at__lt=end)
        .select_related("department", "location", "job_role")
        .order_by("first_shared_at", "pk")
    )


def reflection_engagements_in(*, start: datetime, end: datetime) -> QuerySet:
    """Engagements with board reflections in [start, end), as values rows.

    DESIGN.md: "**Engagement**: a visible comment, an "I'll try this" or an "I tried it" on a
    board reflection that is still visible. It is **cross-department** when the engaging
    person's department at the time differs from the author's department when the reflection
    was first shared (likewise cross-location and cross-role)."

    Here: board-discussion comments not hidden (the private author–mentor review thread is not
    on the board), and "I'll try this" / "I tried it" records, made in [start, end), on
    reflections that are now on the board (shared with colleagues, not hidden, not a draft).
    Comments by the reflection's own author are included, as the definition says; filter
    `engaging_person_id != reflection_author_id` to leave them out. Each row: `engagement_kind`
    ("comment", "will_try", "tried"), `engagement_id`, `reflection_id`, `engaging_person_id`,
    `reflection_author_id`, `at`, the engaging
    person's `department_id`, `location_id`, `job_role_id` at the time, and the author's
    `author_department_id`, `author_location_id`, `author_job_role_id` at first sharing.
    """

    def rows(qs: QuerySet, kind_expr, person_field: str) -> QuerySet:
        return (
            qs.filter(_board_q("reflection__"), created_at__gte=start, created_at__lt=end)
            .annotate(engagement_kind=kind_expr, engagement_id=F("pk"), engaging_person_id=F(person_field))
            .values(
                "engagement_kind",
                "engagement_id",
                "engaging_person_id",
                "reflection_id",
                "department_id",
                "location_id",
                "job_role_id",
                reflection_author_id=F("reflection__author_id"),
                at=F("created_at"),
                author_department_id=F("reflection__department_id"),
                author_location_id=F("reflection__location_id"),
                author_job_role_id=F("reflection__job_role_id"),
            )
            .order_by()
        )

    comments = rows(
        Comment.objects.filter(channel=Comment.Channel.BOARD, is_hidden=False),
        Value("comment", output_field=CharField()),
        "author_id",
    )
    adoptions = rows(Adoption.objects.all(), F("kind"), "person_id")
    return comments.union(adoptions, all=True)


def reflection_submitted_in(*, start: datetime, end: datetime) -> QuerySet[Reflection]:
    """Reflections first submitted in [start, end), whatever their visibility (aggregate use only).

    DESIGN.md names no figure for this; definition used: a reflection counts in the period of
    its first submission (`first_submitted_at`), once, even if it was withdrawn and resubmitted
    later. Private reflections are included: count them, never list their content.
    """
    return Reflection.objects.filter(first_submitted_at__gte=start, first_submitted_at__lt=end).select_related("author")


def reflection_validated_in(*, start: datetime, end: datetime) -> QuerySet[Reflection]:
    """Reflections validated by a mentor in [start, end) (aggregate use only).

    DESIGN.md: validated by a mentor is the last state ("draft → submitted → (changes requested
    ↔ submitted) → validated by a mentor"); definition used: `validated_at` in [start, end).
    Validation is final, so a reflection is counted once.
    """
    return Reflection.objects.filter(
        state=Reflection.State.VALIDATED, validated_at__gte=start, validated_at__lt=end
    ).select_related("author", "validated_by")


def reflection_mentor_response_days(*, start: datetime, end: datetime) -> list[dict]:
    """How long mentors took to give their first review, for reflections first submitted in [start, end).

    DESIGN.md names no figure for this; definition used: for each reflection whose first
    submission (`first_submitted_at`) falls in [start, end) and that has at least one mentor
    review (validate or ask for more depth), the time from that first submission to the first
    review, in days (a float). Rows: `reflection_id`, `author_id`, `first_submitted_at`,
    `first_review_at`, `days`. Reflections still waiting are left out.
    """
    first_review = (
        MentorReview.objects.filter(reflection=OuterRef("pk")).order_by("created_at", "pk").values("created_at")[:1]
    )
    rows = (
        Reflection.objects.filter(first_submitted_at__gte=start, first_submitted_at__lt=end)
        .annotate(first_review_at=Subquery(first_review))
        .filter(first_review_at__isnull=False)
        .order_by("first_submitted_at", "pk")
        .values("pk", "author_id", "first_submitted_at", "first_review_at")
    )
    return [
        {
            "reflection_id": row["pk"],
            "author_id": row["author_id"],
            "first_submitted_at": row["first_submitted_at"],
            "first_review_at": row["first_review_at"],
            "days": (row["first_review_at"] - row["first_submitted_at"]).total_seconds() / 86400,
        }
        for row in rows
    ]


def _commitments() -> QuerySet[Adoption]:
    """Commitments on reflections that are on the board now (docs/metrics.md, "Commitment")."""
    return Adoption.objects.filter(
        _board_q("reflection__"), kind=Adoption.Kind.WILL_TRY, commitment_due__isnull=False
    ).order_by()


def reflection_commitments_made_in(*, start: datetime, end: datetime) -> QuerySet[Adoption]:
    """Commitments made in [start, end): their "I'll try this" was said then (docs/metrics.md)."""
    return _commitments().filter(created_at__gte=start, created_at__lt=end)


def reflection_commitments_due_in(*, first_day: date, last_day: date) -> QuerySet[Adoption]:
    """Commitments due on a day from `first_day` to `last_day` (local dates, both included).

    docs/metrics.md: the due date is the one in force when the snapshot is built (after a
    "not yet" moved it). Each row is annotated with `tried_in_window`: the outcome is "tried"
    and was given on or before the due date, judged by the organisation's local date. The
    committer's placement (`department_id`, …) is the one copied when they said "I'll try
    this"; the author's is `reflection__department_id` (…), copied at the first sharing.
    """
    return (
        _commitments()
        .filter(commitment_due__gte=first_day, commitment_due__lte=last_day)
        .annotate(
            outcome_day=TruncDate("outcome_at", tzinfo=timezone.get_current_timezone()),
            tried_in_window=Case(
                When(outcome=Adoption.Outcome.TRIED, outcome_day__lte=F("commitment_due"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )
