"""Template context every page needs: the navigation for this person and the unread count."""

from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

NAVIGATION_MODULE = "saypro.navigation.MAIN_NAVIGATION"


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    current = request.path
    for label, url_name, predicate in import_string(NAVIGATION_MODULE):
        if not predicate.test(user):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        active = current == url if url == "/" else current.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items, "unread_notifications": _unread_count(user)}


def _unread_count(user) -> int:
    from .selectors import notification_unread_count

    return notification_unread_count(person=user)
