from datetime import date, datetime
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from saypro.impact.months import month_before, month_bounds, next_month, parse_month, previous_month
from saypro.impact.selectors import approx_count, whole_percent

JOHANNESBURG = ZoneInfo("Africa/Johannesburg")


def test_month_bounds_are_local_midnight_in_organisation_zone():
    start, end = month_bounds(date(2026, 6, 1))
    assert start == datetime(2026, 6, 1, tzinfo=JOHANNESBURG)
    assert end == datetime(2026, 7, 1, tzinfo=JOHANNESBURG)
    # 00:00 in Johannesburg is 22:00 UTC the day before.
    assert start.astimezone(ZoneInfo("UTC")) == datetime(2026, 5, 31, 22, 0, tzinfo=ZoneInfo("UTC"))


def test_month_bounds_december_rolls_into_next_year():
    start, end = month_bounds(date(2026, 12, 1))
    assert (start.year, start.month, end.year, end.month) == (2026, 12, 2027, 1)


def test_next_and_previous_month_wrap_years():
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert previous_month(date(2026, 1, 1)) == date(2025, 12, 1)
    assert month_before(date(2026, 12, 1)) == date(2026, 11, 1)
    assert month_before(date(2027, 1, 15)) == date(2026, 12, 1)


def test_parse_month_accepts_year_dash_month():
    assert parse_month("2026-11") == date(2026, 11, 1)


@pytest.mark.parametrize("text", ["2026-13", "11-2026", "", "2026/11", "november"])
def test_parse_month_refuses_anything_else_with_a_readable_message(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month(text)


@pytest.mark.parametrize(
    ("fraction", "percent"),
    [(Fraction(41, 50), 82), (Fraction(33, 40), 83), (Fraction(1, 3), 33), (Fraction(2, 3), 67), (Fraction(0), 0)],
)
def test_whole_percent_rounds_halves_up(fraction, percent):
    assert whole_percent(fraction) == percent


@pytest.mark.parametrize(("n", "text"), [(0, "0"), (7, "7"), (19, "19"), (20, "20"), (127, "120+"), (120, "120")])
def test_approx_count_reads_like_the_headline(n, text):
    assert approx_count(n) == text
