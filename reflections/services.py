"""Writes of the reflections app: every change to a reflection, its review, the board and newsletters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from saypro.core.markdown import render_markdown, word_count
from saypro.core.models import User
from saypro.core.selectors import is_active_mentor_of, mentor_ids_of
from saypro.core.services import audit_record, notify

from .models import (
    Adoption,
    Answer,
    Comment,
    ContextKind,
    GuidingQuestion,
    MentorReview,
    NewsletterIssue,
    NewsletterItem,
    Reflection,
    ReflectionEvent,
    ReflectionTemplate,
)

# What a reflection can be about; each kind has its own guiding-question template.
CONTEXT_KINDS = ("feedback_session", "circle", "cafe", "module", "general")

TITLE_MAX_CHARS = 200
TAKEAWAY_MAX_CHARS = 280
# A hard ceiling on one answer, far above any word limit: drafts may run over the word limit
# (nothing typed is lost), but not without bound.
ANSWER_MAX_CHARS = 20_000
COMMENT_MAX_CHARS = 5_000
NOTE_MAX_CHARS = 2_000
TRIED_NOTE_MAX_CHARS = 500
REASON_MAX_CHARS = 1_000
MAX_QUESTIONS = 10


def reflection_invite(*, person: User, context: models.Model | None, kind: str, title: str) -> bool:
    """Invite a person to write a reflection about an activity they took part in.

    Called by the feedback, circles and cafés apps after a session, circle meeting or café.
    Sends an in-app notification and an e-mail with a link that opens the writing page with
    the template for `kind`, linked to `context`. At most once per person and context.
    """
    if kind not in CONTEXT_KINDS:
        raise ValueError(f"Unknown reflection context kind: {kind}")
    query = {"kind": kind}
    key = f"reflection-invite:{kind}"
    if context is not None:
        ct = ContentType.objects.get_for_model(context)
        query["context"] = f"{ct.app_label}.{ct.model}:{context.pk}"
        key = f"reflection-invite:{query['context']}"
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


# --- helpers ------------------------------------------------------------------------------------


def _placement(person: User) -> dict:
    """Where a person is right now, to be copied onto an activity record."""
    return {"department_id": person.department_id, "location_id": person.location_id, "job_role_id": person.job_role_id}


def _record(
    *, reflection: Reflection, by: User | None, action: str, from_state: str = "", note: str = "", data=None
) -> ReflectionEvent:
    return ReflectionEvent.objects.create(
        reflection=reflection,
        actor=by,
        action=action,
        from_state=from_state,
        to_state=reflection.state,
        note=note,
        data=data or {},
    )


def _locked(reflection: Reflection) -> Reflection:
    """Re-read the reflection under a row lock so two transitions cannot interleave."""
    return Reflection.objects.select_for_update().get(pk=reflection.pk)


def _refresh_from(target: Reflection, source: Reflection) -> None:
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))


def _mark_shared_if_first(reflection: Reflection, now: datetime) -> list[str]:
    """Stamp the first sharing with colleagues and where the author was then; return changed fields."""
    if reflection.first_shared_at is not None or not reflection.is_shared_with_colleagues:
        return []
    reflection.first_shared_at = now
    for field, value in _placement(reflection.author).items():
        setattr(reflection, field, value)
    return ["first_shared_at", "department", "location", "job_role"]


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _require_author(reflection: Reflection, by: User) -> None:
    if reflection.author_id != by.pk:
        raise PermissionDenied("Only the author may do this.")


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


# --- templates ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionSpec:
    """One guiding question as an officer writes it."""

    text: str
    help_text: str = ""
    word_limit: int = 200


def _clean_template_input(*, name: str, applies_to: str, questions: list[QuestionSpec]) -> list[QuestionSpec]:
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors.setdefault("name", []).append("Give the template a name.")
    if applies_to not in ContextKind.values:
        errors.setdefault("applies_to", []).append("Choose what the template applies to.")
    cleaned = [
        QuestionSpec(text=q.text.strip(), help_text=(q.help_text or "").strip(), word_limit=q.word_limit)
        for q in questions
        if q.text.strip()
    ]
    if not cleaned:
        errors.setdefault("questions", []).append("Add at least one guiding question.")
    if len(cleaned) > MAX_QUESTIONS:
        errors.setdefault("questions", []).append(f"Keep it to at most {MAX_QUESTIONS} questions.")
    for q in cleaned:
        if not 10 <= q.word_limit <= 2000:
            errors.setdefault("questions", []).append(
                f"The word limit of “{q.text[:40]}” must be between 10 and 2000 words."
            )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _create_questions(template: ReflectionTemplate, questions: list[QuestionSpec]) -> None:
    GuidingQuestion.objects.bulk_create(
        [
            GuidingQuestion(
                template=template, position=i, text=q.text[:300], help_text=q.help_text[:300], word_limit=q.word_limit
            )
            for i, q in enumerate(questions, start=1)
        ]
    )


@transaction.atomic
def template_create(
    *, by: User | None, name: str, intro: str, applies_to: str, is_active: bool, questions: list[QuestionSpec]
) -> ReflectionTemplate:
    """Create a template of guiding questions (version 1). Side effect: an audit entry."""
    questions = _clean_template_input(name=name, applies_to=applies_to, questions=questions)
    template = ReflectionTemplate.objects.create(
        name=name.strip()[:120], intro=intro, applies_to=applies_to, is_active=is_active, created_by=by
    )
    _create_questions(template, questions)
    audit_record(actor=by, action="reflections.template_create", target=template)
    return template


@transaction.atomic
def template_update(
    *,
    template: ReflectionTemplate,
    by: User | None,
    name: str,
    intro: str,
    applies_to: str,
    is_active: bool,
    questions: list[QuestionSpec],
) -> ReflectionTemplate:
    """Change a template and return the version that now carries the change.

    When reflections already answered this version and the questions or intro change, a new
    version is made (and becomes the current one) so those reflections keep the questions they
    answered. Otherwise the version is changed in place. Side effect: an audit entry.
    """
    questions = _clean_template_input(name=name, applies_to=applies_to, questions=questions)
    template = ReflectionTemplate.objects.select_for_update().get(pk=template.pk)
    if not template.is_current:
        raise ValidationError("Only the newest version of a template can be edited.")
    current = [QuestionSpec(q.text, q.help_text, q.word_limit) for q in template.questions.order_by("position")]
    content_changed = current != questions or template.intro != intro
    if content_changed and template.reflections.exists():
        template.is_current = False
        template.save(update_fields=["is_current"])
        new = ReflectionTemplate.objects.create(
            lineage=template.lineage,
            version=template.version + 1,
            name=name.strip()[:120],
            intro=intro,
            applies_to=applies_to,
            is_active=is_active,
            created_by=by,
        )
        _create_questions(new, questions)
        audit_record(actor=by, action="reflections.template_new_version", target=new, data={"from": template.pk})
        return new
    template.name, template.intro, template.applies_to, template.is_active = (
        name.strip()[:120],
        intro,
        applies_to,
        is_active,
    )
    template.save(update_fields=["name", "intro", "applies_to", "is_active"])
    if content_changed:
        template.questions.all().delete()
        _create_questions(template, questions)
    audit_record(actor=by, action="reflections.template_update", target=template)
    return template


# --- writing ------------------------------------------------------------------------------------


@transaction.atomic
def reflection_start(
    *,
    author: User,
    template: ReflectionTemplate,
    kind: str = ContextKind.GENERAL,
    context: models.Model | None = None,
) -> tuple[Reflection, bool]:
    """Open a reflection for writing; returns (reflection, created).

    Opening the same invitation twice leads to the same reflection: a person has at most one
    reflection per context, and a blank start reuses an untouched draft of the same template.
    Side effect: a "created" event.
    """
    if kind not in ContextKind.values:
        raise ValidationError({"kind": "Unknown reflection context kind."})
    if not template.is_current or not template.is_active:
        raise ValidationError({"template": "This template is retired; choose another one."})
    existing = Reflection.objects.filter(author=author)
    if context is not None:
        ct = ContentType.objects.get_for_model(context)
        found = existing.filter(context_type=ct, context_id=context.pk).order_by("-created_at").first()
    else:
        ct = None
        found = (
            existing.filter(
                state=Reflection.State.DRAFT,
                template=template,
                context_type__isnull=True,
                title="",
                key_takeaway="",
                search_text="",
            )
            .order_by("-created_at")
            .first()
        )
    if found is not None:
        return found, False
    reflection = Reflection.objects.create(
        author=author,
        template=template,
        context_kind=kind,
        context_type=ct,
        context_id=context.pk if context is not None else None,
        context_label=str(context)[:255] if context is not None else "",
    )
    _record(reflection=reflection, by=author, action=ReflectionEvent.Action.CREATED)
    return reflection, True


def _clean_content(
    *, reflection: Reflection, title: str, key_takeaway: str, answers: dict[int, str]
) -> tuple[str, str, dict[int, str]]:
    """The hard limits that hold even for a draft (what a column can store)."""
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    key_takeaway = _one_line(key_takeaway)
    if len(title) > TITLE_MAX_CHARS:
        errors["title"] = [f"Keep the title to {TITLE_MAX_CHARS} characters (it has {len(title)})."]
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
    job role); an event is recorded; active mentors are notified when it is shared with them.
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
    (in the app and by e-mail, kind "mentor_feedback").
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
    reflection.may_be_featured = may_be_featured
    return reflection


@transaction.atomic
def reflection_delete(*, reflection: Reflection, by: User) -> None:
    """The author deletes their own reflection with its answers, comments and reactions."""
    _require_author(reflection, by)
    Reflection.objects.filter(pk=reflection.pk).delete()


# --- moderation ---------------------------------------------------------------------------------


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Give the reason; the author sees it."]})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError({"reason": [f"Keep the reason to {REASON_MAX_CHARS} characters."]})
    return reason


def _require_officer(by: User) -> None:
    if not by.has_perm("reflections.manage_newsletters"):
        raise PermissionDenied("Only an Advice Desk Officer may do this.")


@transaction.atomic
def reflection_hide(*, reflection: Reflection, by: User, reason: str) -> Reflection:
    """An officer takes a reflection off the board, with a reason kept and shown to the author.

    Side effects: an audit entry, an event, and the author is notified.
    """
    _require_officer(by)
    reason = _clean_reason(reason)
    locked = _locked(reflection)
    if locked.is_hidden:
        _refresh_from(reflection, locked)
        return reflection
    locked.is_hidden, locked.hidden_reason, locked.hidden_at, locked.hidden_by = True, reason, timezone.now(), by
    locked.save(update_fields=["is_hidden", "hidden_reason", "hidden_at", "hidden_by"])
    _record(reflection=locked, by=by, action=ReflectionEvent.Action.HIDDEN, from_state=locked.state, note=reason)
    audit_record(actor=by, action="reflections.reflection_hide", target=locked, reason=reason)
    notify(
        recipient=locked.author,
        kind="moderation",
        key=f"reflection:{locked.pk}:hidden:{locked.hidden_at.isoformat()}",
        title=f"A moderator took your reflection “{locked}” off the learning board",
        body=f"Reason: {reason}",
        url=locked.get_absolute_url(),
        email_template="email/notification",
    )
    _refresh_from(reflection, locked)
    return reflection


@transaction.atomic
def reflection_unhide(*, reflection: Reflection, by: User, reason: str = "") -> Reflection:
    """An officer puts a hidden reflection back on the board. Side effects: an audit entry, an event."""
    _require_officer(by)
    locked = _locked(reflection)
    if not locked.is_hidden:
        _refresh_from(reflection, locked)
        return reflection
    locked.is_hidden = False
    locked.save(update_fields=["is_hidden"])
    _record(reflection=locked, by=by, action=ReflectionEvent.Action.UNHIDDEN, from_state=locked.state, note=reason)
    audit_record(actor=by, action="reflections.reflection_unhide", target=locked, reason=reason)
    _refresh_from(reflection, locked)
    return reflection


@transaction.atomic
def comment_hide(*, comment: Comment, by: User, reason: str) -> Comment:
    """An officer hides a board comment, with a reason kept and shown to its author. Side effect: audit entry."""
    _require_officer(by)
    if comment.channel != Comment.Channel.BOARD:
        raise PermissionDenied("Review threads are private to the author and mentors.")
    reason = _clean_reason(reason)
    comment.is_hidden, comment.hidden_reason, comment.hidden_at, comment.hidden_by = True, reason, timezone.now(), by
    comment.save(update_fields=["is_hidden", "hidden_reason", "hidden_at", "hidden_by"])
    audit_record(actor=by, action="reflections.comment_hide", target=comment, reason=reason)
    return comment


@transaction.atomic
def comment_unhide(*, comment: Comment, by: User, reason: str = "") -> Comment:
    """An officer shows a hidden board comment again. Side effect: audit entry."""
    _require_officer(by)
    comment.is_hidden = False
    comment.save(update_fields=["is_hidden"])
    audit_record(actor=by, action="reflections.comment_unhide", target=comment, reason=reason)
    return comment


# --- comments and reactions ---------------------------------------------------------------------


@transaction.atomic
def comment_add(*, reflection: Reflection, by: User, body: str, channel: str, parent: Comment | None = None) -> Comment:
    """Add a comment to the review thread (author ↔ mentors) or to the board discussion.

    Replies nest one level: a reply to a reply joins the first comment's thread. Side effects:
    the commenter's department, location and job role are copied on; the other side is told
    (a mentor's review comment reaches the author as "mentor_feedback").
    """
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write something before posting."]})
    if len(body) > COMMENT_MAX_CHARS:
        raise ValidationError({"body": [f"Keep a comment to {COMMENT_MAX_CHARS} characters (it has {len(body)})."]})
    if channel == Comment.Channel.REVIEW:
        allowed = by.has_perm("reflections.comment_review", reflection)
    elif channel == Comment.Channel.BOARD:
        allowed = by.has_perm("reflections.comment_board", reflection)
    else:
        raise ValidationError("Unknown comment channel.")
    if not allowed:
        raise PermissionDenied("You may not comment here.")
    if parent is not None:
        if parent.reflection_id != reflection.pk or parent.channel != channel:
            raise ValidationError("You can only reply to a comment in the same discussion.")
        if parent.parent_id is not None:
            parent = Comment.objects.get(pk=parent.parent_id)
    comment = Comment.objects.create(
        reflection=reflection,
        author=by,
        channel=channel,
        parent=parent,
        body=body,
        body_html=render_markdown(body),
        **_placement(by),
    )
    url = f"{reflection.get_absolute_url()}#comment-{comment.pk}"
    if channel == Comment.Channel.REVIEW:
        if by.pk == reflection.author_id:
            for mentor in User.objects.filter(pk__in=mentor_ids_of(mentee=reflection.author), is_active=True):
                notify(
                    recipient=mentor,
                    kind="reflection_comment",
                    key=f"comment:{comment.pk}",
                    title=f"{by.full_name} answered on “{reflection}”",
                    body=body[:500],
                    url=url,
                    email_template="email/notification",
                )
        else:
            notify(
                recipient=reflection.author,
                kind="mentor_feedback",
                key=f"comment:{comment.pk}",
                title=f"{by.full_name} commented on your reflection “{reflection}”",
                body=body[:500],
                url=url,
                email_template="email/notification",
            )
    elif by.pk != reflection.author_id:
        notify(
            recipient=reflection.author,
            kind="reflection_comment",
            key=f"comment:{comment.pk}",
            title=f"{by.full_name} commented on “{reflection}” on the learning board",
            url=url,
        )
    return comment


def _require_may_adopt(reflection: Reflection, by: User) -> None:
    if not by.has_perm("reflections.adopt_reflection", reflection):
        raise PermissionDenied("Only colleagues can try a learning from the board.")


@transaction.atomic
def adoption_will_try(*, reflection: Reflection, by: User) -> Adoption:
    """A colleague says "I'll try this". Once per person; the second call returns the first record.

    Side effects: who, when and their department, location and job role are kept; the author
    is told in the app.
    """
    _require_may_adopt(reflection, by)
    adoption, created = Adoption.objects.get_or_create(
        reflection=reflection, person=by, kind=Adoption.Kind.WILL_TRY, defaults=_placement(by)
    )
    if created:
        notify(
            recipient=reflection.author,
            kind="reflection_adoption",
            key=f"adoption:{adoption.pk}",
            title=f"{by.full_name} will try your learning “{reflection}”",
            url=reflection.get_absolute_url(),
        )
    return adoption


@transaction.atomic
def adoption_tried(*, reflection: Reflection, by: User, note: str) -> Adoption:
    """A colleague who said "I'll try this" reports "I tried it", with a short note on how it went.

    Side effects: who, when and their department, location and job role are kept; the author
    is told in the app.
    """
    _require_may_adopt(reflection, by)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Say in a line or two how it went."]})
    if len(note) > TRIED_NOTE_MAX_CHARS:
        raise ValidationError({"note": [f"Keep it short: {TRIED_NOTE_MAX_CHARS} characters at most."]})
    if not Adoption.objects.filter(reflection=reflection, person=by, kind=Adoption.Kind.WILL_TRY).exists():
        raise ValidationError("Say “I'll try this” first, then come back when you have tried it.")
    adoption, created = Adoption.objects.get_or_create(
        reflection=reflection, person=by, kind=Adoption.Kind.TRIED, defaults={"note": note, **_placement(by)}
    )
    if not created:
        adoption.note = note
        adoption.save(update_fields=["note"])
        return adoption
    notify(
        recipient=reflection.author,
        kind="reflection_adoption",
        key=f"adoption:{adoption.pk}",
        title=f"{by.full_name} tried your learning “{reflection}”",
        body=note,
        url=reflection.get_absolute_url(),
    )
    return adoption


# --- newsletter ---------------------------------------------------------------------------------


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


@transaction.atomic
def newsletter_create(*, month: date, by: User | None, title: str = "") -> tuple[NewsletterIssue, bool]:
    """Start the issue for a month, or return the one that exists; returns (issue, created)."""
    month = _first_of_month(month)
    issue, created = NewsletterIssue.objects.get_or_create(
        month=month,
        defaults={"title": title.strip()[:200] or f"Learnings of {month:%B %Y}", "created_by": by},
    )
    if created and by is not None:
        audit_record(actor=by, action="reflections.newsletter_create", target=issue)
    return issue, created


@transaction.atomic
def newsletter_draft_for_month(*, today: date | None = None, picks: int = 5) -> NewsletterIssue | None:
    """The monthly job: start this month's issue with last month's featured-consenting board reflections.

    Pre-picks up to `picks` reflections first shared last month whose authors agreed to be
    featured, validated ones first. Idempotent: returns None when the month's issue exists.
    """
    from .selectors import newsletter_candidates

    month = _first_of_month(today or timezone.localdate())
    issue, created = newsletter_create(month=month, by=None)
    if not created:
        return None
    start = timezone.make_aware(datetime.combine(_previous_month(month), datetime.min.time()))
    end = timezone.make_aware(datetime.combine(month, datetime.min.time()))
    chosen = list(
        newsletter_candidates()
        .filter(first_shared_at__gte=start, first_shared_at__lt=end)
        .order_by("-validated_at", "-first_shared_at")
        .values_list("pk", flat=True)[:picks]
    )
    NewsletterItem.objects.bulk_create(
        [NewsletterItem(issue=issue, reflection_id=pk, position=i) for i, pk in enumerate(chosen, start=1)]
    )
    return issue


@transaction.atomic
def newsletter_update(
    *, issue: NewsletterIssue, by: User, title: str, intro: str, reflection_ids: list[int]
) -> NewsletterIssue:
    """The officer sets the title, intro and the ordered reflections of a draft issue.

    Only board reflections whose authors agreed to be featured can be picked. Side effect: audit entry.
    """
    from .selectors import newsletter_candidates

    _require_officer(by)
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.is_published:
        raise ValidationError("A published issue cannot be changed.")
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = ["Give the issue a title."]
    elif len(title) > 200:
        errors["title"] = ["Keep the title to 200 characters."]
    ids = list(dict.fromkeys(reflection_ids))
    eligible = set(newsletter_candidates().filter(pk__in=ids).values_list("pk", flat=True))
    if set(ids) - eligible:
        errors["reflections"] = [
            "Some picked reflections are no longer on the board or their authors did not agree to be featured."
        ]
    if errors:
        raise ValidationError(errors)
    issue.title, issue.intro, issue.intro_html = title, intro, render_markdown(intro)
    issue.save(update_fields=["title", "intro", "intro_html"])
    issue.items.all().delete()
    NewsletterItem.objects.bulk_create(
        [NewsletterItem(issue=issue, reflection_id=pk, position=i) for i, pk in enumerate(ids, start=1)]
    )
    audit_record(actor=by, action="reflections.newsletter_update", target=issue, data={"reflections": ids})
    return issue


@transaction.atomic
def newsletter_publish(*, issue: NewsletterIssue, by: User) -> NewsletterIssue:
    """Publish a draft issue: its archive page goes live and the e-mail goes to everyone.

    Side effects: audit entry; after commit, the sending job is queued (in batches, each person once).
    """
    from .tasks import newsletter_send_batch_task

    _require_officer(by)
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.is_published:
        raise ValidationError("This issue is already published.")
    if not issue.items.exists():
        raise ValidationError("Pick at least one reflection before publishing.")
    issue.state, issue.published_at, issue.published_by = NewsletterIssue.State.PUBLISHED, timezone.now(), by
    issue.save(update_fields=["state", "published_at", "published_by"])
    audit_record(actor=by, action="reflections.newsletter_publish", target=issue)
    issue_id = issue.pk
    transaction.on_commit(lambda: newsletter_send_batch_task.delay(issue_id=issue_id, after_id=0))
    return issue


def newsletter_send_batch(*, issue_id: int, after_id: int = 0, batch_size: int = 200) -> int | None:
    """Queue the newsletter e-mail for the next batch of people with an id above `after_id`.

    Returns the last person id handled, or None when everyone has been reached. Each person
    gets the issue once, however often a batch is retried: `notify` is at most once per
    (person, "newsletter", f"newsletter:{issue.pk}").
    """
    from .selectors import newsletter_items_for_email

    issue = NewsletterIssue.objects.filter(pk=issue_id, state=NewsletterIssue.State.PUBLISHED).first()
    if issue is None:
        return None
    people = list(User.objects.filter(is_active=True, pk__gt=after_id).order_by("pk")[:batch_size])
    if not people:
        NewsletterIssue.objects.filter(pk=issue_id, sending_finished_at__isnull=True).update(
            sending_finished_at=timezone.now()
        )
        return None
    items = newsletter_items_for_email(issue=issue)
    queued = 0
    with transaction.atomic():
        for person in people:
            queued += notify(
                recipient=person,
                kind="newsletter",
                key=f"newsletter:{issue.pk}",
                title=issue.title,
                body=f"{len(items)} learnings from colleagues this month.",
                url=issue.get_absolute_url(),
                email_template="reflections/email/newsletter",
                context={"issue": issue, "items": items},
            )
        if queued:
            NewsletterIssue.objects.filter(pk=issue_id).update(recipients_queued=models.F("recipients_queued") + queued)
    return people[-1].pk
