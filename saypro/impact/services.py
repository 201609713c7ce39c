"""Building monthly snapshots and their PDF."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from saypro.core import roles
from saypro.core.models import AuditEntry, User
from saypro.core.services import audit_record, notify, submitted_once, task_enqueue

from .figures import collect_figures
from .models import Figure, Snapshot
from .months import month_bounds

logger = logging.getLogger(__name__)

# How long a build or a PDF rendering may go without a sign of life before the sweep takes
# it over; both far longer than a normal run (the build reports after each figure group).
BUILD_LEASE = timedelta(minutes=15)
BUILD_MAX_ATTEMPTS = 3
PDF_LEASE = timedelta(minutes=10)
PDF_MAX_ATTEMPTS = 3

Progress = Callable[[int, str], None]


def snapshot_build(
    *,
    month: date,
    by: User | None = None,
    reason: str = "",
    rebuild: bool = False,
    progress: Progress | None = None,
) -> tuple[Snapshot, bool]:
    """Build the snapshot of a month; return it and whether this call built it.

    Without `rebuild` a month that already has a snapshot is left alone (idempotent: the
    scheduled job may run twice). A rebuild stores a new version and keeps the old ones;
    the (month, version) constraint means two concurrent builds produce one version.
    Side effects: figures stored, an audit entry for a rebuild, managers notified by
    e-mail and in the app once the snapshot is ready.
    """
    month = month.replace(day=1)
    if rebuild and not reason.strip():
        raise ValueError("A rebuild needs a reason.")
    latest = Snapshot.objects.filter(month=month).order_by("-version").first()
    # A failed build does not count as the month's snapshot: the next scheduled run builds again.
    if latest is not None and not rebuild and latest.status != Snapshot.Status.FAILED:
        return latest, False
    # Derived from the same read as the check above: two first builds both aim at version 1,
    # and the unique constraint lets exactly one of them have it.
    version = (latest.version if latest else 0) + 1
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                month=month,
                version=version,
                requested_by=by,
                reason=reason.strip(),
                time_zone=settings.TIME_ZONE,
                heartbeat_at=timezone.now(),
            )
    except IntegrityError:
        # Another build of this month won the race; its version is the result.
        return Snapshot.objects.filter(month=month).latest("version"), False

    def report(percent: int, step: str) -> None:
        Snapshot.objects.filter(pk=snapshot.pk).update(progress=percent, heartbeat_at=timezone.now())
        if progress:
            progress(percent, step)

    start, end = month_bounds(month)
    try:
        cells = collect_figures(start=start, end=end, progress=report)
        with transaction.atomic():
            Figure.objects.bulk_create([Figure(snapshot=snapshot, **cell) for cell in cells], batch_size=1000)
            snapshot.status = Snapshot.Status.READY
            snapshot.progress = 100
            snapshot.built_at = timezone.now()
            snapshot.save(update_fields=["status", "progress", "built_at"])
            if rebuild:
                audit_record(actor=by, action="snapshot.rebuild", target=snapshot, reason=reason)
            transaction.on_commit(lambda: snapshot_notify_managers(snapshot=snapshot))
    except Exception as exc:
        Snapshot.objects.filter(pk=snapshot.pk).update(status=Snapshot.Status.FAILED, error=str(exc)[:5000])
        raise
    if progress:
        progress(100, "done")
    return snapshot, True


def snapshot_rebuild_request(*, month: date, by: User, reason: str, submission_token: uuid.UUID | None = None) -> bool:
    """An officer asks for a month to be rebuilt; returns False for a repeated submit (nothing done).

    The same `submission_token` twice (a double click) asks once, so one new version is built
    and the managers are told once. The build runs in a worker, or here when the broker
    cannot be reached. Side effects: an audit entry of the request; the build's own.
    """
    from .tasks import snapshot_build_task

    def create() -> AuditEntry:
        return audit_record(
            actor=by, action="snapshot.rebuild_requested", reason=reason, data={"month": f"{month:%Y-%m}"}
        )

    with transaction.atomic():
        _, asked = submitted_once(person=by, token=submission_token, create=create)
    if asked and not task_enqueue(
        snapshot_build_task, month=f"{month:%Y-%m}", rebuild=True, by_id=by.pk, reason=reason
    ):
        # The job queue is down: build here rather than drop the officer's request.
        snapshot_build(month=month, by=by, reason=reason, rebuild=True)
    return asked


def snapshot_notify_managers(*, snapshot: Snapshot) -> int:
    """Tell every manager that a month's report is ready, with its headline. Once per version."""
    from .selectors import snapshot_headlines

    headlines = snapshot_headlines(snapshot=snapshot)
    url = reverse("impact:report", kwargs={"month": f"{snapshot.month:%Y-%m}"})
    managers = User.objects.filter(groups=Group.objects.get(name=roles.MANAGER), is_active=True)
    sent = 0
    for manager in managers:
        sent += notify(
            recipient=manager,
            kind="impact_report",
            key=f"snapshot:{snapshot.month:%Y-%m}:v{snapshot.version}",
            title=f"Impact report for {snapshot.month:%B %Y} is ready",
            body="\n".join(headlines),
            url=url,
            email_template="email/notification",
        )
    return sent


def snapshot_pdf_request(*, snapshot: Snapshot) -> str:
    """Ask for a snapshot's PDF: queue its rendering unless it is ready or on its way; returns the status.

    A failed publish is not ignored: the status becomes "failed" with a reason, and the
    page offers "Try again" instead of "Preparing the PDF…" forever.
    """
    from .tasks import snapshot_pdf_task

    waiting = Snapshot.objects.filter(pk=snapshot.pk).exclude(pdf_status__in=["ready", "rendering", "queued"])
    asked = waiting.update(pdf_status="queued", pdf_claimed_at=timezone.now(), pdf_attempts=0, pdf_error="")
    if asked and not task_enqueue(snapshot_pdf_task, snapshot_id=snapshot.pk):
        Snapshot.objects.filter(pk=snapshot.pk, pdf_status="queued").update(
            pdf_status="failed", pdf_error="The background worker could not be reached."
        )
    return Snapshot.objects.values_list("pdf_status", flat=True).get(pk=snapshot.pk)


def snapshot_pdf_render(*, snapshot: Snapshot) -> bytes:
    """Render the report as PDF (with its charts) and cache it on the snapshot version.

    Claims the rendering first, so a second delivery of the task renders nothing while a
    live worker holds the lease; a rendering whose lease expired (its worker died) is taken
    over. Side effects: the PDF and its status on the snapshot; on failure, the reason.
    """
    from .pdf import report_pdf

    if snapshot.pdf:
        return bytes(snapshot.pdf)
    now = timezone.now()
    claim = Q(pdf_status__in=["", "queued", "failed"]) | Q(pdf_status="rendering", pdf_claimed_at__lt=now - PDF_LEASE)
    if not Snapshot.objects.filter(claim, pk=snapshot.pk).update(
        pdf_status="rendering", pdf_claimed_at=now, pdf_attempts=F("pdf_attempts") + 1
    ):
        return b""
    try:
        data = report_pdf(snapshot=snapshot)
    except Exception as exc:
        Snapshot.objects.filter(pk=snapshot.pk).update(pdf_status="failed", pdf_error=str(exc)[:255])
        raise
    Snapshot.objects.filter(pk=snapshot.pk).update(pdf=data, pdf_status="ready", pdf_error="")
    return data


def snapshot_leases_sweep(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Take over snapshot builds and PDFs whose worker died or whose message was lost.

    A build silent for BUILD_LEASE is marked failed (its figures were never stored: they are
    written in one transaction at the end); a scheduled build (no one asked for it) is queued
    again, up to BUILD_MAX_ATTEMPTS failed versions a month, while a requested rebuild waits
    for the officer's "Rebuild". A PDF queued or rendering past PDF_LEASE is queued again up
    to PDF_MAX_ATTEMPTS, then marked failed, and the manager's page offers "Try again".
    Returns the ids acted on, by what was done.
    """
    from .tasks import snapshot_build_task, snapshot_pdf_task

    now = now or timezone.now()
    stalled = Snapshot.objects.filter(status=Snapshot.Status.BUILDING, heartbeat_at__lt=now - BUILD_LEASE)
    failed_builds = list(stalled.values_list("pk", "month", "requested_by_id"))
    Snapshot.objects.filter(pk__in=[pk for pk, _, _ in failed_builds], status=Snapshot.Status.BUILDING).update(
        status=Snapshot.Status.FAILED, error="The build stopped before finishing (its worker was lost)."
    )
    rebuilt: list[int] = []
    for pk, month, requested_by in failed_builds:
        tries = Snapshot.objects.filter(month=month, status=Snapshot.Status.FAILED).count()
        if requested_by is None and tries < BUILD_MAX_ATTEMPTS:
            task_enqueue(snapshot_build_task, month=f"{month:%Y-%m}")
            rebuilt.append(pk)
    expired = Snapshot.objects.filter(pdf_status__in=["queued", "rendering"], pdf_claimed_at__lt=now - PDF_LEASE)
    given_up = list(expired.filter(pdf_attempts__gte=PDF_MAX_ATTEMPTS).values_list("pk", flat=True))
    Snapshot.objects.filter(pk__in=given_up).update(
        pdf_status="failed", pdf_error=f"Rendering stopped {PDF_MAX_ATTEMPTS} times before finishing."
    )
    requeued = list(expired.exclude(pk__in=given_up).values_list("pk", flat=True))
    Snapshot.objects.filter(pk__in=requeued).update(pdf_status="queued", pdf_claimed_at=now)
    for pk in requeued:
        task_enqueue(snapshot_pdf_task, snapshot_id=pk)
    return {"builds_failed": [pk for pk, _, _ in failed_builds], "builds_queued": rebuilt, "pdfs_queued": requeued,
            "pdfs_failed": given_up}  # fmt: skip
