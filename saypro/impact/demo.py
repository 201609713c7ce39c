"""Demo snapshots: the past months are built so the trend charts show at once."""

from __future__ import annotations

from django.utils import timezone

from .months import month_before, previous_month
from .services import snapshot_build


def seed(*, org) -> None:
    month = month_before(timezone.localdate())
    months = [month]
    for _ in range(5):
        months.append(previous_month(months[-1]))
    # Built as if each had been built in its own month: managers were told then, not today.
    for m in reversed(months):
        snapshot_build(month=m, notify_managers=False)
