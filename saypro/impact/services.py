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

from saypro.core import fragments, roles
from saypro.core.models import AuditEntry, User
from saypro.core.services import audit_record, notify, submitted_once, task_enqueue

from .figures import collect_figures
from .models import Figure, ReportPdf, Snapshot
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
    notify_managers: bool = True,
) -> tuple[Snapshot, bool]:
    """Build the snapshot of a month; return it and whether this call built it.

    Without `rebuild` a month that already has a snapshot is left alone (idempotent: the
    scheduled job may run twice). A rebuild stores a new version and keeps the old ones;
    the (month, version) constraint means two concurrent builds produce one version.
    Side effects: figures stored, an audit entry for a rebuild, managers notified by
    e-mail and in the app once the snapshot is ready (unless `notify_managers` is false: the
    demo's past months were never news to anyone).
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
        fragments.changed("impact_history")
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
            if notify_managers:
                transaction.on_commit(lambda: snapshot_notify_managers(snapshot=snapshot))
    except Exception as exc:
        Snapshot.objects.filter(pk=snapshot.pk).update(status=Snapshot.Status.FAILED, error=str(exc)[:5000])
        fragments.changed("impact_history")
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


def snapshot_pdf_request(*, snapshot: Snapshot, department_ids: set[int] | None) -> ReportPdf:
    """Ask for the PDF of a snapshot for one scope; queue its rendering unless it is ready or on its way.

    A failed publish is not ignored: the row becomes "failed" with a reason, and the page offers
    "Try again" instead of "Preparing the PDF…" forever. A failed rendering is queued again.
    Side effects: a ReportPdf row (queued, its lease taken now) and the rendering job.
    """
    from .selectors import scope_key
    from .tasks import snapshot_pdf_task

    scope = scope_key(department_ids)
    now = timezone.now()
    pdf, created = ReportPdf.objects.get_or_create(snapshot=snapshot, scope=scope, defaults={"claimed_at": now})
    asked = created or ReportPdf.objects.filter(pk=pdf.pk, status=ReportPdf.Status.FAILED).update(
        status=ReportPdf.Status.QUEUED, requested_at=now, claimed_at=now, attempts=0, error=""
    )
    fragments.changed("impact_pdfs")
    if asked and not task_enqueue(snapshot_pdf_task, snapshot_id=snapshot.pk, scope=scope):
        ReportPdf.objects.filter(pk=pdf.pk, status=ReportPdf.Status.QUEUED).update(
            status=ReportPdf.Status.FAILED, error="The background worker could not be reached."
        )
        fragments.changed("impact_pdfs")
    return ReportPdf.objects.defer("pdf").get(pk=pdf.pk)


def snapshot_pdf_render(*, snapshot: Snapshot, department_ids: set[int] | None = None) -> bytes:
    """Render the report for one scope as PDF (with its charts) and keep it for that scope.

    A second call for the same snapshot version and scope returns the kept file. The rendering
    is claimed first, so a second delivery of the task renders nothing while a live worker holds
    the lease; a rendering whose lease expired (its worker died) is taken over. Side effects:
    the PDF and its status on the ReportPdf row; on failure, the reason.
    """
    from .pdf import report_pdf
    from .selectors import scope_key

    scope = scope_key(department_ids)
    pdf, _ = ReportPdf.objects.get_or_create(snapshot=snapshot, scope=scope)
    if pdf.status == ReportPdf.Status.READY and pdf.pdf:
        return bytes(pdf.pdf)
    now = timezone.now()
    claim = Q(status__in=[ReportPdf.Status.QUEUED, ReportPdf.Status.FAILED]) | Q(
        status=ReportPdf.Status.RENDERING, claimed_at__lt=now - PDF_LEASE
    )
    if not ReportPdf.objects.filter(claim, pk=pdf.pk).update(
        status=ReportPdf.Status.RENDERING, claimed_at=now, attempts=F("attempts") + 1
    ):
        return b""
    fragments.changed("impact_pdfs")
    try:
        data = report_pdf(snapshot=snapshot, department_ids=department_ids)
    except Exception as exc:
        ReportPdf.objects.filter(pk=pdf.pk).update(status=ReportPdf.Status.FAILED, error=str(exc)[:255])
        fragments.changed("impact_pdfs")
        raise
    ReportPdf.objects.filter(pk=pdf.pk).update(pdf=data, status=ReportPdf.Status.READY, error="")
    fragments.changed("impact_pdfs")
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
    if failed_builds:  # the sweep runs every few minutes: an idle one keeps the report's cache
        fragments.changed("impact_history")
    rebuilt: list[int] = []
    for pk, month, requested_by in failed_builds:
        tries = Snapshot.objects.filter(month=month, status=Snapshot.Status.FAILED).count()
        if requested_by is None and tries < BUILD_MAX_ATTEMPTS:
            task_enqueue(snapshot_build_task, month=f"{month:%Y-%m}")
            rebuilt.append(pk)
    waiting = [ReportPdf.Status.QUEUED, ReportPdf.Status.RENDERING]
    expired = ReportPdf.objects.filter(status__in=waiting).filter(
        Q(claimed_at__lt=now - PDF_LEASE) | Q(claimed_at__isnull=True, requested_at__lt=now - PDF_LEASE)
    )
    given_up = list(expired.filter(attempts__gte=PDF_MAX_ATTEMPTS).values_list("pk", flat=True))
    ReportPdf.objects.filter(pk__in=given_up).update(
        status=ReportPdf.Status.FAILED, error=f"Rendering stopped {PDF_MAX_ATTEMPTS} times before finishing."
    )
    lost = list(expired.exclude(pk__in=given_up).values_list("pk", "snapshot_id", "scope"))
    requeued = [pk for pk, _, _ in lost]
    ReportPdf.objects.filter(pk__in=requeued).update(status=ReportPdf.Status.QUEUED, claimed_at=now)
    if given_up or requeued:
        fragments.changed("impact_pdfs")
    for _pk, snapshot_id, scope in lost:
        task_enqueue(snapshot_pdf_task, snapshot_id=snapshot_id, scope=scope)
    return {"builds_failed": [pk for pk, _, _ in failed_builds], "builds_queued": rebuilt, "pdfs_queued": requeued,
            "pdfs_failed": given_up}  # fmt: skip
