"""Template context every page needs: the navigation and account menu for this person, the unread count."""

from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.module_loading import import_string

NAVIGATION_MODULE = "saypro.navigation.MAIN_NAVIGATION"
ACCOUNT_MODULE = "saypro.navigation.ACCOUNT_NAVIGATION"

# The menus' addresses, reversed once per URL configuration and script prefix (they are the same
# on every page; reversing the eighteen names cost every request about two tenths of a millisecond).
_RESOLVED: dict[tuple, list] = {}


def _entries(module: str) -> list:
    key = (get_urlconf(), get_script_prefix(), module)
    entries = _RESOLVED.get(key)
    if entries is None:
        entries = []
        for label, url_name, predicate in import_string(module):
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
    for label, url, predicate in _entries(NAVIGATION_MODULE):
        if not predicate.test(user):
            continue
        active = current == url if url == "/" else current.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    account = [
        {"label": label, "url": url} for label, url, predicate in _entries(ACCOUNT_MODULE) if predicate.test(user)
    ]
    return {"nav_items": items, "account_items": account, "unread_notifications": _unread_count(user)}


def _unread_count(user) -> int:
    from .person_cache import unread_count

    return unread_count(person=user)
