"""What every signed-in page reads about its person, kept in the cache: their row, roles and unread count
(and, beside them, their newest notifications).

Every page loads the signed-in person, tests their roles (navigation, permissions, the officer's
second factor) and shows the bell's unread count. Read from the database they were the three
queries of the cheapest signed-in page (benchmarks/bench_throughput.py, "reference: signed-in
floor"), paid by every page. All three are kept in one cache entry per person (Redis in
production, CACHE_URL), read in one round trip together with the roles version, and recomputed
when they change:

- The row: the site's authentication backends (auth_backends.py) take the session's person from
  the entry. Any save or delete of the person drops the entry (a new password, a deactivation, a
  new name are seen on the next request: the session check compares the password's hash and the
  backend refuses an inactive person, as with a row read from the database); the org import's
  bulk update drops the entries of the people it changed. The password's hash is not kept: the
  entry holds the session check's HMAC of it, and the column is read on demand if asked for.
- Roles: the entry carries the version of the "roles" versioned cache it was computed under. Any
  change of a group membership or of a group bumps that version (group changes are rare: an
  import, an officer in the admin); the org import writes memberships in bulk, without signals,
  and calls `roles_changed()` itself.
- The unread count: the person's entry is dropped when one of their notifications is saved or
  deleted and by `notifications_mark_read`, at once and again after the transaction commits (a
  count read in between from the old rows would otherwise be kept).

Within a request the entry read first is kept on the person object, so the page's second fact
(usually the roles for a permission check, then the count for the bell) costs no second round
trip; any change to either fact in this process since that read makes the next one read again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Count, Window
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac

from .fragments import VersionedCache

ROLES = VersionedCache("roles", seconds=3600)
PERSON_SECONDS = 300
STASH = "_person_cache_entry"
# Counts the changes this process has made to anyone's facts: an entry kept on a person object
# under an older count is read again rather than trusted.
_changes = 0


def _person_key(person_id: int) -> str:
    return f"person:{person_id}"


def _read(pk: int) -> dict:
    """The person's entry as cached, one round trip; groups read under an older roles version dropped."""
    key = _person_key(pk)
    found = cache.get_many([key, ROLES.version_key])
    facts = found.get(key) or {}
    version = found.get(ROLES.version_key)
    if version is None:
        version = ROLES.version()
    if facts.get("roles_version") != version:
        facts = {k: v for k, v in facts.items() if k != "groups"}
        facts["roles_version"] = version
    return facts


def _fact(person, name: str):
    """One of the person's cached facts ("groups" or "unread"), brought up to date: one cache round
    trip when it is there (none when this request already read the entry). Only the fact asked for
    is computed when missing.
    """
    # getattr and setattr, not __dict__: request.user is a lazy object that passes them on.
    stash = getattr(person, STASH, None)
    if stash is not None and stash[0] == _changes and name in stash[1]:
        return stash[1][name]
    changes = _changes
    facts = _read(person.pk)
    if name not in facts:
        if name == "groups":
            value = frozenset(person.groups.values_list("name", flat=True))
        else:
            from .selectors import notification_unread_count

            value = notification_unread_count(person=person)
        facts = {**facts, name: value}
        cache.set(_person_key(person.pk), facts, PERSON_SECONDS)
    setattr(person, STASH, (changes, facts))
    return facts[name]


# Kept out of the cache: the password's hash. The entry holds the session check's HMAC of it
# instead (User.get_session_auth_hash), so Redis never holds what a password could be guessed from.
SECRET_COLUMNS = frozenset({"password"})


def _session_hash_key() -> str:
    """Which secret key the entry's HMAC was made with, without telling the key: while a new key
    rolls out (the old one in SECRET_KEY_FALLBACKS), a process reads an entry another wrote under
    the other key and must not compare a session's hash with an HMAC of the other key."""
    return salted_hmac("saypro.person_cache.session_hash", "key", algorithm="sha256").hexdigest()[:16]


def _columns() -> tuple[str, ...]:
    from .models import User

    return tuple(field.attname for field in User._meta.concrete_fields if field.attname not in SECRET_COLUMNS)


def signed_in_person(*, pk, load: Callable[[Any], Any]):
    """The person a session is signed in as, from their entry (their row, kept with their roles and
    count, so a page reads all three in one round trip and runs no query for them); `load(pk)` reads
    them from the database when the entry holds no row, a row of an older shape of the table, or
    an HMAC made with another secret key.
    None when `load` finds no one.
    """
    from .models import CACHED_SESSION_HASH, User

    changes = _changes
    facts = _read(int(pk))
    row = facts.get("row")
    if row is not None and tuple(row) == _columns() and facts.get("session_hash_key") == _session_hash_key():
        person = User.from_db(DEFAULT_DB_ALIAS, list(row), list(row.values()))
        person.__dict__[CACHED_SESSION_HASH] = facts["session_hash"]
    else:
        person = load(pk)
        if person is None:
            return None
        row = {column: getattr(person, column) for column in _columns()}
        facts = {
            **facts,
            "row": row,
            "session_hash": person.get_session_auth_hash(),
            "session_hash_key": _session_hash_key(),
        }
        cache.set(_person_key(person.pk), facts, PERSON_SECONDS)
    setattr(person, STASH, (changes, facts))
    return person


def group_names(*, person) -> frozenset[str]:
    """The names of the person's groups."""
    return _fact(person, "groups")


def unread_count(*, person) -> int:
    """The person's unread notifications, as the bell shows them."""
    return _fact(person, "unread")


# The first page of the notifications list (the page the bell leads to); home shows its top five.
NOTIFICATIONS_PAGE = 30


def _notifications_key(person_id: int) -> str:
    return f"person:{person_id}:notifications"


def _notification_columns() -> tuple[str, ...]:
    from .models import Notification

    return tuple(field.attname for field in Notification._meta.concrete_fields)


def _newest_notifications_entry(person) -> dict:
    from .selectors import notification_list

    key = _notifications_key(person.pk)
    columns = _notification_columns()
    kept = cache.get(key)
    if kept is None or kept["columns"] != columns:
        # One query: the count of all of them over the whole set, before the page is cut from it.
        newest = notification_list(person=person).annotate(total=Window(Count("pk")))
        rows = list(newest.values_list(*columns, "total")[:NOTIFICATIONS_PAGE])
        kept = {"columns": columns, "rows": [row[:-1] for row in rows], "total": rows[0][-1] if rows else 0}
        cache.set(key, kept, PERSON_SECONDS)
    return kept


def _notification_rows(kept: dict) -> list:
    from .models import Notification

    columns = list(kept["columns"])
    return [Notification.from_db(DEFAULT_DB_ALIAS, columns, list(row)) for row in kept["rows"]]


def newest_notifications(*, person) -> tuple[list, int]:
    """The person's newest NOTIFICATIONS_PAGE notifications and how many they have in all.

    Kept beside the person's entry, not in it (every page reads the entry; only home and the list
    show these), and dropped with it: on every save or delete of one of their notifications and by
    notifications_mark_read, so a new one or one just read shows on the next request.
    """
    kept = _newest_notifications_entry(person)
    return _notification_rows(kept), kept["total"]


# A notification of the last hours says how long ago it came ("5 minutes ago", saypro_time.when):
# its rendered row reads differently a minute later.
RELATIVE_ROW_SECONDS = 60


def newest_notifications_page(*, person, render: Callable[[list], str]) -> tuple[list, int, str]:
    """newest_notifications() and `render(rows)`, the rows rendered, kept with them in their entry (so
    dropped with it) while each row's time reads the same: a minute when one came in the last hours
    (they say how long ago), else as long as the entry."""
    from .templatetags.saypro_time import RELATIVE_WITHIN

    kept = _newest_notifications_entry(person)
    rows = _notification_rows(kept)
    now = timezone.now()
    where = (timezone.get_current_timezone_name(), translation.get_language())
    html = kept.get("html")
    if html is None or kept["html_where"] != where or (kept["html_until"] is not None and now >= kept["html_until"]):
        html = render(rows)
        recent = any(timedelta(0) <= now - row.created_at < RELATIVE_WITHIN for row in rows)
        until = now + timedelta(seconds=RELATIVE_ROW_SECONDS) if recent else None
        cache.set(
            _notifications_key(person.pk),
            {**kept, "html": html, "html_where": where, "html_until": until},
            PERSON_SECONDS,
        )
    return rows, kept["total"], html


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


def people_changed(*, person_ids: Iterable[int]) -> None:
    """These people's rows, or their notifications, were written: their entries (and their newest
    notifications) are stale."""
    _facts_changed()
    keys = [key(pk) for pk in set(person_ids) for key in (_person_key, _notifications_key)]
    if not keys:
        return
    cache.delete_many(keys)
    transaction.on_commit(_Drop(keys))


def unread_changed(*, person_ids: Iterable[int]) -> None:
    """These people's notifications were added, read or deleted: their counts are stale."""
    people_changed(person_ids=person_ids)


def _notification_written(sender, instance, **kwargs) -> None:
    unread_changed(person_ids=[instance.recipient_id])


def _person_written(sender, instance, **kwargs) -> None:
    people_changed(person_ids=[instance.pk])


def roles_changed() -> None:
    """Someone's roles changed (a group membership or a group): every entry's groups are stale."""
    _facts_changed()
    ROLES.changed()


def _roles_changed(sender, **kwargs) -> None:
    roles_changed()


def watch_for_changes() -> None:
    """Connect the receivers that drop what changed (called once, from the core app's ready())."""
    from .models import Notification, User

    post_save.connect(_notification_written, sender=Notification, dispatch_uid="person_cache:notification:save")
    post_delete.connect(_notification_written, sender=Notification, dispatch_uid="person_cache:notification:delete")
    # The row (name, password hash, active or not): any save or delete drops the entry; the org
    # import's bulk update calls people_changed() for the people it changed.
    post_save.connect(_person_written, sender=User, dispatch_uid="person_cache:person:save")
    post_delete.connect(_person_written, sender=User, dispatch_uid="person_cache:person:delete")
    # Rows of the membership table itself send no save or delete signals (Django skips them for
    # auto-created models): a write straight to it, like the org import's, calls roles_changed().
    m2m_changed.connect(_roles_changed, sender=User.groups.through, dispatch_uid="person_cache:roles:m2m")
    post_save.connect(_roles_changed, sender=Group, dispatch_uid="person_cache:roles:group:save")
    post_delete.connect(_roles_changed, sender=Group, dispatch_uid="person_cache:roles:group:delete")
