"""A person's own data: export everything the platform holds about them, or erase it.

DESIGN.md gives every employee the right to "export and delete their own data". The shared
core answers for the person's profile, placements, enrolments, mentor links, notifications,
preferences and e-mails; each activity app answers for its own records through the provider
modules listed in saypro/personal_data.py (read by name here, so core imports no app).

Erasing keeps the monthly figures true. Records that past reports count (placements,
enrolments, contributions, memberships, talks, board engagement) stay, attached to the same
user row, which is anonymised in place: its name becomes "Former colleague" and its address
erased-<id>@invalid.example. Private content (drafts, private and mentor-only reflections,
notifications, e-mails not yet sent, preferences) is deleted. Each app's docstring says what it
keeps, detaches or deletes.
"""

from __future__ import annotations

from datetime import date, datetime
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from . import fragments, roles, selectors
from .models import (
    CalendarFeed,
    Enrolment,
    ManagerScope,
    MentorLink,
    Notification,
    NotificationPreference,
    OutboundEmail,
    Placement,
    User,
)
from .services import audit_record

# The project-level registry of the apps' providers, by name (it names the apps).
PROVIDERS = "saypro.personal_data.personal_data_providers"

EXPORT_FORMAT = "saypro-personal-data/1"
ERASED_NAME = "Former colleague"
# Put in place of text a person asked to have removed, where the record itself must stay.
REMOVED_TEXT = "Removed at the author's request"

CORE_ERASE_EXPLAINED = [
    f"Your name becomes “{ERASED_NAME}” everywhere and your e-mail address is removed from the platform.",
    "You are signed out on every device and can no longer sign in; your roles are taken away.",
    "Your company account is disconnected, if you signed in with it.",
    "Your notifications, your notification preferences and every e-mail not yet sent to you are deleted.",
    "Your mentor links end: your mentors no longer see you, and your mentees no longer have you as a mentor.",
    "You are withdrawn from modules you have not completed; modules you completed stay completed.",
    "Where you were in the organisation (department, location, job role over time) stays, without your name, "
    "so that past monthly reports keep their figures.",
]


def jsonable(value: datetime | date | None) -> str | None:
    """A moment or day as ISO 8601 text (moments in the organisation's time zone); None stays None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def _name(unit) -> str | None:
    return unit.name if unit is not None else None


def _providers():
    return import_string(PROVIDERS)()


# --- export ----------------------------------------------------------------------------------------


def _profile(person: User) -> dict:
    person = User.objects.select_related("department", "location", "job_role").get(pk=person.pk)
    return {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "department": _name(person.department),
        "location": _name(person.location),
        "job_role": _name(person.job_role),
        "roles": sorted(person.groups.values_list("name", flat=True)),
        "date_joined": jsonable(person.date_joined),
        "last_login": jsonable(person.last_login),
    }


def _placements(person: User) -> list[dict]:
    rows = Placement.objects.filter(person=person).select_related("department", "location", "job_role")
    return [
        {
            "department": _name(p.department),
            "location": _name(p.location),
            "job_role": _name(p.job_role),
            "from": jsonable(p.valid_from),
            "to": jsonable(p.valid_to),
        }
        for p in rows.order_by("valid_from", "id")
    ]


def _enrolments(person: User) -> list[dict]:
    rows = Enrolment.objects.filter(person=person).select_related("module__programme")
    return [
        {
            "programme": e.module.programme.title,
            "module": e.module.title,
            "status": e.status,
            "enrolled_at": jsonable(e.enrolled_at),
            "withdrawn_at": jsonable(e.withdrawn_at),
        }
        for e in rows.order_by("enrolled_at", "id")
    ]


def _mentor_links(person: User) -> dict:
    """The person's mentors and mentees: people they already know by name through the platform."""
    links = MentorLink.objects.filter(Q(mentee=person) | Q(mentor=person)).select_related("mentor", "mentee")
    mentors, mentees = [], []
    for link in links.order_by("created_at", "id"):
        row = {"active": link.is_active, "since": jsonable(link.created_at)}
        if link.mentee_id == person.pk:
            mentors.append({"mentor": link.mentor.full_name, **row})
        else:
            mentees.append({"mentee": link.mentee.full_name, **row})
    return {"mentors": mentors, "mentees": mentees}


def _report_scopes(person: User) -> list[str]:
    scopes = ManagerScope.objects.filter(manager=person).select_related("department")
    return sorted(_name(s.department) or "Whole organisation" for s in scopes)


def _notifications(person: User) -> list[dict]:
    return [
        {
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "url": n.url,
            "created_at": jsonable(n.created_at),
            "read_at": jsonable(n.read_at),
        }
        for n in Notification.objects.filter(recipient=person).order_by("created_at", "id")
    ]


def _emails(person: User) -> list[dict]:
    """The e-mails the platform sent or owes the person: what about and when (the texts are in notifications)."""
    rows = OutboundEmail.objects.filter(recipient=person).only("kind", "subject", "status", "created_at", "sent_at")
    return [
        {
            "kind": e.kind,
            "subject": e.subject,
            "status": e.status,
            "created_at": jsonable(e.created_at),
            "sent_at": jsonable(e.sent_at),
        }
        for e in rows.order_by("created_at", "id")
    ]


def _email_addresses(person: User) -> list[dict]:
    from allauth.account.models import EmailAddress

    return [
        {"email": a.email, "verified": a.verified, "primary": a.primary}
        for a in EmailAddress.objects.filter(user=person).order_by("id")
    ]


def _company_accounts(person: User) -> list[dict]:
    """Company sign-in: the provider's accounts connected to the person (the provider's answer is not copied)."""
    from allauth.socialaccount.models import SocialAccount

    return [
        {
            "provider": a.provider,
            "uid": a.uid,
            "connected_at": jsonable(a.date_joined),
            "last_login": jsonable(a.last_login),
        }
        for a in SocialAccount.objects.filter(user=person).order_by("date_joined", "id")
    ]


def _calendar_subscription(person: User) -> dict | None:
    # The secret itself is never stored, so only when it was made and last read can be exported.
    feed = selectors.calendar_feed_of(person=person)
    if feed is None:
        return None
    return {"created_at": jsonable(feed.created_at), "last_read_at": jsonable(feed.last_read_at)}


def personal_data_export(*, person: User) -> dict:
    """Everything the platform holds about or by a person, as plain JSON-able values.

    The core sections, then one section per activity app (saypro/personal_data.py). Nothing of
    other people is included beyond what the person already sees by name in the platform (their
    mentors and mentees). A fixed number of queries per section, however much data there is.
    """
    data = {
        "format": EXPORT_FORMAT,
        "exported_at": jsonable(timezone.now()),
        "profile": _profile(person),
        "email_addresses": _email_addresses(person),
        "company_accounts": _company_accounts(person),
        "placements": _placements(person),
        "enrolments": _enrolments(person),
        **_mentor_links(person),
        "report_scopes": _report_scopes(person),
        "notification_preferences": selectors.notification_preferences_of(person=person),
        "notifications": _notifications(person),
        "emails": _emails(person),
        "calendar_subscription": _calendar_subscription(person),
    }
    for section, provider in _providers():
        data[section] = provider.export(person=person)
    return data


# --- erase -----------------------------------------------------------------------------------------


def personal_data_erase_explained() -> list[tuple[str, list[str]]]:
    """What erasing does, by section, in plain sentences for the confirmation page."""
    sections = [("Your account", CORE_ERASE_EXPLAINED)]
    for section, provider in _providers():
        explained = getattr(provider, "ERASE_EXPLAINED", None)
        if explained:
            sections.append((getattr(provider, "SECTION_TITLE", section.title()), list(explained)))
    return sections


def _sessions_delete(person: User) -> int:
    """Delete the person's sign-in sessions where the session engine keeps them in the database.

    Other engines cannot be searched by person; there the unusable password ends every session,
    because Django checks each session's password hash on every request.
    """
    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    get_model_class = getattr(store_class, "get_model_class", None)
    if get_model_class is None:
        return 0
    model = get_model_class()
    store = store_class()
    keys = [
        session.session_key
        for session in model.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500)
        if str(store.decode(session.session_data).get(SESSION_KEY)) == str(person.pk)
    ]
    deleted, _ = model.objects.filter(session_key__in=keys).delete()
    return deleted


def _core_erase(person: User, *, now: datetime) -> dict:
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount

    unsent = OutboundEmail.objects.filter(recipient=person).exclude(status=OutboundEmail.Status.SENT)
    fragments.changed("dashboard")  # mentor links end below in bulk, without signals
    fragments.changed("mentor_links")  # ... and whom the mentors mentor
    fragments.changed("home_panels")  # ... and their mentors' home panels count their reflections
    fragments.changed("mentor_queue")  # ... and their mentors' queues list them
    fragments.changed("participation")  # enrolments are withdrawn below in bulk: the feedback console counts them
    counts = {
        "notifications_deleted": Notification.objects.filter(recipient=person).delete()[0],
        "emails_unsent_deleted": unsent.delete()[0],
        # Sent e-mails stay as the record that they went out (and are never sent twice), without their text.
        "emails_sent_emptied": OutboundEmail.objects.filter(recipient=person).update(
            subject=REMOVED_TEXT, body_text="", body_html="", attachments=[], last_error=""
        ),
        "calendar_subscriptions_deleted": CalendarFeed.objects.filter(person=person).delete()[0],
        "preferences_deleted": NotificationPreference.objects.filter(person=person).delete()[0],
        "report_scopes_deleted": ManagerScope.objects.filter(manager=person).delete()[0],
        "mentor_links_ended": MentorLink.objects.filter(Q(mentee=person) | Q(mentor=person), is_active=True).update(
            is_active=False
        ),
        # Withdrawn now, so no later feedback session counts or invites them; sessions already held keep
        # them eligible, because only a withdrawal before a session's start matters there.
        "enrolments_withdrawn": Enrolment.objects.filter(person=person, status=Enrolment.Status.ENROLLED).update(
            status=Enrolment.Status.WITHDRAWN, withdrawn_at=now
        ),
        "email_addresses_deleted": EmailAddress.objects.filter(user=person).delete()[0],
        # The connected company account goes (with any token of it): it would sign the erased row in again.
        "company_accounts_deleted": SocialAccount.objects.filter(user=person).delete()[0],
        "sessions_deleted": _sessions_delete(person),
    }
    return counts


def _anonymise(person: User) -> None:
    person.first_name = ERASED_NAME
    person.last_name = ""
    person.email = f"erased-{person.pk}@invalid.example".lower()
    person.set_unusable_password()
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.last_login = None
    person.save(
        update_fields=[
            "first_name",
            "last_name",
            "email",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "last_login",
        ]
    )
    person.groups.clear()
    person.user_permissions.clear()


def personal_data_erase(*, person: User, by: User) -> None:
    """Erase a person's data at their request, keeping what the monthly figures count, all or nothing.

    `by` is the person themselves (or an officer acting on their written request).

    Side effects, in one transaction: each app's provider erases or detaches its records (and may
    free seats, hand over hosting or take talks off an agenda, telling the people concerned); the
    person's notifications, preferences, unsent e-mails, report scopes, allauth addresses and
    sessions are deleted, their mentor links end and unfinished enrolments are withdrawn; the user
    row is anonymised (name, address, unusable password, inactive, no groups); one audit entry
    "person.erased" with the counts and no personal content.
    """
    if by.pk != person.pk and not roles.is_officer.test(by):
        raise PermissionDenied("Only the person themselves or an Advice Desk Officer may erase their data.")
    now = timezone.now()
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        counts = {section: provider.erase(person=person) for section, provider in _providers()}
        counts["core"] = _core_erase(person, now=now)
        _anonymise(person)
        audit_record(actor=by, action="person.erased", target=person, data=counts)
