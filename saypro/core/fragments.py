"""Values many people see alike, computed once per version and kept in the cache.

A `VersionedCache` keeps each entry with the version number it was computed under (the version is
kept in the cache itself: Redis in production, CACHE_URL) and reads both in one round trip. A write
that changes what the entries show calls `changed()`, which bumps the version at once and again
after the transaction commits (a value computed in between from the old rows would otherwise be
kept); an entry of an older version is computed again, and expires after `seconds`. `watch()`
connects the bump to the saves and deletes of the models named, for writes through
`save()`/`delete()`; a service that writes those models in bulk (`update()`, `bulk_create()`)
calls `changed(name)` itself.

A `PersonalCache` keeps one value per person (a home page panel), valid while the person's own
version and the shared versions it depends on are the ones it was computed under, and until the
moment it says it goes out of date by itself (the next session ends, a sign-up closes).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from datetime import datetime
from functools import cache as once
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

_REGISTRY: dict[str, VersionedCache] = {}
_PERSONAL: dict[str, PersonalCache] = {}
# What read_ahead() found, for the get_or_set calls inside it: {key: value or None when missing}.
_READ_AHEAD: ContextVar[dict[str, Any] | None] = ContextVar("fragments_read_ahead", default=None)
# What Django's sign-in saves (django.contrib.auth.models.update_last_login); no fragment shows it.
_SIGN_IN_FIELDS = frozenset({"last_login"})


class VersionedCache:
    def __init__(self, name: str, *, seconds: int = 300) -> None:
        self.name = name
        self.seconds = seconds
        self.version_key = f"fragments:{name}:version"
        _REGISTRY[name] = self

    def version(self) -> int:
        version = cache.get(self.version_key)
        if version is None:
            # A version made from the clock: a version key the cache evicted is never re-created
            # with a number that old entries still carry.
            cache.add(self.version_key, time.time_ns() // 1000, None)
            version = cache.get(self.version_key)
        return int(version)

    def get_or_set(self, key: str, compute: Callable[[], Any]) -> Any:
        """The value cached under `key` for the current version, computed by `compute` when missing.

        One round trip: the value is kept with the version it was computed under, and read together
        with the current version (keys that carried the version took a read of it first).
        """
        value_key = f"fragments:{self.name}:value:{key}"
        found = cache.get_many([self.version_key, value_key])
        (version,) = _versions(found, [self])
        kept = found.get(value_key)
        if kept is not None and kept[0] == version:
            return kept[1]
        value = compute()
        cache.set(value_key, (version, value), self.seconds)
        return value

    def _bump(self) -> None:
        # Without a version yet, the next read makes one from the clock.
        with contextlib.suppress(ValueError):
            cache.incr(self.version_key)

    def changed(self, **signal_kwargs) -> None:
        """What the entries show changed: they are stale now and again after commit.

        A sign-in's save of the person's last_login alone changes nothing a fragment shows, so it
        bumps nothing (otherwise every sign-in would empty every cache that watches people).
        """
        if signal_kwargs.get("update_fields") == _SIGN_IN_FIELDS:
            return
        self._bump()
        connection = transaction.get_connection()
        # Once per transaction, however many rows it saves.
        if not any(callback == self._bump for _, callback, _ in connection.run_on_commit):
            transaction.on_commit(self._bump)

    def watch(self, model_labels: Iterable[str]) -> None:
        """Bump the version on every save and delete of these models ("app_label.ModelName")."""
        for label in model_labels:
            model = apps.get_model(label)
            uid = f"fragments:{self.name}:{label}"
            post_save.connect(self.changed, sender=model, dispatch_uid=uid, weak=False)
            post_delete.connect(self.changed, sender=model, dispatch_uid=uid, weak=False)
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    self.changed, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}", weak=False
                )


def _versions(found: dict, caches: Sequence[VersionedCache]) -> tuple[int, ...]:
    """The current versions of `caches`, from what a get_many found (a missing one is made)."""
    return tuple(int(found.get(c.version_key) or c.version()) for c in caches)


class _PersonalBump:
    """An on-commit callback that bumps some people's versions (is_version_bump tells it apart)."""

    cache_refresh = True

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys

    def __call__(self) -> None:
        for key in self.keys:
            # A version the cache no longer holds is made again from the clock on the next read.
            with contextlib.suppress(ValueError):
                cache.incr(key)


class PersonalCache:
    """One value per person, read in one round trip with the versions it was computed under.

    `people_changed(person_ids=...)` bumps those people's own versions, at once and after commit
    (as VersionedCache.changed); `watch_people()` connects it to a model's saves and deletes. A
    bump of any of the `shared` versioned caches makes everyone's value stale: for rows many
    people's values show (a session, a round) and for writes in bulk.
    """

    # A person's version outlives their value; made again from the clock should the cache drop it.
    VERSION_SECONDS = 24 * 3600

    def __init__(self, name: str, *, seconds: int = 600, shared: Sequence[VersionedCache] = ()) -> None:
        self.name = name
        self.seconds = seconds
        self.shared = tuple(shared)
        _PERSONAL[name] = self

    def _keys(self, person_id: int, part: str = "") -> list[str]:
        return [self._value_key(person_id, part), self._version_key(person_id), *(c.version_key for c in self.shared)]

    def _value_key(self, person_id: int, part: str = "") -> str:
        return f"personal:{self.name}:{person_id}" + (f":{part}" if part else "")

    def _version_key(self, person_id: int) -> str:
        return f"personal:{self.name}:v:{person_id}"

    def get_or_set(self, *, person_id: int, compute: Callable[[], tuple[Any, datetime | None]], part: str = "") -> Any:
        """The person's value, computed by `compute` when missing or stale. `compute` returns the
        value and when it goes out of date by itself (None: only a write makes it stale). A person
        may have several values (`part`: a page of them, say), all stale together."""
        keys = self._keys(person_id, part)
        value_key, own_key = keys[0], keys[1]
        ahead = _READ_AHEAD.get()
        if ahead is not None and all(key in ahead for key in keys):
            found = {key: ahead[key] for key in keys if ahead[key] is not None}
        else:
            found = cache.get_many(keys)
        own = found.get(own_key)
        if own is None:
            cache.add(own_key, time.time_ns() // 1000, self.VERSION_SECONDS)
            own = cache.get(own_key)
        versions = (
            int(own),
            *_versions(found, self.shared),
            # Dates are rendered in the active time zone and language, should they ever be set per request.
            timezone.get_current_timezone_name(),
            translation.get_language(),
        )
        kept = found.get(value_key)
        now = timezone.now()
        if kept is not None and kept["versions"] == versions and (kept["until"] is None or now < kept["until"]):
            return kept["value"]
        value, until = compute()
        seconds = self.seconds
        if until is not None:
            seconds = max(1, min(seconds, int((until - now).total_seconds()) + 1))
        kept = {"versions": versions, "until": until, "value": value}
        cache.set(value_key, kept, seconds)
        if ahead is not None and value_key in ahead:
            ahead[value_key] = kept  # a second read in the same block finds it, as it would in the cache
        return value

    def people_changed(self, *, person_ids: Iterable[int | None]) -> None:
        """What these people's values show changed: stale now and again after commit."""
        keys = [self._version_key(pk) for pk in set(person_ids) if pk is not None]
        if not keys:
            return
        bump = _PersonalBump(keys)
        bump()
        transaction.on_commit(bump)

    def watch_people(
        self,
        model_label: str,
        people: Callable[[Any], Iterable[int | None]],
        *,
        also: Sequence[PersonalCache] = (),
    ) -> None:
        """On every save and delete of this model, bump the versions of `people(instance)`, in this
        cache and in those `also` names (the people read once for all of them)."""
        model = apps.get_model(model_label)

        def written(sender, instance, **kwargs) -> None:
            person_ids = list(people(instance))
            for personal in (self, *also):
                personal.people_changed(person_ids=person_ids)

        uid = f"personal:{self.name}:{model_label}"
        post_save.connect(written, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(written, sender=model, dispatch_uid=uid, weak=False)


class ObjectCache(PersonalCache):
    """A PersonalCache keyed by another object's id than a person's: values kept per reflection, say,
    each in several parts (one per audience), all stale together when the object's version is bumped."""

    def get_or_set_for(self, *, object_id: int, compute: Callable[[], tuple[Any, datetime | None]], part: str = ""):
        return self.get_or_set(person_id=object_id, compute=compute, part=part)

    def objects_changed(self, *, object_ids: Iterable[int | None]) -> None:
        self.people_changed(person_ids=object_ids)

    def watch_objects(self, model_label: str, object_ids: Callable[[Any], Iterable[int | None]]) -> None:
        """On every save and delete of this model, bump the versions of `object_ids(instance)`."""
        self.watch_people(model_label, object_ids)


@contextlib.contextmanager
def read_ahead(*, person_id: int, prefix: str) -> Iterator[None]:
    """Read the values of one person in every PersonalCache whose name starts with `prefix` (the home
    panels, "home:"), with their versions, in one round trip; get_or_set inside the block takes
    them from there instead of reading each on its own (five round trips on home)."""
    keys = sorted({key for name, c in _PERSONAL.items() if name.startswith(prefix) for key in c._keys(person_id)})
    found = cache.get_many(keys)
    token = _READ_AHEAD.set({key: found.get(key) for key in keys})
    try:
        yield
    finally:
        _READ_AHEAD.reset(token)


def query_part(request) -> str:
    """A `part` for PersonalCache.get_or_set naming the page a query string asks for (its hash:
    whatever anyone types makes a key of the same short length)."""
    return hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:24]


def panel_rendered(panel: dict | None, *, person) -> dict | None:
    """A home panel with its HTML (under "html"), rendered from its template as home would include it,
    so that a panel kept per person is kept rendered. Panels hold links, no forms: no request is needed."""
    if panel is None:
        return None
    return {**panel, "html": render_to_string(panel["template"], {"panel": panel, "user": person})}


def changed(name: str) -> None:
    """A bulk write changed what the versioned cache `name` shows (no-op when none is set up)."""
    if name in _REGISTRY:
        _REGISTRY[name].changed()


def is_version_bump(callback: Callable) -> bool:
    """Whether an on-commit callback is a versioned cache's bump or another cache refresh (such as
    person_cache dropping a person's unread count), for tests that count follow-up work."""
    return isinstance(getattr(callback, "__self__", None), VersionedCache) or getattr(callback, "cache_refresh", False)


def _csrf_slot() -> str:
    # Stands for the CSRF token in shared HTML; made from the secret key so no text anyone types
    # can be taken for it.
    return _csrf_slot_for(settings.SECRET_KEY)


@once
def _csrf_slot_for(secret_key: str) -> str:
    return "csrf-slot-" + salted_hmac("saypro.fragments.csrf-slot", "slot", secret=secret_key).hexdigest()[:24]


def submission_slot() -> str:
    """Stands for a form's one-time submission token (SubmitOnceMixin) in kept HTML, as a UUID since the
    field renders one; made from the secret key, as the CSRF slot, so no text anyone types is taken for it."""
    return _submission_slot_for(settings.SECRET_KEY)


@once
def _submission_slot_for(secret_key: str) -> str:
    digest = salted_hmac("saypro.fragments.submission-slot", "slot", secret=secret_key).hexdigest()
    return str(uuid.UUID(hex=digest[:32]))


def shared_html(
    *,
    caches: Sequence[VersionedCache],
    key: str,
    template_name: str,
    context: Callable[[], dict],
    request,
) -> SafeString:
    """A section of a page that everyone allowed to see it sees alike, rendered once per version.

    The HTML is kept under the versions of all `caches` (any of them bumped, it is rendered
    again from `context()`), for the shortest of their lifetimes. The template gets no request
    and no context processors: only what `context()` gives, which must be the same for everyone
    the section is shown to. Its forms' CSRF tokens are the one part that differs per person;
    the section is rendered with a placeholder, and each request puts its own token in its
    place, as `{% csrf_token %}` would have.
    """
    (html,) = shared_html_many(
        caches=caches, keys=[key], template_name=template_name, contexts=lambda keys: {key: context()}, request=request
    )
    return html


def shared_html_many(
    *,
    caches: Sequence[VersionedCache],
    keys: Sequence[str],
    template_name: str,
    contexts: Callable[[list[str]], dict[str, dict]],
    request,
) -> list[SafeString]:
    """shared_html for several sections of one template at once (one card per circle, say): read in
    one round trip, and those missing rendered from `contexts(missing keys)`, a context per key."""
    # Dates and words are rendered in the active time zone and language: part of the key, should
    # they ever be set per person. So is the CSRF placeholder: after a new SECRET_KEY, HTML kept
    # with the old one's placeholder would otherwise be served with it in place of a token.
    where = f"{timezone.get_current_timezone_name()}:{translation.get_language()}:{_csrf_slot()}"
    prefix = f"fragments:html:{template_name}:{where}:"
    # One round trip: each section's HTML is kept with the versions it was rendered under.
    found = cache.get_many([*(c.version_key for c in caches), *(prefix + key for key in keys)])
    versions = _versions(found, caches)
    html_of = {key: kept[1] for key in keys if (kept := found.get(prefix + key)) is not None and kept[0] == versions}
    missing = [key for key in keys if key not in html_of]
    if missing:
        rendered = {
            key: render_to_string(template_name, {**ctx, **kept_render_context()})
            for key, ctx in contexts(missing).items()
        }
        cache.set_many(
            {prefix + key: (versions, html) for key, html in rendered.items()}, min(c.seconds for c in caches)
        )
        html_of.update(rendered)
    # A section whose object went between the caller's read and `contexts` has no HTML.
    return [filled_slots(html_of.get(key, ""), request=request) for key in keys]


def filled_slots(html: str, *, request) -> SafeString:
    """Kept HTML with this request's own parts put in their slots: its CSRF token where
    `{% csrf_token %}` was rendered with the slot (kept_render_context), and a new one-time token in
    each form's submission_token field (SubmitOnceMixin) rendered with `submission_slot()`."""
    slot = _csrf_slot()
    if slot in html:
        html = html.replace(slot, get_token(request))
    token_slot = submission_slot()
    if token_slot in html:
        # One token per form: two forms of one page sharing a token would save only the first.
        html = re.sub(re.escape(token_slot), lambda _: str(uuid.uuid4()), html)
    return mark_safe(html)  # noqa: S308 -- our own templates


def kept_render_context() -> dict:
    """What a template rendered to be kept for many people gets instead of a request's CSRF token."""
    return {"csrf_token": _csrf_slot()}
