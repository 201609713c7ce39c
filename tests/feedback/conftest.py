"""Fixtures of feedback sessions: a scheduled session with invited participants, and people outside it."""

import pytest

from saypro.core import roles
from saypro.core.models import Enrolment
from tests.factories import ModuleFactory, UserFactory
from tests.factories.feedback import FeedbackSessionFactory, InvitationFactory


@pytest.fixture(autouse=True)
def empty_cache():
    """The console caches its board; each test starts without one (ids repeat between tests on SQLite)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def module(db):
    return ModuleFactory(title="Delegation that develops people")


@pytest.fixture
def peer(db):
    """Another invited participant of `session`."""
    return UserFactory(roles=[roles.EMPLOYEE], first_name="Sipho", last_name="Dlamini")


@pytest.fixture
def session(db, module, officer, employee, peer):
    """A scheduled session of `module`; `employee` and `peer` are enrolled and invited."""
    session = FeedbackSessionFactory(module=module, facilitator=officer)
    for person in (employee, peer):
        Enrolment.objects.create(person=person, module=module)
        InvitationFactory(session=session, person=person)
    return session


@pytest.fixture
def outsider(db):
    """A participant of another module, invited to that module's session only."""
    person = UserFactory(roles=[roles.EMPLOYEE])
    other = ModuleFactory(title="Coaching conversations")
    Enrolment.objects.create(person=person, module=other)
    InvitationFactory(session=FeedbackSessionFactory(module=other), person=person)
    return person
