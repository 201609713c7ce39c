"""The product's face in a real browser: one-line navigation at 1280 px, a favicon, the brand colour."""

import pytest

from saypro.core import roles
from saypro.core.models import ManagerScope
from tests.factories import UserFactory
from tests.factories.core import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def officer_with_every_role(db):
    """The widest navigation: an officer who is also a mentor and a manager (nine entries)."""
    person = UserFactory(
        first_name="Nomathemba",
        last_name="Khumalo-Van der Merwe",
        email="nomathemba@example.org",
        roles=[roles.EMPLOYEE, roles.MENTOR, roles.MANAGER, roles.OFFICER],
        is_staff=True,
    )
    ManagerScope.objects.create(manager=person, department=None)
    return person


def test_officer_navigation_fits_one_line_at_1280_and_every_page_has_a_favicon(
    officer_with_every_role, browser_page, live_server, live_login, tmp_path
):
    page = browser_page
    failures = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    live_login(page, live_server, officer_with_every_role.email, PASSWORD)

    for path in ("/dashboard/", "/", "/reflections/board/", "/admin/"):
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        if path != "/admin/":
            tops = page.eval_on_selector_all(
                "header nav a.nav-link", "links => links.map(a => a.getBoundingClientRect().top)"
            )
            assert len(tops) == 11, path  # nine entries, the bell and the account menu
            assert max(tops) - min(tops) < 2, f"{path}: the navigation wraps ({tops})"
            icon = page.locator("link[rel='icon']").get_attribute("href")
            assert icon.endswith("/img/logo-mark.svg")
            page.screenshot(path=str(tmp_path / f"{path.strip('/').replace('/', '-') or 'home'}-1280.png"))
    assert failures == []  # no 404 for an icon (the admin names none: /favicon.ico redirects to the mark)

    favicon = page.request.get(f"{live_server.url}/favicon.ico")
    assert (favicon.status, favicon.headers["content-type"]) == (200, "image/svg+xml")
    # The identity comes from Bootstrap's variables in brand.css, so a plain .btn-primary is the brand blue.
    page.goto(f"{live_server.url}/dashboard/")
    primary = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--bs-primary').trim()")
    assert primary == "#0b3d91"
    bell = page.locator("#notification-bell")
    assert bell.get_attribute("href") == "/notifications/"
    assert page.get_by_role("link", name="Notifications").count() == 1
