"""Template filters that keep the HTML valid (the Nu checker runs over every page in the tests)."""

import datetime as dt

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def html_datetime(value) -> str:
    """A <time datetime> value: ISO 8601 to the second, in the organisation's time zone.

    Django's `date:'c'` keeps microseconds, and HTML allows at most three digits of a fraction
    of a second. A date stays a date; no value gives "" (leave the attribute out then).
    """
    if value in (None, ""):
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return ""
