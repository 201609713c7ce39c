"""Reminders with a real Celery worker: retries and a concurrent second run send nothing twice."""

import datetime as dt
import threading

import pytest
from django.db import connection

from circles import services
from circles.tasks import circle_reminders_send_task
from saypro.core.models import OutboundEmail
from tests.circles.conftest import published_circle
from tests.factories import UserFactory


@pytest.mark.integration
def test_reminders_through_worker_are_sent_once_per_person(live_worker):
    people = UserFactory.create_batch(4)
    circle = published_circle(people=people, meets_in=dt.timedelta(hours=5))

    # Two runs through the broker (as beat and a retry would queue them) and one run in this
    # process, started together so they race for the same reminders.
    results = []

    def run_here():
        try:
            results.append(services.circle_reminders_send())
        finally:
            connection.close()  # this thread's own connection, so the test database can be dropped

    runner = threading.Thread(target=run_here)
    circle_reminders_send_task.delay()
    runner.start()
    circle_reminders_send_task.delay()
    runner.join(timeout=60)

    def all_sent():
        emails = OutboundEmail.objects.filter(kind="circle_reminder")
        return emails.count() == 4 and not emails.exclude(status=OutboundEmail.Status.SENT).exists()

    live_worker.wait_for(all_sent, timeout=60, what="four reminder e-mails to be sent")
    live_worker.wait_for(
        lambda: live_worker.log().count("circles.circle_reminders_send_task") >= 4,
        what="both reminder runs in the worker to finish",
    )
    keys = sorted(OutboundEmail.objects.filter(kind="circle_reminder").values_list("recipient_id", "key"))
    assert keys == sorted((p.pk, f"circle:{circle.pk}:reminder-day") for p in people)
    messages = "".join(path.read_text(errors="replace") for path in live_worker.mail_dir.iterdir())
    assert messages.count("Message-ID:") == 4
    assert messages.count("Subject: [SayPro] Reminder: your circle on Delegation test") == 4
    # A further run, as after a retry, adds nothing.
    assert services.circle_reminders_send() == 0
    assert OutboundEmail.objects.filter(kind="circle_reminder").count() == 4
    assert sum(results) <= 4


@pytest.mark.integration
def test_publishing_lets_the_worker_tell_every_member(live_worker, officer):
    from circles.models import Round
    from tests.factories.circles import RoundFactory, SignupFactory, TopicFactory

    topic = TopicFactory(name="Delegation test")
    round = RoundFactory(topics=[topic])
    people = UserFactory.create_batch(4)
    for person in people:
        SignupFactory(round=round, person=person, choices=[topic])
    Round.objects.filter(pk=round.pk).update(signup_deadline=round.meets_at - dt.timedelta(days=3))
    services.circle_round_form_groups(round=round, by=officer)

    services.circle_round_publish(round=round, by=officer)

    live_worker.wait_for(
        lambda: OutboundEmail.objects.filter(kind="circle_published", status=OutboundEmail.Status.SENT).count() == 4,
        timeout=60,
        what="the four announcement e-mails to be sent",
    )
    live_worker.wait_for(
        lambda: Round.objects.filter(pk=round.pk, announced_at__isnull=False).exists(), what="the round to be announced"
    )
    messages = "".join(path.read_text(errors="replace") for path in live_worker.mail_dir.iterdir())
    assert messages.count("Content-Type: text/calendar") == 4
    assert services.circle_rounds_announce_pending() == 0
