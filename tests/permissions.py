"""What the apps' permission tables (every view × every role) share.

The helpers return values for the test to compare, so pytest shows both sides when a cell fails.
"""

from __future__ import annotations

from django.http import HttpResponse

ANONYMOUS = "anonymous"
# Where an anonymous visitor of any page is sent (before the "?next=" query).
SIGN_IN = (302, "/accounts/login/")


def person_for(request, role: str):
    """The person of the fixture named `role`, or None for "anonymous" (nobody signed in)."""
    return None if role == ANONYMOUS else request.getfixturevalue(role)


def outcome(response: HttpResponse) -> int | tuple[int, str]:
    """What a request got, as a table writes it: the status, or (302, where to) for a redirect."""
    if response.status_code == 302:
        return 302, response["Location"]
    return response.status_code


def redirect_path(response: HttpResponse) -> tuple[int, str]:
    """The status and where it redirects to without the query string; equals SIGN_IN for "sign in first"."""
    return response.status_code, response.get("Location", "").partition("?")[0]
