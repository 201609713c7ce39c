"""The demo's first look: the report a manager lands on shows a month where sessions were held."""

from datetime import date

import pytest
from django.core.management import call_command

from saypro.impact import selectors
from saypro.impact.months import month_before


@pytest.mark.parametrize("today", [date(2026, 12, 4), date(2027, 3, 30), date(2026, 7, 1)])
def test_newest_complete_month_has_sessions_and_a_trend(db, today, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    call_command("seed_demo", people=24, verbosity=0)

    newest = selectors.snapshot_latest_month()
    assert newest == month_before(today)
    report = selectors.report_get(snapshot=selectors.snapshot_get(month=newest))
    assert report.sessions_held >= 1
    assert report.participation_percent is not None and report.participation_percent > 0
    if today == date(2026, 12, 4):
        # No major module's session fell in November: the demo holds one where most people speak.
        assert report.participation_percent >= 70
    assert report.headlines()[0].endswith(
        "of training participants actively participated in feedback sessions this month"
    )
    trend = [p for p in selectors.trend_get(month=newest) if p["has_snapshot"]]
    assert len(trend) >= 6
