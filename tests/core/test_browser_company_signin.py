"""Company sign-in in a real browser: the whole redirect dance through the test OpenID Connect provider."""

import pytest
from allauth.socialaccount.models import SocialAccount

from saypro.core import roles
from tests.conftest import enter_totp_code
from tests.factories import UserFactory
from tests.factories.core import TOTP_SECRET
from tests.oidc_provider.fixture import PASSWORD as PROVIDER_PASSWORD

pytestmark = pytest.mark.browser


def sign_in_at_the_provider(page, provider, username: str = "pat") -> None:
    """Press the site's button, then sign in on the provider's own page, which sends the browser back."""
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in with Contoso").click()
    page.wait_for_url(f"{provider.origin}/login/**")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", PROVIDER_PASSWORD)
    page.get_by_role("button", name="Sign in at Contoso").click()


def test_employee_signs_in_with_the_company_account(
    transactional_db, oidc_provider, browser_page, live_server, axe_check
):
    person = UserFactory(email="thandi@example.org", first_name="Thandi", roles=[roles.EMPLOYEE])
    oidc_provider.set_claims(email="Thandi@Example.org", email_verified=True)
    page, base = browser_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    axe_check(page)

    sign_in_at_the_provider(page, oidc_provider)

    page.wait_for_url(f"{base}/")
    assert "Thandi" in page.inner_text("header")
    assert not page.js_errors
    assert SocialAccount.objects.get().user_id == person.pk

    page.goto(f"{base}/accounts/3rdparty/")
    assert "Company account Thandi@Example.org, connected" in page.inner_text("main")
    axe_check(page)


def test_officer_without_provider_factor_enters_the_sites_code(
    transactional_db, oidc_provider, browser_page, live_server
):
    officer = UserFactory(email="lerato@example.org", roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=True)
    oidc_provider.set_claims(email=officer.email, email_verified=True, amr=["pwd"])
    page, base = browser_page, live_server.url
    page.goto(f"{base}/accounts/login/")

    sign_in_at_the_provider(page, oidc_provider)

    page.wait_for_url(f"{base}/accounts/2fa/authenticate/")
    enter_totp_code(page, live_server, TOTP_SECRET)
    page.wait_for_url(f"{base}/dashboard/")


def test_officer_whose_provider_asked_for_a_factor_lands_on_the_dashboard(
    transactional_db, oidc_provider, browser_page, live_server
):
    officer = UserFactory(email="sipho@example.org", roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=True)
    oidc_provider.set_claims(email=officer.email, email_verified=True, amr=["pwd", "mfa"])
    page, base = browser_page, live_server.url
    page.goto(f"{base}/accounts/login/")

    sign_in_at_the_provider(page, oidc_provider)

    page.wait_for_url(f"{base}/dashboard/")
    assert not page.js_errors


def test_unknown_person_is_told_whom_to_ask(transactional_db, oidc_provider, phone_page, live_server, axe_check):
    oidc_provider.set_claims(email="stranger@example.org", email_verified=True)
    page, base = phone_page, live_server.url
    page.goto(f"{base}/accounts/login/")

    sign_in_at_the_provider(page, oidc_provider)

    page.wait_for_url(f"{base}/accounts/oidc/company/login/callback/**")
    assert "Ask your Advice Desk Officer to add you" in page.inner_text("main")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    axe_check(page)
