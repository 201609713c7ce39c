"""How a page shows a service's refusal (a ValidationError): next to the form's fields, or as a message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest


def add_service_errors(form: forms.BaseForm, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Put a service's refusal next to the fields it names (or above the form), so the form is re-shown.

    `field_map` names the form field for a service field the form asks for differently.
    """
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            target = (field_map or {}).get(field, field)
            form.add_error(target if target in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


@contextmanager
def refusal_as_message(request: HttpRequest) -> Iterator[None]:
    """Run a button's service call; a refusal becomes an error message on the next page.

    What follows the call inside the block (the success message) runs only when the service
    went through.
    """
    try:
        yield
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
