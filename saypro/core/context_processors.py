"""Template context every page needs: the navigation for this person and the unread count."""

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.module_loading import import_string

NAVIGATION_MODULE = "saypro.navigation.MAIN_NAVIGATION"

# The navigation's addresses, reversed once per URL configuration and script prefix (they are the
# same on every page; reversing nine names cost every request a tenth of a millisecond).
_RESOLVED: dict[tuple, list] = {}


def _navigation_entries() -> list:
    key = (get_urlconf(), get_script_prefix(), NAVIGATION_MODULE)
    entries = _RESOLVED.get(key)
    if entries is None:
        entries = []
        for label, url_name, predicate in import_string(NAVIGATION_MODULE):
            try:
                entries.append((label, reverse(url_name), predicate))
            except NoReverseMatch:
                continue
        _RESOLVED[key] = entries
    return entries


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    current = request.path
    for label, url, predicate in _navigation_entries():
        if not predicate.test(user):
            continue
        active = current == url if url == "/" else current.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items, "unread_notifications": _unread_count(user)}


def _unread_count(user) -> int:
    from .person_cache import unread_count

    return unread_count(person=user)
