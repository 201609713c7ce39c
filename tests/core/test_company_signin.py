"""Company sign-in (saypro/core/company_signin.py) against a real OpenID Connect provider.

The provider is tests/oidc_provider, a django-oauth-toolkit project in a process of its own
(fixture `oidc_provider` in tests/core/conftest.py). The test client stands for the browser on
the site; `requests` stands for it at the provider; the site itself fetches the provider's
discovery document, exchanges the code and reads the userinfo over real HTTP.
"""

from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY

from saypro.core import roles
from saypro.core.models import AuditEntry, User
from saypro.core.personal_data import personal_data_erase, personal_data_export
from saypro.core.second_factor import SESSION_KEY as SECOND_FACTOR_KEY
from tests.factories.core import UserFactory, totp_code
from tests.permissions import outcome, person_for

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


def refusal(answer, reason: str) -> tuple:
    """What a refused sign-in shows and records, for comparing with the expected values."""
    entry = AuditEntry.objects.filter(action="company_signin.refused").order_by("-id").first()
    return (
        answer.status_code,
        "Ask your Advice Desk Officer" in answer.content.decode(),
        entry.data["reason"] if entry else None,
    )


def test_second_sign_in_uses_the_connection_made_at_the_first(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)
    company_sign_in(client, oidc_provider)
    client.logout()

    answer = company_sign_in(client, oidc_provider)

    assert (answer.status_code, signed_in_as(client)) == (302, employee.pk)
    assert SocialAccount.objects.filter(user=employee).count() == 1
    assert AuditEntry.objects.filter(action="company_signin.connected").count() == 1


def test_next_is_kept_through_the_round(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)

    answer = company_sign_in(client, oidc_provider, next="/notifications/")

    assert (answer.status_code, answer["Location"]) == (302, "/notifications/")


@pytest.mark.parametrize(
    "verified",
    [{"email_verified": False}, {"email_verified": "false"}, {}],
    ids=["false", "false-as-text", "missing"],
)
def test_unverified_email_is_refused(client, oidc_provider, employee, verified):
    oidc_provider.set_claims(email=employee.email, **verified)

    answer = company_sign_in(client, oidc_provider)

    assert refusal(answer, "unverified") == (403, True, "unverified")
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.exists()


def test_verified_claim_of_another_name_is_read_when_configured(client, oidc_provider, employee, settings):
    settings.OIDC_EMAIL_VERIFIED_CLAIM = "xms_edov"
    oidc_provider.set_claims(email=employee.email, email_verified=False, xms_edov=True)

    answer = company_sign_in(client, oidc_provider)

    assert (answer.status_code, signed_in_as(client)) == (302, employee.pk)


def test_unknown_person_is_refused_and_no_account_is_made(client, oidc_provider, employee):
    oidc_provider.set_claims(email="stranger@example.org", email_verified=True)
    people = User.objects.count()

    answer = company_sign_in(client, oidc_provider)

    assert refusal(answer, "unknown") == (403, True, "unknown")
    assert "no account here for the e-mail address" in answer.content.decode()
    assert User.objects.count() == people
    entry = AuditEntry.objects.get(action="company_signin.refused")
    assert (entry.actor, entry.target_id, entry.data) == (
        None,
        "",
        {"reason": "unknown", "provider": "company", "email_domain": "example.org"},
    )


def test_unknown_person_of_an_open_domain_gets_a_plain_account(client, oidc_provider, settings):
    settings.OIDC_SIGNUP_DOMAINS = ["contoso.example"]
    oidc_provider.set_claims(
        email="Nomsa.Dube@Contoso.example", email_verified=True, given_name="Nomsa", family_name="Dube"
    )

    answer = company_sign_in(client, oidc_provider)

    person = User.objects.get(email="nomsa.dube@contoso.example")
    assert (answer.status_code, signed_in_as(client)) == (302, person.pk)
    assert (person.first_name, person.last_name, person.is_active, person.is_staff) == ("Nomsa", "Dube", True, False)
    assert not person.has_usable_password()
    assert person.department is None and not person.groups.exists()
    assert SocialAccount.objects.get().user == person
    assert AuditEntry.objects.filter(action="company_signin.signed_up", target_id=str(person.pk)).count() == 1


def test_open_domain_does_not_let_in_another_domain(client, oidc_provider, settings):
    settings.OIDC_SIGNUP_DOMAINS = ["contoso.example"]
    oidc_provider.set_claims(email="someone@contoso.example.net", email_verified=True)

    answer = company_sign_in(client, oidc_provider)

    assert refusal(answer, "unknown") == (403, True, "unknown")
    assert not User.objects.filter(email="someone@contoso.example.net").exists()


def test_inactive_person_is_refused(client, oidc_provider):
    person = UserFactory(roles=[roles.EMPLOYEE], is_active=False)
    oidc_provider.set_claims(email=person.email, email_verified=True)

    answer = company_sign_in(client, oidc_provider)

    assert refusal(answer, "inactive") == (403, True, "inactive")
    assert not SocialAccount.objects.exists()


def test_connected_person_made_inactive_later_is_refused(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)
    company_sign_in(client, oidc_provider)
    client.logout()
    User.objects.filter(pk=employee.pk).update(is_active=False)

    answer = company_sign_in(client, oidc_provider)

    assert refusal(answer, "inactive") == (403, True, "inactive")
    assert signed_in_as(client) is None


def test_second_company_subject_with_the_same_address_is_refused(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)
    company_sign_in(client, oidc_provider)
    client.logout()
    oidc_provider.set_claims("sam", email=employee.email, email_verified=True)

    answer = company_sign_in(client, oidc_provider, username="sam")

    assert refusal(answer, "other_account") == (403, True, "other_account")
    assert SocialAccount.objects.filter(user=employee).count() == 1


# --- the second factor --------------------------------------------------------------------------


def test_officer_without_provider_factor_meets_the_sites_code_step(client, oidc_provider, officer):
    oidc_provider.set_claims(email=officer.email, email_verified=True, amr=["pwd"])

    answer = company_sign_in(client, oidc_provider)

    assert (answer.status_code, answer["Location"]) == (302, "/accounts/2fa/authenticate/")
    assert signed_in_as(client) is None
    code = client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert (code.status_code, code["Location"], signed_in_as(client)) == (302, "/dashboard/", officer.pk)


@pytest.mark.parametrize("amr", [["pwd", "mfa"], ["hwk"], "otp"])
def test_officer_whose_provider_asked_for_a_factor_goes_straight_in(client, oidc_provider, officer, amr):
    oidc_provider.set_claims(email=officer.email, email_verified=True, amr=amr)

    answer = company_sign_in(client, oidc_provider)

    assert (answer.status_code, answer["Location"], signed_in_as(client)) == (302, "/dashboard/", officer.pk)
    assert client.get("/dashboard/").status_code == 200


def test_acr_counts_when_configured(client, oidc_provider, officer, settings):
    settings.OIDC_MFA_ACR = ["urn:contoso:loa:2"]
    oidc_provider.set_claims(email=officer.email, email_verified=True, amr=["pwd"], acr="urn:contoso:loa:2")

    answer = company_sign_in(client, oidc_provider)

    assert (answer.status_code, answer["Location"], signed_in_as(client)) == (302, "/dashboard/", officer.pk)


def test_officer_without_any_factor_is_sent_to_set_one_up_unless_the_provider_asked(client, oidc_provider):
    officer = UserFactory(roles=[roles.EMPLOYEE, roles.OFFICER], second_factor=False)
    assert not Authenticator.objects.filter(user=officer).exists()
    oidc_provider.set_claims(email=officer.email, email_verified=True)
    company_sign_in(client, oidc_provider)
    assert client.get("/dashboard/")["Location"] == "/accounts/2fa/"
    client.logout()
    oidc_provider.set_claims(email=officer.email, email_verified=True, amr=["mfa"])

    company_sign_in(client, oidc_provider)

    assert client.session[SECOND_FACTOR_KEY] is True
    assert client.get("/dashboard/").status_code == 200


# --- tampering ----------------------------------------------------------------------------------


def with_query(url: str, **changes) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(changes)
    return parts._replace(query=urlencode(query)).geturl()


def test_tampered_state_is_refused(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)
    callback = oidc_provider.authorize(start(client))

    answer = come_back(client, with_query(callback, state="forged-state"))

    assert answer.status_code == 401
    assert "Company sign-in failed" in answer.content.decode()
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.exists()


def test_tampered_code_is_refused(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)
    callback = oidc_provider.authorize(start(client))

    answer = come_back(client, with_query(callback, code="forged-code"))

    assert (answer.status_code, signed_in_as(client)) == (401, None)


def test_callback_in_another_browser_is_refused(client, oidc_provider, employee, django_user_model):
    """A sign-in started by someone else (login CSRF): its state is not in this browser's session."""
    from django.test import Client

    oidc_provider.set_claims(email=employee.email, email_verified=True)
    callback = oidc_provider.authorize(start(Client()))

    answer = come_back(client, callback)

    assert (answer.status_code, signed_in_as(client)) == (401, None)


def test_callback_used_twice_is_refused(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)
    callback = oidc_provider.authorize(start(client))
    come_back(client, callback)
    client.logout()

    answer = come_back(client, callback)

    assert (answer.status_code, signed_in_as(client)) == (401, None)


# --- configured or not ---------------------------------------------------------------------------

UNCONFIGURED_URLS = [
    ("post", LOGIN),
    ("get", LOGIN),
    ("get", CALLBACK + "?code=x&state=y"),
    ("get", "/accounts/3rdparty/"),
    ("get", "/accounts/3rdparty/login/error/"),
    ("get", "/accounts/3rdparty/login/cancelled/"),
    ("get", "/accounts/3rdparty/signup/"),
    ("get", "/accounts/social/connections/"),
]


@pytest.mark.parametrize(("method", "url"), UNCONFIGURED_URLS)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "employee"])
def test_unconfigured_site_has_no_company_sign_in_urls(client, employee, settings, method, url, signed_in):
    settings.OIDC_SERVER_URL = ""
    if signed_in:
        client.force_login(employee)

    assert getattr(client, method)(url).status_code == 404


def test_unconfigured_login_page_has_no_button(client, settings):
    settings.OIDC_SERVER_URL = ""

    html = client.get("/accounts/login/").content.decode()

    assert "/accounts/oidc/" not in html and 'name="process"' not in html


def test_configured_login_page_has_the_button(client, oidc_provider):
    html = client.get("/accounts/login/?next=/notifications/").content.decode()

    assert f'action="{LOGIN}"' in html
    assert ">Sign in with Contoso</button>" in html
    assert 'name="next" value="/notifications/"' in html


def test_configured_form_action_allows_the_provider(client, oidc_provider):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]

    assert f"form-action 'self' {oidc_provider.origin}" in policy


# --- the person's page -----------------------------------------------------------------------------


def test_connections_page_shows_the_account_and_disconnects_with_a_password(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)
    company_sign_in(client, oidc_provider)
    account = SocialAccount.objects.get()

    html = client.get("/accounts/3rdparty/").content.decode()
    answer = client.post("/accounts/3rdparty/", {"account": account.pk})

    assert employee.email in html and "Disconnect the company account" in html
    assert (answer.status_code, answer["Location"]) == (302, "/accounts/3rdparty/")
    assert not SocialAccount.objects.exists()


def test_connections_page_keeps_the_only_way_in(client, oidc_provider, settings):
    settings.OIDC_SIGNUP_DOMAINS = ["contoso.example"]
    oidc_provider.set_claims(email="new@contoso.example", email_verified=True)
    company_sign_in(client, oidc_provider)
    account = SocialAccount.objects.get()

    html = client.get("/accounts/3rdparty/").content.decode()
    answer = client.post("/accounts/3rdparty/", {"account": account.pk})

    assert "Disconnect the company account" not in html and "choose a password" in html
    assert answer.status_code == 200 and "Set a password first" in answer.content.decode()
    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_signed_in_person_connects_their_own_company_account(client, oidc_provider, employee):
    client.force_login(employee)
    oidc_provider.set_claims(email=employee.email, email_verified=True)

    come_back(client, oidc_provider.authorize(start(client, process="connect")))

    assert SocialAccount.objects.get().user == employee


def test_signed_in_person_cannot_connect_someone_elses_company_account(client, oidc_provider, employee):
    client.force_login(employee)
    oidc_provider.set_claims(email="someone.else@example.org", email_verified=True)

    answer = come_back(client, oidc_provider.authorize(start(client, process="connect")))

    assert refusal(answer, "not_yours")[::2] == (403, "not_yours")
    assert not SocialAccount.objects.exists()


# --- personal data --------------------------------------------------------------------------------


def test_export_lists_the_company_account_and_erase_removes_it(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)
    company_sign_in(client, oidc_provider)
    account = SocialAccount.objects.get()

    exported = personal_data_export(person=employee)["company_accounts"]
    personal_data_erase(person=employee, by=employee)

    assert exported == [
        {
            "provider": "company",
            "uid": account.uid,
            "connected_at": exported[0]["connected_at"],
            "last_login": exported[0]["last_login"],
        }
    ]
    assert exported[0]["connected_at"] is not None
    assert not SocialAccount.objects.exists()
    # The provider still vouches for the address, but it no longer belongs to anyone here.
    client.logout()
    assert refusal(company_sign_in(client, oidc_provider), "unknown") == (403, True, "unknown")


# --- who may open what ------------------------------------------------------------------------------

ROLES = ["anonymous", "employee", "other_employee", "mentor", "manager", "officer"]
PAGES = {
    "connections": ("get", "/accounts/3rdparty/"),
    "disconnect-nothing": ("post", "/accounts/3rdparty/"),
    "login-confirm": ("get", LOGIN),
    "login-start": ("post", LOGIN),
    "callback-without-state": ("get", CALLBACK + "?code=x"),
}
SIGNED_IN = {
    "connections": 200,
    "disconnect-nothing": 200,  # the form again, saying which account to disconnect
    "login-confirm": 200,
    "login-start": 302,
    "callback-without-state": 401,
}
EXPECTED = {
    "anonymous": {
        **SIGNED_IN,
        "connections": (302, "/accounts/login/?next=/accounts/3rdparty/"),
        "disconnect-nothing": (302, "/accounts/login/?next=/accounts/3rdparty/"),
    },
    **dict.fromkeys(["employee", "other_employee", "mentor", "manager", "officer"], SIGNED_IN),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_company_signin_page_permissions(request, client_for, oidc_provider, role, page):
    method, url = PAGES[page]
    client = client_for(person_for(request, role))

    response = getattr(client, method)(url)

    got = outcome(response)
    if page == "login-start":
        got = response.status_code  # to the provider, with a fresh state each time
        assert response["Location"].startswith(oidc_provider.issuer + "/authorize/")
    assert got == EXPECTED[role][page]


def test_another_persons_company_account_cannot_be_disconnected(client, oidc_provider, employee, other_employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)
    company_sign_in(client, oidc_provider)
    account = SocialAccount.objects.get()
    client.force_login(other_employee)

    html = client.get("/accounts/3rdparty/").content.decode()
    answer = client.post("/accounts/3rdparty/", {"account": account.pk})

    assert employee.email not in html
    assert answer.status_code == 200
    assert SocialAccount.objects.filter(pk=account.pk, user=employee).exists()


def test_company_signin_pages_query_counts(client, oidc_provider, employee, django_assert_num_queries):
    oidc_provider.set_claims(email=employee.email, email_verified=True)
    company_sign_in(client, oidc_provider)

    # Session, user, the person's company accounts (groups and the bell's count are cached).
    with django_assert_num_queries(3):
        assert client.get("/accounts/3rdparty/").status_code == 200
    client.logout()
    # The session only: the button costs none, the app being built from the settings.
    with django_assert_num_queries(1):
        assert client.get("/accounts/login/").status_code == 200


def test_connect_started_without_signing_in_connects_nobody(client, oidc_provider, employee):
    oidc_provider.set_claims(email=employee.email, email_verified=True)

    answer = come_back(client, oidc_provider.authorize(start(client, process="connect")))

    assert refusal(answer, "signed_out")[::2] == (403, "signed_out")
    assert "Sign in first" in answer.content.decode()
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.exists()
