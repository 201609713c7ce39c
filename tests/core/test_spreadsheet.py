"""csv_cell: every value as spreadsheet-safe text."""

import datetime as dt

import pytest
from django.utils.translation import gettext_lazy

from saypro.core.spreadsheet import csv_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("plain words", "plain words"),
        ("<b>bold</b> words", "bold words"),
        ("a < b and c > d", "a < b and c > d"),  # no tag between them: kept as written
        ("a<b", "a<b"),
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("<i></i>=SUM(A1:A9)", "'=SUM(A1:A9)"),  # a formula behind a tag is still found
        ("-3", "'-3"),
        ("@here", "'@here"),
        (gettext_lazy("Insight"), "Insight"),
        (None, ""),
        (True, "yes"),
        (False, "no"),
        (42, "42"),
        (dt.date(2026, 12, 6), "2026-12-06"),
        (dt.datetime(2026, 12, 6, 9, 30), "2026-12-06 09:30"),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell
