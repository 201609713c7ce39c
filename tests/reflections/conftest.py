"""Fixtures of the reflections tests: a template, people around an author, and ready reflections."""

import pytest

from saypro.core import roles
from tests.factories import MentorLinkFactory, UserFactory
from tests.factories.reflections import ReflectionFactory, ReflectionTemplateFactory


@pytest.fixture
def template(db):
    """A general template with two questions of 50 words each."""
    return ReflectionTemplateFactory()


@pytest.fixture
def former_mentor(db, employee):
    """Once mentored `employee`; the link is no longer active."""
    person = UserFactory(roles=[roles.EMPLOYEE, roles.MENTOR])
    MentorLinkFactory(mentor=person, mentee=employee, is_active=False)
    return person


@pytest.fixture
def make_reflection(employee, template):
    """Build a reflection by `employee` (unless another author is given) in any state and visibility."""

    def make(**kwargs):
        kwargs.setdefault("author", employee)
        kwargs.setdefault("template", template)
        return ReflectionFactory(**kwargs)

    return make
