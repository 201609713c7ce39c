"""Fixtures of the cafés tests: a café open for RSVPs, and one that has started with a talk on it."""

import datetime as dt

import pytest
from django.utils import timezone

from cafes.models import Cafe, Rsvp
from tests.factories.cafes import CafeFactory, RsvpFactory, on_agenda


@pytest.fixture
def cafe(db):
    """Open for proposals and RSVPs, a week from now."""
    return CafeFactory()


@pytest.fixture
def started_cafe(db):
    """A café with its agenda published that started half an hour ago."""
    return CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() - dt.timedelta(minutes=30))


@pytest.fixture
def talk(started_cafe, employee):
    """`employee`'s talk on the started café's agenda."""
    return on_agenda(started_cafe, speaker=employee)[0]


@pytest.fixture
def attendee(started_cafe, other_employee):
    """`other_employee`, going to the started café."""
    RsvpFactory(cafe=started_cafe, person=other_employee, status=Rsvp.Status.GOING)
    return other_employee


@pytest.fixture
def reflection_invites(monkeypatch):
    """Capture reflection invitations instead of calling the reflections app (built in parallel)."""
    calls = []

    def fake_invite(*, person, context, kind, title):
        calls.append({"person": person.pk, "context": context.pk, "kind": kind, "title": title})
        return True

    monkeypatch.setattr("reflections.services.reflection_invite", fake_invite)
    return calls
