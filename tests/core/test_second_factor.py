"""A second factor (allauth.mfa) for everyone, required of officers, staff and superusers (issue 11, item 6).

Codes are computed as an authenticator app does (RFC 6238, allauth's own HOTP), never bypassed.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

from saypro.core import roles
from saypro.core.second_factor import SESSION_KEY
from tests.factories import UserFactory
from tests.factories.core import PASSWORD, TOTP_SECRET, totp_code

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SETUP = "/accounts/2fa/"
NOTICE = "Your role needs a second factor: set up an authenticator app or a passkey to continue."


def _html(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def bare_officer(db):
    """An officer who has not set up a second factor yet."""
    return UserFactory(roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=True, second_factor=False)


def sign_in(client, person) -> None:
    """Sign in with the password on the real page (a fresh sign-in, as adding a factor needs)."""
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302, _html(response)


def reauthenticate(client) -> None:
    """Confirm the password again, as allauth asks before a second factor is added or removed."""
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, _html(response)


def activate_totp(client) -> str:
    """Set up an authenticator app on the real page with the secret it shows; returns the secret."""
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"] == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    reauthenticate(client)
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200, page.get("Location")
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/recovery-codes/")
    return secret


# --- who must have one --------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/dashboard/", "/admin/", "/admin/core/user/", "/", "/reflections/"])
def test_officer_without_a_second_factor_is_sent_to_set_one_up(client, bare_officer, path):
    sign_in(client, bare_officer)

    response = client.get(path)

    assert (response.status_code, response["Location"]) == (302, SETUP)
    assert NOTICE in _html(client.get(SETUP))


def test_superuser_without_a_second_factor_is_sent_to_set_one_up(client):
    person = UserFactory(is_staff=True, is_superuser=True, second_factor=False)
    client.force_login(person)

    assert (client.get("/admin/").status_code, client.get("/dashboard/")["Location"]) == (302, SETUP)


def test_officer_group_member_without_staff_status_needs_one_too(client):
    person = UserFactory(roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=False, second_factor=False)
    client.force_login(person)

    assert client.get("/dashboard/")["Location"] == SETUP


def test_the_notice_is_said_once_however_many_pages_were_refused(client, bare_officer):
    client.force_login(bare_officer)
    for path in ("/", "/dashboard/", "/admin/"):
        client.get(path)

    assert _html(client.get(SETUP)).count(NOTICE) == 1


def test_htmx_request_of_an_officer_without_a_factor_is_told_to_load_the_setup_page(client, bare_officer):
    client.force_login(bare_officer)

    response = client.post("/notifications/read/", {}, HTTP_HX_REQUEST="true")

    assert (response.status_code, response["HX-Redirect"]) == (200, SETUP)


@pytest.mark.parametrize("path", ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/", SETUP])
def test_account_pages_stay_open_before_the_factor_is_set_up(client, bare_officer, path):
    client.force_login(bare_officer)

    assert client.get(path).status_code == 200


def test_employee_without_a_second_factor_uses_the_site(client, employee):
    client.force_login(employee)

    assert client.get("/").status_code == 200
    assert client.session[SESSION_KEY] is False


def test_the_rule_can_be_relaxed_for_demo_logins(client, bare_officer, settings):
    settings.OFFICER_MFA_REQUIRED = False
    client.force_login(bare_officer)

    assert client.get("/dashboard/").status_code == 200


def test_recovery_codes_alone_do_not_count_as_a_second_factor(client, bare_officer):
    RecoveryCodes.activate(bare_officer)
    client.force_login(bare_officer)

    assert client.get("/dashboard/")["Location"] == SETUP


def test_session_from_before_the_rule_is_checked_once_and_remembered(client, officer):
    client.force_login(officer)
    session = client.session
    del session[SESSION_KEY]
    session.save()

    assert client.get("/dashboard/").status_code == 200
    assert client.session[SESSION_KEY] is True


# --- setting one up and using it ----------------------------------------------------------------


def test_officer_sets_up_an_authenticator_app_then_reaches_the_dashboard(client, bare_officer, mailoutbox):
    sign_in(client, bare_officer)
    assert client.get("/dashboard/")["Location"] == SETUP

    secret = activate_totp(client)

    codes_page = client.get("/accounts/2fa/recovery-codes/")
    assert codes_page.status_code == 200
    assert len(codes_page.context["unused_codes"]) == 10
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/admin/").status_code == 200
    assert list(Authenticator.objects.filter(user=bare_officer).values_list("type", flat=True).order_by("type")) == [
        "recovery_codes",
        "totp",
    ]
    assert len(secret) == 32


def test_wrong_code_when_setting_up_is_refused_next_to_the_field(client, bare_officer):
    sign_in(client, bare_officer)
    reauthenticate(client)
    client.get("/accounts/2fa/totp/activate/")

    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})

    html = _html(response)
    assert response.status_code == 200
    assert '<p id="error_1_id_code"><strong>Incorrect code.</strong></p>' in html
    assert not Authenticator.objects.filter(user=bare_officer).exists()


def test_setup_pages_use_the_site_layout_and_bootstrap_forms(client, employee):
    sign_in(client, employee)
    reauthenticate(client)

    index = client.get(SETUP)
    activate = client.get("/accounts/2fa/totp/activate/")

    assert "base.html" in [t.name for t in index.templates]
    assert "<title> Two-Factor Authentication · SayPro Share Learnings</title>" in _html(index)
    html = _html(activate)
    assert "<title> Activate Authenticator App · SayPro Share Learnings</title>" in html
    assert (
        '<label for="id_code" class="form-label requiredField"> Authenticator code<span class="asteriskField">*</span>'
        ' </label> <input type="text" name="code" placeholder="Code" autocomplete="one-time-code"'
        ' class="textinput form-control" required id="id_code">'
    ) in html
    assert 'class="btn btn-primary"' in html
    assert '<a class="dropdown-item" href="/accounts/2fa/">Two-factor authentication</a>' in _html(index)


def test_everyone_may_add_a_second_factor(client, employee):
    sign_in(client, employee)

    activate_totp(client)

    assert Authenticator.objects.filter(user=employee, type="totp").exists()
    assert client.get("/").status_code == 200


def test_sign_in_asks_for_the_code_of_the_authenticator_app(client, officer):
    response = client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/authenticate/")
    assert "_auth_user_id" not in client.session

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "123456"})
    right = client.post("/accounts/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)})

    assert "Incorrect code." in _html(wrong)
    assert (right.status_code, right["Location"]) == (302, "/dashboard/")
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert client.get("/dashboard/").status_code == 200


def test_a_recovery_code_signs_in_once(client, officer):
    code = RecoveryCodes.activate(officer).get_unused_codes()[0]
    client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})

    response = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert response["Location"] == "/dashboard/"
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    again = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert "Incorrect code." in _html(again)


def test_removing_the_last_factor_sends_the_officer_back_to_set_one_up(client, officer):
    client.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(TOTP_SECRET)})
    reauthenticate(client)

    response = client.post("/accounts/2fa/totp/deactivate/")

    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=officer, type="totp").exists()
    assert client.get("/dashboard/")["Location"] == SETUP


def test_passkey_pages_are_offered(client, employee):
    sign_in(client, employee)
    reauthenticate(client)

    index = _html(client.get(SETUP))
    add = client.get("/accounts/2fa/webauthn/add/")
    login_page = _html(client.__class__().get("/accounts/login/"))

    assert 'href="/accounts/2fa/webauthn/add/"' in index
    assert add.status_code == 200
    assert "Sign in with a passkey" in login_page


@pytest.mark.parametrize(
    ("module", "environment", "expected"),
    [
        ("saypro.settings.local", {}, "False"),
        ("saypro.settings.local", {"OFFICER_MFA_REQUIRED": "true"}, "True"),
        ("saypro.settings.production", {"SECRET_KEY": "x" * 60}, "True"),
        ("saypro.settings.production", {"SECRET_KEY": "x" * 60, "OFFICER_MFA_REQUIRED": "false"}, "False"),
    ],
)
def test_make_run_relaxes_the_rule_and_production_keeps_it(module, environment, expected):
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": module, **environment}
    script = "import django; from django.conf import settings; django.setup(); print(settings.OFFICER_MFA_REQUIRED)"

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert (result.returncode, result.stdout.strip()) == (0, expected), result.stderr
