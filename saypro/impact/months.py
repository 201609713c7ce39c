"""Calendar months in the organisation's time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings


def org_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[start, end) of a month as aware datetimes at local midnight in the organisation's zone."""
    zone = org_zone()
    start = datetime(month.year, month.month, 1, tzinfo=zone)
    following = next_month(month)
    return start, datetime(following.year, following.month, 1, tzinfo=zone)


def next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)


def parse_month(text: str) -> date:
    """Parse "YYYY-MM"; raises ValueError with a readable message otherwise."""
    try:
        parsed = datetime.strptime(text, "%Y-%m")  # noqa: DTZ007 -- a calendar month, not a moment
    except ValueError as exc:
        raise ValueError(f"“{text}” is not a month; write it as YYYY-MM, e.g. 2026-11.") from exc
    return date(parsed.year, parsed.month, 1)


def month_before(today: date) -> date:
    return previous_month(date(today.year, today.month, 1))
