"""The outbox against a real LRS (Ralph, started by tests/xapi/conftest.py): send, read back, retry, void."""

import datetime as dt
import json
import socket

import pytest
from django.utils import timezone

from saypro.core.models import JobHeartbeat
from saypro.core.personal_data import personal_data_erase, personal_data_export
from saypro.xapi import lrs
from saypro.xapi.models import Statement
from saypro.xapi.services import backoff_after, statement_record, statements_send_batch
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def record(person, n: int, *, event: str = "tried") -> None:
    for i in range(n):
        statement_record(
            event=event,
            key=f"reflections.reflection:{9000 + i}:tried",
            actor=person,
            path=f"/reflections/{9000 + i}/",
            name=f"Reflection {i}",
            when=timezone.now() - dt.timedelta(hours=i),
        )


def stored_ids() -> list[str]:
    return [s["id"] for s in lrs.statements_get(limit="500")]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_batch_is_sent_and_read_back_from_the_lrs(ralph, employee):
    record(employee, 3)
    expected = {row.statement_id: row.payload for row in Statement.objects.all()}

    outcome = statements_send_batch(limit=2)
    assert outcome == {"sent": 2, "failed": 0, "configured": True}
    assert statements_send_batch(limit=2) == {"sent": 1, "failed": 0, "configured": True}

    stored = {s["id"]: s for s in lrs.statements_get()}
    assert sorted(stored) == sorted(str(i) for i in expected)
    for statement_id, payload in expected.items():
        got = stored[str(statement_id)]
        for field in ("actor", "verb", "object"):
            assert got[field] == payload[field]
        assert dt.datetime.fromisoformat(got["timestamp"]) == dt.datetime.fromisoformat(payload["timestamp"])
    rows = list(Statement.objects.values_list("sent_at", "attempts", "last_error"))
    assert all(sent_at is not None and attempts == 1 and error == "" for sent_at, attempts, error in rows)
    assert statements_send_batch() == {"sent": 0, "failed": 0, "configured": True}


def test_a_retry_after_a_lost_answer_never_duplicates(ralph, employee):
    record(employee, 2)
    statements_send_batch()
    # The LRS stored the batch but its answer was lost: the rows look unsent and go again.
    Statement.objects.update(sent_at=None)

    assert statements_send_batch()["sent"] == 2
    ids = stored_ids()
    assert len(ids) == 2 and len(set(ids)) == 2


def test_a_conflicting_statement_already_stored_counts_as_accepted_and_the_rest_of_the_batch_goes(ralph, employee):
    record(employee, 2)
    first, second = Statement.objects.order_by("pk")
    # The same id, stored earlier with other content (a portal that imported the log's file).
    lrs.statements_post(statements=[{**first.payload, "object": {**first.payload["object"], "id": "http://x/y"}}])

    assert statements_send_batch() == {"sent": 2, "failed": 0, "configured": True}
    assert sorted(stored_ids()) == sorted([str(first.statement_id), str(second.statement_id)])


def test_an_lrs_down_keeps_the_rows_with_a_growing_back_off_then_delivers_them(ralph, settings, employee):
    record(employee, 2)
    working = settings.XAPI_LRS_ENDPOINT
    settings.XAPI_LRS_ENDPOINT = f"http://127.0.0.1:{closed_port()}/xAPI"
    start = timezone.now()

    assert statements_send_batch(now=start) == {"sent": 0, "failed": 2, "configured": True}
    row = Statement.objects.first()
    assert (row.attempts, row.sent_at, row.next_attempt_at) == (1, None, start + dt.timedelta(minutes=1))
    assert "could not be reached" in row.last_error
    # Not due again before its back-off ends; then the wait doubles.
    assert statements_send_batch(now=start + dt.timedelta(seconds=30))["failed"] == 0
    later = start + dt.timedelta(minutes=1)
    statements_send_batch(now=later)
    row.refresh_from_db()
    assert (row.attempts, row.next_attempt_at) == (2, later + dt.timedelta(minutes=2))
    assert [backoff_after(n) for n in (1, 2, 3, 7, 30)] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 60, 60)]

    # A day later the LRS is back: everything goes, nothing was lost.
    settings.XAPI_LRS_ENDPOINT = working
    assert statements_send_batch(now=start + dt.timedelta(days=1))["sent"] == 2
    assert len(stored_ids()) == 2
    assert list(Statement.objects.values_list("last_error", flat=True)) == ["", ""]


def test_a_statement_the_lrs_refuses_keeps_its_answer_and_does_not_hold_back_the_batch(ralph, employee):
    record(employee, 3)
    bad = Statement.objects.order_by("pk")[1]
    bad.payload = {**bad.payload, "verb": {"display": {"en-GB": "no id"}}}  # not a valid statement
    bad.save(update_fields=["payload"])

    assert statements_send_batch() == {"sent": 2, "failed": 1, "configured": True}
    bad.refresh_from_db()
    assert bad.sent_at is None and bad.attempts == 1
    assert bad.last_error.startswith('The LRS answered 422: {"detail":')
    assert len(stored_ids()) == 2


def test_without_an_lrs_nothing_is_sent_and_the_outbox_still_fills(settings, employee):
    settings.XAPI_LRS_ENDPOINT = ""
    record(employee, 1)

    assert statements_send_batch() == {"sent": 0, "failed": 0, "configured": False}
    assert Statement.objects.filter(sent_at__isnull=True).count() == 1


def test_erasure_voids_sent_statements_at_the_lrs_and_drops_unsent_ones(ralph, employee, other_employee):
    record(employee, 2)
    record(other_employee, 1)
    statements_send_batch()
    sent_ids = [str(i) for i in Statement.objects.filter(actor=employee).values_list("statement_id", flat=True)]
    record(employee, 3)  # the third is new and never sent
    assert [s["event"] for s in personal_data_export(person=employee)["xapi"]["xapi_statements"]] == ["tried"] * 3

    personal_data_erase(person=employee, by=employee)
    assert statements_send_batch()["sent"] == 2

    voiding = [s for s in lrs.statements_get() if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"]
    assert sorted(s["object"]["id"] for s in voiding) == sorted(sent_ids)
    assert all(s["object"]["objectType"] == "StatementRef" for s in voiding)
    assert all(s["actor"]["account"]["name"] == "platform" for s in voiding)
    # The outbox no longer holds anything about the person: their rows carry only their ids.
    assert not Statement.objects.filter(actor=employee).exists()
    outbox = json.dumps(list(Statement.objects.values_list("payload", flat=True)))
    assert f'"name": "{employee.pk}"' not in outbox
    assert f'"name": "{other_employee.pk}"' in outbox
    assert Statement.objects.filter(voided=True).count() == 2
    assert personal_data_export(person=employee)["xapi"] == {"xapi_statements": []}


@pytest.fixture
def ralph_in_environment(ralph, monkeypatch):
    """The LRS settings in the environment, where a worker process started after this reads them."""
    monkeypatch.setenv("XAPI_LRS_ENDPOINT", ralph.endpoint)
    monkeypatch.setenv("XAPI_LRS_KEY", "saypro")
    monkeypatch.setenv("XAPI_LRS_SECRET", "lrs-test-secret")
    return ralph


def test_the_celery_task_sends_through_a_real_worker(ralph_in_environment, live_worker):
    """The beat job's task, run by a worker process with the LRS settings from its environment."""
    from saypro.xapi.tasks import statements_send_task

    worker = live_worker
    person = UserFactory()
    record(person, 2)

    statements_send_task.delay()

    worker.wait_for(
        lambda: not Statement.objects.filter(sent_at__isnull=True).exists(), what="the statements to be sent"
    )
    assert len(stored_ids()) == 2
    heartbeat = worker.wait_for(
        lambda: JobHeartbeat.objects.filter(name="xapi.statements_send_task", last_ok=True).first(),
        what="the job's heartbeat",
    )
    assert heartbeat.last_result == "2 sent, 0 waiting after an error"
