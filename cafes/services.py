"""Writes of the cafés app: planning cafés, talk proposals, the agenda, RSVPs and feedback to speakers.

Every function here is keyword-only and validates before it writes: a refusal raises
ValidationError with a message meant for the person and leaves the database untouched.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from reflections import services as reflection_services
from saypro.core import fragments, roles
from saypro.core.calendar import ics_invite_for
from saypro.core.models import Notification, User
from saypro.core.services import audit_record, notify, submitted_once, task_enqueue
from saypro.core.text import text_problem
from saypro.xapi.services import statements_record_many

from . import selectors
from .models import (
    RATING_QUESTIONS,
    Cafe,
    Rsvp,
    SpeakerPreference,
    TalkFeedback,
    TalkFormat,
    TalkInterest,
    TalkProposal,
)

logger = logging.getLogger(__name__)

EDITABLE_CAFE_FIELDS = (
    "title",
    "theme",
    "starts_at",
    "duration_minutes",
    "place",
    "online_url",
    "capacity",
    "opening_minutes",
    "changeover_minutes",
)
# A change to one of these after publishing sends everyone an updated calendar invite.
INVITE_FIELDS = ("title", "starts_at", "duration_minutes", "place", "online_url")
OPEN_STATES = (Cafe.State.OPEN, Cafe.State.PUBLISHED)
REMINDER_HOUR_WINDOW = timedelta(minutes=75)
REMINDER_DAY_WINDOW = timedelta(hours=24)
# How far back the sweep looks for attendees owed a reflection invitation.
PROMPT_SWEEP_WINDOW = timedelta(days=14)
DRAFT_START = time(15, 0)


# --- helpers ----------------------------------------------------------------------------------------


def _cafe_url(cafe: Cafe) -> str:
    return reverse("cafes:cafe-detail", args=[cafe.pk])


def _talk_url(talk: TalkProposal) -> str:
    return reverse("cafes:proposal-detail", args=[talk.pk])


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%A %d %B %Y, %H:%M}"


def _invite(cafe: Cafe, *, cancelled: bool = False) -> dict:
    return ics_invite_for(selectors.cafe_calendar_entry(cafe), cancelled=cancelled)


def _lock(cafe: Cafe) -> Cafe:
    """Reload the café with its row locked until the transaction ends (serialises seat decisions)."""
    return Cafe.objects.select_for_update().get(pk=cafe.pk)


def _require_state(cafe: Cafe, allowed: Iterable[str], message: str) -> None:
    if cafe.state not in allowed:
        raise ValidationError(message)


# Character limits of what people type (saypro.core.text); single-line fields refuse line breaks.
CAFE_LINE_FIELDS = {"title": ("the title", 200), "theme": ("the theme", 200), "place": ("the place", 200)}
TALK_TITLE_MAX_CHARS = 120
TALK_TEXT_MAX_CHARS = 600
NOTE_MAX_CHARS = 1_000
REASON_MAX_CHARS = 1_000


def _text_error(fields: dict, name: str, *, max_chars: int, label: str, single_line: bool = False) -> str | None:
    """Strip `fields[name]` in place and say what is wrong with it, if anything."""
    if name not in fields:
        return None
    fields[name] = (fields[name] or "").strip()
    return text_problem(fields[name], max_chars=max_chars, single_line=single_line, label=label)


def _validate_cafe_fields(fields: dict, *, now: datetime) -> None:
    errors: dict[str, str] = {}
    for name, (label, max_chars) in CAFE_LINE_FIELDS.items():
        problem = _text_error(fields, name, max_chars=max_chars, label=label, single_line=True)
        if problem:
            errors[name] = problem
    if not (fields.get("place") or "").strip() and not (fields.get("online_url") or "").strip():
        errors["place"] = "Give a place, an online link, or both, so people know where to go."
    if fields.get("starts_at") is not None and fields["starts_at"] <= now:
        errors["starts_at"] = "Choose a date and time in the future."
    if fields.get("capacity") is not None and fields["capacity"] < 1:
        errors["capacity"] = "A café needs at least one seat."
    if errors:
        raise ValidationError(errors)


# --- cafés ------------------------------------------------------------------------------------------


def cafe_create(*, by: User | None, now: datetime | None = None, **fields) -> Cafe:
    """Plan a café (as a draft). Side effects: an audit entry."""
    now = now or timezone.now()
    unknown = set(fields) - set(EDITABLE_CAFE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown café fields: {sorted(unknown)}")
    _validate_cafe_fields(fields, now=now)
    with transaction.atomic():
        cafe = Cafe.objects.create(created_by=by, **fields)
        audit_record(actor=by, action="cafes.cafe_create", target=cafe)
    return cafe


def cafe_update(*, cafe: Cafe, by: User, now: datetime | None = None, **fields) -> Cafe:
    """Change a café's details.

    Side effects: raising the capacity promotes people from the waitlist (who are told);
    after the agenda was published, a change of time or place raises the invite sequence and
    sends speakers and people going an updated calendar invite. An audit entry.
    """
    now = now or timezone.now()
    unknown = set(fields) - set(EDITABLE_CAFE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown café fields: {sorted(unknown)}")
    with transaction.atomic():
        current = _lock(cafe)
        _require_state(
            current,
            (Cafe.State.DRAFT, *OPEN_STATES),
            "A café that was held or cancelled can no longer be changed.",
        )
        merged = {name: getattr(current, name) for name in EDITABLE_CAFE_FIELDS} | fields
        changed = [name for name in EDITABLE_CAFE_FIELDS if merged[name] != getattr(current, name)]
        check = dict(merged)
        if "starts_at" not in changed:
            check.pop("starts_at")
        _validate_cafe_fields(check, now=now)
        going = selectors.cafe_seat_counts(cafe=current).going
        if merged["capacity"] < going:
            raise ValidationError(
                {
                    "capacity": ngettext("%(n)d person is", "%(n)d people are", going) % {"n": going}
                    + " already going; the capacity cannot be lower than that."
                }
            )
        if not changed:
            return current
        for name in changed:
            setattr(current, name, merged[name])
        resend = current.state == Cafe.State.PUBLISHED and any(name in INVITE_FIELDS for name in changed)
        if resend:
            current.sequence += 1
        current.save(update_fields=[*changed, "sequence"])
        audit_record(actor=by, action="cafes.cafe_update", target=current, data={"changed": changed})
        if "capacity" in changed:
            _promote_from_waitlist(current)
        if resend:
            _send_cafe_update(current)
    cafe.refresh_from_db()
    return current


def _send_cafe_update(cafe: Cafe) -> None:
    people = {
        t.speaker
        for t in TalkProposal.objects.filter(cafe=cafe, state=TalkProposal.State.ACCEPTED).select_related("speaker")
    }
    people |= {r.person for r in selectors.rsvp_going_list(cafe=cafe)}
    invite = _invite(cafe)
    for person in people:
        notify(
            recipient=person,
            kind="cafe_changed",
            key=f"cafe:{cafe.pk}:update:{cafe.sequence}",
            title=f"Café changed: {cafe.title}",
            body=f"The café now starts {_local(cafe.starts_at)}. Where: {cafe.where}. The calendar invite is updated.",
            url=_cafe_url(cafe),
            email_template="email/notification",
            attachments=[invite],
        )


def cafe_open(*, cafe: Cafe, by: User) -> Cafe:
    """Open a drafted café for talk proposals and RSVPs. Side effects: an audit entry."""
    with transaction.atomic():
        current = _lock(cafe)
        _require_state(current, (Cafe.State.DRAFT,), "Only a draft café can be opened for proposals.")
        if current.starts_at <= timezone.now():
            raise ValidationError("This café's time has passed; change its date before opening it.")
        current.state = Cafe.State.OPEN
        current.save(update_fields=["state"])
        audit_record(actor=by, action="cafes.cafe_open", target=current)
    return current


def cafe_cancel(*, cafe: Cafe, by: User, reason: str) -> Cafe:
    """Cancel a café and tell everyone: speakers, people going and on the waitlist.

    Side effects: accepted and proposed talks go back to "kept for a later café"; a
    cancelling calendar invite to those who had one; an audit entry with the reason.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the café is cancelled; everyone affected reads it."})
    problem = text_problem(reason, max_chars=REASON_MAX_CHARS, label="the reason")
    if problem:
        raise ValidationError({"reason": problem})
    with transaction.atomic():
        current = _lock(cafe)
        _require_state(
            current, (Cafe.State.DRAFT, *OPEN_STATES), "A café that was held or already cancelled cannot be cancelled."
        )
        was_announced = current.state != Cafe.State.DRAFT
        current.state = Cafe.State.CANCELLED
        current.cancel_reason = reason
        current.sequence += 1
        current.save(update_fields=["state", "cancel_reason", "sequence"])
        audit_record(actor=by, action="cafes.cafe_cancel", target=current, reason=reason)
        talks = list(
            TalkProposal.objects.filter(
                cafe=current, state__in=[TalkProposal.State.ACCEPTED, TalkProposal.State.PROPOSED]
            ).select_related("speaker")
        )
        TalkProposal.objects.filter(pk__in=[t.pk for t in talks]).update(
            state=TalkProposal.State.KEPT, cafe=None, position=None, updated_at=timezone.now()
        )
        fragments.changed("cafes")  # the talks left the agenda in bulk, without signals
        fragments.changed("talks_waiting")  # ... and wait for another café
        if not was_announced:
            return current
        people = {t.speaker for t in talks}
        people |= {
            r.person
            for r in Rsvp.objects.filter(
                cafe=current, status__in=[Rsvp.Status.GOING, Rsvp.Status.WAITLIST]
            ).select_related("person")
        }
        invite = _invite(current, cancelled=True)
        for person in people:
            notify(
                recipient=person,
                kind="cafe_cancelled",
                key=f"cafe:{current.pk}:cancelled",
                title=f"Café cancelled: {current.title}",
                body=f"The café of {_local(current.starts_at)} is cancelled. {reason}\n"
                "Talks proposed for it are kept for a later café.",
                url=_cafe_url(current),
                email_template="email/notification",
                attachments=[invite],
            )
    return current


def cafe_mark_held(
    *, cafe: Cafe, by: User | None, attended_ids: Iterable[int] | None = None, now: datetime | None = None
) -> Cafe:
    """Record that a café took place and who was there.

    `attended_ids` are the ids of people going who attended; None means all of them.
    Side effects: talks on the agenda become delivered (with the speaker's department,
    location and job role at the time); the speakers' and attendees' xAPI statements;
    attendees are invited to write a reflection after commit; an audit entry.
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = _lock(cafe)
        _require_state(current, OPEN_STATES, "Only a café that is open or has its agenda published can be held.")
        if current.starts_at > now:
            raise ValidationError("The café has not started yet; mark it held once it took place.")
        current.state = Cafe.State.HELD
        current.held_at = now
        current.agenda_changed = False
        current.save(update_fields=["state", "held_at", "agenda_changed"])
        going = Rsvp.objects.filter(cafe=current, status=Rsvp.Status.GOING)
        if attended_ids is not None:
            going = going.filter(person_id__in=list(attended_ids))
        going.update(attended=True)
        fragments.changed("cafe_rsvps")  # answers marked attended in bulk, without signals
        fragments.changed("learning_log")  # ... which the attendees' logs list
        for talk in TalkProposal.objects.filter(cafe=current, state=TalkProposal.State.ACCEPTED).select_related(
            "speaker"
        ):
            talk.state = TalkProposal.State.DELIVERED
            talk.delivered_at = current.starts_at
            talk.snapshot_placement_of(talk.speaker)
            talk.updated_at = now
            talk.save(update_fields=["state", "delivered_at", *TalkProposal.PLACEMENT_FIELDS, "updated_at"])
            statements_record_many(
                event="talk_given",
                rows=[(f"cafes.talkproposal:{talk.pk}", talk.speaker_id)],
                path=_talk_url(talk),
                name=f"Lightning talk: {talk.title}",
                when=current.starts_at,
            )
        attendees = Rsvp.objects.filter(cafe=current, attended=True).values_list("person_id", flat=True)
        statements_record_many(
            event="cafe_attended",
            rows=[(f"cafes.cafe:{current.pk}", person_id) for person_id in attendees],
            path=_cafe_url(current),
            name=f"Knowledge café: {current.title}",
            when=current.starts_at,
        )
        audit_record(actor=by, action="cafes.cafe_mark_held", target=current)
        from .tasks import cafe_send_reflection_prompts_task

        # Not in the request: a café of a hundred people would keep the officer waiting, and
        # a publish that fails is caught by the sweep (cafe_send_reflection_prompts_due).
        transaction.on_commit(lambda: task_enqueue(cafe_send_reflection_prompts_task, cafe_id=current.pk))
    return current


def cafe_send_reflection_prompts(*, cafe_id: int) -> int:
    """Invite each attendee of a held café not yet invited to write a reflection; returns how many now.

    Idempotent: run by the task queued when the café is marked held and again by the sweep,
    each person is invited once. Side effects: a notification and an e-mail per person.
    """
    cafe = Cafe.objects.filter(pk=cafe_id, state=Cafe.State.HELD).first()
    if cafe is None:
        return 0
    return reflection_services.reflection_invite_many(
        person_ids=Rsvp.objects.filter(cafe=cafe, attended=True).values_list("person_id", flat=True),
        context=cafe,
        kind="cafe",
        title=f"Knowledge café: {cafe.title}",
    )


def cafe_send_reflection_prompts_due(*, now: datetime | None = None) -> int:
    """Invite attendees of cafés held in the last fortnight whom no invitation reached yet.

    The sweep behind the task queued at "mark held": a broker outage, a lost message or a
    killed worker delays the invitations to the next run instead of losing them.
    """
    since = (now or timezone.now()) - PROMPT_SWEEP_WINDOW
    held = Cafe.objects.filter(state=Cafe.State.HELD, held_at__gte=since).order_by("pk").values_list("pk", flat=True)
    return sum(cafe_send_reflection_prompts(cafe_id=pk) for pk in list(held))


def _third_thursday(month_start: date) -> date:
    offset = (3 - month_start.weekday()) % 7  # Thursday is weekday 3
    return month_start + timedelta(days=offset + 14)


def cafe_draft_next_month(*, today: date | None = None) -> Cafe | None:
    """Draft next month's café (third Thursday, 15:00) unless one is planned already.

    Idempotent: safe to run twice or concurrently (a unique month marks the drafted café).
    Side effects: every officer is told that a draft awaits them.
    """
    today = today or timezone.localdate()
    month_start = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    following = (month_start + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    month_from = datetime.combine(month_start, time.min, tzinfo=tz)
    month_to = datetime.combine(following, time.min, tzinfo=tz)
    planned = Cafe.objects.filter(starts_at__gte=month_from, starts_at__lt=month_to).exclude(state=Cafe.State.CANCELLED)
    if planned.exists() or Cafe.objects.filter(drafted_for_month=month_start).exists():
        return None
    try:
        with transaction.atomic():
            cafe = Cafe.objects.create(
                title=f"Knowledge café — {month_start:%B %Y}",
                theme="",
                starts_at=datetime.combine(_third_thursday(month_start), DRAFT_START, tzinfo=tz),
                place="To be confirmed",
                drafted_for_month=month_start,
            )
            audit_record(actor=None, action="cafes.cafe_draft", target=cafe)
            officers = User.objects.filter(groups__name=roles.OFFICER, is_active=True).distinct()
            for officer in officers:
                notify(
                    recipient=officer,
                    kind="cafe_drafted",
                    key=f"cafe:{cafe.pk}:drafted",
                    title=f"Next month's café is drafted: {month_start:%B %Y}",
                    body="Set its theme, place and capacity, then open it for talk proposals.",
                    url=_cafe_url(cafe),
                )
    except IntegrityError:
        return None
    return cafe


def cafe_send_reminders(*, now: datetime | None = None) -> int:
    """Remind people going and speakers of cafés starting within a day or within the hour.

    Each reminder goes at most once per person (notify keys); a café close enough for the
    hour reminder gets only that one. Returns how many reminders were sent.
    """
    now = now or timezone.now()
    sent = 0
    cafes = Cafe.objects.filter(state__in=OPEN_STATES, starts_at__gt=now, starts_at__lte=now + REMINDER_DAY_WINDOW)
    for cafe in cafes:
        which = "hour" if cafe.starts_at - now <= REMINDER_HOUR_WINDOW else "day"
        key = f"cafe:{cafe.pk}:reminder-{which}"
        speakers = TalkProposal.objects.filter(cafe=cafe, state=TalkProposal.State.ACCEPTED).values("speaker_id")
        going = Rsvp.objects.filter(cafe=cafe, status=Rsvp.Status.GOING).values("person_id")
        recipients = (
            User.objects.filter(Q(pk__in=speakers) | Q(pk__in=going), is_active=True)
            .exclude(pk__in=Notification.objects.filter(kind="cafe_reminder", key=key).values("recipient_id"))
            .distinct()
        )
        same_day = timezone.localdate(cafe.starts_at) == timezone.localdate(now)
        when = "in about an hour" if which == "hour" else "today" if same_day else "tomorrow"
        for person in recipients:
            with transaction.atomic():
                sent += notify(
                    recipient=person,
                    kind="cafe_reminder",
                    key=key,
                    title=f"Reminder: knowledge café {when}",
                    body=f"{cafe.title} starts {_local(cafe.starts_at)}. Where: {cafe.where}.",
                    url=_cafe_url(cafe),
                    email_template="email/notification",
                )
    return sent


# --- talk proposals ---------------------------------------------------------------------------------


def reflection_link_clean(value: str) -> str:
    """Accept a link to a reflection page of this site; return it as a path like /reflections/12/."""
    value = (value or "").strip()
    if not value:
        return ""
    parts = urlsplit(value)
    site = urlsplit(settings.SITE_URL)
    foreign = parts.scheme not in {"http", "https"} or parts.netloc != site.netloc
    if (parts.scheme or parts.netloc) and foreign:
        raise ValidationError(
            {"reflection_url": "Link one of your reflections on this site: an address with /reflections/ in it."}
        )
    path = parts.path
    if not path.startswith("/reflections/") or path.rstrip("/") == "/reflections":
        raise ValidationError(
            {
                "reflection_url": "Link one of your reflections: the address starts with /reflections/, "
                "e.g. /reflections/12/."
            }
        )
    return path


def _clean_talk_fields(fields: dict) -> dict:
    cleaned = dict(fields)
    errors: dict[str, str] = {}
    labels = {
        "title": "Give your talk a title.",
        "idea": "Say the one idea of your talk in a sentence or two.",
        "why_it_matters": "Say why the idea matters.",
        "audience_can_try": "Say what the audience can try after your talk.",
    }
    for name, message in labels.items():
        if name in cleaned:
            cleaned[name] = (cleaned[name] or "").strip()
            if not cleaned[name]:
                errors[name] = message
    problems = {
        "title": _text_error(cleaned, "title", max_chars=TALK_TITLE_MAX_CHARS, label="the title", single_line=True),
        **{
            name: _text_error(cleaned, name, max_chars=TALK_TEXT_MAX_CHARS, label="this answer")
            for name in ("idea", "why_it_matters", "audience_can_try")
        },
    }
    errors.update({name: problem for name, problem in problems.items() if problem and name not in errors})
    if "duration_minutes" in cleaned and cleaned["duration_minutes"] not in TalkFormat.values:
        errors["duration_minutes"] = "Choose one of the talk formats."
    if "reflection_url" in cleaned:
        try:
            cleaned["reflection_url"] = reflection_link_clean(cleaned["reflection_url"])
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    return cleaned


def talk_propose(
    *,
    speaker: User,
    cafe: Cafe | None,
    title: str,
    idea: str,
    why_it_matters: str,
    audience_can_try: str,
    reflection_url: str = "",
    duration_minutes: int = TalkFormat.LIGHTNING,
    wants_practice_buddy: bool = False,
    now: datetime | None = None,
    submission_token: uuid.UUID | None = None,
) -> TalkProposal:
    """Propose a lightning talk, for a café open for proposals or for any coming one (cafe None).

    Side effects: officers are told a proposal arrived (in the app). The same
    `submission_token` twice (a double click) returns the first proposal.
    """
    now = now or timezone.now()
    fields = _clean_talk_fields(
        {
            "title": title,
            "idea": idea,
            "why_it_matters": why_it_matters,
            "audience_can_try": audience_can_try,
            "reflection_url": reflection_url,
            "duration_minutes": duration_minutes,
        }
    )
    if cafe is not None and (cafe.state not in OPEN_STATES or cafe.starts_at <= now):
        raise ValidationError({"cafe": "This café takes no more proposals; choose a coming café."})
    first_talk = not selectors.speaker_has_spoken(speaker=speaker)
    if wants_practice_buddy and not first_talk:
        raise ValidationError(
            {"wants_practice_buddy": "Practice buddies are for first-time speakers; you have given a talk before."}
        )

    def create() -> TalkProposal:
        talk = TalkProposal.objects.create(
            speaker=speaker,
            cafe=cafe,
            first_talk=first_talk,
            wants_practice_buddy=wants_practice_buddy,
            created_at=now,
            updated_at=now,
            **fields,
        )
        for officer in User.objects.filter(groups__name=roles.OFFICER, is_active=True).distinct():
            notify(
                recipient=officer,
                kind="cafe_proposal",
                key=f"talk:{talk.pk}:proposed",
                title=f"New talk proposal: {talk.title}",
                body="A first-time speaker who asks for a practice buddy." if wants_practice_buddy else "",
                url=_talk_url(talk),
            )
        return talk

    with transaction.atomic():
        talk, _ = submitted_once(person=speaker, token=submission_token, create=create)
    if talk is None:
        raise ValidationError("This proposal was sent and then removed.")
    return talk


def talk_update(*, talk: TalkProposal, by: User, **fields) -> TalkProposal:
    """The speaker edits a proposal that is not decided yet."""
    allowed = {
        "cafe",
        "title",
        "idea",
        "why_it_matters",
        "audience_can_try",
        "reflection_url",
        "duration_minutes",
        "wants_practice_buddy",
    }
    if set(fields) - allowed:
        raise TypeError(f"Unknown talk fields: {sorted(set(fields) - allowed)}")
    if by.pk != talk.speaker_id:
        raise ValidationError("Only the speaker can change a proposal.")
    if talk.state not in (TalkProposal.State.PROPOSED, TalkProposal.State.KEPT):
        raise ValidationError("This proposal was decided already; ask the officer about changes.")
    cafe = fields.get("cafe", talk.cafe)
    moved_to = cafe if "cafe" in fields and cafe is not None and cafe.pk != talk.cafe_id else None
    if moved_to is not None and (moved_to.state not in OPEN_STATES or moved_to.starts_at <= timezone.now()):
        raise ValidationError({"cafe": "This café takes no more proposals; choose a coming café."})
    cleaned = _clean_talk_fields({k: v for k, v in fields.items() if k != "cafe"})
    if cleaned.get("wants_practice_buddy") and not talk.first_talk:
        raise ValidationError(
            {"wants_practice_buddy": "Practice buddies are for first-time speakers; you have given a talk before."}
        )
    for name, value in {**cleaned, "cafe": cafe}.items():
        setattr(talk, name, value)
    talk.updated_at = timezone.now()
    talk.save(update_fields=[*cleaned, "cafe", "updated_at"])
    return talk


def talk_withdraw(*, talk: TalkProposal, by: User) -> TalkProposal:
    """The speaker withdraws; an accepted talk leaves the agenda (an update is then due)."""
    if by.pk != talk.speaker_id:
        raise ValidationError("Only the speaker can withdraw a proposal.")
    with transaction.atomic():
        if talk.cafe is not None:
            _lock(talk.cafe)
        talk.refresh_from_db()
        if talk.state not in (TalkProposal.State.PROPOSED, TalkProposal.State.KEPT, TalkProposal.State.ACCEPTED):
            raise ValidationError("This talk can no longer be withdrawn.")
        was_on_agenda = talk.state == TalkProposal.State.ACCEPTED
        talk.state = TalkProposal.State.WITHDRAWN
        talk.updated_at = timezone.now()
        if was_on_agenda:
            _leave_agenda(talk)
        talk.save(update_fields=["state", "updated_at", "position"])
    return talk


def _leave_agenda(talk: TalkProposal) -> None:
    """Take a talk off its café's agenda, closing the gap in slot numbers (café row locked)."""
    old, cafe_id = talk.position, talk.cafe_id
    talk.position = None
    talk.save(update_fields=["position"])
    if cafe_id is None:
        return
    if old is not None:
        for later in TalkProposal.objects.filter(cafe_id=cafe_id, position__gt=old).order_by("position"):
            if later.position is not None:  # always, by the filter
                later.position -= 1
                later.save(update_fields=["position"])
    Cafe.objects.filter(pk=cafe_id, state=Cafe.State.PUBLISHED).update(agenda_changed=True)
    fragments.changed("cafes")  # the café itself is cached too (selectors.cafe_cached)


def talk_interest_toggle(*, talk: TalkProposal, person: User) -> bool:
    """Say (or take back) "I'd like to hear this"; returns whether the person is now interested."""
    if talk.speaker_id == person.pk:
        raise ValidationError("This is your own proposal.")
    if talk.state not in TalkProposal.PUBLIC_STATES or talk.state == TalkProposal.State.DELIVERED:
        raise ValidationError("This proposal takes no more interest.")
    deleted, _ = TalkInterest.objects.filter(talk=talk, person=person).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            TalkInterest.objects.create(talk=talk, person=person)
    except IntegrityError:
        pass  # a double click: the interest is there, which is what was asked
    return True


def _decision_save(talk: TalkProposal, *, state: str, note: str, by: User, also: tuple[str, ...] = ()) -> None:
    """Save the officer's decision on a proposal, with the other fields the caller changed (`also`)."""
    problem = text_problem(note, max_chars=NOTE_MAX_CHARS, label="the note")
    if problem:
        raise ValidationError({"note": problem})
    talk.state = state
    talk.decision_note = note
    talk.decided_by = by
    talk.decided_at = timezone.now()
    talk.updated_at = talk.decided_at
    talk.save(update_fields=[*also, "state", "decision_note", "decided_by", "decided_at", "updated_at"])


def talk_accept(*, talk: TalkProposal, by: User, cafe: Cafe, note: str = "") -> TalkProposal:
    """Accept a proposal into a café: it takes the last slot of the agenda.

    Side effects: the speaker is told; the speaker's placement is recorded on the talk; after
    the agenda was published, the agenda is marked changed (the update is sent on republishing);
    an audit entry.
    """
    with transaction.atomic():
        locked = _lock(cafe)
        talk.refresh_from_db()
        if talk.state not in (TalkProposal.State.PROPOSED, TalkProposal.State.KEPT):
            raise ValidationError("Only a proposal that is not decided yet can be accepted.")
        if locked.state not in OPEN_STATES or locked.starts_at <= timezone.now():
            raise ValidationError({"cafe": "Choose a coming café that is open for proposals."})
        last = TalkProposal.objects.filter(cafe=locked, position__isnull=False).aggregate(m=Max("position"))["m"]
        talk.cafe = locked
        talk.position = (last or 0) + 1
        talk.snapshot_placement_of(talk.speaker)
        _decision_save(
            talk,
            state=TalkProposal.State.ACCEPTED,
            note=note.strip(),
            by=by,
            also=("cafe", "position", *TalkProposal.PLACEMENT_FIELDS),
        )
        if locked.state == Cafe.State.PUBLISHED:
            locked.agenda_changed = True
            locked.save(update_fields=["agenda_changed"])
        audit_record(actor=by, action="cafes.talk_accept", target=talk, reason=talk.decision_note)
        notify(
            recipient=talk.speaker,
            kind="talk_accepted",
            key=f"talk:{talk.pk}:accepted:{locked.pk}",
            title=f"Your talk is accepted: {talk.title}",
            body=f"It is on the agenda of {locked.title}, {_local(locked.starts_at)}. "
            "You get your slot and a calendar invite when the agenda is published."
            + (f"\n\n{talk.decision_note}" if talk.decision_note else ""),
            url=_talk_url(talk),
            email_template="email/notification",
        )
    return talk


def talk_decline(*, talk: TalkProposal, by: User, note: str) -> TalkProposal:
    """Decline a proposal with a kind note to the speaker. Side effects: the speaker is told; audit."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "Write the speaker a kind note: what would make the talk work another time."})
    with transaction.atomic():
        talk.refresh_from_db()
        if talk.state not in (TalkProposal.State.PROPOSED, TalkProposal.State.KEPT):
            raise ValidationError("Only a proposal that is not decided yet can be declined.")
        _decision_save(talk, state=TalkProposal.State.DECLINED, note=note, by=by)
        audit_record(actor=by, action="cafes.talk_decline", target=talk, reason=note)
        notify(
            recipient=talk.speaker,
            kind="talk_declined",
            key=f"talk:{talk.pk}:declined",
            title=f"About your talk proposal: {talk.title}",
            body=note,
            url=_talk_url(talk),
            email_template="email/notification",
        )
    return talk


def talk_keep(*, talk: TalkProposal, by: User, note: str = "") -> TalkProposal:
    """Keep a proposal for a later café. Side effects: the speaker is told; audit."""
    with transaction.atomic():
        talk.refresh_from_db()
        if talk.state != TalkProposal.State.PROPOSED:
            raise ValidationError("Only a new proposal can be kept for later.")
        talk.cafe = None
        _decision_save(talk, state=TalkProposal.State.KEPT, note=(note or "").strip(), by=by, also=("cafe",))
        audit_record(actor=by, action="cafes.talk_keep", target=talk, reason=talk.decision_note)
        notify(
            recipient=talk.speaker,
            kind="talk_kept",
            key=f"talk:{talk.pk}:kept",
            title=f"Your talk is kept for a later café: {talk.title}",
            body=talk.decision_note or "It fits a later café better; you will hear when it is placed.",
            url=_talk_url(talk),
            email_template="email/notification",
        )
    return talk


def talk_practice_buddy_set(*, talk: TalkProposal, by: User, buddy: User) -> TalkProposal:
    """Pair a first-time speaker who asked for it with someone who has given a talk before.

    Side effects: the speaker and the buddy are told who the other is; an audit entry.
    """
    if not talk.wants_practice_buddy:
        raise ValidationError({"practice_buddy": "This speaker did not ask for a practice buddy."})
    if buddy.pk == talk.speaker_id or not buddy.is_active:
        raise ValidationError({"practice_buddy": "Choose a colleague other than the speaker."})
    if not selectors.speaker_has_spoken(speaker=buddy):
        raise ValidationError({"practice_buddy": "Choose someone who has given a talk at a café before."})
    with transaction.atomic():
        talk.practice_buddy = buddy
        talk.save(update_fields=["practice_buddy"])
        audit_record(actor=by, action="cafes.talk_practice_buddy", target=talk, data={"buddy": buddy.pk})
        notify(
            recipient=talk.speaker,
            kind="talk_practice_buddy",
            key=f"talk:{talk.pk}:buddy:{buddy.pk}",
            title=f"Your practice buddy: {buddy.full_name}",
            body=f"{buddy.full_name} ({buddy.email}) has spoken at a café before and will listen to a "
            f"run-through of “{talk.title}”. Say hello and pick a time.",
            url=_talk_url(talk),
            email_template="email/notification",
        )
        notify(
            recipient=buddy,
            kind="talk_practice_buddy",
            key=f"talk:{talk.pk}:buddy:{buddy.pk}",
            title=f"Be a practice buddy for {talk.speaker.full_name}",
            body=f"{talk.speaker.full_name} ({talk.speaker.email}) gives a first lightning talk, “{talk.title}”, "
            "and would like someone to listen to a run-through. Thank you for helping.",
            url=_talk_url(talk),
            email_template="email/notification",
        )
    return talk


# --- the agenda -------------------------------------------------------------------------------------


def agenda_move(*, talk: TalkProposal, by: User, direction: str) -> TalkProposal:
    """Move a talk one slot up or down its café's agenda; at either end nothing moves.

    After publishing, the agenda is marked changed: the officer sends the update by publishing again.
    """
    if direction not in {"up", "down"}:
        raise ValidationError("Move a talk up or down.")
    if talk.cafe is None:
        raise ValidationError("This talk is not on an agenda.")
    with transaction.atomic():
        cafe = _lock(talk.cafe)
        _require_state(cafe, OPEN_STATES, "The agenda of a café that was held or cancelled cannot change.")
        talk.refresh_from_db()
        if talk.state != TalkProposal.State.ACCEPTED or talk.position is None:
            raise ValidationError("This talk is not on the agenda.")
        target = talk.position - 1 if direction == "up" else talk.position + 1
        neighbour = TalkProposal.objects.filter(cafe=cafe, position=target).first()
        if neighbour is None:
            return talk
        # Three writes, so the unique slot per café holds at every step.
        old = talk.position
        talk.position = None
        talk.save(update_fields=["position"])
        neighbour.position = old
        neighbour.save(update_fields=["position"])
        talk.position = target
        talk.save(update_fields=["position"])
        if cafe.state == Cafe.State.PUBLISHED:
            cafe.agenda_changed = True
            cafe.save(update_fields=["agenda_changed"])
    return talk


def agenda_publish(*, cafe: Cafe, by: User) -> Cafe:
    """Publish the agenda, or send the update of an agenda changed after publishing.

    Side effects: every speaker gets an e-mail with their slot, the whole agenda and a
    calendar invite; an update raises the invite sequence, so calendars replace the event.
    An audit entry.
    """
    with transaction.atomic():
        current = _lock(cafe)
        _require_state(current, OPEN_STATES, "Only an open café's agenda can be published.")
        if current.state == Cafe.State.PUBLISHED and not current.agenda_changed:
            raise ValidationError("The published agenda has not changed since it was sent.")
        slots = selectors.cafe_agenda(cafe=current)
        if not slots:
            raise ValidationError("Accept at least one talk before publishing the agenda.")
        is_update = current.state == Cafe.State.PUBLISHED
        if is_update:
            current.sequence += 1
        else:
            current.state = Cafe.State.PUBLISHED
            current.agenda_published_at = timezone.now()
        current.agenda_changed = False
        current.save(update_fields=["state", "sequence", "agenda_published_at", "agenda_changed"])
        audit_record(
            actor=by,
            action="cafes.agenda_update" if is_update else "cafes.agenda_publish",
            target=current,
            data={"talks": [s.talk.pk for s in slots], "sequence": current.sequence},
        )
        invite = _invite(current)
        for slot in slots:
            notify(
                recipient=slot.talk.speaker,
                kind="cafe_agenda",
                key=f"cafe:{current.pk}:agenda:{current.sequence}",
                title=("Updated agenda: " if is_update else "Your slot: ")
                + f"{slot.talk.title} at {timezone.localtime(slot.starts_at):%H:%M}",
                body=f"{current.title}, {_local(current.starts_at)}. You speak in slot {slot.number}.",
                url=_cafe_url(current),
                email_template="cafes/email/agenda",
                context={"cafe": current, "slot": slot, "slots": slots, "is_update": is_update},
                attachments=[invite],
            )
    return current


# --- RSVPs ------------------------------------------------------------------------------------------


def rsvp_going(*, cafe: Cafe, person: User, now: datetime | None = None) -> Rsvp:
    """Say "I'm going": a seat while there is one, the waitlist when the café is full.

    The café row is locked while seats are counted, so simultaneous RSVPs never put more
    people "going" than the capacity. Answering again while going or waitlisted changes nothing.
    Side effects: a calendar invite to a person who got a seat.
    """
    now = now or timezone.now()
    with transaction.atomic():
        current = _lock(cafe)
        if current.state == Cafe.State.CANCELLED:
            raise ValidationError("This café was cancelled, so it takes no RSVPs.")
        if current.state not in OPEN_STATES or current.starts_at <= now:
            raise ValidationError("This café has already taken place, so it takes no RSVPs.")
        rsvp = Rsvp.objects.filter(cafe=current, person=person).first()
        if rsvp is not None and rsvp.status in (Rsvp.Status.GOING, Rsvp.Status.WAITLIST):
            return rsvp
        going = Rsvp.objects.filter(cafe=current, status=Rsvp.Status.GOING).count()
        status = Rsvp.Status.GOING if going < current.capacity else Rsvp.Status.WAITLIST
        if rsvp is None:
            rsvp = Rsvp(cafe=current, person=person)
        rsvp.status = status
        rsvp.answered_at = now
        rsvp.snapshot_placement_of(person)
        rsvp.save()
        if status == Rsvp.Status.GOING:
            _tell_seat(current, rsvp, promoted=False)
    return rsvp


def _tell_seat(cafe: Cafe, rsvp: Rsvp, *, promoted: bool) -> None:
    notify(
        recipient=rsvp.person,
        kind="cafe_rsvp_promoted" if promoted else "cafe_rsvp_going",
        key=f"cafe:{cafe.pk}:seat:{rsvp.answered_at:%Y%m%d%H%M%S%f}",
        title=("A seat opened up: you're going to " if promoted else "You're going to ") + cafe.title,
        body=f"{_local(cafe.starts_at)}. Where: {cafe.where}. The calendar invite is attached.",
        url=_cafe_url(cafe),
        email_template="email/notification",
        attachments=[_invite(cafe)],
    )


def _promote_from_waitlist(cafe: Cafe) -> list[Rsvp]:
    """Give free seats to the earliest on the waitlist, who are told (café row locked)."""
    going = Rsvp.objects.filter(cafe=cafe, status=Rsvp.Status.GOING).count()
    free = cafe.capacity - going
    if free <= 0:
        return []
    promoted = list(
        Rsvp.objects.filter(cafe=cafe, status=Rsvp.Status.WAITLIST)
        .select_related("person")
        .order_by("answered_at", "id")[:free]
    )
    for rsvp in promoted:
        rsvp.status = Rsvp.Status.GOING
        rsvp.save(update_fields=["status"])
        _tell_seat(cafe, rsvp, promoted=True)
    return promoted


def rsvp_cancel(*, cafe: Cafe, person: User, now: datetime | None = None) -> Rsvp:
    """Say "I can't come": a seat freed goes to the first on the waitlist, who is told."""
    now = now or timezone.now()
    with transaction.atomic():
        current = _lock(cafe)
        if current.state not in OPEN_STATES or current.starts_at <= now:
            raise ValidationError("This café is no longer taking changes to RSVPs.")
        rsvp = Rsvp.objects.filter(cafe=current, person=person).first()
        if rsvp is None or rsvp.status == Rsvp.Status.CANCELLED:
            raise ValidationError("You had not said you were coming.")
        was_going = rsvp.status == Rsvp.Status.GOING
        rsvp.status = Rsvp.Status.CANCELLED
        rsvp.save(update_fields=["status"])
        if was_going:
            _promote_from_waitlist(current)
    return rsvp


# --- feedback to speakers ---------------------------------------------------------------------------


def _clean_rating(name: str, value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if not 1 <= number <= 5:
        raise ValidationError({name: f"Answer “{RATING_QUESTIONS[name]}” with a number from 1 to 5."})
    return number


def feedback_give(
    *,
    talk: TalkProposal,
    giver: User,
    clarity: int,
    usefulness: int,
    delivery: int,
    worked: str,
    try_next: str,
    now: datetime | None = None,
) -> tuple[TalkFeedback, bool]:
    """Give (or edit) one's feedback on a talk; returns the feedback and whether it is new.

    One per person per talk: giving it again edits the same answers. Side effects: a speaker
    who opted in is told new feedback arrived (never by whom).
    """
    now = now or timezone.now()
    refusal = selectors.feedback_refusal(talk=talk, person=giver, now=now)
    if refusal:
        raise ValidationError(refusal)
    errors: dict[str, str] = {}
    ratings = {}
    for name, value in (("clarity", clarity), ("usefulness", usefulness), ("delivery", delivery)):
        try:
            ratings[name] = _clean_rating(name, value)
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    texts = {"worked": (worked or "").strip(), "try_next": (try_next or "").strip()}
    if not texts["worked"]:
        errors["worked"] = "Name one thing that worked: it is what the speaker keeps doing."
    if not texts["try_next"]:
        errors["try_next"] = "Name one thing to try next time, kindly put."
    for name, text in texts.items():
        problem = text_problem(text, max_chars=1000, label="it")
        if problem:
            errors[name] = problem
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        feedback, created = TalkFeedback.objects.select_for_update().get_or_create(
            talk=talk, giver=giver, defaults={**ratings, **texts, "created_at": now, "updated_at": now}
        )
        if not created:
            for name, answer in {**ratings, **texts}.items():
                setattr(feedback, name, answer)
            feedback.updated_at = now
            feedback.save(update_fields=[*ratings, *texts, "updated_at"])
            return feedback, False
        preference = SpeakerPreference.objects.filter(person_id=talk.speaker_id, notify_new_feedback=True).first()
        if preference is not None:
            notify(
                recipient=talk.speaker,
                kind="talk_feedback_received",
                key=f"talk:{talk.pk}:feedback:{feedback.pk}",
                title=f"New feedback on your talk: {talk.title}",
                body="Someone from the audience answered. Feedback is anonymous; averages show from three answers.",
                url=reverse("cafes:talk-feedback-received", args=[talk.pk]),
            )
    return feedback, True


def feedback_hide(*, feedback: TalkFeedback, by: User, reason: str) -> TalkFeedback:
    """Hide abusive feedback from the speaker, keeping it with the reason. Side effects: audit."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say which rule the feedback breaks; the reason is kept."})
    problem = text_problem(reason, max_chars=REASON_MAX_CHARS, label="the reason")
    if problem:
        raise ValidationError({"reason": problem})
    feedback.hidden_at = timezone.now()
    feedback.hidden_reason = reason
    with transaction.atomic():
        feedback.save(update_fields=["hidden_at", "hidden_reason"])
        audit_record(actor=by, action="cafes.feedback_hide", target=feedback, reason=reason)
    return feedback


def feedback_moderation_opened(*, talk: TalkProposal, by: User) -> None:
    """Record that an officer looked at who wrote which feedback on a talk (every time)."""
    audit_record(actor=by, action="cafes.feedback_moderation_view", target=talk)


def speaker_preference_set(*, person: User, notify_new_feedback: bool, share_with_mentor: bool) -> SpeakerPreference:
    preference, _ = SpeakerPreference.objects.update_or_create(
        person=person,
        defaults={
            "notify_new_feedback": notify_new_feedback,
            "share_with_mentor": share_with_mentor,
            "updated_at": timezone.now(),
        },
    )
    return preference
