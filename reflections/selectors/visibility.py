"""Who may read which reflection: the one filter that lists, search and exports go through."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from saypro.core.models import MentorLink, User
from saypro.core.roles import is_officer

from ..models import Adoption, Comment, Reflection

DRAFT = Reflection.State.DRAFT


AWAITING = [Reflection.State.SUBMITTED, Reflection.State.RESUBMITTED]


SHARED_WITH_MENTOR = [Reflection.Visibility.MENTOR, Reflection.Visibility.COLLEAGUES]


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


def reflection_row(*, pk: int) -> Reflection | None:
    """The reflection's own row alone: what the permission check of a kept page needs (its page is
    rendered from `reflection_get` only when it is not kept). Joining the six people and places
    took half of a kept page's time (benchmarks/bench_throughput.py)."""
    return next(iter(Reflection.objects.filter(pk=pk).order_by()), None)


def reflection_get(*, pk: int) -> Reflection | None:
    """One reflection with the people and places its page shows; permission is the caller's (rules) check.

    Only the relations the page reads are joined: PostgreSQL spent longer planning a ten-way join
    (about 5 ms) than running it, on every reflection page (benchmarks/bench_pages.py). The
    primary key matches one row at most, so the query carries no ORDER BY and no LIMIT, which
    `.first()` adds and which cost another 0.7 ms of planning.
    """
    rows = (
        Reflection.objects.select_related(
            "author", "author__department", "author__location", "department", "location", "validated_by"
        )
        .filter(pk=pk)
        .order_by()
    )
    return next(iter(rows), None)


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
