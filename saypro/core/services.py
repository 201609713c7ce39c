"""Writes of the shared core: placements, modules, the audit trail, notifications and e-mail."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from time import monotonic as time_monotonic
from typing import TypeVar, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import ngettext

from . import fragments, person_cache
from .models import (
    AuditEntry,
    CalendarFeed,
    Department,
    Enrolment,
    JobHeartbeat,
    JobRole,
    Location,
    Module,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboundEmail,
    Placement,
    SubmissionToken,
    User,
)
from .selectors import calendar_feed_token_hash, notification_delivery_for
from .text import LINE_BREAK

logger = logging.getLogger(__name__)


# --- audit trail --------------------------------------------------------------------------------


def audit_record(
    *, actor: User | None, action: str, target: models.Model | None = None, reason: str = "", data: dict | None = None
) -> AuditEntry:
    """Write one audit entry for a facilitator action."""
    entry = AuditEntry(actor=actor, action=action, reason=reason, data=data or {})
    if target is not None:
        entry.target_type = ContentType.objects.get_for_model(target)
        entry.target_id = str(target.pk)
        entry.target_repr = str(target)[:255]
    entry.save()
    return entry


# --- one-time submission tokens -------------------------------------------------------------------

_Created = TypeVar("_Created", bound=models.Model)


def submitted_once(
    *, person: User, token: uuid.UUID | None, create: Callable[[], _Created]
) -> tuple[_Created | None, bool]:
    """Run `create()` once per (person, token); returns (what it made, whether this call made it).

    A repeated token (a double click, a retried request) returns the first call's object (or
    None if it is gone) without running `create` again, so nothing is saved twice and no one
    is told twice. A second submit arriving while the first is still running waits on the
    token's unique index and then gets the first's result. No token means no protection
    (commands, tests).
    """
    if token is None:
        return create(), True
    try:
        with transaction.atomic():
            row = SubmissionToken.objects.create(person=person, token=token)
            created = create()
            row.target_type = ContentType.objects.get_for_model(created)
            row.target_id = str(created.pk)
            row.save(update_fields=["target_type", "target_id"])
    except IntegrityError:
        first = SubmissionToken.objects.filter(person=person, token=token).select_related("target_type").first()
        if first is None:
            raise  # not the token: another constraint refused what create() wrote
        if first.target_type is None:
            return None, False
        model = first.target_type.model_class()
        earlier = model._default_manager.filter(pk=first.target_id).first() if model else None
        return cast("_Created | None", earlier), False
    return created, True


# --- placements ---------------------------------------------------------------------------------


def person_place(
    *,
    person: User,
    department: Department | None,
    location: Location | None,
    job_role: JobRole | None,
    at: datetime | None = None,
) -> bool:
    """Move a person to a department, location and job role, keeping the history.

    Returns whether anything changed. The previous placement is closed at `at` (default now)
    so that activities before the move keep counting for the old department.
    """
    at = at or timezone.now()
    if (person.department_id, person.location_id, person.job_role_id) == (
        getattr(department, "pk", None),
        getattr(location, "pk", None),
        getattr(job_role, "pk", None),
    ) and person.placements.filter(valid_to__isnull=True).exists():
        return False
    with transaction.atomic():
        person.placements.filter(valid_to__isnull=True).update(valid_to=at)
        Placement.objects.create(
            person=person, department=department, location=location, job_role=job_role, valid_from=at
        )
        person.department, person.location, person.job_role = department, location, job_role
        person.save(update_fields=["department", "location", "job_role"])
    return True


# --- training -----------------------------------------------------------------------------------


def module_mark_ended(*, today=None) -> list[int]:
    """Mark every module whose end date has passed as ended; return the ids newly marked.

    Idempotent: a module already marked keeps its first `ended_at`.
    """
    today = today or timezone.localdate()
    ids = list(Module.objects.filter(ended_at__isnull=True, ends_on__lt=today).values_list("pk", flat=True))
    if ids:
        Module.objects.filter(pk__in=ids, ended_at__isnull=True).update(ended_at=timezone.now())
        fragments.changed("console")  # the feedback console keeps its module; update() sends no signal
    return ids


def enrolment_withdraw(*, enrolment: Enrolment, at: datetime | None = None) -> Enrolment:
    """Withdraw a person from a module; the time matters for feedback-session eligibility."""
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        return enrolment
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = at or timezone.now()
    enrolment.save(update_fields=["status", "withdrawn_at"])
    return enrolment


def enrolment_create_many(*, module: Module, people: Iterable[User]) -> int:
    """Enrol people in a module; people already enrolled are left as they are. Returns the count added."""
    existing = set(module.enrolments.values_list("person_id", flat=True))
    new = [Enrolment(person=p, module=module) for p in people if p.pk not in existing]
    Enrolment.objects.bulk_create(new, ignore_conflicts=True)
    fragments.changed("participation")  # the feedback console counts who is enrolled; bulk_create() sends no signal
    return len(new)


# --- notifications and e-mail -------------------------------------------------------------------


def notification_create(*, recipient: User, kind: str, title: str, body: str = "", url: str = "") -> Notification:
    """Add an in-app notification (the bell)."""
    return Notification.objects.create(recipient=recipient, kind=kind, title=title[:200], body=body, url=url)


def notifications_mark_read(*, recipient: User, ids: Iterable[int] | None = None) -> int:
    """Mark a person's notifications as read (all of them when no ids are given)."""
    qs = Notification.objects.filter(recipient=recipient, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    marked = qs.update(read_at=timezone.now())
    person_cache.unread_changed(person_ids=[recipient.pk])
    return marked


# An e-mail subject longer than this is cut (with an ellipsis); mail clients show far less.
EMAIL_SUBJECT_MAX_CHARS = 200


def email_subject(text: str) -> str:
    """`text` made safe as an e-mail subject: one line, no control characters, at most EMAIL_SUBJECT_MAX_CHARS.

    Subjects are built from titles people type; Django refuses a header with a line break
    ("Header values can't contain newlines"), so one such title made an e-mail fail on every retry.
    """
    visible = "".join(ch if ch.isprintable() else " " for ch in LINE_BREAK.sub(" ", text))
    printable = " ".join(visible.split())
    if len(printable) > EMAIL_SUBJECT_MAX_CHARS:
        return printable[: EMAIL_SUBJECT_MAX_CHARS - 1].rstrip() + "…"
    return printable


def email_queue(
    *,
    recipient: User,
    kind: str,
    key: str,
    subject: str,
    template: str,
    context: dict | None = None,
    attachments: list[dict] | None = None,
) -> OutboundEmail | None:
    """Record an e-mail owed to a person and send it through Celery once the transaction commits.

    `template` names a pair `<template>.txt` and `<template>.html` that extend the shared
    e-mail layout. Returns None when an e-mail of this kind and key was already owed to this
    person: the database constraint makes every reason e-mail at most once. `attachments` are
    dicts with `filename`, `mimetype` and text `content` (calendar invites).
    """
    ctx = {
        "recipient": recipient,
        "organisation": settings.ORGANISATION_NAME,
        "site_url": settings.SITE_URL,
        **(context or {}),
    }
    body_text = render_to_string(f"{template}.txt", ctx)
    body_html = render_to_string(f"{template}.html", ctx)
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.create(
                recipient=recipient,
                kind=kind,
                key=key[:200],
                subject=email_subject(f"[{settings.ORGANISATION_NAME}] {subject}"),
                body_text=body_text,
                body_html=body_html,
                attachments=attachments or [],
            )
    except IntegrityError:
        return None
    _email_publish_on_commit(email.pk)
    return email


class _EmailBatch:
    """The e-mails one transaction owes, published as a single task when it commits.

    The OutboundEmail rows are the outbox: written in the same transaction as their reason,
    so nothing is owed that was not saved and nothing saved is lost. Publishing them is only
    a shortcut to the worker; one message per transaction keeps a request that tells 55
    people to one broker call, and the sweeper relays whatever that call did not deliver.
    """

    def __init__(self) -> None:
        self.email_ids: list[int] = []

    def __call__(self) -> None:
        from .tasks import email_send_batch_task

        connection = transaction.get_connection()
        if getattr(connection, "saypro_email_batch", None) is self:
            connection.saypro_email_batch = None
        task_enqueue(email_send_batch_task, email_ids=self.email_ids)


def _email_publish_on_commit(email_id: int) -> None:
    """Add an e-mail to its transaction's batch, publishing the batch once it commits."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _batch = _EmailBatch()
        _batch.email_ids.append(email_id)
        _batch()
        return
    batch = getattr(connection, "saypro_email_batch", None)
    # A savepoint rolled back drops the callbacks registered inside it, the batch's among
    # them; the e-mails added since then need a batch of their own.
    if batch is None or not any(entry[1] is batch for entry in connection.run_on_commit):
        batch = _EmailBatch()
        connection.saypro_email_batch = batch
        transaction.on_commit(batch)
    batch.email_ids.append(email_id)


# How long a process stops trying the broker after a failed publish. Every caller has saved
# what it owes before publishing, so skipping the broker only delays the work to the next
# sweep; without the pause, a request telling 50 people would wait 50 times.
BROKER_PAUSE_SECONDS = 15.0
_broker_down_until = 0.0


def task_enqueue(task, **kwargs) -> bool:
    """Queue a task; return False instead of raising when the broker is unreachable.

    One attempt, no retries (the broker's connection timeout bounds it, see the Celery
    settings), and after a failure none at all for BROKER_PAUSE_SECONDS in this process.
    Callers save their state first and a sweeping job finds it, so a broker outage delays
    work but never loses it, and a request never waits on the broker more than once.
    """
    global _broker_down_until
    if time_monotonic() < _broker_down_until:
        logger.warning("Broker paused after a failure; %s(%s) left to the sweeper", task.name, kwargs)
        return False
    try:
        task.apply_async(kwargs=kwargs)
    except Exception:
        _broker_down_until = time_monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("Broker unavailable; %s(%s) not queued", task.name, kwargs, exc_info=True)
        return False
    return True


def broker_pause_reset() -> None:
    """Forget a failed publish, e.g. once a sweeping job has reached the broker again."""
    global _broker_down_until
    _broker_down_until = 0.0


def email_send(*, email_id: int) -> bool:
    """Send one owed e-mail. Safe to call twice or concurrently: only one caller claims it.

    Delivery is at least once, never silently lost: the row is claimed ("sending") before
    the SMTP call and marked sent by the very next statement, so only a crash between the
    relay accepting the message and that UPDATE (milliseconds) can send it again, after the
    sweeper's 15-minute lease. The Message-ID is fixed per row, so a resent copy carries the
    same id and mail systems that de-duplicate by it show it once.
    """
    claimed = OutboundEmail.objects.filter(
        pk=email_id, status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED]
    ).update(status=OutboundEmail.Status.SENDING, attempts=models.F("attempts") + 1, claimed_at=timezone.now())
    if not claimed:
        return False
    email = OutboundEmail.objects.select_related("recipient").get(pk=email_id)
    message = EmailMultiAlternatives(
        # Cleaned again: a row queued before subjects were cleaned where they are built still goes out.
        subject=email_subject(email.subject),
        body=email.body_text,
        to=[email.recipient.email],
        from_email=settings.DEFAULT_FROM_EMAIL,
    )
    message.extra_headers["Message-ID"] = f"<outbound-{email.pk}.{email.created_at:%Y%m%d%H%M%S}@{_mail_domain()}>"
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for attachment in email.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    try:
        message.send()
    except Exception as exc:  # noqa: BLE001 -- recorded on the row and retried by the sweeper
        OutboundEmail.objects.filter(pk=email_id).update(status=OutboundEmail.Status.FAILED, last_error=str(exc)[:2000])
        return False
    OutboundEmail.objects.filter(pk=email_id).update(status=OutboundEmail.Status.SENT, sent_at=timezone.now())
    return True


def _mail_domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >")
    return address or "saypro.local"


def email_send_many(*, email_ids: Iterable[int]) -> int:
    """Send the given owed e-mails one after another; returns how many were sent by this call."""
    return sum(email_send(email_id=pk) for pk in email_ids)


# After this many failed attempts the sweeper stops retrying an e-mail; it stays on the
# officer's list of failed e-mails, where a resend starts the count again.
EMAIL_MAX_ATTEMPTS = 5


def email_resend(*, email: OutboundEmail, by: User) -> bool:
    """An officer sends a failed e-mail again; returns False when it is no longer failed.

    Side effects: the attempts count starts again (so the sweeper retries it too), an audit
    entry, and the e-mail published to a worker after commit.
    """
    with transaction.atomic():
        reset = OutboundEmail.objects.filter(pk=email.pk, status=OutboundEmail.Status.FAILED).update(
            status=OutboundEmail.Status.PENDING, attempts=0, last_error=""
        )
        if reset:
            audit_record(
                actor=by, action="core.email_resend", target=email, data={"kind": email.kind, "to": email.recipient_id}
            )
            _email_publish_on_commit(email.pk)
    return bool(reset)


def email_sweep(
    *,
    older_than_seconds: int = 30,
    max_attempts: int = EMAIL_MAX_ATTEMPTS,
    batch_size: int = 200,
    budget_seconds: float = 240.0,
) -> int:
    """Relay the outbox: send e-mails a broker outage, a lost message or a crash left unsent.

    Runs every minute from beat and works through the backlog in batches until it is empty
    or `budget_seconds` have passed (the next run goes on), so an outage of any length
    drains without a message per e-mail. Returns how many were sent.
    """
    started = time_monotonic()
    stale_sending = timezone.now() - timedelta(minutes=15)
    # A worker that died mid-send leaves "sending"; long after its claim it is fair to try
    # again. Judged by the claim time, not the creation time, so a row claimed a moment ago
    # by a slow sweep is never handed to a second one.
    OutboundEmail.objects.filter(status=OutboundEmail.Status.SENDING, claimed_at__lt=stale_sending).update(
        status=OutboundEmail.Status.FAILED
    )
    sent, after_id = 0, 0
    while time_monotonic() - started < budget_seconds:
        cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
        ids = list(
            OutboundEmail.objects.filter(
                status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED],
                created_at__lt=cutoff,
                attempts__lt=max_attempts,
                pk__gt=after_id,
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            break
        sent += email_send_many(email_ids=ids)
        after_id = ids[-1]  # a row failing again waits for the next run, not this loop
    return sent


class _AlreadyNotified(Exception):
    """Raised inside notify's savepoint to undo the in-app row when the e-mail already exists."""


def notify(
    *,
    recipient: User,
    kind: str,
    key: str,
    title: str,
    body: str = "",
    url: str = "",
    email_template: str | None = None,
    context: dict | None = None,
    attachments: list[dict] | None = None,
) -> bool:
    """Tell a person something: in the app always, and by e-mail when a template is given.

    At most once per (recipient, kind, key): a second call for the same reason does nothing
    and returns False. The person's preference for the kind's category decides the e-mail:
    sent now (queued after commit), left for the daily digest, or not sent at all.

    Side effects: one Notification row; with a template and "e-mail now", one OutboundEmail
    row and a Celery task queued on commit.
    """
    if not key:
        raise ValueError("notify needs a key naming the reason, so it can be sent at most once.")
    delivery = notification_delivery_for(person=recipient, kind=kind) if email_template else None
    try:
        with transaction.atomic():
            Notification.objects.create(
                recipient=recipient,
                kind=kind,
                key=key[:200],
                title=email_subject(title),
                body=body,
                url=url,
                digest_pending=delivery == NotificationPreference.Delivery.DIGEST,
            )
            if email_template and delivery == NotificationPreference.Delivery.EMAIL:
                email = email_queue(
                    recipient=recipient,
                    kind=kind,
                    key=key,
                    subject=title,
                    template=email_template,
                    context={"title": title, "body": body, "url": url, **(context or {})},
                    attachments=attachments,
                )
                if email is None:
                    raise _AlreadyNotified
    except (IntegrityError, _AlreadyNotified):
        return False
    return True


def notification_preferences_save(*, person: User, deliveries: dict[str, str]) -> int:
    """Store how a person wants each category of e-mail; returns how many categories changed.

    `deliveries` maps NotificationKind values to NotificationPreference.Delivery values; an
    unknown category or delivery raises ValueError and nothing is saved. A category moved to
    "in the app only" also drops its notifications still waiting for the digest.
    """
    categories, options = set(NotificationKind.values), set(NotificationPreference.Delivery.values)
    bad = {k: v for k, v in deliveries.items() if k not in categories or v not in options}
    if bad:
        raise ValueError(f"Unknown notification categories or deliveries: {sorted(bad.items())}")
    current = {p.kind: p for p in NotificationPreference.objects.filter(person=person)}
    changed = 0
    with transaction.atomic():
        for category, delivery in deliveries.items():
            pref = current.get(category)
            if pref is None:
                if delivery == NotificationPreference.Delivery.EMAIL:
                    continue  # no row already means "e-mail now"
                NotificationPreference.objects.create(person=person, kind=category, delivery=delivery)
            elif pref.delivery != delivery:
                pref.delivery = delivery
                pref.save(update_fields=["delivery"])
            else:
                continue
            changed += 1
            if delivery == NotificationPreference.Delivery.IN_APP:
                waiting = Notification.objects.filter(recipient=person, digest_pending=True)
                ids = [n.pk for n in waiting.only("pk", "kind") if NotificationKind.of(n.kind) == category]
                Notification.objects.filter(pk__in=ids).update(digest_pending=False)
    return changed


def notification_digest_send(*, day: date, now: datetime | None = None) -> int:
    """Send each person one e-mail gathering their notifications that wait for the digest.

    The digest of `day` holds what arrived up to the end of that day (or `now`, whichever is
    earlier) and was not in an earlier digest. At most one digest per person and day (the
    OutboundEmail key "digest:<day>"); what arrives after a person's digest went out waits for
    the next day's. Returns the number of digests queued; safe to run twice.

    Side effects: OutboundEmail rows (queued on commit); the gathered notifications are no
    longer pending.
    """
    tz = timezone.get_current_timezone()
    end_of_day = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    cutoff = min(end_of_day, now or timezone.now())
    due = Notification.objects.filter(digest_pending=True, created_at__lt=cutoff)
    people = User.objects.filter(pk__in=due.values("recipient_id"), is_active=True).order_by("pk")
    queued = 0
    for person in people.iterator(chunk_size=200):
        with transaction.atomic():
            notifications = list(due.filter(recipient=person).select_for_update().order_by("created_at", "id"))
            if not notifications:
                continue
            email = email_queue(
                recipient=person,
                kind="digest",
                key=f"digest:{day.isoformat()}",
                subject=ngettext(
                    "Your daily digest: %(n)d update", "Your daily digest: %(n)d updates", len(notifications)
                )
                % {"n": len(notifications)},
                template="core/email/notification_digest",
                context={"notifications": notifications, "day": day},
            )
            if email is None:
                continue  # today's digest already went out; these wait for tomorrow's
            Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(digest_pending=False)
            queued += 1
    return queued


# --- job health ---------------------------------------------------------------------------------


def heartbeat_start(*, name: str) -> None:
    JobHeartbeat.objects.update_or_create(name=name, defaults={"last_started_at": timezone.now()})


def heartbeat_finish(*, name: str, ok: bool, result: str = "", error: str = "") -> None:
    JobHeartbeat.objects.update_or_create(
        name=name,
        defaults={
            "last_finished_at": timezone.now(),
            "last_ok": ok,
            "last_result": result[:255],
            "last_error": error[:5000],
        },
    )


# --- calendar subscriptions ---------------------------------------------------------------------


def calendar_feed_create(*, person: User) -> str:
    """Give the person a new secret calendar address and return its secret (shown once).

    A person has at most one: making a new one ends the old address at once, which is how a
    person who shared or lost it takes it back. Only the secret's hash is stored.
    """
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        person=person,
        defaults={"token_hash": calendar_feed_token_hash(token), "created_at": timezone.now(), "last_read_at": None},
    )
    return token


def calendar_feed_revoke(*, person: User) -> bool:
    """End the person's calendar address; True if there was one."""
    deleted, _ = CalendarFeed.objects.filter(person=person).delete()
    return bool(deleted)


def calendar_feed_mark_read(*, person: User, now: datetime | None = None) -> None:
    """Remember when a calendar program last read the feed, at most once a minute per person."""
    now = now or timezone.now()
    CalendarFeed.objects.filter(person=person).filter(
        models.Q(last_read_at__isnull=True) | models.Q(last_read_at__lt=now - timedelta(minutes=1))
    ).update(last_read_at=now)
