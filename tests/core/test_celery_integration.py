"""A real Celery worker process, fed through Redis, does the work the web process queues.

Run with PostgreSQL and Redis, e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro_infra \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/5 .venv/bin/python -m pytest tests/core/test_celery_integration.py
"""

import uuid

import pytest
from django.db import transaction

from saypro.core.models import JobHeartbeat, OutboundEmail
from saypro.core.services import email_queue
from saypro.core.tasks import ping_task
from tests.factories import UserFactory

pytestmark = pytest.mark.integration


def test_ping_task_sent_through_broker_runs_in_worker(live_worker):
    value = uuid.uuid4().hex

    ping_task.delay(value=value)

    row = live_worker.wait_for(
        lambda: JobHeartbeat.objects.filter(name=f"ping:{value}", last_finished_at__isnull=False).first(),
        what=f"JobHeartbeat 'ping:{value}'",
    )
    assert row.name == f"ping:{value}"


def test_email_queued_in_committed_transaction_is_sent_by_worker(live_worker):
    person = UserFactory(email="thandi.worker@example.org", first_name="Thandi")

    with transaction.atomic():
        email = email_queue(
            recipient=person,
            kind="integration",
            key="worker-delivery",
            subject="Your circle meets on Thursday",
            template="email/notification",
            context={"title": "Your circle meets on Thursday", "body": "Bring one question.", "url": "/circles/"},
        )

    sent = live_worker.wait_for(
        lambda: OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.SENT).first(),
        what="the OutboundEmail row to be sent",
    )
    assert sent.attempts == 1
    assert sent.sent_at is not None
    files = list(live_worker.mail_dir.iterdir())
    assert len(files) == 1
    message = files[0].read_text()
    assert "To: thandi.worker@example.org" in message
    assert "Subject: [SayPro] Your circle meets on Thursday" in message
    assert "Bring one question." in message


def test_worker_records_a_heartbeat_when_it_starts(live_worker):
    """So the dashboard does not warn "not seen yet" in the minutes before beat's first heartbeat."""
    from django.utils import timezone

    from saypro import dashboard

    row = live_worker.wait_for(
        lambda: JobHeartbeat.objects.filter(name="core.heartbeat_task", last_ok=True).first(),
        what="the worker's start heartbeat",
    )
    jobs = dashboard.job_health(now=timezone.now())
    assert (row.last_result, jobs["worker_stale"]) == ("worker started", False)
