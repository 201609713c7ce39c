"""Reads of the shared core."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet

from .fragments import PersonalCache, VersionedCache
from .models import (
    AuditEntry,
    CalendarFeed,
    ManagerScope,
    MentorLink,
    Notification,
    NotificationKind,
    NotificationPreference,
    OrgImport,
    Placement,
    User,
)

# The names home greets each person with, kept per department, location and job role (many people
# share each): bumped by any save or delete of a department, a location or a job role
# (CoreConfig.ready). The org import only creates units in bulk, under ids no entry is kept for.
PLACEMENT_NAMES = VersionedCache("placement_names", seconds=3600)


def person_placement_names(*, person: User) -> dict[str, Any]:
    """The names of the person's department, location and job role: from the cache (no query), or
    in one query (reading them through the person's foreign keys took three)."""
    units = {"department": person.department_id, "location": person.location_id, "job_role": person.job_role_id}

    def read() -> dict[str, Any]:
        names = {f"{unit}_name": F(f"{unit}__name") for unit in units}
        found = User.objects.filter(pk=person.pk).values(**names).first() or {}
        return {name: found.get(name) for name in names}

    return PLACEMENT_NAMES.get_or_set(":".join(str(pk) for pk in units.values()), read)


def notification_unread_count(*, person: User) -> int:
    return Notification.objects.filter(recipient=person, read_at__isnull=True).count()


def notification_list(*, person: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=person).order_by("-created_at", "-id")


def notification_delivery_for(*, person: User, kind: str) -> str:
    """How a notification of `kind` reaches a person by e-mail: a NotificationPreference.Delivery value.

    Kinds outside every category, and categories the person never set, are e-mailed at once.
    """
    category = NotificationKind.of(kind)
    if category is None:
        return NotificationPreference.Delivery.EMAIL
    chosen = NotificationPreference.objects.filter(person=person, kind=category).values_list("delivery", flat=True)
    return chosen.first() or NotificationPreference.Delivery.EMAIL


def notification_preferences_of(*, person: User) -> dict[str, str]:
    """Every category with the person's chosen delivery (e-mail now where none was chosen)."""
    chosen = dict(NotificationPreference.objects.filter(person=person).values_list("kind", "delivery"))
    return {category: chosen.get(category, NotificationPreference.Delivery.EMAIL) for category in NotificationKind}


def mentor_ids_of(*, mentee: User) -> list[int]:
    """Ids of a person's active mentors."""
    return list(MentorLink.objects.filter(mentee=mentee, is_active=True).values_list("mentor_id", flat=True))


def mentee_list(*, mentor: User) -> QuerySet[User]:
    return User.objects.filter(mentor_links__mentor=mentor, mentor_links__is_active=True).select_related(
        "department", "location", "job_role"
    )


def is_active_mentor_of(*, mentor: User, mentee_id: int) -> bool:
    return MentorLink.objects.filter(mentor=mentor, mentee_id=mentee_id, is_active=True).exists()


# Whom each person mentors, for the permission checks of pages (a reflection's review thread):
# kept per person, stale when one of their links is saved or deleted (CoreConfig.ready) and, for
# everyone, when links are written in bulk (the org import, an erasure: changed("mentor_links")).
# Services check a link they act on in the database (is_active_mentor_of).
MENTOR_LINKS = VersionedCache("mentor_links", seconds=3600)
MENTEES = PersonalCache("mentees", seconds=3600, shared=[MENTOR_LINKS])


def active_mentee_ids(*, mentor_id: int) -> frozenset[int]:
    """The people `mentor_id` mentors now (kept: no query when kept)."""

    def read() -> tuple[frozenset[int], None]:
        links = MentorLink.objects.filter(mentor_id=mentor_id, is_active=True).values_list("mentee_id", flat=True)
        return frozenset(links), None

    return MENTEES.get_or_set(person_id=mentor_id, compute=read)


# Each home panel is kept per person (fragments.PersonalCache), stale when a write bumps that
# person's version; this version makes everyone's panels stale at once: bumped by any save or delete
# of a row many people's panels show (a session, a module, a round, a circle, a topic: each app's
# ready() names its own) and by writes in bulk of what the panels show (changed("home_panels")).
HOME_PANELS = VersionedCache("home_panels", seconds=600)


# Every page of the impact report reads its manager's scope. Bumped by any save or delete of a
# scope (CoreConfig.ready); the org import writes them in bulk and calls changed("manager_scopes").
MANAGER_SCOPES = VersionedCache("manager_scopes", seconds=3600)


def manager_department_ids(*, manager: User) -> set[int] | None:
    """The departments a manager may read; None means the whole organisation."""

    def read() -> dict:
        scopes = list(ManagerScope.objects.filter(manager=manager).values_list("department_id", flat=True))
        return {"whole_organisation": None in scopes, "department_ids": sorted(i for i in scopes if i is not None)}

    scope = MANAGER_SCOPES.get_or_set(f"manager:{manager.pk}", read)
    return None if scope["whole_organisation"] else set(scope["department_ids"])


def placement_at(*, person_id: int, at: datetime) -> Placement | None:
    """Where a person was at a moment (the placement whose span covers it)."""
    return (
        Placement.objects.filter(person_id=person_id, valid_from__lte=at)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=at))
        .select_related("department", "location", "job_role")
        .first()
    )


def audit_entry_list(*, action: str | None = None, actor_id: int | None = None) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.select_related("actor", "target_type")
    if action:
        qs = qs.filter(action=action)
    if actor_id:
        qs = qs.filter(actor_id=actor_id)
    return qs


def org_import_list() -> QuerySet[OrgImport]:
    return OrgImport.objects.select_related("uploaded_by").defer("content")


# --- calendar subscriptions ---------------------------------------------------------------------


def calendar_feed_token_hash(token: str) -> str:
    """The stored form of a calendar subscription's secret."""
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_of(*, person: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=person).first()


def calendar_feed_person(*, token: str) -> User | None:
    """The active person whose calendar subscription has this secret, or None."""
    feed = (
        CalendarFeed.objects.select_related("person")
        .filter(token_hash=calendar_feed_token_hash(token), person__is_active=True)
        .first()
    )
    return feed.person if feed else None


def outbound_email_failed_list():
    """E-mails that failed to send, newest first, with their recipient: the officer's resend list.

    Includes those the sweeper still retries (fewer than EMAIL_MAX_ATTEMPTS) and those it
    gave up on; the page says which.
    """
    from .models import OutboundEmail

    return (
        OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED)
        .select_related("recipient")
        .only("pk", "kind", "subject", "attempts", "last_error", "created_at", "claimed_at", "recipient__first_name",
              "recipient__last_name", "recipient__email")
        .order_by("-created_at", "-pk")
    )  # fmt: skip
