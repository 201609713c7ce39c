"""An officer without a second factor sets up an authenticator app in a real browser, then works (issue 11, item 6)."""

import pytest

from saypro.core import roles
from tests.conftest import enter_totp_code, submit
from tests.factories import UserFactory
from tests.factories.core import PASSWORD, TOTP_SECRET, totp_code

pytestmark = pytest.mark.browser


@pytest.fixture
def bare_officer(transactional_db):
    return UserFactory(
        email="nomsa@example.org", roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=True, second_factor=False
    )


def test_officer_enrols_an_authenticator_app_then_reaches_the_dashboard(
    bare_officer, browser_page, live_server, axe_check
):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name='login']", bare_officer.email)
    submit(page, "password", PASSWORD)

    # Sent to set up a second factor instead of the dashboard, and told why.
    assert page.url == f"{base}/accounts/2fa/"
    assert "Your role needs a second factor" in page.inner_text("main")
    axe_check(page)
    page.goto(f"{base}/admin/")
    assert page.url == f"{base}/accounts/2fa/"

    with page.expect_navigation():
        page.locator("main a[href='/accounts/2fa/totp/activate/']").click()
    assert page.url.startswith(f"{base}/accounts/reauthenticate/")
    submit(page, "password", PASSWORD)
    assert page.url == f"{base}/accounts/2fa/totp/activate/"
    assert page.locator("main img").first.get_attribute("src").startswith("data:image/svg+xml;base64,")
    axe_check(page)
    secret = page.input_value("#authenticator_secret")

    submit(page, "code", "000000")
    assert "Incorrect code." in page.inner_text("main")
    submit(page, "code", totp_code(secret))

    assert page.url == f"{base}/accounts/2fa/recovery-codes/"
    axe_check(page)
    page.goto(f"{base}/dashboard/")
    assert page.url == f"{base}/dashboard/"
    assert page.inner_text("h1") == "Advice Desk dashboard"
    page.goto(f"{base}/admin/")
    assert page.url == f"{base}/admin/"
    assert page.js_errors == []


def test_officer_with_an_authenticator_app_enters_its_code_to_sign_in(officer, browser_page, live_server, axe_check):
    page, base = browser_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name='login']", officer.email)
    submit(page, "password", PASSWORD)

    assert page.url == f"{base}/accounts/2fa/authenticate/"
    axe_check(page)
    enter_totp_code(page, live_server, TOTP_SECRET)

    assert page.url == f"{base}/dashboard/"
    assert page.inner_text("h1") == "Advice Desk dashboard"
