"""What the browser tests (Playwright) share."""

from saypro.core.demo import DEMO_PASSWORD


def sign_in_as(page, live_server, live_login, email: str):
    """Sign out whoever is signed in, then sign in as a demo person through the real login page."""
    page.context.clear_cookies()
    return live_login(page, live_server, email, DEMO_PASSWORD)
