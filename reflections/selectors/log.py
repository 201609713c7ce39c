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


# What the log says of a reflection's state and of who may read it ("Private", "My mentor", "Colleagues").
_STATE_SAID = dict(Reflection.State.choices)
_VISIBILITY_SAID = {value: label.split(" — ")[0] for value, label in Reflection.Visibility.choices}


def _reflection_named(pk: int, title: str) -> str:
    """What `str()` of the reflection says, without loading it: its title, or the model's "Untitled" name."""
    return title or str(Reflection(pk=pk, title=title))


class _PeopleNamed(dict):
    """Full names by (first name, last name, e-mail), each made once by `User.full_name`."""

    def __missing__(self, key: tuple[str, str, str]) -> str:
        first_name, last_name, email = key
        self[key] = name = User(first_name=first_name, last_name=last_name, email=email).full_name
        return name


def learning_log_entries(*, person: User, start: datetime | None = None, end: datetime | None = None) -> list[LogEntry]:
    """This app's part of a person's learning log: their reflections, mentor feedback, practices tried.

    A reflection counts at its first submission (or its start, while never submitted). Mentor
    feedback is each mentor review. "I tried it" appears only while the reflection is still on
    the board, so another person's reflection made private never shows in this log or its exports.
    Three queries, whatever the number of entries, each reading plain rows of the few columns
    shown: a busy person's log holds hundreds of entries, and a model object (and its related
    ones) per entry was most of this part's time (benchmarks/bench_pages.py).
    """
    entries: list[LogEntry] = []
    detail_url = learning_log.pk_url("reflections:detail")
    names = _PeopleNamed()
    reflections = _in_span(
        Reflection.objects.filter(author=person).annotate(logged_at=Coalesce("first_submitted_at", "created_at")),
        "logged_at",
        start,
        end,
    ).values_list("pk", "title", "state", "visibility", "logged_at")
    for pk, title, state, visibility, logged_at in reflections:
        entries.append(
            LogEntry(
                when=logged_at,
                kind="reflection",
                title=_reflection_named(pk, title),
                detail=f"{_STATE_SAID.get(state, state)} · {_VISIBILITY_SAID.get(visibility, visibility)}",
                url=detail_url(pk),
                verb=learning_log.VERB_AUTHORED if state == DRAFT else learning_log.VERB_SUBMITTED,
                object_id=f"reflections.reflection:{pk}",
            )
        )
    reviews = _in_span(MentorReview.objects.filter(reflection__author=person), "created_at", start, end).values_list(
        "created_at",
        "decision",
        "depth",
        "reflection_id",
        "reflection__title",
        "mentor__first_name",
        "mentor__last_name",
        "mentor__email",
    )
    for created_at, decision, depth, reflection_id, title, *mentor in reviews:
        validated = decision == MentorReview.Decision.VALIDATED
        entries.append(
            LogEntry(
                when=created_at,
                kind="mentor_feedback",
                title=f"Mentor feedback on “{_reflection_named(reflection_id, title)}”",
                detail=f"{'Validated' if validated else 'More depth asked'} by {names[tuple(mentor)]}, "
                f"depth {depth} of 4",
                url=detail_url(reflection_id),
                verb=learning_log.VERB_PASSED if validated else VERB_ATTEMPTED,
                object_id=f"reflections.reflection:{reflection_id}",
            )
        )
    tried = _in_span(
        Adoption.objects.filter(person=person, kind=Adoption.Kind.TRIED).filter(_board_q("reflection__")),
        "created_at",
        start,
        end,
    ).values_list(
        "created_at",
        "note",
        "reflection_id",
        "reflection__title",
        "reflection__author__first_name",
        "reflection__author__last_name",
        "reflection__author__email",
    )
    for created_at, note, reflection_id, title, *author in tried:
        entries.append(
            LogEntry(
                when=created_at,
                kind="practice",
                title=f"Tried “{_reflection_named(reflection_id, title)}” from {names[tuple(author)]}",
                detail=note,
                url=detail_url(reflection_id),
                verb=learning_log.VERB_COMPLETED,
                object_id=f"reflections.reflection:{reflection_id}:tried",
            )
        )
    return entries


def reflection_log_readers(reflection) -> list[int]:
    """Whose learning logs show the reflection: its author's, and of those who tried it (one query)."""
    tried = Adoption.objects.filter(reflection_id=reflection.pk, kind=Adoption.Kind.TRIED).values_list(
        "person_id", flat=True
    )
    return [reflection.author_id, *tried]


def review_log_readers(review) -> list[int]:
    """Whose learning log shows a mentor review: the reflection's author's (one query unless loaded)."""
    if MentorReview.reflection.is_cached(review):
        return [review.reflection.author_id]
    return list(Reflection.objects.filter(pk=review.reflection_id).values_list("author_id", flat=True))


def month_span(month: date) -> tuple[datetime, datetime]:
    """The start and end (exclusive) of a calendar month in the organisation's time zone."""
    start = timezone.make_aware(datetime.combine(month.replace(day=1), datetime.min.time()))
    next_month = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, timezone.make_aware(datetime.combine(next_month, datetime.min.time()))
