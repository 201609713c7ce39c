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


# --- kept per person (issue 12): stale when what the panel counts is written ----------------------


def test_home_panel_is_kept_until_the_author_or_a_mentee_writes(
    mentor, employee, other_employee, template, django_assert_num_queries
):
    home_panel(person=mentor)
    home_panel(person=employee)
    with django_assert_num_queries(0):
        assert home_panel(person=mentor)["queue"] == 0

    ReflectionFactory(author=other_employee, template=template, state="submitted")  # not the mentor's mentee
    with django_assert_num_queries(0):
        assert home_panel(person=mentor)["queue"] == 0

    reflection = ReflectionFactory(author=employee, template=template, state="submitted")
    assert home_panel(person=mentor)["queue"] == 1
    assert home_panel(person=employee)["awaiting"] == 1

    reflection.state, reflection.validated_at = "validated", reflection.submitted_at
    reflection.save()
    assert home_panel(person=mentor)["queue"] == 0
    assert home_panel(person=employee)["awaiting"] == 0


def test_home_panel_of_a_mentor_follows_their_mentor_links(employee, template):
    from saypro.core import roles
    from tests.factories import MentorLinkFactory, UserFactory

    new_mentor = UserFactory(roles=[roles.EMPLOYEE, roles.MENTOR])
    ReflectionFactory(author=employee, template=template, state="submitted")
    assert home_panel(person=new_mentor)["queue"] == 0

    link = MentorLinkFactory(mentor=new_mentor, mentee=employee)
    assert home_panel(person=new_mentor)["queue"] == 1

    link.is_active = False
    link.save()
    assert home_panel(person=new_mentor)["queue"] == 0


def test_home_panel_follows_a_new_role(employee):
    from django.contrib.auth.models import Group

    from saypro.core import roles

    assert home_panel(person=employee)["is_mentor"] is False

    employee.groups.add(Group.objects.get_or_create(name=roles.MENTOR)[0])

    assert home_panel(person=employee)["is_mentor"] is True


def test_home_panel_of_a_mentor_drops_an_erased_mentee(mentor, employee, template):
    from saypro.core.personal_data import personal_data_erase

    ReflectionFactory(author=employee, template=template, state="submitted", visibility="colleagues")
    assert home_panel(person=mentor)["queue"] == 1

    personal_data_erase(person=employee, by=employee)  # ends the mentor link in bulk

    assert home_panel(person=mentor)["queue"] == 0
