"""Scheduled and requested impact jobs."""

from celery import shared_task
from django.utils import timezone

from saypro.core.jobs import recorded
from saypro.core.models import User

from . import services
from .models import Snapshot
from .months import month_before


@shared_task(name="impact.snapshot_build_task")
@recorded("impact.snapshot_build_task")
def snapshot_build_task(*, month: str | None = None, rebuild: bool = False, by_id: int | None = None, reason: str = ""):
    """Build a month's snapshot; with no month, the month before today (the monthly job)."""
    from .months import parse_month

    target = parse_month(month) if month else month_before(timezone.localdate())
    by = User.objects.filter(pk=by_id).first() if by_id else None
    snapshot, built = services.snapshot_build(month=target, by=by, reason=reason, rebuild=rebuild)
    return f"{snapshot} {'built' if built else 'already there'}"


@shared_task(name="impact.snapshot_pdf_task")
def snapshot_pdf_task(*, snapshot_id: int, scope: str = "all") -> None:
    """Render one snapshot's PDF for one scope ("all" or department ids); a kept file is reused."""
    from .selectors import scope_from_key

    snapshot = Snapshot.objects.filter(pk=snapshot_id).first()
    if snapshot is None:
        return
    services.snapshot_pdf_render(snapshot=snapshot, department_ids=scope_from_key(scope))


@shared_task(name="impact.snapshot_leases_sweep_task")
@recorded("impact.snapshot_leases_sweep_task")
def snapshot_leases_sweep_task() -> str:
    """Take over snapshot builds and PDFs whose worker died or whose message was lost."""
    done = services.snapshot_leases_sweep()
    return ", ".join(f"{what} {len(ids)}" for what, ids in done.items())
