"""Personal access tokens: how a person's own scripts reach the API without their password."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PersonalAccessToken(models.Model):
    """A secret a person made for a script, with what it may do and until when.

    Only a SHA-256 hash of the secret is kept (it is shown once, when made); `prefix` is the
    secret's first characters, so a person can tell their tokens apart in the list.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read: see my learning log, reflections and reports I may read"
        WRITE = "write", "Write: write and submit reflections, sign up for circles, answer cafés"

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=80, help_text="What the token is for, e.g. “weekly export script”.")
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "personal access token"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="token_expires_later"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, *, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())

    def allows(self, scope: str) -> bool:
        return scope in self.scopes
