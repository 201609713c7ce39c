"""Ids that arrive from outside (query strings, form fields) checked before they reach a query.

A primary key here is a PostgreSQL bigint. A longer run of digits ("99999999999999999999") is no
row at all, and passed on it raises OverflowError in the database driver (a 500), so it is
turned away here, like a negative number, zero or text.
"""

from __future__ import annotations

from collections.abc import Iterable

# The largest value of a bigint column (BigAutoField); no row has a larger key.
ID_MAX = 2**63 - 1


def id_from(value: object) -> int | None:
    """The id `value` names, or None when it is not one (not plain ASCII digits, < 1 or > ID_MAX)."""
    text = str(value).strip() if value is not None else ""
    # isdigit() alone lets through digits int() may read ("١٢") or not ("²"); ids are ASCII.
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= ID_MAX else None


def ids_from(values: Iterable[object]) -> list[int] | None:
    """Every id in `values`, or None when any one of them is not an id (the whole request is bad)."""
    ids = [id_from(value) for value in values]
    if any(i is None for i in ids):
        return None
    return [i for i in ids if i is not None]
