"""Requests never wait on a broker that is down, and everything they owed arrives once afterwards.

The broker is this test's own redis-server, killed in the middle of the test (issue 18, items
1 and 2). Afterwards a real worker runs the sweeping jobs as beat would queue them, and the
e-mails it writes are counted per person and subject.

The time bound is not a benchmark: it is the fault's symptom. Before the outbox, every e-mail
queued while the broker was down cost one connection attempt with retries (0.6 s each), so a
café of 60 people took over 35 s and hit gunicorn's 30-second timeout.
"""

import time

import pytest
from django.urls import reverse
from django.utils import timezone

from cafes.models import Cafe, Rsvp
from cafes.tasks import cafe_send_reflection_prompts_due_task
from saypro.core.models import Notification, OutboundEmail
from saypro.core.tasks import email_sweep_task
from tests.factories import UserFactory
from tests.factories.cafes import CafeFactory, RsvpFactory

from .conftest import mail_count

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PEOPLE = 60
# Far above one failed publish (milliseconds) plus the writes, far below 60 publishes with retries.
REQUEST_SECONDS = 8.0


def _cafe_with_people(*, started: bool) -> tuple[Cafe, list]:
    starts = timezone.now() + timezone.timedelta(hours=-2 if started else 48)
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=starts, capacity=PEOPLE)
    people = UserFactory.create_batch(PEOPLE)
    for person in people:
        RsvpFactory(cafe=cafe, person=person, status=Rsvp.Status.GOING)
    return cafe, people


def _drain(worker, *, tasks, done, what: str, timeout: float = 120.0) -> None:
    """Queue the sweeping jobs every few seconds, as beat does every minute, until `done()` holds."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}. Worker log:\n{worker.log()}")
        for task in tasks:
            task.delay()
        time.sleep(3)


def _post_with_broker_down(own_redis, client, url: str, data: dict, *, what: str):
    """Kill the broker, then post like the officer's browser does; the answer must come at once."""
    own_redis.stop()
    started = time.monotonic()
    response = client.post(url, data)
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < REQUEST_SECONDS, f"{what} took {elapsed:.1f} s with the broker down"
    return response


def test_cafe_marked_held_with_the_broker_down_answers_fast_and_prompts_everyone_once(
    own_redis, request, client_for, officer
):
    cafe, people = _cafe_with_people(started=True)
    url = reverse("cafes:cafe-held", args=[cafe.pk])
    attended = {"attended": [p.pk for p in people]}
    _post_with_broker_down(own_redis, client_for(officer), url, attended, what="marking the café held")
    cafe.refresh_from_db()
    assert cafe.state == Cafe.State.HELD

    own_redis.start()
    worker = request.getfixturevalue("live_worker")
    prompted = lambda: Notification.objects.filter(kind="reflection_prompt").count() == PEOPLE  # noqa: E731 -- a one-line check
    all_sent = lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == PEOPLE  # noqa: E731
    _drain(
        worker,
        tasks=[cafe_send_reflection_prompts_due_task, email_sweep_task],
        done=lambda: prompted() and all_sent(),
        what="every attendee prompted",
    )
    # A second round of sweeps finds nothing owed.
    cafe_send_reflection_prompts_due_task.delay()
    email_sweep_task.delay()
    worker.wait_for(lambda: "cafes.cafe_send_reflection_prompts_due_task" in worker.log(), what="the second sweep")
    time.sleep(2)

    subject = f"[SayPro] Write a reflection: Knowledge café: {cafe.title}"
    assert mail_count(worker.mail_dir) == {(p.email, subject): 1 for p in people}


def test_cafe_cancelled_with_the_broker_down_answers_fast_and_tells_everyone_once(
    own_redis, request, client_for, officer
):
    cafe, people = _cafe_with_people(started=False)
    url = reverse("cafes:cafe-cancel", args=[cafe.pk])
    reason = {"reason": "The venue flooded."}
    _post_with_broker_down(own_redis, client_for(officer), url, reason, what="cancelling the café")
    assert OutboundEmail.objects.filter(kind="cafe_cancelled", status=OutboundEmail.Status.PENDING).count() == PEOPLE

    own_redis.start()
    worker = request.getfixturevalue("live_worker")
    all_sent = lambda: OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT).count() == PEOPLE  # noqa: E731
    _drain(worker, tasks=[email_sweep_task], done=all_sent, what="every cancellation sent")
    email_sweep_task.delay()
    time.sleep(3)

    subject = f"[SayPro] Café cancelled: {cafe.title}"
    assert mail_count(worker.mail_dir) == {(p.email, subject): 1 for p in people}
