"""The learning board: comments, “I'll try this” and “I tried it”, and moderation."""

from __future__ import annotations

import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from saypro.core.markdown import render_markdown
from saypro.core.models import PlacementSnapshot, User
from saypro.core.selectors import mentor_ids_of
from saypro.core.services import audit_record, notify, submitted_once

from ..models import Adoption, Comment, Reflection, ReflectionEvent
from ..selectors.page import reflection_page_changed
from .common import (
    COMMENT_MAX_CHARS,
    TRIED_NOTE_MAX_CHARS,
    _clean_reason,
    _locked,
    _record,
    _refresh_from,
    _require_officer,
    _xapi_record,
)


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


@transaction.atomic
def comment_add(
    *,
    reflection: Reflection,
    by: User,
    body: str,
    channel: str,
    parent: Comment | None = None,
    submission_token: uuid.UUID | None = None,
) -> Comment:
    """Add a comment to the review thread (author ↔ mentors) or to the board discussion.

    Replies nest one level: a reply to a reply joins the first comment's thread. Side effects:
    the commenter's department, location and job role are copied on; the other side is told
    (a mentor's review comment reaches the author as "mentor_feedback"). The same
    `submission_token` twice (a double click) returns the first comment and tells no one again.
    A board comment records the commenter's xAPI statement (without its text).
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
    comment, _ = submitted_once(
        person=by,
        token=submission_token,
        create=lambda: _comment_create(reflection=reflection, by=by, body=body, channel=channel, parent=parent),
    )
    if comment is None:
        raise ValidationError("This comment was posted and then removed.")
    return comment


def _comment_create(*, reflection: Reflection, by: User, body: str, channel: str, parent: Comment | None) -> Comment:
    comment = Comment.objects.create(
        reflection=reflection,
        author=by,
        channel=channel,
        parent=parent,
        body=body,
        body_html=render_markdown(body),
        **PlacementSnapshot.placement_of(by),
    )
    url = f"{reflection.get_absolute_url()}#comment-{comment.pk}"
    if channel == Comment.Channel.BOARD:
        _xapi_record(
            event="board_comment",
            key=f"reflections.comment:{comment.pk}",
            reflection=reflection,
            actor=by,
            when=comment.created_at,
        )
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
    is told in the app; an xAPI statement is recorded (docs/xapi.md).
    """
    _require_may_adopt(reflection, by)
    adoption, created = Adoption.objects.get_or_create(
        reflection=reflection, person=by, kind=Adoption.Kind.WILL_TRY, defaults=PlacementSnapshot.placement_of(by)
    )
    if created:
        _adoption_made(
            adoption, event="will_try", title=f"{by.full_name} will try your learning “{reflection}”", body=""
        )
    return adoption


@transaction.atomic
def adoption_tried(*, reflection: Reflection, by: User, note: str) -> Adoption:
    """A colleague reports "I tried it", with a short note on how it went.

    An earlier "I'll try this" is not needed (DESIGN.md): someone who already tried the practice
    says so directly, which is one engagement; saying both is two.

    Side effects: who, when and their department, location and job role are kept; the author
    is told in the app; an xAPI statement is recorded (docs/xapi.md).
    """
    _require_may_adopt(reflection, by)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Say in a line or two how it went."]})
    if len(note) > TRIED_NOTE_MAX_CHARS:
        raise ValidationError({"note": [f"Keep it short: {TRIED_NOTE_MAX_CHARS} characters at most."]})
    return _tried_record(reflection=reflection, by=by, note=note)


def _tried_record(*, reflection: Reflection, by: User, note: str) -> Adoption:
    """Record (or update the line of) "I tried it", close an open commitment as tried, tell the author.

    The one path both the board's "I tried it" and the answer to a commitment's nudge take, so the
    counts of "I tried it" stay one per person and reflection whichever way it was said. With a
    line of outcome the author hears "Your learning was used", in the app and by e-mail (as their
    preferences for board news say); without one, in the app only.
    """
    adoption, created = Adoption.objects.get_or_create(
        reflection=reflection,
        person=by,
        kind=Adoption.Kind.TRIED,
        defaults={"note": note, **PlacementSnapshot.placement_of(by)},
    )
    if not created and note and adoption.note != note:
        adoption.note = note
        adoption.save(update_fields=["note"])
    if created:
        _xapi_record(
            event="tried",
            key=f"reflections.reflection:{reflection.pk}:tried",
            reflection=reflection,
            actor=by,
            when=adoption.created_at,
        )
    now = timezone.now()
    Adoption.objects.filter(reflection=reflection, person=by, kind=Adoption.Kind.WILL_TRY).exclude(
        outcome=Adoption.Outcome.TRIED
    ).filter(commitment_due__isnull=False).update(
        outcome=Adoption.Outcome.TRIED, outcome_text=note[:200], outcome_at=now
    )
    reflection_page_changed(reflection_ids=[reflection.pk])  # the commitment it shows; update() sends no signal
    if created or note:
        # A line added later to an "I tried it" said without one is news of its own, told once.
        notify(
            recipient=reflection.author,
            kind="reflection_adoption",
            key=f"adoption:{adoption.pk}" if created else f"adoption:{adoption.pk}:used",
            title=f"Your learning was used: {by.full_name} tried “{reflection}”"
            if note
            else f"{by.full_name} tried your learning “{reflection}”",
            body=note,
            url=f"{reflection.get_absolute_url()}#who-tried",
            email_template="email/notification" if note else None,
        )
    return adoption


def _adoption_made(adoption: Adoption, *, event: str, title: str, body: str) -> None:
    """A new "I'll try this": its xAPI statement, and the author is told in the app."""
    reflection = adoption.reflection
    _xapi_record(
        event=event,
        key=f"reflections.reflection:{reflection.pk}:will-try",
        reflection=reflection,
        actor=adoption.person,
        when=adoption.created_at,
    )
    notify(
        recipient=reflection.author,
        kind="reflection_adoption",
        key=f"adoption:{adoption.pk}",
        title=title,
        body=body,
        url=reflection.get_absolute_url(),
    )
