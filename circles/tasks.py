"""Scheduled jobs of the circles app: thin, keyword ids only, idempotent."""

from celery import shared_task

from saypro.core.jobs import recorded

from . import services
from .models import Round


@shared_task(name="circles.circle_round_open_next_task")
@recorded("circles.circle_round_open_next_task")
def circle_round_open_next_task() -> str:
    round = services.circle_round_open_next()
    return f"opened round {round.pk}" if round else "already open"


@shared_task(name="circles.circle_rounds_form_due_task")
@recorded("circles.circle_rounds_form_due_task")
def circle_rounds_form_due_task() -> int:
    return services.circle_rounds_form_due()


@shared_task(name="circles.circle_reminders_send_task")
@recorded("circles.circle_reminders_send_task")
def circle_reminders_send_task() -> int:
    return services.circle_reminders_send()


@shared_task(name="circles.circle_round_announce_task")
def circle_round_announce_task(*, round_id: int) -> int:
    round = Round.objects.filter(pk=round_id).first()
    return services.circle_round_announce(round=round) if round else 0


@shared_task(name="circles.circle_rounds_announce_pending_task")
@recorded("circles.circle_rounds_announce_pending_task")
def circle_rounds_announce_pending_task() -> int:
    return services.circle_rounds_announce_pending()
