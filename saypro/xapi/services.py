"""Writes of the xAPI outbox: record a learning event, send due statements, void a person's statements.

The activity apps call `statement_record` inside the transaction that makes the event, so the
statement exists exactly when the event does (one INSERT, ignored when the same event was
recorded before). `statements_send_batch` is the only code that talks to the LRS.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from saypro.core.models import User

from . import lrs
from .models import Statement
from .statements import LOG_EVENTS, log_entry_statement, statement_build, statement_id_for, voiding_statement_build

logger = logging.getLogger(__name__)

BATCH_SIZE = 100
# The wait before the next try grows with each failed attempt: 1, 2, 4, … minutes, at most an
# hour, so an LRS down for a day is tried about 30 times and everything goes once it is back.
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
ERROR_MAX_CHARS = 2000


def backoff_after(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def statement_record(
    *,
    event: str,
    key: str,
    actor: User,
    path: str,
    name: str,
    when: datetime,
    module=None,
    result: dict | None = None,
) -> None:
    """Put a learning event's statement in the outbox; the same event recorded again changes nothing.

    Call it inside the transaction that makes the event. Side effect: one INSERT (ignored on
    a conflicting statement id), nothing else; the periodic job sends it.
    """
    payload = statement_build(
        event=event, key=key, actor_id=actor.pk, path=path, name=name, when=when, module=module, result=result
    )
    Statement.objects.bulk_create(
        [Statement(statement_id=payload["id"], event=event, actor=actor, payload=payload)], ignore_conflicts=True
    )


def statements_record_many(
    *, event: str, rows: Iterable[tuple[str, User | int]], path: str, name: str, when: datetime, module=None
) -> None:
    """One event for several people at once (everyone who attended), as one INSERT.

    `rows` are (key, person or person id) pairs.
    """
    statements = []
    for key, person in rows:
        person_id = person if isinstance(person, int) else person.pk
        payload = statement_build(
            event=event, key=key, actor_id=person_id, path=path, name=name, when=when, module=module
        )
        statements.append(Statement(statement_id=payload["id"], event=event, actor_id=person_id, payload=payload))
    if statements:
        Statement.objects.bulk_create(statements, ignore_conflicts=True)


def statements_backfill(*, person: User) -> int:
    """Put in the outbox the statements of the person's learning log events made before recording began.

    For a platform that ran before xAPI was switched on (and the demo, seeded without the
    services): each learning log entry that is a recorded event gets the statement the service
    would have written (same id, so nothing is doubled; without the module context, which the
    log does not carry). Returns how many were new.
    """
    from saypro.core.learning_log import learning_log_gather

    statements = []
    for entry in learning_log_gather(person=person):
        event = LOG_EVENTS.get((entry.kind, entry.verb))
        if event is None:
            continue
        payload = log_entry_statement(person_id=person.pk, entry=entry)
        statements.append(Statement(statement_id=payload["id"], event=event, actor=person, payload=payload))
    before = Statement.objects.filter(actor=person).count()
    Statement.objects.bulk_create(statements, ignore_conflicts=True)
    return Statement.objects.filter(actor=person).count() - before


def _void(rows: list[Statement], *, now: datetime) -> dict:
    """Take statements back: unsent ones are deleted, sent ones get a voiding statement queued.

    The voided rows keep only their id (the LRS knows them by it); their payload and actor go.
    """
    unsent = [row.pk for row in rows if row.sent_at is None]
    sent = [row for row in rows if row.sent_at is not None]
    deleted = Statement.objects.filter(pk__in=unsent).delete()[0] if unsent else 0
    voiding = []
    for row in sent:
        payload = voiding_statement_build(statement_id=row.statement_id, when=now)
        voiding.append(Statement(statement_id=payload["id"], event="voided", actor=None, payload=payload))
    if voiding:
        Statement.objects.bulk_create(voiding, ignore_conflicts=True)
        Statement.objects.filter(pk__in=[row.pk for row in sent]).update(
            voided=True, actor=None, payload={"id": None}, last_error=""
        )
    return {"statements_deleted": deleted, "statements_voided": len(sent)}


def statement_retract(*, event: str, keys: Iterable[tuple[str, int]]) -> dict:
    """An event taken back (marked present, then absent): its statements are deleted or voided.

    `keys` are (key, person id) pairs as given to `statement_record`. Runs in the caller's
    transaction (no query at all when `keys` is empty).
    """
    ids = [statement_id_for(event=event, key=key, actor_id=person_id) for key, person_id in keys]
    if not ids:
        return {"statements_deleted": 0, "statements_voided": 0}
    with transaction.atomic(savepoint=False):
        rows = list(Statement.objects.select_for_update().filter(statement_id__in=ids, voided=False))
        return _void(rows, now=timezone.now())


def statements_void_for(*, person: User) -> dict:
    """Every statement about `person` is voided (sent) or deleted (not sent yet); runs in the caller's transaction."""
    rows = list(Statement.objects.select_for_update().filter(actor=person, voided=False))
    return _void(rows, now=timezone.now())


def statements_send_batch(*, limit: int = BATCH_SIZE, now: datetime | None = None) -> dict:
    """Send up to `limit` due statements to the LRS in one request and remember the outcome.

    Accepted (or already stored there, which a retry after a lost answer meets) → sent_at is
    stamped and they are never sent again. Refused or unreachable → the batch waits with a
    growing back-off (see `backoff_after`) and keeps its error for the officer's job health.
    Rows are claimed with SKIP LOCKED, so two workers never send the same batch at once.
    Returns counts; sends nothing while no LRS is configured.
    """
    if not settings.XAPI_LRS_ENDPOINT:
        return {"sent": 0, "failed": 0, "configured": False}
    now = now or timezone.now()
    with transaction.atomic():
        due = Statement.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now).order_by("created_at", "pk")
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due[:limit])
        if not rows:
            return {"sent": 0, "failed": 0, "configured": True}
        accepted, failed = _post(rows)
        for row, message in failed:
            row.attempts += 1
            row.next_attempt_at = now + backoff_after(row.attempts)
            row.last_error = message[:ERROR_MAX_CHARS]
        if failed:
            Statement.objects.bulk_update([row for row, _ in failed], ["attempts", "next_attempt_at", "last_error"])
            logger.warning("LRS refused or unreachable; %d statements wait: %s", len(failed), failed[0][1])
        if accepted:
            Statement.objects.filter(pk__in=[row.pk for row in accepted]).update(
                sent_at=timezone.now(), last_error="", attempts=F("attempts") + 1
            )
    return {"sent": len(accepted), "failed": len(failed), "configured": True}


def _post(rows: list[Statement]) -> tuple[list[Statement], list[tuple[Statement, str]]]:
    """POST the rows as one batch: (accepted rows, failed rows with the error).

    When the LRS refuses the batch for its content, each row is sent alone, so one statement it
    will never take does not hold back the others sent with it.
    """
    try:
        lrs.statements_post(statements=[row.payload for row in rows])
    except lrs.LrsRefused as error:
        if len(rows) == 1:
            return [], [(rows[0], str(error))]
        accepted, failed = [], []
        for row in rows:
            one_accepted, one_failed = _post([row])
            accepted += one_accepted
            failed += one_failed
        return accepted, failed
    except lrs.LrsError as error:
        return [], [(row, str(error)) for row in rows]
    return rows, []
    return {"sent": len(rows), "failed": 0, "configured": True}


def statements_send_due(*, limit: int = BATCH_SIZE, batches: int = 20) -> dict:
    """Send batches until nothing is due, a batch fails, or `batches` were sent (the job's one run)."""
    total = {"sent": 0, "failed": 0}
    for _ in range(batches):
        outcome = statements_send_batch(limit=limit)
        total["sent"] += outcome["sent"]
        total["failed"] += outcome["failed"]
        if outcome["failed"] or outcome["sent"] < limit:
            break
    return total
