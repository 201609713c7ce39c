"""Reminders with a real Celery worker: two runs through Redis at once (and one here) send nothing twice.

Run with PostgreSQL and Redis, e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro_feedback \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/6 .venv/bin/python -m pytest tests/feedback/test_integration.py
"""

import datetime as dt
import threading
from email import message_from_string
from email.header import decode_header, make_header

import pytest
from django.db import connection
from django.utils import timezone

from feedback import services
from feedback.tasks import session_reminders_send_task
from saypro.core.models import Enrolment, OutboundEmail
from tests.factories import ModuleFactory, UserFactory
from tests.factories.feedback import FeedbackSessionFactory, InvitationFactory


def sent_subjects(mail_dir) -> list[str]:
    """The decoded subjects of every message the worker's file backend wrote."""
    separator = "\n" + "-" * 79 + "\n"
    subjects = []
    for path in mail_dir.iterdir():
        for raw in path.read_text(errors="replace").split(separator):
            if raw.strip():
                subjects.append(str(make_header(decode_header(message_from_string(raw)["Subject"]))))
    return subjects


KINDS = ("session_day_reminder", "session_hour_reminder", "session_scheduled")


def session_for(people, *, starts_in, title):
    session = FeedbackSessionFactory(
        module=ModuleFactory(title=title), starts_at=timezone.now().replace(microsecond=0) + starts_in
    )
    for person in people:
        Enrolment.objects.create(person=person, module=session.module)
        InvitationFactory(session=session, person=person)
    return session


@pytest.mark.integration
def test_reminder_job_run_twice_concurrently_through_the_worker_sends_each_email_once(live_worker):
    people = UserFactory.create_batch(5)
    tomorrow = session_for(people, starts_in=dt.timedelta(hours=20), title="Delegation")
    in_an_hour = session_for(people, starts_in=dt.timedelta(minutes=50), title="Coaching")

    # Two runs queued through Redis at the same moment (beat and a redelivery after a lost
    # worker would do that) and a third run in this process, racing them for the same rows.
    results = []

    def run_here():
        try:
            results.append(services.session_reminders_send())
        finally:
            connection.close()

    runner = threading.Thread(target=run_here)
    session_reminders_send_task.delay()
    session_reminders_send_task.delay()
    runner.start()
    runner.join(timeout=120)

    def all_sent():
        emails = OutboundEmail.objects.filter(kind__in=KINDS)
        return emails.count() == 20 and not emails.exclude(status=OutboundEmail.Status.SENT).exists()

    live_worker.wait_for(all_sent, timeout=90, what="twenty e-mails to be sent")
    live_worker.wait_for(
        lambda: live_worker.log().count("feedback.session_reminders_send_task") >= 4,
        timeout=60,
        what="both reminder runs in the worker to finish",
    )
    rows = sorted(OutboundEmail.objects.filter(kind__in=KINDS).values_list("recipient_id", "kind", "key", "status"))
    expected = []
    for person in people:
        expected += [
            (
                person.pk,
                "session_day_reminder",
                f"feedback-session:{tomorrow.pk}:{tomorrow.starts_at.isoformat()}:day",
                "sent",
            ),
            (
                person.pk,
                "session_hour_reminder",
                f"feedback-session:{in_an_hour.pk}:{in_an_hour.starts_at.isoformat()}:hour",
                "sent",
            ),
            (person.pk, "session_scheduled", f"feedback-session:{tomorrow.pk}:invite:0", "sent"),
            (person.pk, "session_scheduled", f"feedback-session:{in_an_hour.pk}:invite:0", "sent"),
        ]
    assert rows == sorted(expected)
    subjects = sent_subjects(live_worker.mail_dir)
    assert len(subjects) == 20
    assert sum(s.startswith("[SayPro] Tomorrow: Feedback session: Delegation") for s in subjects) == 5
    assert sum(s.startswith("[SayPro] In an hour: Feedback session: Coaching") for s in subjects) == 5
    assert sum(results) <= 10
    # A further run, as after a retry, adds nothing.
    assert services.session_reminders_send() == 0
    assert OutboundEmail.objects.filter(kind__in=KINDS).count() == 20
