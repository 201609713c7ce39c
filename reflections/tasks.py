"""Celery tasks of the reflections app: thin, keyword ids only, safe to run twice."""

from celery import shared_task

from saypro.core.jobs import recorded

from . import services


@shared_task(name="reflections.newsletter_send_batch_task", autoretry_for=(ConnectionError,), retry_backoff=True)
def newsletter_send_batch_task(*, issue_id: int, after_id: int = 0) -> int | None:
    """Queue the newsletter for one batch of people, then queue the next batch.

    A retried batch is harmless: each person gets the issue at most once.
    """
    last = services.newsletter_send_batch(issue_id=issue_id, after_id=after_id)
    if last is not None:
        newsletter_send_batch_task.delay(issue_id=issue_id, after_id=last)
    return last


@shared_task(name="reflections.newsletter_draft_for_month_task")
@recorded("reflections.newsletter_draft_for_month_task")
def newsletter_draft_for_month_task() -> int | None:
    """Start this month's newsletter draft for the officer; nothing when it exists."""
    issue = services.newsletter_draft_for_month()
    return issue.pk if issue else None
