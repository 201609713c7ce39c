"""Celery tasks of the shared core: thin wrappers around services."""

from celery import shared_task

from . import services
from .jobs import recorded


@shared_task(name="core.email_send_task", autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def email_send_task(*, email_id: int) -> bool:
    return services.email_send(email_id=email_id)


@shared_task(name="core.email_send_batch_task")
def email_send_batch_task(*, email_ids: list[int]) -> int:
    """Send the e-mails one transaction owed; rows already sent or claimed are skipped."""
    return services.email_send_many(email_ids=email_ids)


@shared_task(name="core.email_sweep_task")
@recorded("core.email_sweep_task")
def email_sweep_task() -> int:
    return services.email_sweep()


@shared_task(name="core.notification_digest_task")
@recorded("core.notification_digest_task")
def notification_digest_task() -> int:
    """Today's digest e-mails (organisation time); a second run the same day sends nothing new."""
    from django.utils import timezone

    return services.notification_digest_send(day=timezone.localdate())


@shared_task(name="core.module_mark_ended_task")
@recorded("core.module_mark_ended_task")
def module_mark_ended_task() -> int:
    return len(services.module_mark_ended())


@shared_task(name="core.heartbeat_task")
@recorded("core.heartbeat_task")
def heartbeat_task() -> str:
    """Proves beat scheduled it and a worker ran it."""
    return "alive"


@shared_task(name="core.ping_task")
def ping_task(*, value: str) -> str:
    """Echo, used by the integration test that proves a real worker consumes from the broker."""
    from django.utils import timezone

    from .models import JobHeartbeat

    JobHeartbeat.objects.update_or_create(name=f"ping:{value}", defaults={"last_finished_at": timezone.now()})
    return value


@shared_task(name="core.org_import_task")
def org_import_task(*, org_import_id: int) -> str:
    """Run one uploaded org chart import; a second delivery finds it no longer queued and stops."""
    from .org_import import org_import_run

    return org_import_run(org_import_id=org_import_id)


@shared_task(name="core.org_import_sweep_task")
@recorded("core.org_import_sweep_task")
def org_import_sweep_task() -> int:
    """Queue again imports whose message was lost or whose worker died."""
    from .org_import import org_import_sweep

    return len(org_import_sweep())
