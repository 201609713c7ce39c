"""Reads for the API: tokens by secret, and a person's own tokens."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.utils import timezone

from saypro.core.models import User

from .models import PersonalAccessToken

TOKEN_PREFIX = "spl_"  # noqa: S105 -- the public prefix that marks our tokens, not a secret


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_for_secret(*, secret: str) -> PersonalAccessToken | None:
    """The usable token (not revoked, not expired, its person active) with this secret, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    return (
        PersonalAccessToken.objects.select_related("person")
        .filter(
            token_hash=token_hash(secret),
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
            person__is_active=True,
        )
        .first()
    )


def token_list(*, person: User) -> QuerySet[PersonalAccessToken]:
    """The person's tokens, newest first, revoked and expired ones included (marked on the page)."""
    return PersonalAccessToken.objects.filter(person=person)
