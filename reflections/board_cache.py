"""The learning board's list, rendered once per version and filter for everyone.

Every signed-in person sees the same board (it shows only reflections shared with colleagues,
and nothing about the viewer), so the filter form, the count, the cards and the pagination are
kept in the cache (Redis in production, CACHE_URL) under a key made of a board version and the
query string. Saving or deleting a reflection, a comment or an adoption bumps the version, at
once and again after the transaction commits (a page rendered in between from the old rows
would otherwise be kept); old fragments are never read again and expire. What the board shows
of other rows (an author's name, a department's name) changes rarely and is at most
FRAGMENT_SECONDS old.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "reflections:board:version"
FRAGMENT_SECONDS = 300


def board_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A version made from the clock: a version key the cache evicted is never re-created
        # with a number that old fragments still carry.
        cache.add(VERSION_KEY, time.time_ns() // 1000, None)
        version = cache.get(VERSION_KEY)
    return int(version)


def _bump() -> None:
    # Without a version yet, the next read makes one from the clock.
    with contextlib.suppress(ValueError):
        cache.incr(VERSION_KEY)


def board_changed(**kwargs) -> None:
    """What the board shows changed: its fragments are stale now and again after commit."""
    _bump()
    transaction.on_commit(_bump)


def board_fragment(query_string: str, render: Callable[[], str]) -> str:
    """The board's list for these filters and page, rendered by `render` when not cached."""
    digest = hashlib.sha256(query_string.encode()).hexdigest()[:32]
    key = f"reflections:board:{board_version()}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, FRAGMENT_SECONDS)
    return html
