"""Limits on text people type, checked in the services (the forms may check earlier, never instead).

Every free-text field has a character limit, so no one stores a megabyte in a circle learning.
A single-line field (a title, a place, a name) refuses line breaks: a title becomes an e-mail
subject, a calendar summary or a CSV cell, where a line break is a header injection or a broken
row. E-mail subjects are made one line where they are built as well (services.email_subject).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# Everything str.splitlines() splits on: CR, LF, VT, FF, the file/group/record separators,
# NEL and the Unicode line and paragraph separators.
LINE_BREAK = re.compile(r"[\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def text_problem(text: str, *, max_chars: int, single_line: bool = False, label: str = "this") -> str | None:
    """What is wrong with `text` (already stripped) as a field's value, in words for the form; None if nothing."""
    if single_line and LINE_BREAK.search(text):
        return f"Keep {label} on one line."
    if len(text) > max_chars:
        return f"Keep {label} to {max_chars:,} characters (it has {len(text):,})."
    return None


def text_clean(
    value: str | None,
    *,
    field: str,
    max_chars: int,
    errors: dict[str, list[str]],
    single_line: bool = False,
    label: str = "this",
) -> str:
    """`value` without surrounding space; adds a message under `field` to `errors` when it breaks a rule.

    The caller gathers the messages of all its fields and raises them at once (text_raise), so the
    form shows each next to its field and keeps what was typed.
    """
    text = (value or "").strip()
    problem = text_problem(text, max_chars=max_chars, single_line=single_line, label=label)
    if problem:
        errors.setdefault(field, []).append(problem)
    return text


def text_raise(errors: dict[str, list[str]]) -> None:
    """Raise the gathered messages, keyed by field, if there are any."""
    if errors:
        raise ValidationError(errors)
