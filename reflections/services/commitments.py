"""Commitments: "I'll try this" with what and by when, the nudge on the day, and the answer.

A commitment is the "I'll try this" record itself (Adoption of kind "will_try") with its
`commitment_*`, `nudged_at` and `outcome*` fields. The answers:

- **tried**: records "I tried it" through the same path as the board (one "I tried it" per person
  and reflection, whichever way it was said), with an optional line of what happened; with a
  line, the author hears "Your learning was used".
- **not yet**: the first time, the due date moves SNOOZE_DAYS from today and a new nudge will
  come then. The second time it closes the commitment as "not yet": nobody is asked a third
  time (a reminder that can be put off forever is nagging, and refusing the honest answer
  would push people to a false "won't"). "I tried it" on the page stays open to them.
- **won't**: closes the commitment, with an optional reason.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from saypro.core.models import User
from saypro.core.services import notify

from ..models import Adoption, Reflection
from ..selectors.visibility import _board_q
from .board import _require_may_adopt, _tried_record, adoption_will_try
from .common import _one_line

COMMITMENT_TEXT_MAX_CHARS = 200
OUTCOME_TEXT_MAX_CHARS = 200
COMMITMENT_DEFAULT_DAYS = 21
COMMITMENT_MAX_DAYS = 180
SNOOZE_DAYS = 7
# A nudge missed (beat or workers down) is still sent within this many days of the due date.
NUDGE_CATCH_UP_DAYS = 7
ANSWER_LINK_MAX_AGE = timedelta(days=30)
ANSWER_LINK_SALT = "reflections.commitment-answer"
ANSWERS = (Adoption.Outcome.TRIED, Adoption.Outcome.NOT_YET, Adoption.Outcome.WONT)


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def commitment_default_due(*, today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=COMMITMENT_DEFAULT_DAYS)


def _clean_line(text: str, *, field: str, what: str) -> str:
    text = _one_line(text)
    if len(text) > OUTCOME_TEXT_MAX_CHARS:
        raise ValidationError(
            {field: [f"Keep {what} to one line of {OUTCOME_TEXT_MAX_CHARS} characters (it has {len(text)})."]}
        )
    return text


@transaction.atomic
def commitment_make(
    *, reflection: Reflection, by: User, text: str = "", due: date | None = None, today: date | None = None
) -> Adoption:
    """A colleague says "I'll try this", optionally with what they will try and by when.

    The due date defaults to three weeks from today, may not be in the past nor more than
    COMMITMENT_MAX_DAYS ahead. Saying it again while the commitment is open changes what and
    when (and a new due date earns a new nudge); once answered, it is left as it is.
    Side effects: those of `adoption_will_try` (the record with the person's placement, the
    author told in the app).
    """
    today = today or timezone.localdate()
    text = _one_line(text)
    if len(text) > COMMITMENT_TEXT_MAX_CHARS:
        raise ValidationError(
            {"commitment_text": [f"Keep it to {COMMITMENT_TEXT_MAX_CHARS} characters (it has {len(text)})."]}
        )
    due = due or commitment_default_due(today=today)
    if due < today:
        raise ValidationError({"commitment_due": ["Choose today or a later day."]})
    if due > today + timedelta(days=COMMITMENT_MAX_DAYS):
        raise ValidationError({"commitment_due": [f"Choose a day within {COMMITMENT_MAX_DAYS} days from today."]})
    adoption = adoption_will_try(reflection=reflection, by=by)
    locked = Adoption.objects.select_for_update().get(pk=adoption.pk)
    if locked.outcome:
        return locked
    changed = ["commitment_text", "commitment_due"]
    if locked.commitment_due != due:
        locked.nudged_at = None
        changed.append("nudged_at")
    locked.commitment_text, locked.commitment_due = text, due
    locked.save(update_fields=changed)
    return locked


@transaction.atomic
def commitment_answer(*, adoption: Adoption, by: User, answer: str, text: str = "") -> Adoption:
    """The person answers "Did you try it?": tried, not yet, or won't (see the module's docstring).

    Only the person who committed may answer. A repeated answer (a second click on the same
    e-mail link) changes nothing. "Tried it" may follow a closed "not yet" or "won't"; nothing
    follows "tried it". Side effects: for "tried", those of `_tried_record` ("I tried it"
    recorded, the author told).
    """
    if adoption.person_id != by.pk:
        raise PermissionDenied("Only the person who said “I'll try this” may answer.")
    if answer not in ANSWERS:
        raise ValidationError({"answer": ["Choose one of the three answers."]})
    locked = Adoption.objects.select_for_update().select_related("reflection__author").get(pk=adoption.pk)
    if locked.kind != Adoption.Kind.WILL_TRY or locked.commitment_due is None:
        raise ValidationError("This “I'll try this” has no commitment to answer.")
    what = "what happened" if answer == Adoption.Outcome.TRIED else "the reason"
    text = _clean_line(text, field="text", what=what)
    now = timezone.now()
    if locked.outcome == Adoption.Outcome.TRIED:
        if answer != Adoption.Outcome.TRIED:
            raise ValidationError({"answer": ["You already said you tried it."]})
        if text and text != locked.outcome_text:
            _tried_record(reflection=locked.reflection, by=by, note=text)
            locked.refresh_from_db()
        return locked
    if answer == Adoption.Outcome.TRIED:
        # "I tried it" is board engagement: only on a reflection still on the board.
        _require_may_adopt(locked.reflection, by)
        _tried_record(reflection=locked.reflection, by=by, note=text)
        locked.refresh_from_db()
        return locked
    if locked.outcome and locked.outcome == answer:
        return locked
    if answer == Adoption.Outcome.NOT_YET and not locked.snoozed_once and not locked.outcome:
        locked.commitment_due = max(locked.commitment_due, timezone.localdate()) + timedelta(days=SNOOZE_DAYS)
        locked.snoozed_once, locked.nudged_at = True, None
        locked.save(update_fields=["commitment_due", "snoozed_once", "nudged_at"])
        return locked
    locked.outcome, locked.outcome_text, locked.outcome_at = answer, text, now
    locked.save(update_fields=["outcome", "outcome_text", "outcome_at"])
    return locked


def commitment_answer_token(*, adoption: Adoption) -> str:
    """A signed token for the nudge's one-click answers, bound to the commitment and its person."""
    return signing.dumps({"a": adoption.pk, "p": adoption.person_id}, salt=ANSWER_LINK_SALT, compress=True)


def commitment_from_token(*, token: str, person: User) -> Adoption:
    """The commitment a token names, for the person it was sent to.

    Raises signing.BadSignature (tampered or expired: SignatureExpired is one) and
    PermissionDenied when the link was sent to someone else.
    """
    data = signing.loads(token, salt=ANSWER_LINK_SALT, max_age=ANSWER_LINK_MAX_AGE)
    if not isinstance(data, dict) or data.get("p") != person.pk or not isinstance(data.get("a"), int):
        raise PermissionDenied("This link was sent to someone else.")
    adoption = (
        Adoption.objects.select_related("reflection__author")
        .filter(pk=data["a"], person=person, kind=Adoption.Kind.WILL_TRY, commitment_due__isnull=False)
        .first()
    )
    if adoption is None:
        raise PermissionDenied("This commitment no longer exists.")
    return adoption


def commitment_answer_links(*, adoption: Adoption) -> dict[str, str]:
    """The three one-click answer URLs (site-relative) of a nudge."""
    base = reverse("reflections:commitment-link", kwargs={"token": commitment_answer_token(adoption=adoption)})
    return {answer: f"{base}?answer={answer}" for answer in ANSWERS}


def commitment_nudges_due(*, today: date) -> list[int]:
    return list(
        Adoption.objects.filter(
            _board_q("reflection__"),
            kind=Adoption.Kind.WILL_TRY,
            outcome="",
            nudged_at__isnull=True,
            commitment_due__lte=today,
            commitment_due__gte=today - timedelta(days=NUDGE_CATCH_UP_DAYS),
            person__is_active=True,
        )
        .order_by("commitment_due", "pk")
        .values_list("pk", flat=True)
    )


def commitment_nudges_send(*, today: date | None = None, now: datetime | None = None) -> int:
    """Ask "Did you try it?" of everyone whose commitment is due; return how many were asked.

    Each commitment is claimed by a conditional update (nudged_at still empty) in the same
    transaction that writes the notification, so two runs at once (beat twice, a retry) ask once:
    on PostgreSQL the second update waits for the first's row lock and then finds nothing to
    claim. Side effects per commitment: `nudged_at`, an in-app notification, and the e-mail with
    the three one-click answers as the person's reminder preference says (queued after commit).
    """
    today = today or timezone.localdate()
    now = now or timezone.now()
    sent = 0
    for pk in commitment_nudges_due(today=today):
        with transaction.atomic():
            claimed = Adoption.objects.filter(pk=pk, nudged_at__isnull=True, outcome="").update(nudged_at=now)
            if not claimed:
                continue
            adoption = Adoption.objects.select_related("person", "reflection").get(pk=pk)
            due = adoption.commitment_due
            assert due is not None  # noqa: S101 -- the claim above only matched due commitments
            links = commitment_answer_links(adoption=adoption)
            reflection = adoption.reflection
            what = adoption.commitment_text or reflection.title
            notify(
                recipient=adoption.person,
                kind="commitment_reminder",
                key=f"commitment:{pk}:due:{due.isoformat()}",
                title=f"Did you try it? “{what}”",
                body=f"You said you would try “{reflection}” by {_day(due)}.",
                url=f"{reflection.get_absolute_url()}#adoptions",
                email_template="email/commitment_nudge",
                context={"links": links, "snoozed_once": adoption.snoozed_once},
            )
            sent += 1
    return sent
