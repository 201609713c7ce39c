"""The xAPI job: a thin wrapper around the send service (its schedule is in settings)."""

from celery import shared_task

from saypro.core.jobs import recorded

from . import services


@shared_task(name="xapi.statements_send_task")
@recorded("xapi.statements_send_task")
def statements_send_task() -> str:
    """Send the statements that are due; a batch the LRS refuses waits for its back-off."""
    outcome = services.statements_send_due()
    return f"{outcome['sent']} sent, {outcome['failed']} waiting after an error"
