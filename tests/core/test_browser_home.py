"""A person signs in through the real login page in a real browser and lands on their home page."""

import pytest
from django.core.management import call_command

from saypro.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

EMPLOYEE = "employee@saypro.demo"


@pytest.fixture
def demo_org(transactional_db):
    call_command("seed_demo", people=8, verbosity=0)


def test_login_page_has_no_serious_accessibility_violations(demo_org, browser_page, live_server, axe_check):
    browser_page.goto(f"{live_server.url}/accounts/login/")

    axe_check(browser_page)
    assert browser_page.js_errors == []


def test_home_greets_employee_after_signing_in_through_login_page(
    demo_org, browser_page, live_server, live_login, axe_check
):
    live_login(browser_page, live_server, EMPLOYEE, DEMO_PASSWORD)

    assert browser_page.locator("h1").inner_text() == "Welcome, Thandi"
    axe_check(browser_page)
    assert browser_page.js_errors == []


def test_home_at_phone_width_has_no_horizontal_scroll(demo_org, phone_page, live_server, live_login):
    live_login(phone_page, live_server, EMPLOYEE, DEMO_PASSWORD)

    scroll_width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert phone_page.locator("h1").inner_text() == "Welcome, Thandi"
    assert scroll_width <= 360
