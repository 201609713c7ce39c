"""Seats under simultaneous RSVPs, on PostgreSQL: the café row lock keeps "going" within capacity.

Each thread is its own request with its own database connection, released at the start
together, as when many people press "I'm going" the moment a café opens.
"""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cafes.models import Rsvp
from tests.conftest import skip_or_fail
from tests.factories import UserFactory
from tests.factories.cafes import CafeFactory, RsvpFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def postgres(transactional_db):
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://...")


def _race(posts: list[tuple]) -> list[int]:
    """Send every (person, url, data) POST from its own thread at the same moment; return the statuses."""
    barrier = threading.Barrier(len(posts))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run(person, url, data):
        try:
            client = Client()
            client.force_login(person)
            barrier.wait(timeout=30)
            statuses.append(client.post(url, data).status_code)
        except BaseException as exc:  # noqa: BLE001 -- re-raised in the main thread below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection, so the test database can be dropped

    threads = [threading.Thread(target=run, args=post) for post in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if errors:
        raise errors[0]
    return statuses


def _statuses(cafe) -> dict[str, int]:
    return {s: Rsvp.objects.filter(cafe=cafe, status=s).count() for s in Rsvp.Status.values}


def test_simultaneous_rsvps_never_put_more_going_than_capacity(postgres):
    cafe = CafeFactory(capacity=3)
    people = UserFactory.create_batch(12)
    url = reverse("cafes:rsvp", args=[cafe.pk])
    statuses = _race([(person, url, {"action": "going"}) for person in people])
    assert statuses == [302] * 12
    assert _statuses(cafe) == {"going": 3, "waitlist": 9, "cancelled": 0}


def test_simultaneous_cancellations_and_rsvps_promote_within_capacity(postgres):
    cafe = CafeFactory(capacity=2)
    leaving = [RsvpFactory(cafe=cafe).person for _ in range(2)]
    waiting = [RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST).person for _ in range(3)]
    newcomers = UserFactory.create_batch(5)
    url = reverse("cafes:rsvp", args=[cafe.pk])
    posts = [(p, url, {"action": "cancel"}) for p in leaving] + [(p, url, {"action": "going"}) for p in newcomers]
    _race(posts)
    assert _statuses(cafe) == {"going": 2, "waitlist": 6, "cancelled": 2}
    promoted = set(Rsvp.objects.filter(cafe=cafe, status=Rsvp.Status.GOING).values_list("person_id", flat=True))
    # The seats freed go to the earliest on the waitlist, not to whoever pressed last.
    assert promoted == {waiting[0].pk, waiting[1].pk}
