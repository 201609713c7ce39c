"""Writing a reflection: invitation, start, drafts, submitting, withdrawing, visibility, deletion."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from saypro.core import fragments
from saypro.core.markdown import render_markdown, word_count
from saypro.core.models import Notification, User
from saypro.core.selectors import mentor_ids_of
from saypro.core.services import notify
from saypro.core.text import text_clean

from ..models import Answer, ContextKind, Reflection, ReflectionEvent, ReflectionTemplate
from ..selectors.page import reflection_page_changed
from ..selectors.writing import CONTEXT_SOURCES
from .common import (
    ANSWER_MAX_CHARS,
    TAKEAWAY_MAX_CHARS,
    TITLE_MAX_CHARS,
    _locked,
    _mark_shared_if_first,
    _one_line,
    _record,
    _refresh_from,
    _require_author,
    _xapi_record,
)

logger = logging.getLogger(__name__)

# What a reflection can be about; each kind has its own guiding-question template.
CONTEXT_KINDS = ("feedback_session", "circle", "cafe", "module", "general")


def reflection_invite(*, person: User, context: models.Model | None, kind: str, title: str) -> bool:
    """Invite a person to write a reflection about an activity they took part in.

    Called by the feedback, circles and cafés apps after a session, circle meeting or café.
    Sends an in-app notification and an e-mail with a link that opens the writing page with
    the template for `kind`, linked to `context`. At most once per person and context.
    """
    if kind not in CONTEXT_KINDS:
        raise ValueError(f"Unknown reflection context kind: {kind}")
    query = {"kind": kind}
    key = _invite_key(kind=kind, context=context)
    if context is not None:
        ct = ContentType.objects.get_for_model(context)
        model_label = f"{ct.app_label}.{ct.model}"
        if model_label not in CONTEXT_SOURCES.get(kind, {}):
            # The writing page would answer 404: the link would lead nowhere.
            raise ValueError(f"A {kind} reflection cannot be about a {model_label}.")
        query["context"] = key.removeprefix("reflection-invite:")
    url = f"{reverse('reflections:write')}?{urlencode(query)}"
    return notify(
        recipient=person,
        kind="reflection_prompt",
        key=key,
        title=f"Write a reflection: {title}",
        body="A few minutes now turns what you heard into something you keep. The guiding questions are ready.",
        url=url,
        email_template="email/notification",
    )


def _invite_key(*, kind: str, context: models.Model | None) -> str:
    if context is None:
        return f"reflection-invite:{kind}"
    ct = ContentType.objects.get_for_model(context)
    return f"reflection-invite:{ct.app_label}.{ct.model}:{context.pk}"


def reflection_invite_many(*, person_ids: Iterable[int], context: models.Model, kind: str, title: str) -> int:
    """Invite the given people who were not invited yet about `context`; returns how many were invited now.

    Safe to run again and again (a sweeping job does): one query finds who already has the
    invitation. All invitations of one call commit together, so their e-mails leave as one
    batch; one person's failing invitation is logged and does not stop the others.
    """
    invited = Notification.objects.filter(kind="reflection_prompt", key=_invite_key(kind=kind, context=context)).values(
        "recipient_id"
    )
    people = User.objects.filter(pk__in=list(person_ids), is_active=True).exclude(pk__in=invited).order_by("pk")
    count = 0
    with transaction.atomic():
        for person in people:
            try:
                with transaction.atomic():
                    count += reflection_invite(person=person, context=context, kind=kind, title=title)
            except Exception:  # one person's failed invitation must not stop the rest (logged)
                logger.exception("Reflection invitation about %s to person %s failed", context, person.pk)
    return count


@transaction.atomic
def reflection_start(
    *,
    author: User,
    template: ReflectionTemplate,
    kind: str = ContextKind.GENERAL,
    context: models.Model | None = None,
    start_key: uuid.UUID | None = None,
) -> tuple[Reflection, bool]:
    """Open a reflection for writing; returns (reflection, created).

    Opening the same invitation twice leads to the same reflection: a person has at most one
    reflection per context. The writing page's `start_key` does the same for a page opened from a
    template: its first save creates the draft and every later save finds it. Without either, a
    blank start reuses an untouched draft of the same template.
    Side effect: a "created" event.
    """
    if kind not in ContextKind.values:
        raise ValidationError({"kind": "Unknown reflection context kind."})
    existing = Reflection.objects.filter(author=author)
    ct = ContentType.objects.get_for_model(context) if context is not None else None
    if context is not None:
        same = existing.filter(context_type=ct, context_id=context.pk)
    elif start_key is not None:
        same = existing.filter(start_key=start_key)
    else:
        same = existing.filter(
            state=Reflection.State.DRAFT,
            template=template,
            context_type__isnull=True,
            title="",
            key_takeaway="",
            search_text="",
        )
    found = same.order_by("-created_at").first()
    if found is not None:
        return found, False
    if not template.is_current or not template.is_active:
        raise ValidationError({"template": "This template is retired; choose another one."})
    try:
        with transaction.atomic():
            reflection = Reflection.objects.create(
                author=author,
                template=template,
                context_kind=kind,
                context_type=ct,
                context_id=context.pk if context is not None else None,
                context_label=str(context)[:255] if context is not None else "",
                start_key=start_key,
            )
    except IntegrityError:
        # The same invitation or writing page saved twice at once: the other request made it.
        return same.get(), False
    _record(reflection=reflection, by=author, action=ReflectionEvent.Action.CREATED)
    return reflection, True


def _clean_content(
    *, reflection: Reflection, title: str, key_takeaway: str, answers: dict[int, str]
) -> tuple[str, str, dict[int, str]]:
    """The hard limits that hold even for a draft (what a column can store)."""
    errors: dict[str, list[str]] = {}
    title = text_clean(
        title, field="title", max_chars=TITLE_MAX_CHARS, single_line=True, label="the title", errors=errors
    )
    key_takeaway = _one_line(key_takeaway)
    if len(key_takeaway) > TAKEAWAY_MAX_CHARS:
        errors["key_takeaway"] = [f"Keep the key takeaway to one line of {TAKEAWAY_MAX_CHARS} characters."]
    question_ids = set(reflection.template.questions.values_list("pk", flat=True))
    unknown = set(answers) - question_ids
    if unknown:
        raise ValidationError("These answers belong to another template.")
    for question_id, text in answers.items():
        if len(text or "") > ANSWER_MAX_CHARS:
            errors[f"answer_{question_id}"] = [
                f"This answer is too long to store ({ANSWER_MAX_CHARS} characters at most)."
            ]
    if errors:
        raise ValidationError(errors)
    return title, key_takeaway, {qid: (text or "").strip() for qid, text in answers.items()}


@transaction.atomic
def reflection_save_draft(
    *,
    reflection: Reflection,
    by: User,
    title: str,
    key_takeaway: str,
    answers: dict[int, str],
    visibility: str | None = None,
) -> Reflection:
    """Save what the author wrote (autosave and the "Save draft" button).

    Word limits are not enforced here, so that nothing typed is lost; submitting checks them.
    Markdown is rendered and sanitised once, into each answer's stored HTML. A changed
    visibility is applied (and recorded) at once.
    """
    _require_author(reflection, by)
    locked = _locked(reflection)
    if locked.state not in {Reflection.State.DRAFT, Reflection.State.CHANGES_REQUESTED}:
        raise ValidationError("This reflection is with your mentor; withdraw it to draft to change the text.")
    title, key_takeaway, answers = _clean_content(
        reflection=locked, title=title, key_takeaway=key_takeaway, answers=answers
    )
    existing = {a.question_id: a for a in locked.answers.all()}
    to_update, to_create = [], []
    for question_id, text in answers.items():
        answer = existing.get(question_id)
        if answer is None:
            answer = Answer(reflection=locked, question_id=question_id, text=text, html=render_markdown(text))
            existing[question_id] = answer
            to_create.append(answer)
        elif answer.text != text:
            answer.text, answer.html = text, render_markdown(text)
            to_update.append(answer)
    Answer.objects.bulk_create(to_create)
    Answer.objects.bulk_update(to_update, ["text", "html"])
    positions = dict(locked.template.questions.values_list("pk", "position"))
    ordered = sorted(existing.values(), key=lambda a: positions.get(a.question_id, 0))
    locked.title, locked.key_takeaway = title, key_takeaway
    locked.search_text = "\n\n".join(a.text for a in ordered if a.text)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["title", "key_takeaway", "search_text", "updated_at"])
    if visibility is not None and visibility != locked.visibility:
        _set_visibility(locked, by, visibility)
    _refresh_from(reflection, locked)
    return reflection


def reflection_completeness_errors(*, reflection: Reflection) -> dict[str, list[str]]:
    """What still stops a reflection from being submitted, keyed by form field."""
    errors: dict[str, list[str]] = {}
    if not reflection.title.strip():
        errors["title"] = ["Give your reflection a title."]
    if not reflection.key_takeaway.strip():
        errors["key_takeaway"] = ["Sum up your key takeaway in one line."]
    answers = {a.question_id: a.text for a in reflection.answers.all()}
    for question in reflection.template.questions.all():
        text = answers.get(question.pk, "")
        words = word_count(text)
        if words == 0:
            errors[f"answer_{question.pk}"] = ["Answer this question before submitting."]
        elif words > question.word_limit:
            errors[f"answer_{question.pk}"] = [
                f"This answer has {words} words; the limit is {question.word_limit}. Shorten it to submit."
            ]
    return errors


@transaction.atomic
def reflection_submit(*, reflection: Reflection, by: User, may_be_featured: bool) -> Reflection:
    """Hand the reflection to the author's mentors: draft → submitted, changes requested → resubmitted.

    Checks completeness and word limits. Side effects: the first submission and, when shared
    with colleagues, the first sharing are stamped (with the author's department, location and
    job role); an event is recorded; active mentors are notified when it is shared with them;
    the first submission's xAPI statement is recorded (docs/xapi.md).
    """
    _require_author(reflection, by)
    locked = _locked(reflection)
    if locked.state not in {Reflection.State.DRAFT, Reflection.State.CHANGES_REQUESTED}:
        raise ValidationError("This reflection has already been submitted.")
    errors = reflection_completeness_errors(reflection=locked)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    from_state = locked.state
    locked.state = (
        Reflection.State.RESUBMITTED if from_state == Reflection.State.CHANGES_REQUESTED else Reflection.State.SUBMITTED
    )
    locked.may_be_featured = may_be_featured
    locked.submitted_at = now
    locked.first_submitted_at = locked.first_submitted_at or now
    locked.updated_at = now
    fields = ["state", "may_be_featured", "submitted_at", "first_submitted_at", "updated_at"]
    fields += _mark_shared_if_first(locked, now)
    locked.save(update_fields=fields)
    action = (
        ReflectionEvent.Action.RESUBMITTED
        if locked.state == Reflection.State.RESUBMITTED
        else ReflectionEvent.Action.SUBMITTED
    )
    _record(reflection=locked, by=by, action=action, from_state=from_state)
    _xapi_record(
        event="reflection_submitted",
        key=f"reflections.reflection:{locked.pk}",
        reflection=locked,
        actor=locked.author,
        when=now,
    )
    if locked.is_shared_with_mentor:
        for mentor in User.objects.filter(pk__in=mentor_ids_of(mentee=locked.author), is_active=True):
            notify(
                recipient=mentor,
                kind="reflection_review",
                key=f"reflection:{locked.pk}:submitted:{now.isoformat()}",
                title=f"{locked.author.full_name} shared a reflection with you: “{locked}”",
                body="It is waiting in your mentor queue.",
                url=locked.get_absolute_url(),
                email_template="email/notification",
            )
    _refresh_from(reflection, locked)
    return reflection


@transaction.atomic
def reflection_withdraw(*, reflection: Reflection, by: User) -> Reflection:
    """Take a submitted reflection back to draft. Side effect: an event."""
    _require_author(reflection, by)
    locked = _locked(reflection)
    if locked.state not in {
        Reflection.State.SUBMITTED,
        Reflection.State.RESUBMITTED,
        Reflection.State.CHANGES_REQUESTED,
    }:
        raise ValidationError("Only a submitted reflection can be withdrawn to draft.")
    from_state = locked.state
    locked.state = Reflection.State.DRAFT
    locked.updated_at = timezone.now()
    locked.save(update_fields=["state", "updated_at"])
    _record(reflection=locked, by=by, action=ReflectionEvent.Action.WITHDRAWN, from_state=from_state)
    _refresh_from(reflection, locked)
    return reflection


def _set_visibility(locked: Reflection, by: User, visibility: str) -> None:
    if visibility not in Reflection.Visibility.values:
        raise ValidationError({"visibility": ["Choose who may read this reflection."]})
    old = locked.visibility
    locked.visibility = visibility
    locked.updated_at = timezone.now()
    fields = ["visibility", "updated_at", *_mark_shared_if_first(locked, locked.updated_at)]
    locked.save(update_fields=fields)
    _record(
        reflection=locked,
        by=by,
        action=ReflectionEvent.Action.VISIBILITY_CHANGED,
        from_state=locked.state,
        data={"from": old, "to": visibility},
    )


@transaction.atomic
def reflection_set_visibility(*, reflection: Reflection, by: User, visibility: str) -> Reflection:
    """The author changes who may read the reflection; honoured at once everywhere.

    Side effects: an event; the first sharing with colleagues is stamped when this is it.
    """
    _require_author(reflection, by)
    locked = _locked(reflection)
    if visibility != locked.visibility:
        _set_visibility(locked, by, visibility)
    _refresh_from(reflection, locked)
    return reflection


@transaction.atomic
def reflection_set_featurable(*, reflection: Reflection, by: User, may_be_featured: bool) -> Reflection:
    """The author gives or withdraws consent to being featured in a newsletter or huddle card."""
    _require_author(reflection, by)
    Reflection.objects.filter(pk=reflection.pk).update(may_be_featured=may_be_featured)
    fragments.changed("dashboard")  # the newsletter candidates; update() sends no signal
    reflection_page_changed(reflection_ids=[reflection.pk])  # its page offers the huddle card by it
    reflection.may_be_featured = may_be_featured
    return reflection


@transaction.atomic
def reflection_delete(*, reflection: Reflection, by: User) -> None:
    """The author deletes their own reflection with its answers, comments and reactions."""
    _require_author(reflection, by)
    Reflection.objects.filter(pk=reflection.pk).delete()
