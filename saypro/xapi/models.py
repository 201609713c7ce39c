"""The outbox of xAPI statements on their way to the Learning Record Store (docs/xapi.md)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Statement(models.Model):
    """One xAPI statement, written in the same transaction as the learning event it records.

    `statement_id` is derived from the event, its object and the person, so the same event
    never makes two statements and a resend is recognised by the LRS. A row stays after it was
    sent: it remembers what was accepted, and erasure needs it to void the statement.
    """

    statement_id = models.UUIDField(unique=True)
    event = models.CharField(max_length=40)
    # Null for the platform's own voiding statements and once the person erased their data.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    # A voiding statement was queued for this one (the person erased their data, or the event
    # was taken back); its payload no longer carries anything about the person.
    voided = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="xapi_statement_due")]

    def __str__(self) -> str:
        return f"{self.event} {self.statement_id}"
