"""One way to write a moment on a page: relative while recent, else date and 24-hour time."""

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.timesince import timesince

register = template.Library()

# Within this long ago, "5 minutes ago" reads better than a clock time.
RELATIVE_WITHIN = timedelta(hours=12)


@register.filter
def when(value: datetime | None, now: datetime | None = None) -> str:
    """'5 minutes ago' for the last hours, '4 Dec, 15:50' this year, '4 Dec 2025, 15:50' before.

    Always in the organisation's time zone and on the 24-hour clock.
    """
    if not value:
        return ""
    now = now or timezone.now()
    if timedelta(0) <= now - value < RELATIVE_WITHIN:
        if now - value < timedelta(minutes=1):
            return "just now"
        return f"{timesince(value, now, depth=1)} ago"
    local = timezone.localtime(value)
    return date_format(local, "j M, H:i" if local.year == timezone.localtime(now).year else "j M Y, H:i")
