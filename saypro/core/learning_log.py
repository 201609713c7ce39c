"""The learning log's shared shape: every activity app contributes entries to one timeline.

Each app exposes `<app>.selectors.learning_log_entries(*, person, start=None, end=None)`
returning a list of LogEntry; the reflections app (which owns the learning log page and its
exports) gathers them from the sources below, so it imports no other activity app.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.module_loading import import_string

from .fragments import PersonalCache, VersionedCache
from .markdown import markdown_as_text

M = TypeVar("M", bound=Model)

LEARNING_LOG_SOURCES = [
    "reflections.selectors.learning_log_entries",
    "feedback.selectors.learning_log_entries",
    "circles.selectors.learning_log_entries",
    "cafes.selectors.learning_log_entries",
]

# The whole log is kept per person for the log page and its exports (learning_log_kept). Stale when
# one of the person's own rows is written (each app's ready() names its models and whose logs they
# show in), when a row that many people's logs show is written (LOG_SHARED: sessions, modules,
# rounds, circles, topics, cafés, people's names), and after a write in bulk, which calls
# fragments.changed("learning_log").
LOG_SHARED = VersionedCache("learning_log", seconds=600)
LOG_CACHE = PersonalCache("learning_log", seconds=600, shared=[LOG_SHARED])

# xAPI verbs from the ADL vocabulary.
VERB_ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
VERB_SHARED = "http://adlnet.gov/expapi/verbs/shared"
VERB_COMMENTED = "http://adlnet.gov/expapi/verbs/commented"
VERB_SUBMITTED = "http://adlnet.gov/expapi/verbs/submitted"
VERB_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
VERB_PASSED = "http://adlnet.gov/expapi/verbs/passed"
VERB_PRESENTED = "http://adlnet.gov/expapi/verbs/presented"
VERB_AUTHORED = "http://adlnet.gov/expapi/verbs/authored"


@dataclass(frozen=True)
class LogEntry:
    """One thing a person took part in, as the learning log shows and exports it."""

    when: datetime
    kind: str  # "reflection", "mentor_feedback", "feedback_session", "contribution", "circle", "talk", "cafe"
    title: str
    detail: str
    url: str
    verb: str  # an xAPI verb IRI from the constants above
    object_id: str  # stable id for xAPI, e.g. "reflections.reflection:12"


def _markdown_as_detail(text: str, limit: int | None, suffix: str) -> str:
    return markdown_as_text(text, limit=limit) + suffix


_markdown_as_detail_lazy = lazy(_markdown_as_detail, str)


def markdown_detail(text: str, *, limit: int | None = None, suffix: str = "") -> str:
    """An entry's detail from Markdown as plain text (markdown_as_text), converted when it is first
    shown or exported: the log gathers every entry of a person's history to sort them, then shows
    50, and converting them all was a fifth of the log page's time (benchmarks/bench_throughput.py)."""
    return _markdown_as_detail_lazy(text, limit, suffix)


def within(rows: QuerySet[M], field: str, *, start: datetime | None, end: datetime | None) -> QuerySet[M]:
    """The rows whose `field` falls in [start, end); a side left None is open."""
    if start is not None:
        rows = rows.filter(**{f"{field}__gte": start})
    if end is not None:
        rows = rows.filter(**{f"{field}__lt": end})
    return rows


def pk_url(name: str) -> Callable[[int], str]:
    """The URL of the pattern `name` (one `<int:pk>` argument) for any primary key, from one reverse().

    A busy person's log holds hundreds of entries, and a reverse() per entry was a fifth of the
    learning log's time at 100,000 people (benchmarks/bench_pages.py).
    """
    head, tail = reverse(name, args=[0]).rsplit("/0/", 1)
    return lambda pk: f"{head}/{pk}/{tail}"


def newest_first(entries: list[LogEntry]) -> list[LogEntry]:
    return sorted(entries, key=lambda e: e.when, reverse=True)


def learning_log_gather(*, person, start: datetime | None = None, end: datetime | None = None) -> list[LogEntry]:
    """All of a person's log entries from every app that provides them, newest first."""
    entries: list[LogEntry] = []
    for dotted in LEARNING_LOG_SOURCES:
        if importlib.util.find_spec(dotted.rsplit(".", 1)[0]) is None:
            continue
        try:
            source = import_string(dotted)
        except ImportError:
            # The app's selectors module exists but provides no log entries yet.
            continue
        entries.extend(source(person=person, start=start, end=end))
    return newest_first(entries)


def learning_log_kept(*, person, start: datetime | None = None, end: datetime | None = None) -> list[LogEntry]:
    """learning_log_gather, from the person's whole log kept in the cache (LOG_CACHE): no query when
    kept. A month is picked from the whole log by each entry's time, which is the field every
    source filters on. The details are converted from Markdown once, when the log is kept."""

    def gather():
        entries = learning_log_gather(person=person)
        return [dataclasses.replace(e, detail=str(e.detail)) for e in entries], None

    entries = LOG_CACHE.get_or_set(person_id=person.pk, compute=gather)
    if start is None and end is None:
        return entries
    return [e for e in entries if (start is None or e.when >= start) and (end is None or e.when < end)]
