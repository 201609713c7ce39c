"""A small client of a Learning Record Store's statements resource (xAPI 1.0.3, basic auth).

The standard library's urllib is enough for one POST of a JSON list; no dependency is added.
"""

from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request

from django.conf import settings

from .statements import XAPI_VERSION

TIMEOUT_SECONDS = 30


class LrsError(Exception):
    """The LRS refused the statements or could not be reached; nothing was stored."""


class LrsRefused(LrsError):
    """The LRS answered that a statement is not acceptable (4xx): sending it again will not help."""


def _request(method: str, url: str, body: bytes | None = None) -> tuple[int, bytes]:
    credentials = f"{settings.XAPI_LRS_KEY}:{settings.XAPI_LRS_SECRET}".encode()
    request = urllib.request.Request(  # noqa: S310 - the URL is the configured LRS endpoint, http(s) only (checked below)
        url,
        data=body,
        method=method,
        headers={
            "Authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
            "X-Experience-API-Version": XAPI_VERSION,
            "Content-Type": "application/json",
        },
    )
    if not url.startswith(("http://", "https://")):
        raise LrsError(f"XAPI_LRS_ENDPOINT must be an http(s) address, not {url!r}.")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 - checked above
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError) as error:
        raise LrsError(f"The LRS could not be reached: {getattr(error, 'reason', error)}") from error


def statements_url() -> str:
    return f"{settings.XAPI_LRS_ENDPOINT.rstrip('/')}/statements"


def _post(statements: list[dict]) -> int:
    status, body = _request("POST", statements_url(), json.dumps(statements).encode())
    if status in (200, 204, 409):
        return status
    message = f"The LRS answered {status}: {body[:500].decode(errors='replace')}"
    if 400 <= status < 500 and status not in (401, 403, 408, 429):
        raise LrsRefused(message)
    raise LrsError(message)


def statements_post(*, statements: list[dict]) -> None:
    """Store `statements` at the LRS; returns when every one of them is stored there.

    A 409 Conflict means a statement with the same id is already stored (xAPI 1.0.3, 2.1.2): it
    counts as accepted. Some LRSs (Ralph) refuse a whole batch for one such statement, so after
    a 409 on a batch each statement is sent alone. Raises LrsError otherwise.
    """
    if not statements:
        return
    if _post(statements) == 409 and len(statements) > 1:
        for statement in statements:
            _post([statement])


def statements_get(**params: str) -> list[dict]:
    """Statements the LRS returns for a query (for checks and tests), following `more` links."""
    from urllib.parse import urlencode, urljoin

    url = statements_url() + (f"?{urlencode(params)}" if params else "")
    found: list[dict] = []
    while url:
        status, body = _request("GET", url)
        if status != 200:
            raise LrsError(f"The LRS answered {status}: {body[:500].decode(errors='replace')}")
        data = json.loads(body)
        if "statements" not in data:
            return [data]
        found.extend(data["statements"])
        more = data.get("more")
        url = urljoin(settings.XAPI_LRS_ENDPOINT, more) if more else ""
    return found
