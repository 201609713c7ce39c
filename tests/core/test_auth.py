"""Signing in with django-allauth: e-mail login, password reset and change, address change,
closed sign-up, and the login rate limit that also guards the admin's login."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from saypro.core.models import User
from tests.factories import UserFactory
from tests.factories.core import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-and-long-passphrase-42"


def _html(response) -> str:
    """The page with runs of white space collapsed, so markup can be matched exactly."""
    return re.sub(r"\s+", " ", response.content.decode())


def _signed_in_id(client) -> str | None:
    return client.session.get("_auth_user_id")


def _link(body: str, path: str) -> str:
    match = re.search(rf"{re.escape(settings.SITE_URL)}({re.escape(path)}\S+)", body)
    assert match, f"no link to {path} in:\n{body}"
    return match.group(1)


def _failed_login_limit() -> int:
    """The per-address failed-login allowance, read from the configured rate limit."""
    per_key = [p for p in settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",") if p.endswith("/key")]
    return int(per_key[0].split("/")[0])


# --- sign in and out ----------------------------------------------------------------------------


def test_login_with_email_and_password_signs_in_ignoring_case(client):
    person = UserFactory(email="zoe@example.org")

    response = client.post("/accounts/login/", {"login": "Zoe@Example.ORG", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in_id(client) == str(person.pk)


def test_login_wrong_password_says_so_and_keeps_the_address(client):
    UserFactory(email="zoe@example.org")

    response = client.post("/accounts/login/", {"login": "zoe@example.org", "password": "not-the-password"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "The email address and/or password you specified are not correct." in html
    assert 'value="zoe@example.org"' in html
    assert _signed_in_id(client) is None


def test_login_page_uses_site_layout_and_bootstrap_form(client):
    response = client.get("/accounts/login/")

    html = _html(response)
    assert response.status_code == 200
    assert [t.name for t in response.templates][:3] == [
        "account/login.html",
        "account/base_entrance.html",
        "allauth/layouts/entrance.html",
    ]
    assert "base.html" in [t.name for t in response.templates]
    assert "<title>Sign in · SayPro Share Learnings</title>" in html
    assert '<label for="id_login" class="form-label requiredField"> Email<span class="asteriskField">*</span>' in html
    assert 'class="textinput form-control" required id="id_login"' in html
    assert 'class="btn btn-primary"' in html
    assert "/accounts/signup/" not in html  # sign-up is closed by default: no link to it


def test_login_missing_password_error_is_next_to_the_field(client):
    response = client.post("/accounts/login/", {"login": "zoe@example.org", "password": ""})

    html = _html(response)
    assert 'aria-describedby="id_password_helptext id_password_error"' in html
    assert (
        '<div id="id_password_error" class="invalid-feedback"> '
        '<p id="error_1_id_password"><strong>This field is required.</strong></p> </div>'
    ) in html


def test_logout_asks_on_get_and_signs_out_on_post(client):
    person = UserFactory()
    client.force_login(person)

    asked = client.get("/accounts/logout/")
    assert asked.status_code == 200
    assert "Do you want to sign out" in asked.content.decode()
    assert _signed_in_id(client) == str(person.pk)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert _signed_in_id(client) is None


def test_inactive_person_cannot_sign_in(client):
    UserFactory(email="left@example.org", is_active=False)

    response = client.post("/accounts/login/", {"login": "left@example.org", "password": PASSWORD})

    assert _signed_in_id(client) is None
    assert response.status_code == 302
    assert response["Location"] == "/accounts/inactive/"
    assert "This account is no longer active" in client.get("/accounts/inactive/").content.decode()


# --- password reset and change ------------------------------------------------------------------


def test_password_reset_by_emailed_link_then_sign_in_with_new_password(client, mailoutbox):
    person = UserFactory(email="zoe@example.org")

    response = client.post("/accounts/password/reset/", {"email": "zoe@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["zoe@example.org"]
    assert mail.subject == f"[{settings.ORGANISATION_NAME}] Choose a new password"
    assert mail.body.startswith(f"Hello from {settings.ORGANISATION_NAME} Share Learnings!")
    assert "example.com" not in mail.body
    assert f"your {settings.ORGANISATION_NAME} Share Learnings account. Open this link to choose it:" in mail.body

    link = _link(mail.body, "/accounts/password/reset/key/")
    stage = client.get(link)
    assert stage.status_code == 302  # allauth keeps the key in the session and drops it from the URL
    form_url = stage["Location"]
    assert client.get(form_url).status_code == 200
    done = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert done["Location"] == "/accounts/password/reset/key/done/"

    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert client.post("/accounts/login/", {"login": "zoe@example.org", "password": PASSWORD}).status_code == 200
    assert _signed_in_id(client) is None
    assert client.post("/accounts/login/", {"login": "zoe@example.org", "password": NEW_PASSWORD}).status_code == 302
    assert _signed_in_id(client) == str(person.pk)


def test_password_reset_email_links_only_to_site_url_whatever_host_was_asked(client, mailoutbox, settings):
    """`make run ADDRPORT=127.0.0.1:8011` sets SITE_URL to that address; the reset e-mail, which
    once mixed the request's host and the default :8000, names only SITE_URL."""
    settings.SITE_URL = "http://127.0.0.1:8011"
    UserFactory(email="zoe@example.org")

    client.post("/accounts/password/reset/", {"email": "zoe@example.org"}, HTTP_HOST="localhost:8000")

    links = re.findall(r"https?://\S+", mailoutbox[0].body)
    assert len(links) == 2  # the reset link and the site's address in the signature
    assert {link.split("/accounts/")[0].rstrip("/") for link in links} == {"http://127.0.0.1:8011"}
    assert links[0].startswith("http://127.0.0.1:8011/accounts/password/reset/key/")


def test_password_reset_link_used_twice_is_refused(client, mailoutbox):
    UserFactory(email="zoe@example.org")
    client.post("/accounts/password/reset/", {"email": "zoe@example.org"})
    link = _link(mailoutbox[0].body, "/accounts/password/reset/key/")
    form_url = client.get(link)["Location"]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert "This link no longer works" in again.content.decode()


def test_password_reset_for_unknown_address_reveals_nothing(client, mailoutbox):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"
    assert len(mailoutbox) == 1
    assert "There is no such account" in mailoutbox[0].body


def test_password_change_with_current_password(client):
    person = UserFactory()
    client.force_login(person)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_password_change_wrong_current_password_is_refused_next_to_the_field(client):
    person = UserFactory()
    client.force_login(person)

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 200
    html = _html(response)
    assert (
        '<div id="id_oldpassword_error" class="invalid-feedback"> '
        '<p id="error_1_id_oldpassword"><strong>Please type your current password.</strong></p> </div>'
    ) in html
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


# --- e-mail address change ----------------------------------------------------------------------


def test_email_change_sends_verification_and_changes_only_after_confirmation(client, mailoutbox):
    person = UserFactory(email="old@example.org")
    client.force_login(person)

    response = client.post("/accounts/email/", {"action_add": "", "email": "New@Example.org"})

    assert response.status_code == 302
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["new@example.org"]
    assert mail.subject == f"[{settings.ORGANISATION_NAME}] Confirm your e-mail address"
    assert f"{settings.ORGANISATION_NAME} Share Learnings account" in mail.body
    person.refresh_from_db()
    assert person.email == "old@example.org"
    page = client.get("/accounts/email/").content.decode()
    assert "This address is waiting for confirmation" in page

    link = _link(mail.body, "/accounts/confirm-email/")
    assert "Please confirm that <strong>new@example.org</strong>" in client.get(link).content.decode()
    confirmed = client.post(link)

    assert confirmed.status_code == 302
    person.refresh_from_db()
    assert person.email == "new@example.org"
    assert list(EmailAddress.objects.filter(user=person).values_list("email", "verified", "primary")) == [
        ("new@example.org", True, True)
    ]


def test_email_change_bad_address_is_refused_and_kept(client, mailoutbox):
    person = UserFactory(email="old@example.org")
    client.force_login(person)

    response = client.post("/accounts/email/", {"action_add": "", "email": "not-an-address"})

    assert response.status_code == 200
    html = _html(response)
    assert 'value="not-an-address"' in html
    assert 'aria-describedby="id_email_error"' in html
    assert '<div id="id_email_error" class="invalid-feedback d-block">Enter a valid email address.</div>' in html
    assert mailoutbox == []
    person.refresh_from_db()
    assert person.email == "old@example.org"
    assert list(EmailAddress.objects.filter(user=person).values_list("email", flat=True)) == ["old@example.org"]


def _email_change_answer(client, address: str) -> tuple:
    """What a person sees after asking for `address`: the redirect, the page after it, its messages."""
    response = client.post("/accounts/email/", {"action_add": "", "email": address})
    page = client.get(response["Location"])
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", _html(page).replace(address.lower(), "ADDRESS"))
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    notes = [str(m).replace(address.lower(), "ADDRESS") for m in page.context["messages"]]
    return response.status_code, response["Location"], html, notes


def test_email_change_answers_the_same_whether_or_not_another_account_uses_the_address(client, mailoutbox):
    """The page never tells a signed-in person who has an account (issue 11, item 10)."""
    UserFactory(email="taken@example.org")
    person = UserFactory(email="old@example.org", first_name="Zoe", last_name="Dube")
    client.force_login(person)

    free = _email_change_answer(client, "Free@example.org")
    client.post("/accounts/email/", {"action_remove": "", "email": "free@example.org"}, follow=True)
    taken = _email_change_answer(client, "Taken@example.org")

    assert free == taken
    assert free[:2] == (302, "/accounts/email/")
    assert "This address is waiting for confirmation" in free[2]
    assert free[3] == ["Confirmation email sent to ADDRESS."]
    assert [m.to for m in mailoutbox] == [["free@example.org"], ["taken@example.org"]]


def test_email_change_to_an_address_in_use_sends_no_link_and_attaches_nothing(client, mailoutbox):
    owner = UserFactory(email="taken@example.org")
    person = UserFactory(email="old@example.org")
    client.force_login(person)

    client.post("/accounts/email/", {"action_add": "", "email": "Taken@example.org"})
    cache.clear()  # allauth allows one confirmation e-mail per address every few minutes
    client.post("/accounts/email/", {"action_send": "", "email": "taken@example.org"})

    assert len(mailoutbox) == 2
    for mail in mailoutbox:
        assert mail.to == ["taken@example.org"]
        assert mail.subject == f"[{settings.ORGANISATION_NAME}] Your e-mail address was given for another account"
        assert "An account already uses this address, so nothing has changed" in mail.body
        assert "/accounts/confirm-email/" not in mail.body
    person.refresh_from_db()
    owner.refresh_from_db()
    assert (person.email, owner.email) == ("old@example.org", "taken@example.org")
    assert not EmailAddress.objects.filter(email="taken@example.org", verified=True).exists()


def test_email_change_link_is_refused_once_another_account_uses_the_address(client, mailoutbox):
    """A link sent while the address was free does not attach it after an import gave it to someone else."""
    person = UserFactory(email="old@example.org")
    client.force_login(person)
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    link = _link(mailoutbox[0].body, "/accounts/confirm-email/")
    newcomer = UserFactory(email="new@example.org")

    response = client.post(link, follow=True)

    assert "Unable to confirm new@example.org because it is already confirmed by a different account." in (
        _html(response)
    )
    person.refresh_from_db()
    newcomer.refresh_from_db()
    assert (person.email, newcomer.email) == ("old@example.org", "new@example.org")
    assert not EmailAddress.objects.filter(user=person, email="new@example.org", verified=True).exists()


def test_email_change_pending_keeps_signing_in_with_the_old_address(client, mailoutbox):
    person = UserFactory(email="old@example.org")
    client.force_login(person)
    client.post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    client.post("/accounts/logout/")

    response = client.post("/accounts/login/", {"login": "old@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert _signed_in_id(client) == str(person.pk)


def test_first_sign_in_records_the_imported_address_as_confirmed(client):
    person = UserFactory(email="imported@example.org")
    assert not EmailAddress.objects.filter(user=person).exists()

    client.post("/accounts/login/", {"login": "imported@example.org", "password": PASSWORD})

    assert list(EmailAddress.objects.filter(user=person).values_list("email", "verified", "primary")) == [
        ("imported@example.org", True, True)
    ]
    page = _html(client.get("/accounts/email/"))
    assert 'id="current_email" value="imported@example.org"' in page
    assert "waiting for confirmation" not in page


# --- sign-up ------------------------------------------------------------------------------------


def test_signup_closed_by_default(client, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = []
    before = User.objects.count()

    page = client.get("/accounts/signup/")
    posted = client.post(
        "/accounts/signup/", {"email": "new@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert page.status_code == 200
    assert [t.name for t in page.templates][0] == "account/signup_closed.html"
    assert "Sign-up is closed" in page.content.decode()
    assert "Sign-up is closed" in posted.content.decode()
    assert User.objects.count() == before


def test_signup_open_for_an_allowed_domain(client, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ["saypro.org"]

    response = client.post(
        "/accounts/signup/", {"email": "New@SayPro.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    person = User.objects.get(email="new@saypro.org")
    assert _signed_in_id(client) == str(person.pk)


def test_signup_refused_for_another_domain_with_message_next_to_the_address(client, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ["saypro.org"]
    before = User.objects.count()

    response = client.post(
        "/accounts/signup/", {"email": "someone@gmail.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 200
    html = _html(response)
    assert (
        '<div id="id_email_error" class="invalid-feedback"> '
        '<p id="error_1_id_email"><strong>Sign-up is open only to addresses of: saypro.org.</strong></p> </div>'
    ) in html
    assert 'value="someone@gmail.com"' in html
    assert User.objects.count() == before


def test_login_page_links_to_signup_only_when_open(client, settings):
    settings.SIGNUP_ALLOWED_DOMAINS = ["saypro.org"]

    html = client.get("/accounts/login/").content.decode()

    assert '<a href="/accounts/signup/">Create one</a>' in html


# --- rate limits --------------------------------------------------------------------------------


def test_login_rate_limit_refuses_even_the_right_password(client):
    person = UserFactory(email="zoe@example.org")
    limit = _failed_login_limit()
    for _ in range(limit):
        wrong = client.post("/accounts/login/", {"login": "zoe@example.org", "password": "wrong"})
        assert "The email address and/or password you specified are not correct." in wrong.content.decode()

    response = client.post("/accounts/login/", {"login": "zoe@example.org", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert _signed_in_id(client) is None
    assert person.is_active


def test_login_rate_limit_is_per_address(client):
    UserFactory(email="zoe@example.org")
    other = UserFactory(email="sipho@example.org")
    for _ in range(_failed_login_limit()):
        client.post("/accounts/login/", {"login": "zoe@example.org", "password": "wrong"})

    response = client.post("/accounts/login/", {"login": "sipho@example.org", "password": PASSWORD})

    assert response.status_code == 302
    assert _signed_in_id(client) == str(other.pk)


def test_admin_login_sends_anonymous_people_to_the_site_login(client):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_admin_login_form_cannot_be_used_to_guess_passwords(client, officer):
    response = client.post("/admin/login/", {"username": officer.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert _signed_in_id(client) is None


def test_admin_login_refuses_a_signed_in_person_without_staff_rights(client, employee):
    client.force_login(employee)

    assert client.get("/admin/login/").status_code == 403


def test_admin_login_passes_staff_through_to_the_admin(client, officer):
    client.force_login(officer)

    response = client.get("/admin/login/")

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_admin_sign_in_goes_through_the_rate_limited_site_login(client, officer):
    for _ in range(_failed_login_limit()):
        client.post("/accounts/login/?next=/admin/", {"login": officer.email, "password": "wrong"})

    response = client.post("/accounts/login/?next=/admin/", {"login": officer.email, "password": PASSWORD})

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert client.get("/admin/").status_code == 302


# --- rate limits behind the TLS proxy -------------------------------------------------------------

PROXY = "10.0.0.2"  # the proxy's own address: every request arrives from it


def _through_proxy(client_address: str, header: str) -> dict:
    """What the proxy adds to a request from `client_address`, as the test client's extra headers."""
    if header == "X-Forwarded-For":
        return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": client_address}
    return {"REMOTE_ADDR": PROXY, "HTTP_X_REAL_IP": client_address, "HTTP_X_FORWARDED_FOR": "198.51.100.99"}


@pytest.mark.parametrize(
    ("proxy_count", "ip_header", "header"),
    [(1, None, "X-Forwarded-For"), (0, "X-Real-IP", "X-Real-IP")],
    ids=["trusted-proxy-count", "trusted-client-ip-header"],
)
def test_login_rate_limit_behind_the_proxy_counts_each_client(settings, proxy_count, ip_header, header):
    """Ten bad logins from one stranger behind the proxy do not lock another person out (issue 11, item 5)."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = proxy_count
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = ip_header
    officer = UserFactory(email="officer@example.org")
    stranger, colleague = Client(**_through_proxy("203.0.113.5", header)), Client(**_through_proxy("192.0.2.7", header))
    for attempt in range(10):
        stranger.post("/accounts/login/", {"login": f"guess{attempt}@example.org", "password": "wrong"})

    stranger_again = stranger.post("/accounts/login/", {"login": "guess@example.org", "password": "wrong"})
    response = colleague.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})

    assert "Too many failed login attempts. Try again later." in stranger_again.content.decode()
    assert (response.status_code, response["Location"]) == (302, "/")
    assert _signed_in_id(colleague) == str(officer.pk)


def test_login_rate_limit_behind_an_untrusted_proxy_locks_everyone_out(settings):
    """What the setting prevents: without it every client behind the proxy shares the proxy's address."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = None
    officer = UserFactory(email="officer@example.org")
    stranger = Client(**_through_proxy("203.0.113.5", "X-Forwarded-For"))
    colleague = Client(**_through_proxy("192.0.2.7", "X-Forwarded-For"))
    for attempt in range(10):
        stranger.post("/accounts/login/", {"login": f"guess{attempt}@example.org", "password": "wrong"})

    response = colleague.post("/accounts/login/", {"login": officer.email, "password": PASSWORD})

    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert _signed_in_id(colleague) is None
