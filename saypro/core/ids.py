"""Ids that arrive from outside (query strings, form fields) checked before they reach a query.

A primary key here is a PostgreSQL bigint. A longer run of digits ("99999999999999999999") is no
row at all, and passed on it raises OverflowError in the database driver (a 500), so it is
turned away here, like a negative number, zero or text.
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import QueryDict

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


def id_param(params: QueryDict, name: str) -> int | None:
    """The id a request's GET or POST carries under `name`; None when it carries none.

    Raises BadRequest (400) when the parameter is there but is not an id, so no view passes a
    number no row can have (or text) on to a query.
    """
    raw = params.get(name, "")
    if raw == "":
        return None
    found = id_from(raw)
    if found is None:
        raise BadRequest(f"“{name}” is not an id.")
    return found


def ids_param(params: QueryDict, name: str) -> list[int]:
    """Every id a request carries under `name` (a repeated parameter); BadRequest (400) if one is not an id."""
    found = ids_from(params.getlist(name))
    if found is None:
        raise BadRequest(f"“{name}” holds something that is not an id.")
    return found


class CheckedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows whose ids are range-checked before the `__in` query.

    Django guards single-row lookups against a number no column can hold, but not `pk__in`,
    where one such number raised OverflowError (a 500) instead of "not a valid choice".
    """

    def _check_values(self, value):
        for pk in value:
            if id_from(pk) is None:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": str(pk)[:30]}
                )
        return super()._check_values(value)  # type: ignore[misc]  # private in Django, missing from the stubs
