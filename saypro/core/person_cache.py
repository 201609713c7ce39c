"""What every signed-in page reads about its person, kept in the cache: roles and the unread count.

Every page tests the person's roles (navigation, permissions, the officer's second factor) and
shows the bell's unread count. Read from the database they were two of the three queries of the
cheapest signed-in page (benchmarks/bench_throughput.py, "reference: signed-in floor"), paid by
every page. Both are kept in one cache entry per person (Redis in production, CACHE_URL), read in
one round trip together with the roles version, and recomputed when they change:

- Roles: the entry carries the version of the "roles" versioned cache it was computed under. Any
  change of a group membership or of a group bumps that version (group changes are rare: an
  import, an officer in the admin); the org import writes memberships in bulk, without signals,
  and bumps it itself.
- The unread count: the person's entry is dropped when one of their notifications is saved or
  deleted and by `notifications_mark_read`, at once and again after the transaction commits (a
  count read in between from the old rows would otherwise be kept).

Within a request the entry read first is kept on the person object, so the page's second fact
(usually the roles for a permission check, then the count for the bell) costs no second round
trip; any change to either fact in this process since that read makes the next one read again.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .fragments import VersionedCache

ROLES = VersionedCache("roles", seconds=3600)
PERSON_SECONDS = 300
STASH = "_person_cache_entry"
# Counts the changes this process has made to anyone's facts: an entry kept on a person object
# under an older count is read again rather than trusted.
_changes = 0


def _person_key(person_id: int) -> str:
    return f"person:{person_id}"


def _fact(person, name: str):
    """One of the person's cached facts ("groups" or "unread"), brought up to date: one cache round
    trip when it is there. Only the fact asked for is computed when missing; the entry carries the
    roles version its groups were read under, and a newer version reads them again.
    """
    # getattr and setattr, not __dict__: request.user is a lazy object that passes them on.
    stash = getattr(person, STASH, None)
    if stash is not None and stash[0] == _changes and name in stash[1]:
        return stash[1][name]
    key = _person_key(person.pk)
    found = cache.get_many([key, ROLES.version_key])
    facts = found.get(key) or {}
    version = found.get(ROLES.version_key)
    if version is None:
        version = ROLES.version()
    if facts.get("roles_version") != version:
        facts = {k: v for k, v in facts.items() if k == "unread"}
    if name not in facts:
        if name == "groups":
            facts = {
                **facts,
                "roles_version": version,
                "groups": frozenset(person.groups.values_list("name", flat=True)),
            }
        else:
            from .selectors import notification_unread_count

            facts = {**facts, "unread": notification_unread_count(person=person)}
        cache.set(key, facts, PERSON_SECONDS)
    setattr(person, STASH, (_changes, facts))
    return facts[name]


def group_names(*, person) -> frozenset[str]:
    """The names of the person's groups."""
    return _fact(person, "groups")


def unread_count(*, person) -> int:
    """The person's unread notifications, as the bell shows them."""
    return _fact(person, "unread")


class _Drop:
    """An on-commit callback that drops cache entries (tests tell it apart with fragments.is_version_bump)."""

    cache_refresh = True

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys

    def __call__(self) -> None:
        cache.delete_many(self.keys)


def _facts_changed() -> None:
    global _changes
    _changes += 1


def unread_changed(*, person_ids: Iterable[int]) -> None:
    """These people's notifications were added, read or deleted: their counts are stale."""
    _facts_changed()
    keys = [_person_key(pk) for pk in set(person_ids)]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(_Drop(keys))


def _notification_written(sender, instance, **kwargs) -> None:
    unread_changed(person_ids=[instance.recipient_id])


def _roles_changed(sender, **kwargs) -> None:
    _facts_changed()
    ROLES.changed()


def watch_for_changes() -> None:
    """Connect the receivers that drop what changed (called once, from the core app's ready())."""
    from .models import Notification, User

    post_save.connect(_notification_written, sender=Notification, dispatch_uid="person_cache:notification:save")
    post_delete.connect(_notification_written, sender=Notification, dispatch_uid="person_cache:notification:delete")
    # Rows of the membership table itself send no save or delete signals (Django skips them for
    # auto-created models): a write straight to it, like the org import's, calls ROLES.changed().
    m2m_changed.connect(_roles_changed, sender=User.groups.through, dispatch_uid="person_cache:roles:m2m")
    post_save.connect(_roles_changed, sender=Group, dispatch_uid="person_cache:roles:group:save")
    post_delete.connect(_roles_changed, sender=Group, dispatch_uid="person_cache:roles:group:delete")
