"""The one way the platform writes CSV: every cell spreadsheet-safe.

A cell that starts with `=`, `+`, `-`, `@` (or a tab or carriage return) is a formula to
Excel, LibreOffice and Google Sheets; someone could type one into a title or a department name
and have it run on a manager's machine. `csv_writer` quotes such cells so they stay text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.html import strip_tags

# A cell starting with one of these is a formula to a spreadsheet; quote it so it stays text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One value as spreadsheet-safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    # Only text with a "<" can hold a tag; strip_tags costs 8 µs a cell even when there is none,
    # and a learning log's CSV has thousands of cells.
    if "<" in text:
        text = strip_tags(text)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class SafeCsvWriter:
    """`csv.writer` whose rows pass through `csv_cell`, so no caller can forget it."""

    def __init__(self, file: Any) -> None:
        self._writer = csv.writer(file)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(file: Any) -> SafeCsvWriter:
    """A CSV writer for `file` (a response, a stream) that neutralises spreadsheet formulas."""
    return SafeCsvWriter(file)
