"""The reflection page kept rendered per reflection and audience (reflections/views/base.py).

A reflection with 400 comments cost 30–40 ms per view to read and render (benchmarks/
bench_throughput.py), and most of what it shows is the same for everyone who reads it alike: the
answers, the newest threads of the discussion, the counts of who tried it. So the page below the
navigation is kept in `REFLECTION_PAGE`, per reflection, in one part per *audience*: the
permissions the reader has on it (`can_*`, whether they moderate) and whether every report is
listed. Readers with anything of their own on the page get a part of their own instead (`reader_part`):
the author (their history, who tried it, the review thread), whoever may read the review thread,
anyone who commented on the board (no "Report" link on their own comments, their own hidden
comments), and anyone who said they would try it or tried it (their commitment).

Stale when:
- a row of the reflection is written: itself, its answers, comments, adoptions, mentor reviews,
  events (`watch_for_changes`); services that write those in bulk call `reflection_page_changed`;
- a name or place it shows is written (`REFLECTION_PAGE_SHARED`: people, departments, locations,
  templates and their questions), or many reflections are written in bulk (an erasure, the org
  import: `fragments.changed("reflection-page")`);
- the day turns (a commitment asks "Did you try it?" from its day on), and after ten minutes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from saypro.core.fragments import ObjectCache, VersionedCache
from saypro.core.models import User

from ..models import Adoption, Comment, Reflection
from .visibility import reflection_row

REFLECTION_PAGE_SHARED = VersionedCache("reflection-page", seconds=600)
REFLECTION_PAGE = ObjectCache("reflection-page", seconds=600, shared=[REFLECTION_PAGE_SHARED])
REFLECTION_PAGE_SHARED_READ = [
    "core.User",
    "core.Department",
    "core.Location",
    "reflections.ReflectionTemplate",
    "reflections.GuidingQuestion",
]
# The rows of one reflection its page shows, by the field naming the reflection.
REFLECTION_PAGE_ROWS = {
    "reflections.Answer": "reflection_id",
    "reflections.Comment": "reflection_id",
    "reflections.Adoption": "reflection_id",
    "reflections.MentorReview": "reflection_id",
    "reflections.ReflectionEvent": "reflection_id",
}


def watch_for_changes() -> None:
    """Connect the kept pages to the writes of what they show (ReflectionsConfig.ready)."""
    REFLECTION_PAGE_SHARED.watch(REFLECTION_PAGE_SHARED_READ)
    REFLECTION_PAGE.watch_objects("reflections.Reflection", lambda reflection: [reflection.pk])
    for label, field in REFLECTION_PAGE_ROWS.items():
        REFLECTION_PAGE.watch_objects(label, _reflection_of(field))


def _reflection_of(field: str) -> Callable[[Any], list[int]]:
    """The reflection a row of `field` names, as the ids watch_objects bumps."""

    def ids(row) -> list[int]:
        return [getattr(row, field)]

    return ids


def reflection_page_changed(*, reflection_ids: Iterable[int]) -> None:
    """A service wrote rows of these reflections in bulk (update(), bulk_create()): their kept pages are stale."""
    REFLECTION_PAGE.objects_changed(object_ids=reflection_ids)


def _readers_with_their_own(reflection: Reflection) -> tuple[frozenset[int], datetime | None]:
    """The people who have something of their own on the page: board commenters and those who said
    they would try it or tried it."""
    commenters = (
        Comment.objects.filter(reflection=reflection, channel=Comment.Channel.BOARD)
        .order_by()
        .values_list("author_id", flat=True)
    )
    adopters = Adoption.objects.filter(reflection=reflection).order_by().values_list("person_id", flat=True)
    return frozenset(commenters.union(adopters)), None


def reflection_row_kept(*, pk: int) -> Reflection | None:
    """The reflection's own row, kept with its page (stale with it): a kept page's permission check
    then asks the database nothing. Under load every query left on a page cost more than the rest of
    it (benchmarks/bench_throughput.py: the pages with one query left measured 0.04-0.05x, the pages
    with none 0.12-0.34x)."""
    return REFLECTION_PAGE.get_or_set_for(object_id=pk, part="row", compute=lambda: (reflection_row(pk=pk), None))


def reader_part(*, reflection: Reflection, reader: User, audience: dict) -> str:
    """The part of REFLECTION_PAGE the reader gets: their audience's, or their own.

    `audience` is everything else the page shows differently by reader (their permissions); two
    readers with the same audience and nothing of their own on the page see the same page.
    """
    own = reader.pk == reflection.author_id or audience.get("can_see_review")
    if not own:
        readers = REFLECTION_PAGE.get_or_set_for(
            object_id=reflection.pk, part="readers", compute=lambda: _readers_with_their_own(reflection)
        )
        own = reader.pk in readers
    signature = repr(sorted(audience.items()))
    if own:
        signature += f":reader:{reader.pk}"
    return "page:" + hashlib.sha256(signature.encode()).hexdigest()[:24]


def kept_until(now: datetime) -> datetime:
    """When a kept page goes out of date by itself: at the next local midnight."""
    today = timezone.localdate(now)
    return timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
