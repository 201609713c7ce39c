"""Periodic job schedules in plain words, for officers: "Every month on the 1st at 07:00".

django-celery-beat shows a crontab as "0 7 1 * * (m/h/dM/MY/d) Africa/Johannesburg"; an
officer reads the sentence instead. Schedules outside the shapes below (rare, typed by hand in
the admin) fall back to the five fields with their names spelled out, never to an error.
"""

from __future__ import annotations

import re

WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
_WEEKDAY_NUMBERS = {name[:3].lower(): i for i, name in enumerate(WEEKDAYS)}
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


class _Unreadable(ValueError):
    """A field in a shape the sentence does not cover."""


def _numbers(field: str, names: dict[str, int] | None = None) -> list[int]:
    """'5', '5,20,35', '1-5', 'mon', 'mon-fri' as a sorted list of numbers."""
    values: set[int] = set()
    for part in field.split(","):
        part = part.strip().lower()
        bounds = part.split("-")
        if len(bounds) > 2 or not all(bounds):
            raise _Unreadable(field)
        converted = []
        for bound in bounds:
            if bound.isdigit():
                converted.append(int(bound))
            elif names and bound[:3] in names:
                converted.append(names[bound[:3]])
            else:
                raise _Unreadable(field)
        values.update(range(converted[0], converted[-1] + 1))
    return sorted(values)


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _every(field: str) -> int | None:
    match = re.fullmatch(r"\*/(\d+)", field.strip())
    return int(match.group(1)) if match else None


def _every_from(field: str) -> tuple[int, int] | None:
    """'5-59/10' or '5/10' as (5, 10): a step that starts past zero; None for any other shape."""
    match = re.fullmatch(r"(\d+)(?:-(\d+))?/(\d+)", field.strip())
    if not match or (match.group(2) and int(match.group(2)) < 59 - int(match.group(3)) + 1):
        return None
    return int(match.group(1)), int(match.group(3))


def _days(day_of_month: str, month_of_year: str, day_of_week: str) -> str:
    """The day part: "Every day", "Every Monday", "Every month on the 1st", "Every year on 1 January"."""
    if day_of_month == "*" and day_of_week == "*":
        days = "Every day"
    elif day_of_week == "*":
        days = "Every month on the " + _and([_ordinal(d) for d in _numbers(day_of_month)])
    elif day_of_month == "*":
        weekdays = [d % 7 for d in _numbers(day_of_week, _WEEKDAY_NUMBERS)]
        if sorted(set(weekdays)) == [1, 2, 3, 4, 5]:
            days = "Every weekday"
        else:
            days = "Every " + _and([WEEKDAYS[d] for d in sorted(set(weekdays), key=lambda d: (d == 0, d))])
    else:
        raise _Unreadable(day_of_week)
    if month_of_year != "*":
        days += " in " + _and([MONTHS[m - 1] for m in _numbers(month_of_year)])
    return days


def _times(minute: str, hour: str) -> str:
    """The time part: "every 5 minutes", "every hour at :05", "at 07:00", "at 06:00 and 18:30"."""
    step = _every(minute)
    if hour == "*":
        if minute == "*":
            return "every minute"
        if step is not None:
            return f"every {step} minutes"
        if (start_step := _every_from(minute)) is not None:
            return f"every {start_step[1]} minutes from :{start_step[0]:02d}"
        return "every hour at " + _and([f":{m:02d}" for m in _numbers(minute)])
    hour_step = _every(hour)
    if hour_step is not None:
        return f"every {hour_step} hours at " + _and([f":{m:02d}" for m in _numbers(minute)])
    if step is not None or minute == "*":
        raise _Unreadable(minute)
    return "at " + _and([f"{h:02d}:{m:02d}" for h in _numbers(hour) for m in _numbers(minute)])


def crontab_in_words(
    *, minute: str = "*", hour: str = "*", day_of_month: str = "*", month_of_year: str = "*", day_of_week: str = "*"
) -> str:
    """A crontab as a sentence an officer reads at a glance.

    >>> crontab_in_words(minute="0", hour="7", day_of_month="1")
    'Every month on the 1st at 07:00'
    """
    fields = [str(f).strip() or "*" for f in (minute, hour, day_of_month, month_of_year, day_of_week)]
    minute, hour, day_of_month, month_of_year, day_of_week = fields
    try:
        days, times = _days(day_of_month, month_of_year, day_of_week), _times(minute, hour)
    except (_Unreadable, IndexError):
        return (
            f"Minute {minute}, hour {hour}, day of month {day_of_month}, month {month_of_year}, "
            f"day of week {day_of_week} (cron)"
        )
    if days == "Every day" and times.startswith("every "):
        return times[0].upper() + times[1:]
    return f"{days}, {times}" if times.startswith("every ") else f"{days} {times}"


def periodic_task_schedule_in_words(task) -> str:
    """The schedule of a django-celery-beat PeriodicTask in words (crontab, interval, one-off)."""
    if task.crontab_id:
        c = task.crontab
        return crontab_in_words(
            minute=c.minute,
            hour=c.hour,
            day_of_month=c.day_of_month,
            month_of_year=c.month_of_year,
            day_of_week=c.day_of_week,
        )
    if task.interval_id:
        every, period = task.interval.every, task.interval.period
        unit = period[:-1] if every == 1 else period
        return f"Every {unit}" if every == 1 else f"Every {every} {unit}"
    if task.clocked_id:
        from django.utils import timezone

        return f"Once, at {timezone.localtime(task.clocked.clocked_time):%d %b %Y %H:%M}"
    return str(task.scheduler) if task.scheduler else ""
