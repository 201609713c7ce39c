"""Writes for the API's personal access tokens."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from saypro.core.models import User

from .models import PersonalAccessToken
from .selectors import TOKEN_PREFIX, token_hash

MAX_LIFETIME_DAYS = 365
NAME_MAX_CHARS = 80


def token_create(
    *, person: User, name: str, scopes: list[str], days: int, now: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    """Make a token for the person; returns it and its secret, which is shown once and never stored."""
    now = now or timezone.now()
    errors: dict[str, str] = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = "Name the token after what will use it."
    elif len(name) > NAME_MAX_CHARS:
        errors["name"] = f"Keep the name to {NAME_MAX_CHARS} characters."
    unknown = set(scopes) - set(PersonalAccessToken.Scope.values)
    if not scopes or unknown:
        errors["scopes"] = "Choose read, write or both."
    if not 1 <= days <= MAX_LIFETIME_DAYS:
        errors["days"] = f"A token lasts between 1 and {MAX_LIFETIME_DAYS} days."
    if errors:
        raise ValidationError(errors)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = PersonalAccessToken.objects.create(
        person=person,
        name=name,
        prefix=secret[: len(TOKEN_PREFIX) + 6],
        token_hash=token_hash(secret),
        scopes=sorted(set(scopes)),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return token, secret


def token_revoke(*, person: User, pk: int, now: datetime | None = None) -> bool:
    """Revoke one of the person's own tokens; False when it is not theirs or already revoked."""
    return bool(
        PersonalAccessToken.objects.filter(person=person, pk=pk, revoked_at__isnull=True).update(
            revoked_at=now or timezone.now()
        )
    )


def token_mark_used(*, token: PersonalAccessToken, now: datetime | None = None) -> None:
    """Stamp the token's last use, at most once a minute, so scripts in a loop cost no write per call."""
    now = now or timezone.now()
    PersonalAccessToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - timedelta(minutes=1))
    ).update(last_used_at=now)
