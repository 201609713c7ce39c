"""The upload page's side of the import: an OrgImport row holds the file, its progress and its report."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from saypro.core.models import OrgImport, User
from saypro.core.services import task_enqueue

from .applying import ImportSummary, org_import_apply
from .parsing import RowError, org_import_parse

logger = logging.getLogger(__name__)

# How long a running import's worker may stay silent (it reports every few hundred rows)
# before another may take over, and how long a queued one may wait for a worker before its
# message counts as lost. Both far above normal, so a slow import is never run twice at once.
ORG_IMPORT_LEASE = timedelta(minutes=10)
ORG_IMPORT_QUEUE_GRACE = timedelta(minutes=5)
ORG_IMPORT_MAX_ATTEMPTS = 3

# Files with fewer rows than this are imported inside the upload request: instant feedback,
# and a quick fix-and-retry does not wait for a worker.
SYNC_ROW_LIMIT = 500


def _row_estimate(content: bytes) -> int:
    return content.count(b"\n")


def org_import_queue(*, by: User, filename: str, content: bytes, dry_run: bool) -> OrgImport:
    """Record an uploaded file and import it: now if it is small, else through a worker.

    Side effects: an OrgImport row holding the file; for a small file the import itself (see
    `org_import_apply`); for a larger one the task `core.org_import_task`, queued after commit.
    """
    org_import = OrgImport.objects.create(uploaded_by=by, filename=filename[:255], content=content, dry_run=dry_run)
    if _row_estimate(content) < SYNC_ROW_LIMIT:
        org_import_run(org_import_id=org_import.pk)
        org_import.refresh_from_db()
    else:
        transaction.on_commit(lambda: _enqueue(org_import_id=org_import.pk))
    return org_import


def _enqueue(*, org_import_id: int) -> None:
    from saypro.core.tasks import org_import_task

    if not task_enqueue(org_import_task, org_import_id=org_import_id):
        # Nothing sweeps imports up later: say so now rather than leave the page waiting.
        _finish(
            org_import_id,
            ImportSummary(
                errors=[RowError(0, "", "The background worker could not be reached; nothing was written. Try again.")]
            ),
        )


def _finish(org_import_id: int, summary: ImportSummary) -> None:
    OrgImport.objects.filter(pk=org_import_id).update(
        status=OrgImport.Status.REFUSED if summary.refused else OrgImport.Status.DONE,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        errors=[error.as_dict() for error in summary.errors],
        finished_at=timezone.now(),
    )


def _lease_expired(now: datetime) -> Q:
    return Q(status=OrgImport.Status.RUNNING, heartbeat_at__lt=now - ORG_IMPORT_LEASE)


def org_import_run(*, org_import_id: int) -> str:
    """Run one queued import; safe to call twice: only the caller that claims it runs it.

    A caller claims a queued import, or a running one whose lease expired (its worker died:
    the import's transaction rolled back with it, so nothing was half written), which is how
    a message redelivered after a worker was killed finishes the job instead of skipping it.
    Side effects: the OrgImport row's status, lease, progress, counts and report; the import
    itself. Progress is written outside the import's transaction so the upload page can show it.
    """
    now = timezone.now()
    claimed = (
        OrgImport.objects.filter(pk=org_import_id)
        .filter(Q(status=OrgImport.Status.QUEUED) | _lease_expired(now))
        .update(status=OrgImport.Status.RUNNING, claimed_at=now, heartbeat_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"
    org_import = OrgImport.objects.select_related("uploaded_by").get(pk=org_import_id)
    parsed = org_import_parse(content=bytes(org_import.content))
    OrgImport.objects.filter(pk=org_import_id).update(rows_total=parsed.row_count)

    def progress(done: int, total: int) -> None:
        OrgImport.objects.filter(pk=org_import_id).update(rows_done=done, rows_total=total, heartbeat_at=timezone.now())

    try:
        summary = org_import_apply(
            parsed=parsed,
            by=org_import.uploaded_by,
            dry_run=org_import.dry_run,
            progress=progress,
            source=org_import.filename,
        )
    except DatabaseError:
        # Someone changed the same people while this ran (or the database failed): the
        # transaction rolled back, so nothing was written, and the officer can run it again.
        logger.exception("Org import %s failed while writing", org_import_id)
        summary = ImportSummary(
            errors=[
                RowError(
                    0, "", "The organisation changed while this file was imported; nothing was written. Try again."
                )
            ]
        )
    _finish(org_import_id, summary)
    return "refused" if summary.refused else summary.counts()


def org_import_sweep(*, now: datetime | None = None) -> list[int]:
    """Take over imports left behind by a lost message or a dead worker; returns the ids re-queued.

    A queued import nobody claimed for ORG_IMPORT_QUEUE_GRACE is queued again (duplicate
    messages are harmless: one claims it). A running one whose lease expired is queued again
    until it has been tried ORG_IMPORT_MAX_ATTEMPTS times, then refused with a reason, and the
    officer can run it again from its page.
    """
    now = now or timezone.now()
    lost = Q(status=OrgImport.Status.QUEUED, created_at__lt=now - ORG_IMPORT_QUEUE_GRACE) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - ORG_IMPORT_QUEUE_GRACE)
    )
    gave_up = list(
        OrgImport.objects.filter(_lease_expired(now), attempts__gte=ORG_IMPORT_MAX_ATTEMPTS).values_list(
            "pk", flat=True
        )
    )
    for pk in gave_up:
        message = (
            f"The import stopped {ORG_IMPORT_MAX_ATTEMPTS} times before finishing; nothing was written. Run it again."
        )
        _finish(pk, ImportSummary(errors=[RowError(0, "", message)]))
    requeue = list(OrgImport.objects.filter(lost | _lease_expired(now)).values_list("pk", flat=True))
    from saypro.core.tasks import org_import_task

    # Marking it queued again lets the message claim it at once, without waiting for the lease.
    OrgImport.objects.filter(pk__in=requeue).filter(lost | _lease_expired(now)).update(
        status=OrgImport.Status.QUEUED, claimed_at=now
    )
    for pk in requeue:
        task_enqueue(org_import_task, org_import_id=pk)
    return requeue


def org_import_retry(*, org_import: OrgImport, by: User) -> OrgImport:
    """Run a refused import again (the officer's "Run it again"), as if it were just uploaded.

    Side effects: an audit entry; the import now (small file) or queued after commit.
    """
    from saypro.core.services import audit_record

    with transaction.atomic():
        reset = OrgImport.objects.filter(pk=org_import.pk, status=OrgImport.Status.REFUSED).update(
            status=OrgImport.Status.QUEUED, errors=[], finished_at=None, attempts=0, claimed_at=None,
            rows_done=0, created=0, updated=0, unchanged=0,
        )  # fmt: skip
        if reset:
            audit_record(actor=by, action="core.org_import_retry", target=org_import)
            if _row_estimate(bytes(org_import.content)) >= SYNC_ROW_LIMIT:
                transaction.on_commit(lambda: _enqueue(org_import_id=org_import.pk))
    if reset and _row_estimate(bytes(org_import.content)) < SYNC_ROW_LIMIT:
        org_import_run(org_import_id=org_import.pk)
    org_import.refresh_from_db()
    return org_import
