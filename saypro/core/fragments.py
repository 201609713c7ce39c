"""Values many people see alike, computed once per version and kept in the cache.

A `VersionedCache` keeps its entries under keys that carry a version number (kept in the cache
itself: Redis in production, CACHE_URL). A write that changes what the entries show calls
`changed()`, which bumps the version at once and again after the transaction commits (a value
computed in between from the old rows would otherwise be kept); old entries are never read again
and expire after `seconds`. `watch()` connects the bump to the saves and deletes of the models
named, for writes through `save()`/`delete()`; a service that writes those models in bulk
(`update()`, `bulk_create()`) calls `changed(name)` itself.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Sequence
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
        """The value cached under `key` for the current version, computed by `compute` when missing."""
        full_key = f"fragments:{self.name}:{self.version()}:{key}"
        value = cache.get(full_key)
        if value is None:
            value = compute()
            cache.set(full_key, value, self.seconds)
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
    versions = ":".join(str(c.version()) for c in caches)
    # Dates and words are rendered in the active time zone and language: part of the key, should
    # they ever be set per person. So is the CSRF placeholder: after a new SECRET_KEY, HTML kept
    # with the old one's placeholder would otherwise be served with it in place of a token.
    where = f"{timezone.get_current_timezone_name()}:{translation.get_language()}:{_csrf_slot()}"
    prefix = f"fragments:html:{template_name}:{versions}:{where}:"
    found = cache.get_many([prefix + key for key in keys]) if keys else {}
    missing = [key for key in keys if prefix + key not in found]
    if missing:
        rendered = {
            prefix + key: render_to_string(template_name, {**ctx, "csrf_token": _csrf_slot()})
            for key, ctx in contexts(missing).items()
        }
        cache.set_many(rendered, min(c.seconds for c in caches))
        found.update(rendered)
    slot = _csrf_slot()
    return [
        mark_safe(html.replace(slot, get_token(request)) if slot in html else html)  # noqa: S308 -- our own templates
        # A section whose object went between the caller's read and `contexts` has no HTML.
        for html in (found.get(prefix + key, "") for key in keys)
    ]
