"""The signed-in person taken from their cache entry (saypro/core/auth_backends.py, person_cache)."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import cache
from django.test import Client

from saypro.core import person_cache
from saypro.core.models import User
from saypro.core.org_import.applying import org_import_apply
from saypro.core.org_import.parsing import org_import_parse
from tests.factories.core import PASSWORD

pytestmark = pytest.mark.django_db

PAGE = "/notifications/"
LOGIN = "/accounts/login/"


def person_row_queries(captured, person) -> list[str]:
    return [
        q["sql"] for q in captured if 'FROM "core_user"' in q["sql"] and f'"core_user"."id" = {person.pk}' in q["sql"]
    ]


def test_a_warm_page_reads_no_row_of_the_signed_in_person(client, employee, django_assert_max_num_queries):
    client.force_login(employee)
    client.get(PAGE)

    with django_assert_max_num_queries(10) as captured:
        response = client.get(PAGE)

    assert response.status_code == 200
    assert response.context["user"] == employee
    assert person_row_queries(captured.captured_queries, employee) == []


def test_the_first_page_reads_the_row_once(client, employee, django_assert_max_num_queries):
    client.force_login(employee)

    with django_assert_max_num_queries(12) as captured:
        client.get(PAGE)

    assert len(person_row_queries(captured.captured_queries, employee)) == 1


def test_sessions_are_signed_in_with_the_site_s_backend(client, employee):
    client.force_login(employee)

    assert client.session[BACKEND_SESSION_KEY].startswith("saypro.core.auth_backends.")


def test_a_deactivated_person_is_signed_out_on_the_next_request(client, employee):
    client.force_login(employee)
    assert client.get(PAGE).status_code == 200

    employee.is_active = False
    employee.save()

    assert client.get(PAGE).url.startswith(LOGIN)


def test_a_new_password_signs_out_the_other_sessions(client, employee):
    client.force_login(employee)
    assert client.get(PAGE).status_code == 200

    person = User.objects.get(pk=employee.pk)
    person.set_password("an entirely new passphrase 42")
    person.save()

    assert client.get(PAGE).url.startswith(LOGIN)


def test_a_deleted_person_is_signed_out(client, employee):
    client.force_login(employee)
    assert client.get(PAGE).status_code == 200

    User.objects.filter(pk=employee.pk).delete()

    assert client.get(PAGE).url.startswith(LOGIN)


def test_a_new_name_shows_on_the_next_page(client, employee):
    client.force_login(employee)
    client.get(PAGE)

    employee.first_name = "Thandeka"
    employee.save()

    assert '<span class="account-name">Thandeka ' in client.get(PAGE).content.decode()


def test_a_name_changed_by_the_org_import_shows_on_the_next_page(client, employee):
    client.force_login(employee)
    client.get(PAGE)
    header = "email,first_name,last_name,department,location,job_role,mentor_emails,roles,manager_departments"
    content = f"{header}\n{employee.email},Nomvula,{employee.last_name},Finance,,,,,\n"

    org_import_apply(parsed=org_import_parse(content=content.encode()), by=None, dry_run=False)

    assert '<span class="account-name">Nomvula ' in client.get(PAGE).content.decode()


def test_a_row_kept_from_an_older_shape_of_the_table_is_read_again(client, employee):
    client.force_login(employee)
    client.get(PAGE)
    key = f"person:{employee.pk}"
    entry = cache.get(key)
    entry["row"] = {column: value for column, value in entry["row"].items() if column != "last_name"}
    cache.set(key, entry)

    person = person_cache.signed_in_person(pk=employee.pk, load=lambda pk: User.objects.get(pk=pk))

    assert person.last_name == employee.last_name
    assert "last_name" in cache.get(key)["row"]


def test_no_one_is_found_for_an_unknown_person():
    assert person_cache.signed_in_person(pk=999_999, load=lambda pk: None) is None


def test_sessions_signed_in_before_the_site_s_backends_are_rewritten_and_back(employee):
    migration = importlib.import_module("saypro.core.migrations.0009_sessions_use_the_cached_person_backends")
    old = SessionStore()
    old[SESSION_KEY] = str(employee.pk)
    old[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    old.create()
    other = SessionStore()
    other["unrelated"] = True
    other.create()

    migration.forwards(apps, None)

    assert (
        SessionStore(old.session_key).load()[BACKEND_SESSION_KEY] == "saypro.core.auth_backends.AuthenticationBackend"
    )
    assert SessionStore(other.session_key).load() == {"unrelated": True}

    migration.backwards(apps, None)

    assert (
        SessionStore(old.session_key).load()[BACKEND_SESSION_KEY]
        == "allauth.account.auth_backends.AuthenticationBackend"
    )


def test_the_cache_never_holds_the_password_s_hash(client, employee):
    client.force_login(employee)
    client.get(PAGE)

    entry = cache.get(f"person:{employee.pk}")

    assert "password" not in entry["row"]
    assert employee.password not in repr(entry)


def test_changing_one_s_own_password_keeps_this_session_and_signs_out_the_others(client, employee):
    other_device = Client()
    other_device.force_login(employee)
    client.force_login(employee)
    for device in (client, other_device):
        assert device.get(PAGE).status_code == 200  # both read the person from the cache

    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "a brand new passphrase 77", "password2": "a brand new passphrase 77"},
    )

    assert response.status_code == 302
    assert client.get(PAGE).status_code == 200
    assert other_device.get(PAGE).url.startswith(LOGIN)


def test_an_entry_written_under_the_previous_secret_key_does_not_sign_anyone_out(client, employee, settings):
    # A new secret key rolls out while processes that still run the old one write entries.
    old_key, new_key = "old-" + "k" * 60, "new-" + "k" * 60
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = new_key, [old_key]
    client.force_login(employee)  # the session's hash is made with the new key
    settings.SECRET_KEY = old_key
    person_cache.signed_in_person(pk=employee.pk, load=lambda pk: User.objects.get(pk=pk))
    settings.SECRET_KEY = new_key

    assert client.get(PAGE).status_code == 200
