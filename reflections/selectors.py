"""Reads of the reflections app, with related rows loaded and visibility filtered for the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import CharField, Count, F, IntegerField, Model, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from saypro.core import learning_log
from saypro.core.learning_log import LogEntry
from saypro.core.models import MentorLink, User
from saypro.core.roles import is_officer

from .models import (
    Adoption,
    Answer,
    Comment,
    ContextKind,
    MentorReview,
    NewsletterIssue,
    NewsletterItem,
    Reflection,
    ReflectionEvent,
    ReflectionTemplate,
)

DRAFT = Reflection.State.DRAFT
AWAITING = [Reflection.State.SUBMITTED, Reflection.State.RESUBMITTED]
SHARED_WITH_MENTOR = [Reflection.Visibility.MENTOR, Reflection.Visibility.COLLEAGUES]

# Which apps may provide the context of each kind (contenttypes app labels): a link cannot
# attach a reflection to, say, a person or an audit entry.
CONTEXT_APPS = {
    ContextKind.FEEDBACK_SESSION: {"feedback"},
    ContextKind.CIRCLE: {"circles"},
    ContextKind.CAFE: {"cafes"},
    ContextKind.MODULE: {"core"},
}
CONTEXT_MODELS = {ContextKind.MODULE: {"module"}}

# --- visibility ---------------------------------------------------------------------------------


def _board_q(prefix: str = "") -> Q:
    """On the learning board: shared with colleagues, not a draft, not hidden."""
    return Q(**{f"{prefix}visibility": Reflection.Visibility.COLLEAGUES, f"{prefix}is_hidden": False}) & ~Q(
        **{f"{prefix}state": DRAFT}
    )


def _mentee_ids(mentor: User) -> QuerySet:
    return MentorLink.objects.filter(mentor=mentor, is_active=True).values("mentee_id")


def reflection_visible_q(*, viewer: User) -> Q:
    """Every reflection a person may read: the one filter that search and exports go through."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Q(pk__in=[])
    q = Q(author=viewer) | _board_q()
    q |= Q(author_id__in=_mentee_ids(viewer), visibility__in=SHARED_WITH_MENTOR) & ~Q(state=DRAFT)
    if is_officer.test(viewer):
        q |= Q(visibility=Reflection.Visibility.COLLEAGUES) & ~Q(state=DRAFT)
    return q


def reflection_list_visible(*, viewer: User) -> QuerySet[Reflection]:
    return Reflection.objects.filter(reflection_visible_q(viewer=viewer))


def reflection_get(*, pk: int) -> Reflection | None:
    """One reflection with everything its page shows; permission is the caller's (rules) check."""
    return (
        Reflection.objects.select_related(
            "author",
            "author__department",
            "author__location",
            "author__job_role",
            "template",
            "department",
            "location",
            "job_role",
            "validated_by",
            "hidden_by",
        )
        .filter(pk=pk)
        .first()
    )


def _count(queryset: QuerySet, field: str = "reflection") -> Coalesce:
    """A correlated COUNT(*) subquery: one number per row without multiplying joins."""
    return Coalesce(
        Subquery(
            queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def _with_board_counts(qs: QuerySet[Reflection]) -> QuerySet[Reflection]:
    return qs.annotate(
        comment_count=_count(Comment.objects.filter(channel=Comment.Channel.BOARD, is_hidden=False)),
        will_try_count=_count(Adoption.objects.filter(kind=Adoption.Kind.WILL_TRY)),
        tried_count=_count(Adoption.objects.filter(kind=Adoption.Kind.TRIED)),
    )


# --- templates ----------------------------------------------------------------------------------


def template_list_current(*, include_retired: bool = False) -> QuerySet[ReflectionTemplate]:
    qs = ReflectionTemplate.objects.filter(is_current=True).annotate(question_count=Count("questions", distinct=True))
    if not include_retired:
        qs = qs.filter(is_active=True)
    return qs.order_by("applies_to", "name")


def template_get(*, pk: int) -> ReflectionTemplate | None:
    return ReflectionTemplate.objects.filter(pk=pk).prefetch_related("questions").first()


def template_for_kind(*, kind: str) -> ReflectionTemplate | None:
    """The template offered for a kind of activity; the general one when the kind has none."""
    offered = ReflectionTemplate.objects.filter(is_current=True, is_active=True)
    return (
        offered.filter(applies_to=kind).order_by("name", "pk").first()
        or offered.filter(applies_to=ContextKind.GENERAL).order_by("name", "pk").first()
        or offered.order_by("name", "pk").first()
    )


def template_versions(*, template: ReflectionTemplate) -> QuerySet[ReflectionTemplate]:
    return (
        ReflectionTemplate.objects.filter(lineage=template.lineage)
        .annotate(reflection_count=Count("reflections"))
        .order_by("-version")
    )


# --- writing ------------------------------------------------------------------------------------


def context_resolve(*, kind: str, token: str) -> Model | None:
    """The object an invitation link names as "<app_label>.<model>:<pk>", when it fits the kind."""
    if kind not in CONTEXT_APPS or not token or ":" not in token or "." not in token:
        return None
    model_part, _, pk = token.partition(":")
    app_label, _, model = model_part.partition(".")
    if app_label not in CONTEXT_APPS[kind] or not pk.isdigit():
        return None
    if kind in CONTEXT_MODELS and model not in CONTEXT_MODELS[kind]:
        return None
    try:
        ct = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return None
    model_class = ct.model_class()
    if model_class is None:
        return None
    return model_class._default_manager.filter(pk=int(pk)).first()


def answer_list(*, reflection: Reflection) -> list[dict]:
    """The template's questions in order, each with the author's answer (or None)."""
    answers = {a.question_id: a for a in Answer.objects.filter(reflection=reflection)}
    return [{"question": q, "answer": answers.get(q.pk)} for q in reflection.template.questions.all()]


def reflection_list_mine(*, person: User, state: str | None = None) -> QuerySet[Reflection]:
    qs = Reflection.objects.filter(author=person).select_related("template")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-updated_at", "-pk")


def reflection_state_counts(*, person: User) -> dict[str, int]:
    """How many of a person's reflections are in each state (one query)."""
    counts = dict.fromkeys(Reflection.State.values, 0)
    counts.update(
        Reflection.objects.filter(author=person)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return counts


def reflection_event_list(*, reflection: Reflection) -> QuerySet[ReflectionEvent]:
    return reflection.events.select_related("actor").order_by("created_at", "pk")


# --- mentor review ------------------------------------------------------------------------------


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


# --- comments and reactions ---------------------------------------------------------------------


def comment_threads(*, reflection: Reflection, viewer: User, channel: str) -> list[Comment]:
    """The comments of one discussion as threads: first comments, each with `.thread` replies.

    Hidden board comments are shown only to their author (with the reason) and to officers.
    """
    qs = reflection.comments.filter(channel=channel).select_related(
        "author", "author__department", "author__location", "author__job_role"
    )
    if channel == Comment.Channel.BOARD and not is_officer.test(viewer):
        qs = qs.filter(Q(is_hidden=False) | Q(author_id=viewer.pk))
    comments = list(qs.order_by("created_at", "pk"))
    roots: list[Comment] = []
    by_id = {c.pk: c for c in comments}
    for comment in comments:
        comment.thread = []
    for comment in comments:
        parent = by_id.get(comment.parent_id)
        if parent is not None:
            parent.thread.append(comment)
        elif comment.parent_id is None:
            roots.append(comment)
    return roots


def comment_get(*, pk: int) -> Comment | None:
    return Comment.objects.select_related("reflection").filter(pk=pk).first()


@dataclass(frozen=True)
class AdoptionSummary:
    will_try: int
    tried: int
    viewer_will_try: bool
    viewer_tried: bool
    tried_reports: list[Adoption]


def adoption_summary(*, reflection: Reflection, viewer: User) -> AdoptionSummary:
    """Counts of "I'll try this" and "I tried it", the viewer's own, and the reports of how it went."""
    rows = list(
        Adoption.objects.filter(reflection=reflection)
        .select_related("person", "department", "location")
        .order_by("created_at", "pk")
    )
    mine = {a.kind for a in rows if a.person_id == viewer.pk}
    return AdoptionSummary(
        will_try=sum(a.kind == Adoption.Kind.WILL_TRY for a in rows),
        tried=sum(a.kind == Adoption.Kind.TRIED for a in rows),
        viewer_will_try=Adoption.Kind.WILL_TRY in mine,
        viewer_tried=Adoption.Kind.TRIED in mine,
        tried_reports=[a for a in rows if a.kind == Adoption.Kind.TRIED],
    )


# --- the learning board -------------------------------------------------------------------------


def board_list(
    *,
    kind: str | None = None,
    department_id: int | None = None,
    location_id: int | None = None,
    validated_only: bool = False,
    search: str = "",
) -> QuerySet[Reflection]:
    """Reflections on the learning board, newest first, with comment and reaction counts.

    Department and location are the author's when the reflection was first shared. Search is
    PostgreSQL full-text search on PostgreSQL and a plain substring match elsewhere.
    """
    qs = Reflection.objects.filter(_board_q()).select_related("author", "department", "location", "job_role")
    if kind:
        qs = qs.filter(context_kind=kind)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if location_id:
        qs = qs.filter(location_id=location_id)
    if validated_only:
        qs = qs.filter(state=Reflection.State.VALIDATED)
    search = (search or "").strip()
    if search:
        qs = _search(qs, search)
    return _with_board_counts(qs).order_by("-first_shared_at", "-pk")


def _search(qs: QuerySet[Reflection], text: str) -> QuerySet[Reflection]:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        vector = (
            SearchVector("title", weight="A", config="english")
            + SearchVector("key_takeaway", weight="A", config="english")
            + SearchVector("context_label", weight="B", config="english")
            + SearchVector("search_text", weight="C", config="english")
        )
        return qs.annotate(search_vector=vector).filter(
            search_vector=SearchQuery(text, search_type="websearch", config="english")
        )
    return qs.filter(
        Q(title__icontains=text)
        | Q(key_takeaway__icontains=text)
        | Q(search_text__icontains=text)
        | Q(context_label__icontains=text)
    )


# --- newsletter ---------------------------------------------------------------------------------


def newsletter_candidates() -> QuerySet[Reflection]:
    """Board reflections whose authors agreed to be featured: the only ones a newsletter may hold."""
    return Reflection.objects.filter(_board_q(), may_be_featured=True)


def newsletter_candidate_list(*, issue: NewsletterIssue, limit: int = 100) -> list[Reflection]:
    """What the officer can pick from: the issue's picks plus the newest consenting board reflections."""
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


# --- the learning log ---------------------------------------------------------------------------

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
                url=r.get_absolute_url(),
                verb=learning_log.VERB_AUTHORED if r.state == DRAFT else learning_log.VERB_SUBMITTED,
                object_id=f"reflections.reflection:{r.pk}",
            )
        )
    reviews = _in_span(
        MentorReview.objects.filter(reflection__author=person).select_related("mentor", "reflection"),
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
                url=review.reflection.get_absolute_url(),
                verb=learning_log.VERB_PASSED if validated else VERB_ATTEMPTED,
                object_id=f"reflections.reflection:{review.reflection_id}",
            )
        )
    tried = _in_span(
        Adoption.objects.filter(person=person, kind=Adoption.Kind.TRIED)
        .filter(_board_q("reflection__"))
        .select_related("reflection", "reflection__author"),
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
                url=adoption.reflection.get_absolute_url(),
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


# --- own data -----------------------------------------------------------------------------------


def own_data_export(*, person: User) -> dict:
    """Everything this app keeps that a person wrote or did, for their own download."""
    reflections = (
        Reflection.objects.filter(author=person).select_related("template").prefetch_related("answers__question")
    )
    return {
        "reflections": [
            {
                "id": r.pk,
                "title": r.title,
                "key_takeaway": r.key_takeaway,
                "state": r.state,
                "visibility": r.visibility,
                "may_be_featured": r.may_be_featured,
                "template": str(r.template),
                "context": r.context_label,
                "created_at": r.created_at.isoformat(),
                "first_submitted_at": r.first_submitted_at.isoformat() if r.first_submitted_at else None,
                "validated_at": r.validated_at.isoformat() if r.validated_at else None,
                "answers": [{"question": a.question.text, "answer": a.text} for a in r.answers.all()],
            }
            for r in reflections
        ],
        "comments": [
            {
                "reflection": c.reflection_id,
                "channel": c.channel,
                "body": c.body,
                "created_at": c.created_at.isoformat(),
            }
            for c in Comment.objects.filter(author=person).order_by("created_at")
        ],
        "reactions": [
            {"reflection": a.reflection_id, "kind": a.kind, "note": a.note, "created_at": a.created_at.isoformat()}
            for a in Adoption.objects.filter(person=person).order_by("created_at")
        ],
    }


# --- for the monthly impact report --------------------------------------------------------------


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
