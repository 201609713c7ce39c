"""An officer without a second factor sets up an authenticator app in a real browser, then works (issue 11, item 6)."""

import pytest
from allauth.mfa.models import Authenticator

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


def add_virtual_authenticator(page) -> None:
    """Give the browser a platform authenticator (Chromium's WebAuthn virtual authenticator)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_officer_adds_a_passkey_then_signs_in_with_it(bare_officer, browser_page, live_server, settings):
    """A passkey counts as the second factor: added, it opens the dashboard; at sign-in it answers the step."""
    # The live server speaks http://localhost; real deployments are https.
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    page, base = browser_page, live_server.url
    add_virtual_authenticator(page)
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name='login']", bare_officer.email)
    submit(page, "password", PASSWORD)
    assert page.url == f"{base}/accounts/2fa/"

    page.goto(f"{base}/accounts/2fa/webauthn/add/")
    submit(page, "password", PASSWORD)
    page.fill("input[name='name']", "Laptop")
    with page.expect_navigation():
        page.click("#mfa_webauthn_add")

    assert Authenticator.objects.filter(user=bare_officer, type="webauthn").count() == 1
    page.goto(f"{base}/dashboard/")
    assert page.url == f"{base}/dashboard/"

    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name='login']", bare_officer.email)
    submit(page, "password", PASSWORD)
    assert page.url == f"{base}/accounts/2fa/authenticate/"
    with page.expect_navigation(url=f"{base}/dashboard/"):
        page.locator("main button", has_text="Use a security key").click()
    assert page.inner_text("h1") == "Advice Desk dashboard"
    assert page.js_errors == []
