"""Fixtures of the circles tests: rounds in each state, a published circle with its host."""

import datetime as dt

import pytest
from django.utils import timezone

from circles.models import Round
from tests.factories import DepartmentFactory, UserFactory
from tests.factories.circles import CircleFactory, MembershipFactory, RoundFactory, TopicFactory


@pytest.fixture
def topics(db):
    return [
        TopicFactory(name="Delegation test"),
        TopicFactory(name="Coaching test"),
        TopicFactory(name="Feedback test"),
    ]


@pytest.fixture
def open_round(topics):
    return RoundFactory(topics=topics)


def published_circle(*, people, host=None, meets_in=dt.timedelta(days=2), topics=None):
    """A published round with one circle of `people`, meeting `meets_in` from now."""
    meets_at = timezone.now() + meets_in
    round = RoundFactory(
        topics=topics or [TopicFactory(name="Delegation test")],
        signup_deadline=meets_at - dt.timedelta(days=3),
        meets_at=meets_at,
        state=Round.State.PUBLISHED,
        published_at=meets_at - dt.timedelta(days=2),
    )
    circle = CircleFactory(round=round, host=host or people[0], number=1)
    for person in people:
        MembershipFactory(circle=circle, person=person)
    return circle


@pytest.fixture
def colleagues(db):
    """Three people from three departments, to fill a circle with the employee."""
    return [UserFactory(department=DepartmentFactory(name=f"Colleague department {i}")) for i in range(3)]


@pytest.fixture
def upcoming_circle(employee, colleagues):
    """A published circle meeting in two days; the employee hosts it."""
    return published_circle(people=[employee, *colleagues], host=employee)


@pytest.fixture
def met_circle(employee, colleagues):
    """A published circle that met an hour ago; the employee hosts it."""
    return published_circle(people=[employee, *colleagues], host=employee, meets_in=-dt.timedelta(hours=1))


@pytest.fixture
def invites(monkeypatch):
    """Record reflection invitations (the reflections app's service) made by circles."""
    calls = []

    def fake(*, person, context, kind, title):
        calls.append((person.pk, context.pk, kind, title))
        return True

    monkeypatch.setattr("circles.services.reflection_invite", fake)
    return calls
