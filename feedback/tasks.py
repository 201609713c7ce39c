"""Celery tasks of feedback sessions: thin, keyword ids only, idempotent (the services make them so)."""

from celery import shared_task

from saypro.core.jobs import recorded

from . import services


@shared_task(name="feedback.session_propose_due_task")
@recorded("feedback.session_propose_due_task")
def session_propose_due_task() -> int:
    return len(services.session_propose_due())


@shared_task(name="feedback.session_reminders_send_task", acks_late=True)
@recorded("feedback.session_reminders_send_task")
def session_reminders_send_task() -> int:
    return services.session_reminders_send()


@shared_task(name="feedback.session_invitations_send_task", acks_late=True)
def session_invitations_send_task(*, session_id: int) -> int:
    return services.session_invitations_send(session_id=session_id)


@shared_task(name="feedback.session_cancellation_send_task", acks_late=True)
def session_cancellation_send_task(*, session_id: int) -> int:
    return services.session_cancellation_send(session_id=session_id)


@shared_task(name="feedback.session_follow_up_task", acks_late=True)
def session_follow_up_task(*, session_id: int) -> int:
    return services.session_follow_up(session_id=session_id)


@shared_task(name="feedback.challenge_themes_update_task")
@recorded("feedback.challenge_themes_update_task")
def challenge_themes_update_task() -> int:
    from .heard.services import challenge_themes_update_due

    return challenge_themes_update_due()
