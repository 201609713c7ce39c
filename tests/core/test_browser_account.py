"""Sign-in, account and notification pages in a real browser: accessible, usable on a phone."""

import pytest

from saypro.core import roles
from tests.factories import UserFactory
from tests.factories.core import PASSWORD

pytestmark = pytest.mark.browser

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/1-bad-key/",
    "/accounts/signup/",
    "/accounts/inactive/",
    "/accounts/confirm-email/bad-key/",
]
SIGNED_IN_PAGES = [
    "/accounts/password/change/",
    "/accounts/email/",
    "/accounts/logout/",
    "/accounts/reauthenticate/",
    "/notifications/",
    "/notifications/preferences/",
]


@pytest.fixture
def person(transactional_db):
    return UserFactory(email="zoe@example.org", first_name="Zoë", roles=[roles.EMPLOYEE])


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_account_page_is_accessible(person, browser_page, live_server, axe_check, path):
    browser_page.goto(f"{live_server.url}{path}")

    assert browser_page.locator("h1").count() == 1
    axe_check(browser_page)
    assert browser_page.js_errors == []


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_account_page_is_accessible(person, browser_page, live_server, live_login, axe_check, path):
    live_login(browser_page, live_server, person.email, PASSWORD)
    browser_page.goto(f"{live_server.url}{path}")

    assert browser_page.locator("h1").count() == 1
    axe_check(browser_page)
    assert browser_page.js_errors == []


def test_login_error_is_announced_and_keeps_the_address(person, browser_page, live_server, axe_check):
    browser_page.goto(f"{live_server.url}/accounts/login/")
    browser_page.fill("input[name='login']", "zoe@example.org")
    browser_page.fill("input[name='password']", "wrong")
    browser_page.locator("main form [type='submit']").click()

    assert "The email address and/or password you specified are not correct." in browser_page.inner_text("main")
    assert browser_page.input_value("input[name='login']") == "zoe@example.org"
    axe_check(browser_page)


@pytest.mark.parametrize("path", ["/accounts/email/", "/notifications/preferences/", "/accounts/password/change/"])
def test_account_page_fits_a_phone(person, phone_page, live_server, live_login, path):
    live_login(phone_page, live_server, person.email, PASSWORD)
    phone_page.goto(f"{live_server.url}{path}")

    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360


def test_preferences_saved_in_the_browser(person, browser_page, live_server, live_login):
    live_login(browser_page, live_server, person.email, PASSWORD)
    browser_page.goto(f"{live_server.url}/notifications/preferences/")
    browser_page.check("input[name='reminders'][value='digest']")
    browser_page.locator("main form [type='submit']").click()

    assert "Your notification preferences are saved." in browser_page.inner_text("main")
    assert browser_page.is_checked("input[name='reminders'][value='digest']")
