"""What every write of the reflections app shares: limits, the event record, row locks, placements."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError

from saypro.core.models import Module, User
from saypro.xapi.services import statement_record

from ..models import Reflection, ReflectionEvent

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
    reflection.snapshot_placement_of(reflection.author)
    return ["first_shared_at", *reflection.PLACEMENT_FIELDS]


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _require_author(reflection: Reflection, by: User) -> None:
    if reflection.author_id != by.pk:
        raise PermissionDenied("Only the author may do this.")


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


def _module_of(reflection: Reflection) -> Module | None:
    """The module a reflection is about: its context, or its context's module (a feedback session's)."""
    if reflection.context_type_id is None:
        return None
    context = reflection.context
    if isinstance(context, Module):
        return context
    module = getattr(context, "module", None)
    return module if isinstance(module, Module) else None


def _xapi_name(reflection: Reflection) -> str:
    """The reflection's name in a learning record: its title, unless the author keeps it private."""
    if reflection.visibility == Reflection.Visibility.PRIVATE:
        return "A private reflection"
    return str(reflection)


def _xapi_record(*, event: str, key: str, reflection: Reflection, actor: User, when: datetime, result=None) -> None:
    """The learning event's xAPI statement, in the event's transaction (docs/xapi.md)."""
    statement_record(
        event=event,
        key=key,
        actor=actor,
        path=reflection.get_absolute_url(),
        name=_xapi_name(reflection),
        when=when,
        module=_module_of(reflection),
        result=result,
    )
