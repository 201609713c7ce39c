"""Celery tasks of the reflections app: thin, keyword ids only, safe to run twice."""

from celery import shared_task

from saypro.core.jobs import recorded
from saypro.core.services import task_enqueue

from . import services


@shared_task(name="reflections.newsletter_send_batch_task", autoretry_for=(ConnectionError,), retry_backoff=True)
def newsletter_send_batch_task(*, issue_id: int, after_id: int = 0) -> int | None:
    """Queue the newsletter for one batch of people, then queue the next batch.

    A retried batch is harmless: each person gets the issue at most once.
    """
    last = services.newsletter_send_batch(issue_id=issue_id, after_id=after_id)
    if last is not None:
        # If the broker is gone now, the issue's saved position lets the sweep resume it.
        task_enqueue(newsletter_send_batch_task, issue_id=issue_id, after_id=last)
    return last


@shared_task(name="reflections.newsletter_sending_resume_task")
@recorded("reflections.newsletter_sending_resume_task")
def newsletter_sending_resume_task() -> int:
    """Resume newsletters whose batches stopped (broker outage, worker crash)."""
    return len(services.newsletter_sending_resume())


@shared_task(name="reflections.newsletter_draft_for_month_task")
@recorded("reflections.newsletter_draft_for_month_task")
def newsletter_draft_for_month_task() -> int | None:
    """Start this month's newsletter draft for the officer; nothing when it exists."""
    issue = services.newsletter_draft_for_month()
    return issue.pk if issue else None


@shared_task(name="reflections.commitment_nudges_send_task")
@recorded("reflections.commitment_nudges_send_task")
def commitment_nudges_send_task() -> int:
    """Ask "Did you try it?" of everyone whose commitment is due today; each at most once."""
    return services.commitment_nudges_send()
