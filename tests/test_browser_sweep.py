"""Every page each role can reach, in a real browser: axe-core at 1280 and 360 px, nothing sideways
on a phone, a focus indicator you can see, and valid HTML (the Nu checker on the pages as served).

One test per role: it signs in, follows the links that role sees from its landing page (one page
per view; see tests/accessibility.py), and fails listing every finding with its page. The demo
organisation gives every page something to show.
"""

import pytest
from django.core.management import call_command

from tests.accessibility import nu_errors, sweep
from tests.browser import sign_in_as
from tests.conftest import skip_or_fail

pytestmark = pytest.mark.browser

# Where each role starts; the crawl finds the rest through the links on those pages.
ANONYMOUS_START = ["/accounts/login/", "/accounts/password/reset/", "/accounts/signup/"]
SIGNED_IN_START = ["/", "/accounts/email/", "/accounts/password/change/", "/notifications/preferences/"]
ROLES = {
    "employee": ("employee@saypro.demo", SIGNED_IN_START, ("",)),
    # A mentor's and a manager's other pages are the employee's: the same views and templates.
    "mentor": ("mentor@saypro.demo", ["/", "/reflections/mentor/"], ("reflections:",)),
    # Django's admin shows the same templates for every model: its index, four list pages (filters,
    # dates, facets), a change form and its password page stand for the rest.
    "officer": (
        "officer@saypro.demo",
        [
            "/dashboard/",
            *SIGNED_IN_START,
            "/admin/",
            "/admin/core/auditentry/",
            "/admin/core/user/",
            "/admin/cafes/speakerpreference/",
            "/admin/impact/figure/",
            "/admin/core/department/{department}/change/",
            "/admin/password_change/",
        ],
        ("",),
    ),
    "manager": ("manager@saypro.demo", ["/", "/impact/"], ("impact:", "core:notification")),
}


@pytest.fixture
def demo_org(transactional_db):
    call_command("seed_demo", people=12, verbosity=0)


def audit(page, origin: str, start: list[str], tmp_path, label: str, follow: tuple[str, ...] = ("",)) -> None:
    result = sweep(page, origin, start, follow=follow)
    assert len(result.visits) >= len(start) - 1, f"{label}: the sweep visited only {[v.url for v in result.visits]}"
    try:
        validator_errors = nu_errors(result.visits, tmp_path)
    except FileNotFoundError as missing:
        skip_or_fail(str(missing))
    problems = result.problems + validator_errors + [f"script error: {e}" for e in page.js_errors]
    summary = (
        f"{label}: {len(result.visits)} pages × 2 widths = {result.axe_audits} axe audits, "
        f"{result.axe_violations} violations; {len(validator_errors)} Nu checker errors; "
        f"{result.focus_measured} focus indicators measured"
    )
    print(summary)
    print("\n".join(sorted(f"  {v.view}: {v.url}" for v in result.visits)))
    assert not problems, summary + "\n" + "\n".join(problems)


def test_anonymous_pages_sweep_clean(demo_org, browser_page, live_server, tmp_path):
    audit(browser_page, live_server.url, ANONYMOUS_START, tmp_path, "anonymous")


@pytest.mark.parametrize("role", list(ROLES))
def test_role_pages_sweep_clean(role, demo_org, browser_page, live_server, live_login, tmp_path):
    from saypro.core.models import Department

    email, start, follow = ROLES[role]
    start = [path.format(department=Department.objects.order_by("pk").first().pk) for path in start]
    sign_in_as(browser_page, live_server, live_login, email)
    audit(browser_page, live_server.url, start, tmp_path, role, follow)


def test_focus_ring_shows_on_a_pressed_yellow_highlight_button(demo_org, browser_page, live_server, live_login):
    """Bootstrap's ring on .btn-warning is yellow on yellow; the site's ring must stand out around it."""
    from feedback.models import Contribution
    from tests.accessibility import focus_findings

    contribution = Contribution.objects.filter(highlighted=True, hidden_at=None).order_by("pk").first()
    sign_in_as(browser_page, live_server, live_login, "officer@saypro.demo")
    browser_page.goto(f"{live_server.url}/feedback/{contribution.session_id}/console/")

    findings = {f["control"].split(" <")[0]: f for f in focus_findings(browser_page)}

    pressed = findings["pressed yellow button"]
    assert 'name="highlighted"' in pressed["control"]
    assert pressed["problem"] is None, pressed
    assert pressed["ratio"] >= 3
