"""Company sign-in (saypro/core/company_signin.py) against a real OpenID Connect provider.

The provider is tests/oidc_provider, a django-oauth-toolkit project in a process of its own
(fixture `oidc_provider` in tests/core/conftest.py). The test client stands for the browser on
the site; `requests` stands for it at the provider; the site itself fetches the provider's
discovery document, exchanges the code and reads the userinfo over real HTTP.
"""

from urllib.parse import urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY

from saypro.core.models import AuditEntry, User

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/oidc/company/login/"
CALLBACK = "/accounts/oidc/company/login/callback/"


def start(client, **data):
    """Press the button: the site answers with a redirect to the provider's authorization endpoint."""
    answer = client.post(LOGIN, {"process": "login", **data})
    assert answer.status_code == 302, answer.content[:500]
    return answer["Location"]


def come_back(client, callback_url: str):
    parts = urlsplit(callback_url)
    assert (parts.netloc, parts.path) == ("testserver", CALLBACK)
    return client.get(f"{parts.path}?{parts.query}")


def company_sign_in(client, provider, *, username: str = "pat", **data):
    """The whole round: button, sign-in at the provider, back to the site's callback."""
    return come_back(client, provider.authorize(start(client, **data), username))


def signed_in_as(client) -> int | None:
    value = client.session.get(AUTH_SESSION_KEY)
    return int(value) if value is not None else None


def test_known_person_signs_in_and_is_connected_without_a_new_account(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email.upper(), email_verified=True)
    people = User.objects.count()

    answer = company_sign_in(client, oidc_provider)

    assert (answer.status_code, answer["Location"]) == (302, "/")
    assert signed_in_as(client) == employee.pk
    assert User.objects.count() == people
    account = SocialAccount.objects.get()
    assert (account.user, account.provider) == (employee, "company")
    entry = AuditEntry.objects.get(action="company_signin.connected")
    assert (entry.actor, entry.target_id, entry.data) == (
        employee,
        str(employee.pk),
        {"provider": "company", "uid": account.uid},
    )
