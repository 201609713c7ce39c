"""Fixtures shared by every app: one person per role, and a logged-in client per role."""

import os
import shutil

import pytest
from django.contrib.auth.models import Group

from saypro.core import roles
from tests.factories import MentorLinkFactory, UserFactory

# Playwright drives the browser from a thread with a running event loop; Django refuses sync
# ORM calls there unless told this is intended (the live server runs in another thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def employee(db):
    return UserFactory(roles=[roles.EMPLOYEE])


@pytest.fixture
def other_employee(db):
    return UserFactory(roles=[roles.EMPLOYEE])


@pytest.fixture
def mentor(db, employee):
    """The active mentor of `employee`."""
    person = UserFactory(roles=[roles.EMPLOYEE, roles.MENTOR])
    MentorLinkFactory(mentor=person, mentee=employee)
    return person


@pytest.fixture
def other_mentor(db):
    """A mentor, but not of `employee`."""
    return UserFactory(roles=[roles.EMPLOYEE, roles.MENTOR])


@pytest.fixture
def officer(db):
    person = UserFactory(roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=True)
    return person


@pytest.fixture
def manager(db):
    from saypro.core.models import ManagerScope

    person = UserFactory(roles=[roles.EMPLOYEE, roles.MANAGER])
    ManagerScope.objects.create(manager=person, department=None)
    return person


@pytest.fixture
def client_for(client):
    """Return a function that logs a person in on the test client and returns it."""

    def login(person):
        if person is not None:
            client.force_login(person)
        return client

    return login


@pytest.fixture
def groups_exist(db):
    return set(Group.objects.values_list("name", flat=True))


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")
