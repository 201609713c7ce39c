import pytest
from django.urls import reverse

from reflections.panels import home_panel
from tests.factories.reflections import ReflectionFactory

pytestmark = pytest.mark.django_db


def test_home_panel_counts_for_author(employee, template):
    ReflectionFactory(author=employee, template=template)
    ReflectionFactory(author=employee, template=template, state="submitted")
    ReflectionFactory(author=employee, template=template, state="changes_requested")

    panel = home_panel(person=employee)

    assert {k: panel[k] for k in ("drafts", "awaiting", "changes_requested", "is_mentor", "queue")} == {
        "drafts": 1,
        "awaiting": 1,
        "changes_requested": 1,
        "is_mentor": False,
        "queue": 0,
    }


def test_home_panel_counts_queue_for_mentor(mentor, employee, template, django_assert_num_queries):
    ReflectionFactory(author=employee, template=template, state="submitted")
    mentor.has_group("Mentor")

    with django_assert_num_queries(2):
        panel = home_panel(person=mentor)

    assert (panel["is_mentor"], panel["queue"]) == (True, 1)


def test_home_page_shows_reflections_panel(client_for, employee):
    html = client_for(employee).get(reverse("core:home")).content.decode()

    assert "Write a reflection" in html
    assert reverse("reflections:write") in html
