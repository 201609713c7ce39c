"""Building monthly snapshots and their PDF."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from saypro.core import roles
from saypro.core.models import User
from saypro.core.services import audit_record, notify, task_enqueue

from .figures import collect_figures
from .models import Figure, ReportPdf, Snapshot
from .months import month_bounds

logger = logging.getLogger(__name__)

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
    if latest is not None and not rebuild:
        return latest, False
    # Derived from the same read as the check above: two first builds both aim at version 1,
    # and the unique constraint lets exactly one of them have it.
    version = (latest.version if latest else 0) + 1
    try:
        with transaction.atomic():
            snapshot = Snapshot.objects.create(
                month=month, version=version, requested_by=by, reason=reason.strip(), time_zone=settings.TIME_ZONE
            )
    except IntegrityError:
        # Another build of this month won the race; its version is the result.
        return Snapshot.objects.filter(month=month).latest("version"), False

    def report(percent: int, step: str) -> None:
        Snapshot.objects.filter(pk=snapshot.pk).update(progress=percent)
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
        raise
    if progress:
        progress(100, "done")
    return snapshot, True


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
    """Ask for the PDF of a snapshot for one scope; queue its rendering unless it is on its way.

    Side effects: a ReportPdf row (queued) and the rendering job, queued after commit. A failed
    rendering is queued again.
    """
    from .selectors import scope_key
    from .tasks import snapshot_pdf_task

    scope = scope_key(department_ids)
    pdf, created = ReportPdf.objects.get_or_create(snapshot=snapshot, scope=scope)
    if created or pdf.status == ReportPdf.Status.FAILED:
        if not created:
            ReportPdf.objects.filter(pk=pdf.pk).update(status=ReportPdf.Status.QUEUED, requested_at=timezone.now())
            pdf.status = ReportPdf.Status.QUEUED
        task_enqueue(snapshot_pdf_task, snapshot_id=snapshot.pk, scope=scope)
    return pdf


def snapshot_pdf_render(*, snapshot: Snapshot, department_ids: set[int] | None = None) -> bytes:
    """Render the report for one scope as PDF (with its charts) and keep it for that scope.

    A second call for the same snapshot version and scope returns the kept file.
    """
    from .pdf import report_pdf
    from .selectors import scope_key

    scope = scope_key(department_ids)
    pdf, _ = ReportPdf.objects.get_or_create(snapshot=snapshot, scope=scope)
    if pdf.status == ReportPdf.Status.READY and pdf.pdf:
        return bytes(pdf.pdf)
    ReportPdf.objects.filter(pk=pdf.pk).update(status=ReportPdf.Status.RENDERING)
    try:
        data = report_pdf(snapshot=snapshot, department_ids=department_ids)
    except Exception:
        ReportPdf.objects.filter(pk=pdf.pk).update(status=ReportPdf.Status.FAILED)
        raise
    ReportPdf.objects.filter(pk=pdf.pk).update(pdf=data, status=ReportPdf.Status.READY)
    return data
