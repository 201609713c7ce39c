"""Reads of the xAPI outbox."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q, QuerySet

from saypro.core.models import User

from .models import Statement


def statement_backlog(*, now: datetime) -> dict:
    """The statements not yet accepted by the LRS: how many, the oldest one's age, and the last error.

    Two queries: the counts and the oldest moment together, then the newest error.
    """
    unsent = Statement.objects.filter(sent_at__isnull=True)
    figures = unsent.aggregate(
        unsent=Count("id"), failing=Count("id", filter=Q(attempts__gt=0)), oldest=Min("created_at")
    )
    last_failure = (
        unsent.exclude(last_error="").order_by("-next_attempt_at").values("last_error", "next_attempt_at").first()
        if figures["failing"]
        else None
    )
    oldest = figures["oldest"]
    return {
        "configured": bool(settings.XAPI_LRS_ENDPOINT),
        "unsent": figures["unsent"],
        "failing": figures["failing"],
        "oldest_at": oldest,
        "oldest_age": now - oldest if oldest else None,
        "last_error": last_failure["last_error"] if last_failure else "",
        "next_attempt_at": last_failure["next_attempt_at"] if last_failure else None,
    }


def statement_list_of(*, person: User) -> QuerySet[Statement]:
    """The statements about `person` still in the outbox (what erasure would void), oldest first."""
    return Statement.objects.filter(actor=person).order_by("created_at", "pk")
