"""The commitment nudge through a real Celery worker: sent once, however many runs race."""

import email
import email.policy
import threading

import pytest
from django.db import connection
from django.utils import timezone

from reflections import services
from reflections.models import Adoption, Reflection
from reflections.tasks import commitment_nudges_send_task
from saypro.core.models import Notification, OutboundEmail
from tests.factories import UserFactory
from tests.factories.reflections import ReflectionFactory


@pytest.mark.integration
def test_nudge_through_worker_twice_and_here_at_once_sends_one_email(live_worker):
    author, person = UserFactory(), UserFactory()
    reflection = ReflectionFactory(
        author=author, state=Reflection.State.VALIDATED, visibility=Reflection.Visibility.COLLEAGUES
    )
    commitment = services.commitment_make(reflection=reflection, by=person, text="Try the walking one-to-one")
    Adoption.objects.filter(pk=commitment.pk).update(commitment_due=timezone.localdate())

    # Two runs through the broker (beat and a retry) and one in this process, started together.
    results = []

    def run_here():
        try:
            results.append(services.commitment_nudges_send())
        finally:
            connection.close()  # this thread's own connection, so the test database can be dropped

    runner = threading.Thread(target=run_here)
    commitment_nudges_send_task.delay()
    runner.start()
    commitment_nudges_send_task.delay()
    runner.join(timeout=60)

    live_worker.wait_for(
        lambda: OutboundEmail.objects.filter(kind="commitment_reminder", status=OutboundEmail.Status.SENT).exists(),
        timeout=60,
        what="the nudge e-mail to be sent",
    )
    live_worker.wait_for(
        lambda: live_worker.log().count("reflections.commitment_nudges_send_task") >= 4,
        what="both nudge runs in the worker to finish",
    )
    assert OutboundEmail.objects.filter(kind="commitment_reminder").count() == 1
    assert Notification.objects.filter(recipient=person, kind="commitment_reminder").count() == 1
    messages = "".join(path.read_text(errors="replace") for path in live_worker.mail_dir.iterdir())
    assert messages.count("Message-ID:") == 1
    sent = email.message_from_string(messages.split("\n---------")[0], policy=email.policy.default)
    assert sent["Subject"].strip() == "[SayPro] Did you try it? “Try the walking one-to-one”"
    assert messages.count("/reflections/commitments/answer/") >= 3
    assert sum(results) <= 1
    # A further run, as after a retry, adds nothing.
    assert services.commitment_nudges_send() == 0
