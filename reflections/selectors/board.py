"""Reads of the learning board: the list with filters and search, comments, and reactions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet, Subquery

from saypro.core.models import User
from saypro.core.roles import is_officer

from ..models import Adoption, Comment, Reflection
from .visibility import _board_q, _with_board_counts

# What a comment on the reflection page shows: its author's name and department, the text as HTML,
# when, and whether (and why) it is hidden. Its Markdown source and its placement snapshot stay
# unloaded: a page holds dozens of comments, and each loaded column and related row costs.
_COMMENT_SHOWN = (
    "reflection_id",
    "author_id",
    "channel",
    "parent_id",
    "body_html",
    "created_at",
    "is_hidden",
    "hidden_reason",
    "author__first_name",
    "author__last_name",
    "author__email",
    "author__department__name",
)


def comment_threads(*, reflection: Reflection, viewer: User, channel: str) -> list[Comment]:
    """The comments of one discussion as threads: first comments, each with `.thread` replies.

    Hidden board comments are shown only to their author (with the reason) and to officers.
    """
    qs = (
        reflection.comments.filter(channel=channel).select_related("author", "author__department").only(*_COMMENT_SHOWN)
    )
    if channel == Comment.Channel.BOARD and not is_officer.test(viewer):
        qs = qs.filter(Q(is_hidden=False) | Q(author_id=viewer.pk))
    comments = list(qs.order_by("created_at", "pk"))
    roots: list[Comment] = []
    by_id = {c.pk: c for c in comments}
    for comment in comments:
        comment.thread = []  # type: ignore[attr-defined]  # read by the template as the replies
    for comment in comments:
        parent = by_id.get(comment.parent_id) if comment.parent_id is not None else None
        if parent is not None:
            parent.thread.append(comment)  # type: ignore[attr-defined]  # set just above
        elif comment.parent_id is None:
            roots.append(comment)
    return roots


# How many first comments of the board discussion a page shows; earlier ones come in pages of the same size.
COMMENT_PAGE_SIZE = 30


@dataclass(frozen=True)
class CommentThreadPage:
    """A page of the board discussion: first comments oldest first, each with `.thread` replies."""

    threads: list[Comment]
    # The first comment to ask for earlier ones "before", when there are earlier ones.
    earlier_before: int | None


def comment_thread_page(
    *, reflection: Reflection, viewer: User, before: int | None = None, size: int = COMMENT_PAGE_SIZE
) -> CommentThreadPage:
    """The newest `size` threads of the board discussion (before the first comment `before`, if given).

    One query: the `size` + 1 newest first comments the viewer may see, and their replies; the
    extra one only tells whether earlier threads exist. A reflection with hundreds of comments
    sent them all in one page (238 KB at 400 comments, benchmarks/bench_throughput.py); this
    keeps the page the same size at any count. Hidden comments are filtered as in `comment_threads`.
    """
    visible = reflection.comments.filter(channel=Comment.Channel.BOARD)
    if not is_officer.test(viewer):
        visible = visible.filter(Q(is_hidden=False) | Q(author_id=viewer.pk))
    roots = visible.filter(parent__isnull=True)
    if before is not None:
        anchor = Subquery(Comment.objects.filter(pk=before, reflection=reflection).values("created_at")[:1])
        roots = roots.filter(Q(created_at__lt=anchor) | Q(created_at=anchor, pk__lt=before))
    newest = roots.order_by("-created_at", "-pk").values("pk")[: size + 1]
    comments = list(
        visible.filter(Q(pk__in=newest) | Q(parent__in=newest))
        .select_related("author", "author__department")
        .only(*_COMMENT_SHOWN)
        .order_by("created_at", "pk")
    )
    first = [c for c in comments if c.parent_id is None]
    dropped = {c.pk for c in first[: len(first) - size]} if len(first) > size else set()
    threads: list[Comment] = []
    by_id: dict[int, Comment] = {}
    for comment in comments:
        if comment.pk in dropped or comment.parent_id in dropped:
            continue
        comment.thread = []  # type: ignore[attr-defined]  # read by the template as the replies
        if comment.parent_id is None:
            threads.append(comment)
            by_id[comment.pk] = comment
    for comment in comments:
        parent = by_id.get(comment.parent_id) if comment.parent_id is not None else None
        if parent is not None:
            parent.thread.append(comment)  # type: ignore[attr-defined]  # set just above
    return CommentThreadPage(threads=threads, earlier_before=threads[0].pk if dropped and threads else None)


def comment_get(*, pk: int) -> Comment | None:
    return Comment.objects.select_related("reflection").filter(pk=pk).first()


# How many "I tried it" reports the reflection page shows, newest first; all of them on demand.
TRIED_REPORTS_SHOWN = 10


@dataclass(frozen=True)
class AdoptionSummary:
    will_try: int
    tried: int
    viewer_will_try: bool
    viewer_tried: bool
    # The reports of how it went, newest first: the newest `TRIED_REPORTS_SHOWN`, or all when asked.
    tried_reports: list[Adoption]
    # The viewer's own "I'll try this" (their commitment), and, for the author only, who tried
    # the learning and where they were (department, location) when they said so.
    viewer_commitment: Adoption | None = None
    who_tried: list[Adoption] | None = None

    @property
    def reports_not_shown(self) -> int:
        """How many "I tried it" reports are left out of `tried_reports`."""
        return self.tried - len(self.tried_reports)


# What a report of "I tried it" shows: who (their name), where they were, and the note.
_REPORT_FIELDS = (
    "reflection_id",
    "kind",
    "note",
    "created_at",
    "person__first_name",
    "person__last_name",
    "person__email",
    "department__name",
    "location__name",
)


def adoption_summary(*, reflection: Reflection, viewer: User, all_reports: bool = False) -> AdoptionSummary:
    """Counts of "I'll try this" and "I tried it", the viewer's own, and the newest reports of how it went.

    The counts and the viewer's own are one aggregate; the reports are a second query, limited to
    the newest `TRIED_REPORTS_SHOWN` unless `all_reports`; the viewer's commitment is read only
    when they have one. A popular reflection holds hundreds of adoptions, and loading them all as
    objects took a third of its page time (benchmarks/bench_pages.py).
    """
    mine = Q(person_id=viewer.pk)
    counts = Adoption.objects.filter(reflection=reflection).aggregate(
        will_try=Count("pk", filter=Q(kind=Adoption.Kind.WILL_TRY)),
        tried=Count("pk", filter=Q(kind=Adoption.Kind.TRIED)),
        viewer_will_try=Count("pk", filter=mine & Q(kind=Adoption.Kind.WILL_TRY)),
        viewer_tried=Count("pk", filter=mine & Q(kind=Adoption.Kind.TRIED)),
    )
    reports: list[Adoption] = []
    if counts["tried"]:
        newest = (
            Adoption.objects.filter(reflection=reflection, kind=Adoption.Kind.TRIED)
            .select_related("person", "department", "location")
            .only(*_REPORT_FIELDS)
            .order_by("-created_at", "-pk")
        )
        reports = list(newest if all_reports else newest[:TRIED_REPORTS_SHOWN])
    commitment = commitment_of(reflection=reflection, person=viewer) if counts["viewer_will_try"] else None
    return AdoptionSummary(
        will_try=counts["will_try"],
        tried=counts["tried"],
        viewer_will_try=bool(counts["viewer_will_try"]),
        viewer_tried=bool(counts["viewer_tried"]),
        tried_reports=reports,
        viewer_commitment=commitment,
        who_tried=reports if viewer.pk == reflection.author_id else None,
    )


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


def hidden_reflection_list() -> QuerySet[Reflection]:
    """Reflections an officer took off the board and that are still shared with colleagues, latest first."""
    return (
        Reflection.objects.filter(visibility=Reflection.Visibility.COLLEAGUES, is_hidden=True)
        .exclude(state=Reflection.State.DRAFT)
        .select_related("author", "hidden_by")
        .order_by("-hidden_at", "-pk")
    )


def hidden_comment_list() -> QuerySet[Comment]:
    """Hidden board comments on reflections still shared with colleagues, latest first."""
    return (
        Comment.objects.filter(
            channel=Comment.Channel.BOARD, is_hidden=True, reflection__visibility=Reflection.Visibility.COLLEAGUES
        )
        .exclude(reflection__state=Reflection.State.DRAFT)
        .select_related("author", "reflection", "hidden_by")
        .order_by("-hidden_at", "-pk")
    )


def reflection_shared_list_of(*, author: User) -> QuerySet[Reflection]:
    """A person's own reflections on the learning board, newest first (what a talk proposal may link)."""
    return Reflection.objects.filter(_board_q(), author=author).order_by("-first_shared_at", "-pk")


def commitment_of(*, reflection: Reflection, person: User) -> Adoption | None:
    """The person's own "I'll try this" on a reflection when it carries a commitment."""
    return (
        Adoption.objects.filter(
            reflection=reflection, person=person, kind=Adoption.Kind.WILL_TRY, commitment_due__isnull=False
        )
        .select_related("reflection__author")
        .first()
    )
