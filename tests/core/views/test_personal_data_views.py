"""The "your data" pages: who may open them, the download, and erasing with DELETE and the password."""

import json
import re

import pytest
from django.contrib.auth import SESSION_KEY

from reflections.models import Reflection
from saypro.core.models import AuditEntry, Notification, User
from saypro.core.services import notification_create
from tests.factories.core import PASSWORD
from tests.factories.reflections import ReflectionFactory
from tests.permissions import outcome, person_for

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "employee", "mentor", "manager", "officer"]
LOGIN = "/accounts/login/?next="

# (name, method, url)
PAGES = {
    "overview": ("get", "/account/data/"),
    "export": ("get", "/account/data/export/"),
    "erase-form": ("get", "/account/data/erase/"),
    "erase": ("post", "/account/data/erase/"),
}

EXPECTED = {
    "anonymous": {
        "overview": (302, LOGIN + "/account/data/"),
        "export": (302, LOGIN + "/account/data/export/"),
        "erase-form": (302, LOGIN + "/account/data/erase/"),
        "erase": (302, LOGIN + "/account/data/erase/"),
    },
    # Every signed-in person reaches their own data; an empty erase form is refused on the page (200).
    **{role: {"overview": 200, "export": 200, "erase-form": 200, "erase": 200} for role in ROLES[1:]},
}


def _squash(html: str) -> str:
    return re.sub(r"\s+", " ", html)


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_personal_data_page_permissions(request, client_for, role, page):
    method, url = PAGES[page]
    person = person_for(request, role)
    client = client_for(person)

    response = getattr(client, method)(url)

    assert outcome(response) == EXPECTED[role][page]
    if person is not None:
        assert User.objects.get(pk=person.pk).is_active is True


def test_account_menu_links_to_your_data(client_for, employee):
    html = client_for(employee).get("/").content.decode()

    assert '<a class="dropdown-item" href="/account/data/">Your data</a>' in html


def test_overview_links_to_the_download_and_the_erase_page(client_for, employee):
    html = client_for(employee).get("/account/data/").content.decode()

    assert 'href="/account/data/export/" download="saypro-my-data.json"' in html
    assert 'href="/account/data/erase/"' in html


def test_export_downloads_the_signed_in_persons_data_only(client_for, employee, other_employee):
    ReflectionFactory(author=employee, title="Mine to keep")
    ReflectionFactory(author=other_employee, title="Someone else's")

    response = client_for(employee).get("/account/data/export/")

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="saypro-my-data.json"'
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["profile"]["email"] == employee.email
    assert [r["title"] for r in data["reflections"]["reflections"]] == ["Mine to keep"]
    assert other_employee.email not in response.content.decode()


def test_export_ignores_any_id_in_the_query(client_for, employee, other_employee):
    response = client_for(employee).get(f"/account/data/export/?person={other_employee.pk}&pk={other_employee.pk}")

    assert json.loads(response.content)["profile"]["email"] == employee.email


def test_erase_page_explains_every_app_and_asks_for_delete_and_the_password(client_for, employee):
    html = _squash(client_for(employee).get("/account/data/erase/").content.decode())

    for title in ["Your account", "Reflections", "Feedback sessions", "Circles", "Knowledge cafés"]:
        assert f">{title}</h3>" in html
    assert "Your drafts and your private and mentor-only reflections are deleted" in html
    assert 'name="confirm"' in html
    assert 'type="password" name="password"' in html
    assert html.count('name="csrfmiddlewaretoken"') == 2  # the sign-out form and this one


def _erase_post(client, **data):
    return client.post("/account/data/erase/", data)


def test_erase_with_the_wrong_password_says_so_next_to_the_field_and_erases_nothing(client_for, employee):
    ReflectionFactory(author=employee)
    notification_create(recipient=employee, kind="k", title="Still here")
    client = client_for(employee)

    response = _erase_post(client, confirm="DELETE", password="not-my-password")

    html = _squash(response.content.decode())
    assert response.status_code == 200
    assert (
        '<div id="id_password_error" class="invalid-feedback"> <span id="error_1_id_password">'
        "<strong>This is not your current password.</strong></span> </div>" in html
    )
    assert 'name="confirm" value="DELETE"' in html
    assert "not-my-password" not in html
    assert User.objects.get(pk=employee.pk).email == employee.email
    assert (Reflection.objects.count(), Notification.objects.count(), AuditEntry.objects.count()) == (1, 1, 0)
    assert client.session[SESSION_KEY] == str(employee.pk)


def test_erase_without_the_word_delete_says_so_next_to_the_field_and_erases_nothing(client_for, employee):
    ReflectionFactory(author=employee)

    response = _erase_post(client_for(employee), confirm="delete", password=PASSWORD)

    html = _squash(response.content.decode())
    assert (
        '<div id="id_confirm_error" class="invalid-feedback"> <span id="error_1_id_confirm">'
        "<strong>Type the word DELETE, in capital letters, to confirm.</strong></span> </div>" in html
    )
    assert 'name="confirm" value="delete"' in html
    assert "id_password_error" not in html
    assert (Reflection.objects.count(), AuditEntry.objects.count()) == (1, 0)
    assert User.objects.get(pk=employee.pk).is_active is True


def test_erase_with_nothing_typed_asks_for_both(client_for, employee):
    html = _squash(_erase_post(client_for(employee)).content.decode())

    assert "<strong>Type the word DELETE to confirm.</strong>" in html
    assert "<strong>Enter your current password.</strong>" in html
    assert AuditEntry.objects.count() == 0


def test_erase_accepts_delete_with_spaces_around(client_for, employee):
    response = _erase_post(client_for(employee), confirm="  DELETE ", password=PASSWORD)

    assert response.status_code == 200
    assert User.objects.get(pk=employee.pk).is_active is False


def test_erase_signs_out_says_goodbye_and_anonymises(client_for, employee):
    ReflectionFactory(author=employee)
    client = client_for(employee)

    response = _erase_post(client, confirm="DELETE", password=PASSWORD)

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h3 mb-3">Goodbye</h1>' in html
    assert 'id="account-menu"' not in html
    assert SESSION_KEY not in client.session
    assert client.get("/account/data/")["Location"] == LOGIN + "/account/data/"
    person = User.objects.get(pk=employee.pk)
    assert (person.full_name, person.is_active) == ("Former colleague", False)
    assert Reflection.objects.count() == 0
    assert AuditEntry.objects.get().action == "person.erased"


def test_erased_person_cannot_sign_in_again(client, employee):
    client.force_login(employee)
    _erase_post(client, confirm="DELETE", password=PASSWORD)

    assert client.login(username=employee.email, password=PASSWORD) is False
    assert client.login(username=f"erased-{employee.pk}@invalid.example", password=PASSWORD) is False


def test_erase_acts_on_the_signed_in_person_only(client_for, employee, other_employee):
    response = client_for(employee).post(
        f"/account/data/erase/?person={other_employee.pk}",
        {"confirm": "DELETE", "password": PASSWORD, "person": other_employee.pk},
    )

    assert response.status_code == 200
    assert User.objects.get(pk=employee.pk).is_active is False
    other = User.objects.get(pk=other_employee.pk)
    assert (other.is_active, other.email) == (True, other_employee.email)


def test_notification_preferences_page_links_to_your_data(client_for, employee):
    html = client_for(employee).get("/notifications/preferences/").content.decode()

    assert 'href="/account/data/"' in html


def test_erase_password_tries_are_rate_limited(client_for, employee):
    client = client_for(employee)
    for _ in range(10):
        _erase_post(client, confirm="DELETE", password="guess")

    html = _squash(_erase_post(client, confirm="DELETE", password=PASSWORD).content.decode())

    assert "<strong>Too many tries. Wait a minute, then enter your password again.</strong>" in html
    assert User.objects.get(pk=employee.pk).is_active is True
