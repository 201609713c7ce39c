"""Writes of feedback sessions: scheduling, invitations, reminders, contributions, facilitation, follow-up.

Every e-mail and in-app message goes through `saypro.core.services.notify`, which is at most once
per (recipient, kind, key). The keys below name the reason, so a job that runs twice, runs
concurrently, or dies half-way and is retried never tells a person the same thing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from saypro.core import fragments, roles
from saypro.core.calendar import ics_invite_for
from saypro.core.ids import id_from
from saypro.core.markdown import render_markdown
from saypro.core.models import Enrolment, Module, User
from saypro.core.services import audit_record, notify, task_enqueue
from saypro.core.text import text_problem
from saypro.xapi.services import statement_record, statement_retract, statements_record_many

from .models import (
    CONTRIBUTION_MAX_CHARS,
    SUGGESTION_MAX_CHARS,
    Contribution,
    FeedbackSession,
    Invitation,
    Suggestion,
)
from .selectors import console_changed, session_calendar_entry, suggestion_session_ids

# A major module is worth a proposal from a week before its end until a month after it.
PROPOSAL_LEAD_DAYS = 7
PROPOSAL_LOOKBACK_DAYS = 30
PROPOSED_START = time(10, 0)
PROPOSED_LENGTH = timedelta(minutes=90)
# The hourly job runs at :05; a window longer than an hour means every session gets its
# "an hour before" reminder from exactly one run, between 70 and 10 minutes before the start.
HOUR_REMINDER_WINDOW = timedelta(minutes=70)
DAY_REMINDER_WINDOW = timedelta(hours=24)
# How long after a session ends the hourly job still sends a follow-up a lost task left owed.
FOLLOW_UP_CATCH_UP = timedelta(days=7)
REMINDER_LEADS = {"hour": "In an hour", "day": "Tomorrow"}

State = FeedbackSession.State


# --- helpers ------------------------------------------------------------------------------------


def _session_url(session: FeedbackSession) -> str:
    return reverse("feedback:session-detail", kwargs={"pk": session.pk})


def _session_title(session: FeedbackSession) -> str:
    return f"Feedback session: {session.module.title}"


def _when(session: FeedbackSession) -> str:
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    return f"{start:%A %d %B %Y, %H:%M}–{end:%H:%M}"


def _invite_attachment(session: FeedbackSession, *, cancelled: bool = False) -> dict:
    return ics_invite_for(session_calendar_entry(session), cancelled=cancelled)


def _enqueue(task, **kwargs) -> None:
    """Queue a task once the transaction commits; a broker outage leaves the work to the hourly sweep."""
    transaction.on_commit(lambda: task_enqueue(task, **kwargs))


def _officers() -> QuerySet[User]:
    return User.objects.filter(groups__name=roles.OFFICER, is_active=True).distinct()


def _has_withdrawn(session: FeedbackSession) -> Exists:
    """True for invitations whose person has since withdrawn from the module; they get no more e-mails."""
    return Exists(
        Enrolment.objects.filter(
            person_id=OuterRef("person_id"), module_id=session.module_id, status=Enrolment.Status.WITHDRAWN
        )
    )


def _clean_text(value: str, *, field: str, limit: int, empty: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: empty})
    if len(text) > limit:
        raise ValidationError({field: f"Keep it to {limit} characters; this has {len(text)}."})
    return text


def _validate_session_fields(
    *,
    starts_at: datetime | None,
    ends_at: datetime | None,
    place: str,
    online_url: str,
    facilitator: User | None,
    check_future: bool,
    prompts: str = "",
) -> None:
    errors: dict[str, str] = {}
    # A place goes into e-mails and the calendar invite's LOCATION line: one line, and limited.
    for field, text, problem in (
        ("place", place, text_problem(place.strip(), max_chars=200, single_line=True, label="the place")),
        ("prompts", prompts, text_problem(prompts.strip(), max_chars=2_000, label="the prompts")),
    ):
        if text and problem:
            errors[field] = problem
    if starts_at is None:
        errors["starts_at"] = "Give the date and time the session starts."
    elif check_future and starts_at <= timezone.now():
        errors["starts_at"] = "This time has already passed; pick a start in the future."
    if ends_at is None:
        errors["ends_at"] = "Give the time the session ends."
    elif starts_at is not None and ends_at <= starts_at:
        errors["ends_at"] = "The session must end after it starts."
    if not place.strip() and not online_url.strip():
        errors["place"] = "Give a place, an online link, or both."
    if facilitator is None:
        errors["facilitator"] = "Choose the officer who facilitates the session."
    elif not roles.is_officer.test(facilitator):
        errors["facilitator"] = "The facilitator must be an Advice Desk Officer."
    if errors:
        raise ValidationError(errors)


# What the officer sets on a session when creating, scheduling or changing it.
SESSION_DETAILS = ["starts_at", "ends_at", "place", "online_url", "facilitator", "prompts"]


def _session_details_set(
    session: FeedbackSession,
    *,
    starts_at: datetime,
    ends_at: datetime,
    place: str,
    online_url: str,
    facilitator: User | None,
    prompts: str,
    check_future: bool,
) -> bool:
    """Validate the officer's details and put them on the session (not saved).

    Returns whether the time or the place changed (the participants must then hear of it).
    """
    _validate_session_fields(
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
        facilitator=facilitator,
        check_future=check_future,
        prompts=prompts,
    )
    place, online_url = place.strip(), online_url.strip()
    moved = (starts_at, ends_at, place, online_url) != (
        session.starts_at,
        session.ends_at,
        session.place,
        session.online_url,
    )
    session.starts_at, session.ends_at = starts_at, ends_at
    session.place, session.online_url = place, online_url
    session.facilitator, session.prompts = facilitator, prompts.strip()
    return moved


def _invitations_send_after_commit(session: FeedbackSession) -> None:
    from .tasks import session_invitations_send_task

    _enqueue(session_invitations_send_task, session_id=session.pk)


def _session_scheduled(session: FeedbackSession, *, by: User) -> None:
    """A session now scheduled: invitation rows now, e-mails with the calendar invite after commit; audit entry."""
    session_invitations_sync(session=session)
    audit_record(actor=by, action="feedback.session_schedule", target=session)
    _invitations_send_after_commit(session)


def _live_session_error(module: Module) -> ValidationError:
    return ValidationError(
        {"module": f"{module.title} already has a feedback session. Cancel it first if it should be replaced."}
    )


# --- proposals ----------------------------------------------------------------------------------


def _suggested_start(*, module: Module, today: date) -> datetime:
    """The first weekday after the module ends, and at least three days from now, at 10:00."""
    day = max(module.ends_on + timedelta(days=1), today + timedelta(days=3))
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, PROPOSED_START, tzinfo=timezone.get_current_timezone())


def session_propose_due(*, today: date | None = None) -> list[FeedbackSession]:
    """Propose a session for every major module that has ended (or ends within a week) and has none yet.

    Side effects: creates sessions in state "proposed" with a suggested time; tells every officer
    (in the app and by e-mail). Safe to run twice or concurrently: the one-live-session constraint
    lets one proposal per module in, and a module with any session (even cancelled) is left alone.
    """
    today = today or timezone.localdate()
    modules = (
        Module.objects.filter(
            is_major=True,
            ends_on__lte=today + timedelta(days=PROPOSAL_LEAD_DAYS),
            ends_on__gte=today - timedelta(days=PROPOSAL_LOOKBACK_DAYS),
        )
        .filter(~Exists(FeedbackSession.objects.filter(module_id=OuterRef("pk"))))
        .select_related("programme")
        .order_by("ends_on", "pk")
    )
    officers = list(_officers())
    proposed = []
    for module in modules:
        starts_at = _suggested_start(module=module, today=today)
        try:
            with transaction.atomic():
                session = FeedbackSession.objects.create(
                    module=module, state=State.PROPOSED, starts_at=starts_at, ends_at=starts_at + PROPOSED_LENGTH
                )
                for officer in officers:
                    notify(
                        recipient=officer,
                        kind="session_proposed",
                        key=f"feedback-session:{session.pk}:proposed",
                        title=f"Schedule a feedback session for {module.title}",
                        body=(
                            f"{module.title} ({module.programme.title}) ends on {module.ends_on:%d %B %Y}. "
                            f"A feedback session is proposed for {_when(session)}; confirm or change it."
                        ),
                        url=reverse("feedback:session-schedule", kwargs={"pk": session.pk}),
                        email_template="email/notification",
                    )
        except IntegrityError:
            # Another run proposed (or an officer created) a session for this module meanwhile.
            continue
        proposed.append(session)
    return proposed


# --- scheduling ---------------------------------------------------------------------------------


def session_invitations_sync(*, session: FeedbackSession) -> int:
    """Invite every enrolled (not withdrawn) participant of the module not yet invited; returns how many."""
    invited = Invitation.objects.filter(session=session).values("person_id")
    person_ids = list(
        Enrolment.objects.filter(module_id=session.module_id)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .exclude(person_id__in=invited)
        .values_list("person_id", flat=True)
    )
    Invitation.objects.bulk_create(
        [Invitation(session=session, person_id=pk) for pk in person_ids], ignore_conflicts=True
    )
    fragments.changed("attendance")  # invitations created in bulk, without signals
    fragments.changed("participation")  # ... which the console counts
    fragments.changed("home_panels")  # ... and the home panels of those invited
    return len(person_ids)


def session_create(
    *,
    module: Module,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    online_url: str = "",
    facilitator: User | None,
    prompts: str = "",
    by: User,
) -> FeedbackSession:
    """Create and schedule a session for a module by hand.

    Side effects: invites the module's enrolled participants (rows now, e-mails with a calendar
    invite after commit); audit entry. Refuses a second live session for the module.
    """
    now = timezone.now()
    session = FeedbackSession(module=module, state=State.SCHEDULED, created_by=by, created_at=now, scheduled_at=now)
    _session_details_set(
        session,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
        facilitator=facilitator,
        prompts=prompts,
        check_future=True,
    )
    if FeedbackSession.objects.filter(module=module).exclude(state=State.CANCELLED).exists():
        raise _live_session_error(module)
    try:
        with transaction.atomic():
            session.save(force_insert=True)
    except IntegrityError as exc:
        raise _live_session_error(module) from exc
    _session_scheduled(session, by=by)
    return session


def session_schedule(
    *,
    session: FeedbackSession,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    online_url: str = "",
    facilitator: User | None,
    prompts: str = "",
    by: User,
) -> FeedbackSession:
    """Confirm a proposed session: fix its time, place and facilitator, and invite the participants.

    Side effects: invitation rows now, e-mails with a calendar invite after commit; audit entry.
    """
    if session.state != State.PROPOSED:
        raise ValidationError(f"Only a proposed session can be scheduled; this one is {session.get_state_display()}.")
    _session_details_set(
        session,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
        facilitator=facilitator,
        prompts=prompts,
        check_future=True,
    )
    session.state = State.SCHEDULED
    session.scheduled_at = timezone.now()
    session.save(update_fields=[*SESSION_DETAILS, "state", "scheduled_at"])
    _session_scheduled(session, by=by)
    return session


def session_update(
    *,
    session: FeedbackSession,
    starts_at: datetime,
    ends_at: datetime,
    place: str = "",
    online_url: str = "",
    facilitator: User | None,
    prompts: str = "",
    by: User,
) -> FeedbackSession:
    """Change a session's time, place, facilitator or prompts.

    Side effects: when a scheduled session's time or place changes, the invite version goes up
    and every participant gets an updated calendar invite after commit; audit entry.
    """
    if session.state not in FeedbackSession.EDITABLE_STATES:
        raise ValidationError(f"A {session.get_state_display().lower()} session can no longer be changed.")
    moved = _session_details_set(
        session,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
        facilitator=facilitator,
        prompts=prompts,
        check_future=starts_at != session.starts_at,
    )
    fields = list(SESSION_DETAILS)
    announce = moved and session.state != State.PROPOSED
    if announce:
        session.sequence += 1
        fields.append("sequence")
    session.save(update_fields=fields)
    audit_record(actor=by, action="feedback.session_update", target=session, data={"announced": announce})
    if announce:
        _invitations_send_after_commit(session)
    return session


def session_cancel(*, session: FeedbackSession, reason: str, by: User) -> FeedbackSession:
    """Cancel a session, with a reason the participants read.

    Side effects: audit entry; after commit, every invited participant gets the reason and a
    calendar cancellation. The module may then get a new session.
    """
    if session.state not in FeedbackSession.EDITABLE_STATES:
        raise ValidationError(f"A {session.get_state_display().lower()} session cannot be cancelled.")
    reason = _clean_text(
        reason, field="reason", limit=1000, empty="Say why the session is cancelled; participants read it."
    )
    was_announced = session.state != State.PROPOSED
    session.state = State.CANCELLED
    session.cancel_reason = reason
    session.cancelled_at = timezone.now()
    session.sequence += 1
    session.save(update_fields=["state", "cancel_reason", "cancelled_at", "sequence"])
    audit_record(actor=by, action="feedback.session_cancel", target=session, reason=reason)
    if was_announced:
        from .tasks import session_cancellation_send_task

        _enqueue(session_cancellation_send_task, session_id=session.pk)
    return session


EARLY_REASON_LIMIT = 1000


def session_opens_at(session: FeedbackSession) -> datetime:
    """From when a session may be opened without a reason: FEEDBACK_OPEN_LEAD_MINUTES before its start."""
    from django.conf import settings

    return session.starts_at - timedelta(minutes=settings.FEEDBACK_OPEN_LEAD_MINUTES)


def session_open_is_early(session: FeedbackSession, *, now: datetime | None = None) -> bool:
    return (now or timezone.now()) < session_opens_at(session)


def session_close_is_early(session: FeedbackSession, *, now: datetime | None = None) -> bool:
    """Closing before the scheduled start is early: it locks contributions and sends the summary."""
    return (now or timezone.now()) < session.starts_at


def _early_reason(reason: str, *, early: bool, refusal: str) -> str:
    """The reason an early transition needs (and an on-time one may carry), cleaned."""
    reason = (reason or "").strip()
    if early and not reason:
        raise ValidationError({"reason": refusal})
    if len(reason) > EARLY_REASON_LIMIT:
        raise ValidationError(
            {"reason": f"Keep the reason to {EARLY_REASON_LIMIT} characters; this has {len(reason)}."}
        )
    return reason


def session_open(*, session: FeedbackSession, by: User, reason: str = "") -> FeedbackSession:
    """Start running a scheduled session (the console shows it as open).

    Allowed from FEEDBACK_OPEN_LEAD_MINUTES before the start; earlier only with a reason.
    Side effect: audit entry, with the reason and whether it was early.
    """
    if session.state != State.SCHEDULED:
        raise ValidationError(f"Only a scheduled session can be opened; this one is {session.get_state_display()}.")
    now = timezone.now()
    early = session_open_is_early(session, now=now)
    opens_at = timezone.localtime(session_opens_at(session))
    reason = _early_reason(
        reason,
        early=early,
        refusal=f"The session opens from {opens_at:%d %B %Y, %H:%M}; say why you open it earlier.",
    )
    session.state = State.OPEN
    session.opened_at = now
    session.save(update_fields=["state", "opened_at"])
    audit_record(actor=by, action="feedback.session_open", target=session, reason=reason, data={"early": early})
    return session


def session_close(*, session: FeedbackSession, by: User, reason: str = "") -> FeedbackSession:
    """Close a session: it is held, and its contributions are locked.

    Allowed after the scheduled start; earlier only with a reason. Side effects: audit entry
    (with the reason and whether it was early); each attendee's xAPI statement; after commit,
    attendees get the summary and a reflection prompt (`session_follow_up`).
    """
    if session.state not in (State.SCHEDULED, State.OPEN):
        raise ValidationError(
            f"Only a scheduled or open session can be closed; this one is {session.get_state_display()}."
        )
    now = timezone.now()
    early = session_close_is_early(session, now=now)
    starts_at = timezone.localtime(session.starts_at)
    reason = _early_reason(
        reason,
        early=early,
        refusal=f"The session starts at {starts_at:%d %B %Y, %H:%M}; say why you close it before it started.",
    )
    with transaction.atomic(savepoint=False):
        session.state = State.HELD
        session.held_at = now
        session.save(update_fields=["state", "held_at"])
        audit_record(actor=by, action="feedback.session_close", target=session, reason=reason, data={"early": early})
        _xapi_attendance(session, session.invitations.all())
    from .tasks import session_follow_up_task

    _enqueue(session_follow_up_task, session_id=session.pk)
    return session


# --- invitations, cancellations and reminders ---------------------------------------------------


def session_invitations_send(*, session_id: int) -> int:
    """E-mail the current calendar invite to every invited participant who has not had it yet.

    Side effects: one notification and one e-mail (with an .ics of the session's current
    sequence) per person, each committed with the person's `notified_sequence`, so a retry after
    a crash carries on where it stopped. Returns how many were told.
    """
    session = FeedbackSession.objects.select_related("module").filter(pk=session_id).first()
    if session is None or session.state not in (State.SCHEDULED, State.OPEN):
        return 0
    session_invitations_sync(session=session)
    owed = (
        Invitation.objects.filter(session=session, notified_sequence__lt=session.sequence)
        .exclude(_has_withdrawn(session))
        .select_related("person")
        .order_by("pk")
    )
    attachment = _invite_attachment(session)
    updated = session.sequence > 0
    told = 0
    for invitation in owed:
        with transaction.atomic():
            notify(
                recipient=invitation.person,
                kind="session_changed" if updated else "session_scheduled",
                key=f"feedback-session:{session.pk}:invite:{session.sequence}",
                title=f"{'Changed: ' if updated else ''}{_session_title(session)}, {_when(session)}",
                body=f"Where: {session.where}",
                url=_session_url(session),
                email_template="feedback/email/invitation",
                context={"session": session, "when": _when(session), "updated": updated},
                attachments=[attachment],
            )
            Invitation.objects.filter(pk=invitation.pk, notified_sequence__lt=session.sequence).update(
                notified_sequence=session.sequence
            )
        told += 1
    return told


def session_cancellation_send(*, session_id: int) -> int:
    """Tell every invited participant that the session is cancelled, with the reason and a calendar cancellation."""
    session = FeedbackSession.objects.select_related("module").filter(pk=session_id).first()
    if session is None or session.state != State.CANCELLED:
        return 0
    attachment = _invite_attachment(session, cancelled=True)
    told = 0
    for invitation in session.invitations.select_related("person").order_by("pk"):
        with transaction.atomic():
            told += notify(
                recipient=invitation.person,
                kind="session_cancelled",
                key=f"feedback-session:{session.pk}:cancelled",
                title=f"Cancelled: {_session_title(session)}, {_when(session)}",
                body=f"Reason: {session.cancel_reason}",
                url=_session_url(session),
                email_template="feedback/email/cancellation",
                context={"session": session, "when": _when(session)},
                attachments=[attachment],
            )
    return told


def session_reminders_due(*, session: FeedbackSession, now: datetime) -> str | None:
    """Which reminder a session is due for at `now`: "hour", "day" or None."""
    if session.state not in (State.SCHEDULED, State.OPEN) or session.starts_at <= now:
        return None
    ahead = session.starts_at - now
    if ahead <= HOUR_REMINDER_WINDOW:
        return "hour"
    if ahead <= DAY_REMINDER_WINDOW:
        return "day"
    return None


def session_reminders_send(*, now: datetime | None = None) -> int:
    """Send due reminders (the day before and an hour before), each at most once per person.

    Runs hourly. Also catches up on work a broker outage left undone: invites owed for upcoming
    sessions and follow-ups owed for held ones. The reminder key names the session, its start
    and the reminder, so running twice or concurrently sends nothing twice, a crash half-way is
    finished by the next run, and a moved session is reminded again for its new time.
    Returns the number of reminders sent.
    """
    now = now or timezone.now()
    upcoming = list(
        FeedbackSession.objects.filter(
            state__in=(State.SCHEDULED, State.OPEN), starts_at__gt=now, starts_at__lte=now + DAY_REMINDER_WINDOW
        ).select_related("module")
    )
    for session_id in FeedbackSession.objects.filter(
        state__in=(State.SCHEDULED, State.OPEN), ends_at__gt=now
    ).values_list("pk", flat=True):
        session_invitations_send(session_id=session_id)
    # Follow-ups a lost task left owed, but only for sessions that just happened: a summary of
    # a session weeks ago (say, data loaded from elsewhere) is no longer news.
    for session_id in FeedbackSession.objects.filter(
        state=State.HELD, follow_up_sent_at__isnull=True, ends_at__gte=now - FOLLOW_UP_CATCH_UP
    ).values_list("pk", flat=True):
        session_follow_up(session_id=session_id)
    sent = 0
    for session in upcoming:
        which = session_reminders_due(session=session, now=now)
        if which is None:
            continue
        invitations = session.invitations.exclude(_has_withdrawn(session)).select_related("person").order_by("pk")
        for invitation in invitations:
            with transaction.atomic():
                sent += notify(
                    recipient=invitation.person,
                    kind=f"session_{which}_reminder",
                    key=f"feedback-session:{session.pk}:{session.starts_at.isoformat()}:{which}",
                    title=f"{REMINDER_LEADS[which]}: {_session_title(session)}, {_when(session)}",
                    body=f"Where: {session.where}. Bring an insight, a challenge or a success story.",
                    url=_session_url(session),
                    email_template="feedback/email/reminder",
                    context={"session": session, "when": _when(session), "which": which},
                )
    return sent


# --- contributions ------------------------------------------------------------------------------


def _contributions_open(session: FeedbackSession) -> None:
    if session.state == State.HELD:
        raise ValidationError("This session has been held; its contributions are locked.")
    if session.state == State.CANCELLED:
        raise ValidationError("This session was cancelled; it takes no contributions.")
    if session.state == State.PROPOSED:
        raise ValidationError("This session is not scheduled yet; contributions open once it is.")


def _kind(value: str) -> str:
    if value not in Contribution.Kind.values:
        raise ValidationError({"kind": "Choose an insight, a challenge or a success story."})
    return value


ANONYMOUS_NOT_A_CHALLENGE = (
    "Only a challenge can be posted without your name; insights and success stories are shared by name."
)


def _anonymous(value: bool, kind: str) -> bool:
    """Only a challenge may be posted without the author's name shown to colleagues."""
    if value and kind != Contribution.Kind.CHALLENGE:
        raise ValidationError({"anonymous": ANONYMOUS_NOT_A_CHALLENGE})
    return bool(value)


def contribution_add(
    *,
    session: FeedbackSession,
    author: User,
    kind: str,
    text: str,
    submission_token: uuid.UUID | None = None,
    recorded_by: User | None = None,
    anonymous: bool = False,
) -> tuple[Contribution, bool]:
    """Add an insight, challenge or success story; returns (contribution, created).

    The same `submission_token` twice (a double click, a retried request) returns the first
    contribution with created=False instead of writing a second. With `recorded_by`, an officer
    records it on the author's behalf: it counts as the author's. A challenge may be
    `anonymous`: colleagues do not see who asked, the officer does. The author's department,
    location and job role are kept as they are now. Side effects: audit entry when recorded;
    the author's xAPI statement (without the text).
    """
    token = submission_token or uuid.uuid4()
    existing = Contribution.objects.filter(author=author, submission_token=token).first()
    if existing is not None:
        return existing, False
    _contributions_open(session)
    if not session.invitations.filter(person=author).exists():
        raise ValidationError({"author": "Only participants invited to this session contribute to it."})
    kind = _kind(kind)
    anonymous = _anonymous(anonymous, kind)
    text = _clean_text(
        text, field="text", limit=CONTRIBUTION_MAX_CHARS, empty="Write your contribution before sending it."
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            contribution = Contribution.objects.create(
                session=session,
                author=author,
                recorded_by=recorded_by,
                kind=kind,
                anonymous=anonymous,
                text=text,
                text_html=render_markdown(text),
                submission_token=token,
                **Contribution.placement_of(author),
                created_at=now,
                updated_at=now,
            )
            statement_record(
                event="contribution",
                key=f"feedback.contribution:{contribution.pk}",
                actor=author,
                path=_session_url(session),
                name=f"Feedback session: {session.module.title}",
                when=now,
                module=session.module,
            )
    except IntegrityError:
        # The same submission arrived twice at once; the first one won.
        return Contribution.objects.get(author=author, submission_token=token), False
    if recorded_by is not None:
        audit_record(actor=recorded_by, action="feedback.contribution_record", target=contribution)
    return contribution, True


def _own_and_open(contribution: Contribution, by: User) -> None:
    if contribution.author_id != by.pk:
        raise ValidationError("Only its author changes a contribution.")
    _contributions_open(contribution.session)
    if contribution.withdrawn_at is not None:
        raise ValidationError("This contribution was withdrawn.")
    if contribution.hidden_at is not None:
        raise ValidationError("The officer hid this contribution; it can no longer be changed.")


def contribution_update(
    *, contribution: Contribution, kind: str, text: str, by: User, anonymous: bool = False
) -> Contribution:
    """Change one's own contribution while the session takes contributions (and whether a challenge shows the name)."""
    _own_and_open(contribution, by)
    contribution.kind = _kind(kind)
    contribution.anonymous = _anonymous(anonymous, contribution.kind)
    contribution.text = _clean_text(
        text, field="text", limit=CONTRIBUTION_MAX_CHARS, empty="Write your contribution before saving it."
    )
    contribution.text_html = render_markdown(contribution.text)
    contribution.updated_at = timezone.now()
    contribution.save(update_fields=["kind", "anonymous", "text", "text_html", "updated_at"])
    return contribution


def contribution_withdraw(*, contribution: Contribution, by: User) -> Contribution:
    """Withdraw one's own contribution while the session takes contributions; it is kept but no longer shown."""
    _own_and_open(contribution, by)
    contribution.withdrawn_at = timezone.now()
    contribution.highlighted = False
    contribution.updated_at = contribution.withdrawn_at
    contribution.save(update_fields=["withdrawn_at", "highlighted", "updated_at"])
    return contribution


FLAGS = ("discussed", "highlighted")


def contribution_flag_set(*, contribution: Contribution, flag: str, value: bool, by: User) -> Contribution:
    """Mark a contribution discussed or highlighted (or undo it). Side effect: audit entry."""
    if flag not in FLAGS:
        raise ValidationError(f"Unknown mark: {flag}.")
    if contribution.session.state not in (State.SCHEDULED, State.OPEN, State.HELD):
        raise ValidationError("Only contributions of a scheduled, open or held session can be marked.")
    if value and not contribution.is_visible:
        raise ValidationError("A hidden or withdrawn contribution cannot be marked.")
    if getattr(contribution, flag) == value:
        return contribution
    setattr(contribution, flag, value)
    contribution.updated_at = timezone.now()
    contribution.save(update_fields=[flag, "updated_at"])
    audit_record(
        actor=by,
        action=f"feedback.contribution_{flag}" if value else f"feedback.contribution_un{flag}",
        target=contribution,
    )
    return contribution


def contribution_hide(*, contribution: Contribution, reason: str, by: User) -> Contribution:
    """Hide a contribution that breaks the rules; its author sees the reason.

    Side effects: audit entry with the reason; an in-app notification to the author.
    """
    reason = _clean_text(
        reason, field="reason", limit=1000, empty="Say why it is hidden; the author reads this reason."
    )
    if contribution.hidden_at is not None:
        raise ValidationError("This contribution is already hidden.")
    contribution.hidden_at = timezone.now()
    contribution.hidden_by = by
    contribution.hidden_reason = reason
    contribution.highlighted = False
    contribution.updated_at = contribution.hidden_at
    contribution.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "highlighted", "updated_at"])
    audit_record(actor=by, action="feedback.contribution_hide", target=contribution, reason=reason)
    notify(
        recipient=contribution.author,
        kind="contribution_hidden",
        # The hide's time in the key: hidden, put back and hidden again tells the author again.
        key=f"feedback-contribution:{contribution.pk}:hidden:{contribution.hidden_at.isoformat()}",
        title=f"Your {contribution.get_kind_display().lower()} was hidden by the officer",
        body=f"Reason: {reason}",
        url=_session_url(contribution.session),
    )
    return contribution


def contribution_unhide(*, contribution: Contribution, by: User) -> Contribution:
    """Put back a contribution an officer hid by mistake; only an officer does it.

    Allowed in every state of the session, held ones included: a mistaken hide must be
    correctable, and the monthly report snapshot picks the contribution up at its next rebuild.
    Marks that the hide cleared (highlighted) stay cleared.

    Side effects: one save clearing hidden_at, hidden_by and hidden_reason; an audit entry whose
    reason is the reason the contribution had been hidden for; an in-app notification to the author.
    """
    if not roles.is_officer.test(by):
        raise ValidationError("Only an Advice Desk Officer puts a hidden contribution back.")
    if contribution.hidden_at is None:
        raise ValidationError("This contribution is not hidden.")
    old_reason = contribution.hidden_reason
    now = timezone.now()
    contribution.hidden_at = None
    contribution.hidden_by = None
    contribution.hidden_reason = ""
    contribution.updated_at = now
    contribution.save(update_fields=["hidden_at", "hidden_by", "hidden_reason", "updated_at"])
    audit_record(actor=by, action="feedback.contribution_unhidden", target=contribution, reason=old_reason)
    notify(
        recipient=contribution.author,
        kind="moderation",
        key=f"contribution:{contribution.pk}:unhidden:{now.isoformat()}",
        title=f"Your {contribution.get_kind_display().lower()} is shown again",
        body="The officer put it back: everyone in the session sees it again.",
        url=_session_url(contribution.session),
    )
    return contribution


def suggestion_add(
    *, contribution: Contribution, author: User, text: str, submission_token: uuid.UUID | None = None
) -> tuple[Suggestion, bool]:
    """Answer a peer's challenge with a suggestion; returns (suggestion, created).

    Side effect: an in-app notification to the challenge's author.
    """
    token = submission_token or uuid.uuid4()
    existing = Suggestion.objects.filter(author=author, submission_token=token).first()
    if existing is not None:
        return existing, False
    if contribution.kind != Contribution.Kind.CHALLENGE:
        raise ValidationError("Only a challenge can be answered with a suggestion.")
    if not contribution.is_visible:
        raise ValidationError("This challenge is no longer shown.")
    if contribution.author_id == author.pk:
        raise ValidationError("Suggestions come from peers; add more detail by editing your challenge.")
    _contributions_open(contribution.session)
    if not contribution.session.invitations.filter(person=author).exists():
        raise ValidationError("Only participants invited to this session answer its challenges.")
    text = _clean_text(text, field="text", limit=SUGGESTION_MAX_CHARS, empty="Write your suggestion before sending it.")
    try:
        with transaction.atomic():
            suggestion = Suggestion.objects.create(
                contribution=contribution,
                author=author,
                text=text,
                text_html=render_markdown(text),
                submission_token=token,
            )
            Contribution.objects.filter(pk=contribution.pk).update(updated_at=suggestion.created_at)
            console_changed(session_ids=[contribution.session_id])  # update() sends no signal
    except IntegrityError:
        return Suggestion.objects.get(author=author, submission_token=token), False
    notify(
        recipient=contribution.author,
        kind="challenge_suggestion",
        key=f"feedback-suggestion:{suggestion.pk}",
        title=f"{author.full_name} answered your challenge",
        url=_session_url(contribution.session),
    )
    return suggestion, True


def suggestion_hide(*, suggestion: Suggestion, reason: str, by: User) -> Suggestion:
    """Hide a suggestion that breaks the rules; its author sees the reason. Side effect: audit entry."""
    reason = _clean_text(
        reason, field="reason", limit=1000, empty="Say why it is hidden; the author reads this reason."
    )
    if suggestion.hidden_at is not None:
        raise ValidationError("This suggestion is already hidden.")
    suggestion.hidden_at = timezone.now()
    suggestion.hidden_by = by
    suggestion.hidden_reason = reason
    suggestion.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    Contribution.objects.filter(pk=suggestion.contribution_id).update(updated_at=suggestion.hidden_at)
    console_changed(session_ids=suggestion_session_ids(suggestion))  # update() sends no signal
    audit_record(actor=by, action="feedback.suggestion_hide", target=suggestion, reason=reason)
    return suggestion


# --- attendance ---------------------------------------------------------------------------------


ATTENDANCE_CHOICE_ERROR = "Choose present, late or absent."
# What is echoed of a value that is not an attendance, so a tampered form cannot flood the message.
ECHO_LIMIT = 20


def _attendance_recordable(session: FeedbackSession) -> None:
    if session.state not in (State.SCHEDULED, State.OPEN, State.HELD):
        raise ValidationError(f"Attendance cannot be recorded for a {session.get_state_display().lower()} session.")


def _follow_up_again(session: FeedbackSession, invitations: list[Invitation]) -> None:
    """On a held session, run the follow-up again for people marked attending afterwards (it sends once each)."""
    if session.state == State.HELD and any(i.attended for i in invitations):
        from .tasks import session_follow_up_task

        _enqueue(session_follow_up_task, session_id=session.pk)


def _xapi_attendance(session: FeedbackSession, invitations) -> None:
    """The attendance statements of a held session: recorded for attendees, taken back for the others.

    Before the session is held nothing is recorded: attendance still changes in the room.
    """
    if session.state != State.HELD:
        return
    key = f"feedback.feedbacksession:{session.pk}"
    attended: list[tuple[str, int]] = []
    absent: list[tuple[str, int]] = []
    for invitation in invitations:
        (attended if invitation.attended else absent).append((key, invitation.person_id))
    statements_record_many(
        event="session_attended",
        rows=attended,
        path=_session_url(session),
        name=f"Feedback session: {session.module.title}",
        when=session.starts_at,
        module=session.module,
    )
    if absent:
        statement_retract(event="session_attended", keys=absent)


def attendance_set(*, invitation: Invitation, attendance: str, by: User) -> Invitation:
    """Record whether an invited participant was present, late or absent.

    Side effect: on a session already held, the follow-up runs again after commit, so a person
    marked present afterwards still gets the summary and the reflection prompt (once).
    """
    if attendance not in Invitation.Attendance.values:
        raise ValidationError({"attendance": ATTENDANCE_CHOICE_ERROR})
    session = invitation.session
    _attendance_recordable(session)
    if invitation.attendance == attendance:
        return invitation
    invitation.attendance = attendance
    invitation.attendance_recorded_at = timezone.now()
    with transaction.atomic(savepoint=False):
        invitation.save(update_fields=["attendance", "attendance_recorded_at"])
        _xapi_attendance(session, [invitation])
    _follow_up_again(session, [invitation])
    return invitation


def attendance_record(
    *, session: FeedbackSession, attendance: Mapping[int | str, str], by: User
) -> tuple[list[Invitation], int]:
    """Record the attendance of several invited participants at once: all of it, or nothing.

    `attendance` maps an invitation's id (as a number or as the text a form sends) to present,
    late or absent. An id that is not an invitation of this session, or a value that is not an
    attendance, refuses the whole list with a message naming each problem. Returns the
    invitations named (in the order given, their attendance set) and how many of them changed.

    Side effects: the rows that changed are written together (one bulk update, atomic); on a
    session already held, the follow-up runs again after commit when someone is now marked
    attending (see `attendance_set`).
    """
    _attendance_recordable(session)
    wanted: dict[int, str] = {}
    errors: list[str] = []
    for key, value in attendance.items():
        text = str(key)
        if not (text.isascii() and text.isdigit()):
            errors.append(f"“{text[:ECHO_LIMIT]}” is not someone in this list; reload the console and save again.")
            continue
        wanted[int(text)] = value
    # Only ids a row can have reach the query (saypro.core.ids); 0 or a huge number is simply not invited.
    invitations = session.invitations.select_related("person").in_bulk([pk for pk in wanted if id_from(pk)])
    for pk, value in wanted.items():
        invitation = invitations.get(pk)
        if invitation is None:
            errors.append(
                f"Someone in the list (invitation {str(pk)[:ECHO_LIMIT]}) is not invited to this session; "
                "reload the console and save again."
            )
        elif value not in Invitation.Attendance.values:
            name, shown = invitation.person.full_name, value[:ECHO_LIMIT]
            errors.append(f"{name}: “{shown}” is not an attendance. {ATTENDANCE_CHOICE_ERROR}")
    if errors:
        raise ValidationError({"attendance": errors})
    now = timezone.now()
    recorded, changed = [], []
    for pk, value in wanted.items():
        invitation = invitations[pk]
        invitation.session = session
        recorded.append(invitation)
        if invitation.attendance != value:
            invitation.attendance = value
            invitation.attendance_recorded_at = now
            changed.append(invitation)
    if changed:
        with transaction.atomic(savepoint=False):
            Invitation.objects.bulk_update(changed, ["attendance", "attendance_recorded_at"])
            fragments.changed("attendance")  # bulk_update() sends no signal
            fragments.changed("participation")  # ... and the console counts who attended
            fragments.changed("learning_log")  # ... and the attendees' logs list the session
            _xapi_attendance(session, changed)
        _follow_up_again(session, changed)
    return recorded, len(changed)


def attendance_everyone_present(*, session: FeedbackSession, by: User) -> int:
    """Mark everyone whose attendance is not recorded yet as present; returns how many.

    The facilitator's first move in a full room: everyone present, then the exceptions one by
    one. Attendance already recorded (late, absent, or present) is left as it is. Side effects:
    one bulk update; on a held session the follow-up runs again after commit (see `attendance_set`).
    """
    _attendance_recordable(session)
    with transaction.atomic(savepoint=False):
        marked = session.invitations.filter(attendance=Invitation.Attendance.UNKNOWN).update(
            attendance=Invitation.Attendance.PRESENT, attendance_recorded_at=timezone.now()
        )
        fragments.changed("attendance")  # update() sends no signal
        fragments.changed("participation")  # ... and the console counts who attended
        fragments.changed("learning_log")  # ... and the attendees' logs list the session
        if marked:
            _xapi_attendance(session, session.invitations.filter(attendance__in=Invitation.ATTENDED))
    if marked and session.state == State.HELD:
        from .tasks import session_follow_up_task

        _enqueue(session_follow_up_task, session_id=session.pk)
    return marked


# --- after the session --------------------------------------------------------------------------


def session_follow_up(*, session_id: int) -> int:
    """Send every attendee of a held session the summary and a prompt to write a reflection.

    Side effects: per attendee, a summary notification and e-mail, and a reflection invitation
    through the reflections app (which owns its tables). Each at most once per person, committed
    person by person, so a retry finishes what a crash left. Returns how many were told.
    """
    from reflections.services import reflection_invite

    from .selectors import session_summary

    session = FeedbackSession.objects.select_related("module").filter(pk=session_id).first()
    if session is None or session.state != State.HELD:
        return 0
    summary = session_summary(session=session)
    told = 0
    attendees = session.invitations.filter(attendance__in=Invitation.ATTENDED).select_related("person").order_by("pk")
    for invitation in attendees:
        with transaction.atomic():
            told += notify(
                recipient=invitation.person,
                kind="session_summary",
                key=f"feedback-session:{session.pk}:summary",
                title=f"Summary: {_session_title(session)}",
                body="What the group highlighted, the challenges with their suggestions, and the success stories.",
                url=_session_url(session),
                email_template="feedback/email/summary",
                context={"session": session, "summary": summary, "when": _when(session)},
            )
            reflection_invite(
                person=invitation.person,
                context=session,
                kind="feedback_session",
                title=f"the feedback session on {session.module.title}",
            )
    FeedbackSession.objects.filter(pk=session.pk, follow_up_sent_at__isnull=True).update(
        follow_up_sent_at=timezone.now()
    )
    console_changed(session_ids=[session.pk])  # update() sends no signal
    return told
