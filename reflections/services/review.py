"""A mentor's review: validate or ask for more depth, with a depth rating; officers remind mentors of waiting work."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from saypro.core.markdown import render_markdown
from saypro.core.models import User
from saypro.core.selectors import is_active_mentor_of, mentor_ids_of
from saypro.core.services import audit_record, notify

from ..models import MentorReview, Reflection, ReflectionEvent
from ..selectors.visibility import AWAITING, SHARED_WITH_MENTOR
from .common import NOTE_MAX_CHARS, _locked, _record, _refresh_from, _require_officer, _xapi_record


def _notify_author_of_review(reflection: Reflection, review: MentorReview, mentor: User) -> None:
    if review.decision == MentorReview.Decision.VALIDATED:
        title = f"{mentor.full_name} validated your reflection “{reflection}”"
    else:
        title = f"{mentor.full_name} asks for more depth on “{reflection}”"
    notify(
        recipient=reflection.author,
        kind="mentor_feedback",
        key=f"reflection:{reflection.pk}:review:{review.pk}",
        title=title,
        body=review.note,
        url=reflection.get_absolute_url(),
        email_template="email/notification",
    )


def _review(*, reflection: Reflection, by: User, depth: int, decision: str, note: str) -> MentorReview:
    errors: dict[str, list[str]] = {}
    note = (note or "").strip()
    if depth not in MentorReview.Depth.values:
        errors["depth"] = ["Rate the depth from 1 to 4."]
    if decision == MentorReview.Decision.CHANGES_REQUESTED and not note:
        errors["note"] = ["Say what would make it deeper; the author sees this note."]
    if len(note) > NOTE_MAX_CHARS:
        errors["note"] = [f"Keep the note to {NOTE_MAX_CHARS} characters."]
    if errors:
        raise ValidationError(errors)
    locked = _locked(reflection)
    if not is_active_mentor_of(mentor=by, mentee_id=locked.author_id) or not locked.is_shared_with_mentor:
        raise PermissionDenied("Only an active mentor of the author may review a reflection shared with them.")
    if locked.state not in {Reflection.State.SUBMITTED, Reflection.State.RESUBMITTED}:
        raise ValidationError("This reflection is not waiting for a review any more.")
    now = timezone.now()
    review = MentorReview.objects.create(
        reflection=locked, mentor=by, depth=depth, decision=decision, note=note, note_html=render_markdown(note)
    )
    from_state = locked.state
    locked.depth = depth
    locked.updated_at = now
    if decision == MentorReview.Decision.VALIDATED:
        locked.state, locked.validated_at, locked.validated_by = Reflection.State.VALIDATED, now, by
        action = ReflectionEvent.Action.VALIDATED
        _xapi_record(
            event="reflection_validated",
            key=f"reflections.reflection:{locked.pk}",
            reflection=locked,
            actor=locked.author,
            when=now,
            result={"success": True, "score": {"raw": depth, "min": 1, "max": 4}},
        )
    else:
        locked.state = Reflection.State.CHANGES_REQUESTED
        action = ReflectionEvent.Action.CHANGES_REQUESTED
    locked.save(update_fields=["state", "depth", "updated_at", "validated_at", "validated_by"])
    _record(reflection=locked, by=by, action=action, from_state=from_state, note=note, data={"depth": depth})
    _notify_author_of_review(locked, review, by)
    _refresh_from(reflection, locked)
    return review


@transaction.atomic
def reflection_validate(*, reflection: Reflection, by: User, depth: int, note: str = "") -> MentorReview:
    """A mentor validates a submitted reflection: submitted/resubmitted → validated.

    Side effects: a mentor review with the depth rating, an event, and the author is notified
    (in the app and by e-mail, kind "mentor_feedback"); the author's xAPI statement "passed".
    """
    return _review(reflection=reflection, by=by, depth=depth, decision=MentorReview.Decision.VALIDATED, note=note)


@transaction.atomic
def reflection_request_changes(*, reflection: Reflection, by: User, depth: int, note: str) -> MentorReview:
    """A mentor asks for more depth: submitted/resubmitted → changes requested. A note is required.

    Side effects: a mentor review with the depth rating, an event, and the author is notified
    (in the app and by e-mail, kind "mentor_feedback").
    """
    return _review(
        reflection=reflection, by=by, depth=depth, decision=MentorReview.Decision.CHANGES_REQUESTED, note=note
    )


@transaction.atomic
def mentor_remind_waiting(*, mentee: User, by: User) -> int:
    """An officer reminds a mentee's active mentors of the reflections waiting for their review.

    At most once per mentee and mentor a day (the notification key names the day). Returns how
    many mentors were reminded now: 0 when all of them were already reminded today.

    Side effects: each active mentor is notified (in the app and by e-mail, kind
    "mentor_reminder", which follows the person's reminder preference), and an audit entry is
    written when at least one was reminded.
    """
    _require_officer(by)
    waiting = Reflection.objects.filter(author=mentee, state__in=AWAITING, visibility__in=SHARED_WITH_MENTOR)
    summary = waiting.aggregate(n=Count("pk"), oldest=Min("submitted_at"))
    if not summary["n"]:
        raise ValidationError(f"No reflection of {mentee.full_name} waits for a mentor.")
    mentors = list(User.objects.filter(pk__in=mentor_ids_of(mentee=mentee), is_active=True).order_by("pk"))
    if not mentors:
        raise ValidationError(f"{mentee.full_name} has no active mentor; assign one first.")
    n = summary["n"]
    day = timezone.localdate()
    since = timezone.localtime(summary["oldest"])
    reminded = [
        mentor.pk
        for mentor in mentors
        if notify(
            recipient=mentor,
            kind="mentor_reminder",
            key=f"mentee:{mentee.pk}:waiting:{day.isoformat()}",
            title=f"{mentee.full_name} has {n} {'reflection' if n == 1 else 'reflections'} waiting for your review",
            body=f"The oldest has waited since {since:%d %B %Y}. Open your mentor queue to review it.",
            url=reverse("reflections:mentor-queue"),
            email_template="email/notification",
        )
    ]
    if reminded:
        audit_record(
            actor=by,
            action="reflections.mentor_remind",
            target=mentee,
            data={"mentors": reminded, "waiting": n},
        )
    return len(reminded)
