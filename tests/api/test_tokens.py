"""Personal access tokens: made, shown once, hashed, scoped, expiring and revocable."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from saypro.api import selectors, services
from saypro.api.models import PersonalAccessToken

ME = "/api/v1/me/"


def test_token_create_stores_only_a_hash(employee):
    token, secret = services.token_create(person=employee, name=" weekly   export ", scopes=["read"], days=30)

    assert secret.startswith("spl_") and len(secret) > 40
    assert token.name == "weekly export"
    assert token.token_hash == selectors.token_hash(secret) != secret
    assert secret.startswith(token.prefix)
    assert token.expires_at - token.created_at == dt.timedelta(days=30)
    assert selectors.token_for_secret(secret=secret) == token


@pytest.mark.parametrize(
    ("name", "scopes", "days", "field"),
    [
        ("", ["read"], 30, "name"),
        ("x" * 81, ["read"], 30, "name"),
        ("ok", [], 30, "scopes"),
        ("ok", ["admin"], 30, "scopes"),
        ("ok", ["read"], 0, "days"),
        ("ok", ["read"], 366, "days"),
    ],
)
def test_token_create_refuses_bad_input(employee, name, scopes, days, field):
    with pytest.raises(ValidationError) as refused:
        services.token_create(person=employee, name=name, scopes=scopes, days=days)

    assert field in refused.value.message_dict
    assert not PersonalAccessToken.objects.exists()


def test_token_revoke_only_the_persons_own(employee, other_employee):
    mine, _ = services.token_create(person=employee, name="a", scopes=["read"], days=30)

    assert services.token_revoke(person=other_employee, pk=mine.pk) is False
    assert services.token_revoke(person=employee, pk=mine.pk) is True
    assert services.token_revoke(person=employee, pk=mine.pk) is False


def test_token_for_secret_refuses_expired_revoked_inactive_and_foreign(employee):
    token, secret = services.token_create(person=employee, name="a", scopes=["read"], days=30)

    assert selectors.token_for_secret(secret="spl_" + "x" * 43) is None
    assert selectors.token_for_secret(secret="no-prefix") is None
    PersonalAccessToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2), expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert selectors.token_for_secret(secret=secret) is None
    PersonalAccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() + dt.timedelta(days=1))
    employee.is_active = False
    employee.save(update_fields=["is_active"])
    assert selectors.token_for_secret(secret=secret) is None


def test_bearer_token_signs_the_person_in_and_stamps_its_use(token_for, employee):
    response = token_for(employee).get(ME)

    assert response.status_code == 200
    assert response.json()["email"] == employee.email
    assert PersonalAccessToken.objects.get(person=employee).last_used_at is not None


@pytest.mark.parametrize(
    "header", ["Bearer spl_unknown", "Bearer", "Bearer a b", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 500]
)
def test_bad_authorization_is_401_or_403(api_client, db, header):
    response = api_client.get(ME, HTTP_AUTHORIZATION=header)

    assert response.status_code in {401, 403}
    if header.startswith("Bearer"):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_revoked_token_is_refused(token_for, employee):
    client = token_for(employee)
    services.token_revoke(person=employee, pk=PersonalAccessToken.objects.get().pk)

    assert client.get(ME).status_code == 401


def test_read_scope_cannot_write(token_for, employee):
    client = token_for(employee, scopes=("read",))

    assert client.get(ME).status_code == 200
    response = client.post("/api/v1/reflections/", {"template": 1}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "This token's scopes do not allow this request."


def test_write_scope_alone_cannot_read(token_for, employee):
    assert token_for(employee, scopes=("write",)).get(ME).status_code == 403


# --- the token page -------------------------------------------------------------------------------------


def test_token_page_needs_sign_in(client, db):
    response = client.get(reverse("api:tokens"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_token_page_makes_a_token_and_shows_it_once(client_for, employee):
    client = client_for(employee)

    response = client.post(
        reverse("api:tokens"), {"name": "export", "scopes": ["read", "write"], "days": "90"}, follow=True
    )

    html = response.content.decode()
    secret = html.split('id="new-token" type="text" value="')[1].split('"')[0]
    assert selectors.token_for_secret(secret=secret).scopes == ["read", "write"]
    again = client.get(reverse("api:tokens")).content.decode()
    assert secret not in again
    assert "export" in again


def test_token_page_bad_input_is_shown_next_to_the_field_and_kept(client_for, employee):
    response = client_for(employee).post(reverse("api:tokens"), {"name": "my script", "days": "7"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Choose read, write or both." in html
    assert "Select a valid choice. 7 is not one of the available choices." in html
    assert 'value="my script"' in html
    assert not PersonalAccessToken.objects.exists()


def test_token_page_revokes_only_own_tokens(client_for, employee, other_employee):
    theirs, _ = services.token_create(person=other_employee, name="theirs", scopes=["read"], days=30)
    mine, _ = services.token_create(person=employee, name="mine", scopes=["read"], days=30)
    client = client_for(employee)

    client.post(reverse("api:token-revoke", args=[theirs.pk]))
    client.post(reverse("api:token-revoke", args=[mine.pk]))
    response = client.post(reverse("api:token-revoke", args=[99999999999999999999]))

    assert response.status_code == 302
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.revoked_at is None
    assert mine.revoked_at is not None


def test_token_page_query_count_does_not_grow(client_for, employee, django_assert_max_num_queries):
    for n in range(20):
        services.token_create(person=employee, name=f"t{n}", scopes=["read"], days=30)
    client = client_for(employee)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("api:tokens"))

    assert response.content.decode().count("Revoke<span") == 20


def test_export_lists_tokens_without_secrets_and_erase_deletes_them(employee):
    from saypro.core.personal_data import personal_data_erase, personal_data_export

    _token, secret = services.token_create(person=employee, name="export", scopes=["read"], days=30)

    section = personal_data_export(person=employee)["api"]
    assert [t["name"] for t in section["access_tokens"]] == ["export"]
    assert secret not in str(section)

    personal_data_erase(person=employee, by=employee)
    assert selectors.token_for_secret(secret=secret) is None
    assert not PersonalAccessToken.objects.exists()
