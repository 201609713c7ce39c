"""The dashboard's "Remind the mentor" button: officers only, htmx or a plain POST back to the page."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from saypro.core.models import Notification
from tests.factories.reflections import ReflectionFactory
from tests.permissions import ANONYMOUS, SIGN_IN, person_for, redirect_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(employee, mentor):
    return ReflectionFactory(
        author=employee, state="submitted", now=timezone.now() - dt.timedelta(days=9), answered=False
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (ANONYMOUS, SIGN_IN),
        ("employee", (403, "")),
        ("other_employee", (403, "")),
        ("mentor", (403, "")),
        ("other_mentor", (403, "")),
        ("manager", (403, "")),
        ("officer", (302, "/dashboard/")),
    ],
)
def test_mentor_remind_permission_table(request, client_for, waiting, employee, role, expected):
    url = reverse("reflections:mentor-remind", args=[employee.pk])

    response = client_for(person_for(request, role)).post(url)

    assert redirect_path(response) == expected
    assert Notification.objects.filter(kind="mentor_reminder").count() == (1 if role == "officer" else 0)


def test_mentor_remind_unknown_mentee_is_404(client_for, officer):
    response = client_for(officer).post(reverse("reflections:mentor-remind", args=[999_999]))

    assert response.status_code == 404


def test_mentor_remind_returns_to_the_page_it_came_from_with_a_message(client_for, officer, waiting, employee):
    response = client_for(officer).post(
        reverse("reflections:mentor-remind", args=[employee.pk]), {"next": "/dashboard/#queue-mentors"}
    )

    assert (response.status_code, response["Location"]) == (302, "/dashboard/#queue-mentors")
    assert [m.message for m in get_messages(response.wsgi_request)] == [f"Reminded 1 mentor of {employee.full_name}."]


def test_mentor_remind_ignores_a_next_page_elsewhere(client_for, officer, waiting, employee):
    response = client_for(officer).post(
        reverse("reflections:mentor-remind", args=[employee.pk]), {"next": "https://example.com/"}
    )

    assert response["Location"] == "/dashboard/"


def test_mentor_remind_with_htmx_replaces_the_button_with_what_happened(client_for, officer, waiting, employee):
    client = client_for(officer)
    url = reverse("reflections:mentor-remind", args=[employee.pk])

    first = client.post(url, headers={"HX-Request": "true"})
    second = client.post(url, headers={"HX-Request": "true"})

    assert first.content.decode().strip() == (
        f'<p class="small mb-0 text-success" role="status">Reminded 1 mentor of {employee.full_name}.</p>'
    )
    assert f"The mentors of {employee.full_name} were already reminded today." in second.content.decode()


def test_mentor_remind_with_nothing_waiting_says_so(client_for, officer, employee, mentor):
    response = client_for(officer).post(
        reverse("reflections:mentor-remind", args=[employee.pk]), headers={"HX-Request": "true"}
    )

    assert "text-danger" in response.content.decode()
    assert f"No reflection of {employee.full_name} waits for a mentor." in response.content.decode()
    assert Notification.objects.count() == 0
