"""The upload page's side of the import: an OrgImport row holds the file, its progress and its report."""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.utils import timezone

from saypro.core.models import OrgImport, User
from saypro.core.services import task_enqueue

from .applying import ImportSummary, org_import_apply
from .parsing import RowError, org_import_parse

logger = logging.getLogger(__name__)

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


def org_import_run(*, org_import_id: int) -> str:
    """Run one queued import; safe to call twice: only the caller that moves it from queued runs it.

    Side effects: the OrgImport row's status, progress, counts and report; the import itself.
    Progress is written outside the import's transaction so the upload page can show it.
    """
    claimed = OrgImport.objects.filter(pk=org_import_id, status=OrgImport.Status.QUEUED).update(
        status=OrgImport.Status.RUNNING
    )
    if not claimed:
        return "skipped"
    org_import = OrgImport.objects.select_related("uploaded_by").get(pk=org_import_id)
    parsed = org_import_parse(content=bytes(org_import.content))
    OrgImport.objects.filter(pk=org_import_id).update(rows_total=parsed.row_count)

    def progress(done: int, total: int) -> None:
        OrgImport.objects.filter(pk=org_import_id).update(rows_done=done, rows_total=total)

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
