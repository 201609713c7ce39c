"""Fixtures of the core tests."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache():
    """Login rate limits live in the (in-memory) cache: each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


# --- company sign-in: a real OpenID Connect provider in its own process ---------------------------


@pytest.fixture(scope="session")
def oidc_provider_process(tmp_path_factory):
    """The test provider (tests/oidc_provider), started once for the session on a free port."""
    from tests.conftest import skip_or_fail

    try:
        import oauth2_provider  # noqa: F401 -- the provider project needs django-oauth-toolkit
    except ImportError:
        skip_or_fail("django-oauth-toolkit is not installed (pip install -r requirements/dev.txt)")
    from tests.oidc_provider.fixture import OidcProvider

    provider = OidcProvider(tmp_path_factory.mktemp("oidc-provider"))
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_provider(oidc_provider_process, settings):
    """The provider, saying nothing about anyone yet, with the site configured to sign in through it."""
    from tests.oidc_provider.fixture import CLIENT_ID, CLIENT_SECRET

    oidc_provider_process.reset()
    settings.OIDC_PROVIDER_ID = "company"
    settings.OIDC_NAME = "Sign in with Contoso"
    settings.OIDC_SERVER_URL = oidc_provider_process.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_SIGNUP_DOMAINS = []
    settings.OIDC_MFA_AMR = ["mfa", "otp", "hwk", "swk"]
    settings.OIDC_MFA_ACR = []
    settings.OIDC_EMAIL_VERIFIED_CLAIM = "email_verified"
    policy = {"DIRECTIVES": {**settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]}}
    policy["DIRECTIVES"]["form-action"] = [*policy["DIRECTIVES"]["form-action"], oidc_provider_process.origin]
    settings.CONTENT_SECURITY_POLICY = policy
    yield oidc_provider_process
    oidc_provider_process.reset()
