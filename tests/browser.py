"""What the browser tests (Playwright) share."""

from saypro.core.demo import DEMO_PASSWORD


def sign_in_as(page, live_server, live_login, email: str):
    """Sign out whoever is signed in, then sign in as a demo person through the real login page."""
    page.context.clear_cookies()
    return live_login(page, live_server, email, DEMO_PASSWORD)


# htmx binds its triggers to swapped-in content while it settles; a key pressed or a choice made
# before that goes nowhere (or the no-JavaScript way), which a loaded CI machine shows now and then.
_HTMX_SETTLED = (
    "sel => { const el = document.querySelector(sel);"
    " return !!el && !!el['htmx-internal-data']"
    " && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping'); }"
)


def wait_for_htmx_settled(page, selector: str, timeout: float = 15_000) -> None:
    """Wait until the element `selector` finds is in the page, htmx has taken it over and no
    request, swap or settle is under way."""
    page.wait_for_function(_HTMX_SETTLED, arg=selector, timeout=timeout)
