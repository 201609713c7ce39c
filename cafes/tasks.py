"""Scheduled jobs of the cafés app: thin, idempotent wrappers around services."""

from celery import shared_task

from saypro.core.jobs import recorded

from . import services


@shared_task(name="cafes.cafe_draft_next_month_task")
@recorded("cafes.cafe_draft_next_month_task")
def cafe_draft_next_month_task() -> int | None:
    """Draft next month's café; returns its id, or None when one is planned already."""
    cafe = services.cafe_draft_next_month()
    return cafe.pk if cafe else None


@shared_task(name="cafes.cafe_send_reminders_task")
@recorded("cafes.cafe_send_reminders_task")
def cafe_send_reminders_task() -> int:
    """Send due day and hour reminders; each goes at most once per person."""
    return services.cafe_send_reminders()


@shared_task(name="cafes.cafe_send_reflection_prompts_task")
def cafe_send_reflection_prompts_task(*, cafe_id: int) -> int:
    """Invite a held café's attendees to reflect; those already invited are skipped."""
    return services.cafe_send_reflection_prompts(cafe_id=cafe_id)


@shared_task(name="cafes.cafe_send_reflection_prompts_due_task")
@recorded("cafes.cafe_send_reflection_prompts_due_task")
def cafe_send_reflection_prompts_due_task() -> int:
    """Invite attendees of recently held cafés whom no invitation reached yet."""
    return services.cafe_send_reflection_prompts_due()
