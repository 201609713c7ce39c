"""Reads for writing: templates, the context an invitation names, answers, a person's own reflections."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Model, QuerySet

from saypro.core.models import User

from ..models import Answer, ContextKind, Reflection, ReflectionEvent, ReflectionTemplate

# Which apps may provide the context of each kind (contenttypes app labels): a link cannot
# attach a reflection to, say, a person or an audit entry.
CONTEXT_APPS: dict[str, set[str]] = {
    ContextKind.FEEDBACK_SESSION: {"feedback"},
    ContextKind.CIRCLE: {"circles"},
    ContextKind.CAFE: {"cafes"},
    ContextKind.MODULE: {"core"},
}


CONTEXT_MODELS: dict[str, set[str]] = {ContextKind.MODULE: {"module"}}


def template_list_current(*, include_retired: bool = False) -> QuerySet[ReflectionTemplate]:
    qs = ReflectionTemplate.objects.filter(is_current=True).annotate(question_count=Count("questions", distinct=True))
    if not include_retired:
        qs = qs.filter(is_active=True)
    return qs.order_by("applies_to", "name")


def template_get(*, pk: int) -> ReflectionTemplate | None:
    return ReflectionTemplate.objects.filter(pk=pk).prefetch_related("questions").first()


def template_for_kind(*, kind: str) -> ReflectionTemplate | None:
    """The template offered for a kind of activity; the general one when the kind has none."""
    offered = ReflectionTemplate.objects.filter(is_current=True, is_active=True)
    return (
        offered.filter(applies_to=kind).order_by("name", "pk").first()
        or offered.filter(applies_to=ContextKind.GENERAL).order_by("name", "pk").first()
        or offered.order_by("name", "pk").first()
    )


def template_versions(*, template: ReflectionTemplate) -> QuerySet[ReflectionTemplate]:
    return (
        ReflectionTemplate.objects.filter(lineage=template.lineage)
        .annotate(reflection_count=Count("reflections"))
        .order_by("-version")
    )


def context_resolve(*, kind: str, token: str) -> Model | None:
    """The object an invitation link names as "<app_label>.<model>:<pk>", when it fits the kind."""
    if kind not in CONTEXT_APPS or not token or ":" not in token or "." not in token:
        return None
    model_part, _, pk = token.partition(":")
    app_label, _, model = model_part.partition(".")
    if app_label not in CONTEXT_APPS[kind] or not pk.isdigit():
        return None
    if kind in CONTEXT_MODELS and model not in CONTEXT_MODELS[kind]:
        return None
    try:
        ct = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return None
    model_class = ct.model_class()
    if model_class is None:
        return None
    return model_class._default_manager.filter(pk=int(pk)).first()


def answer_list(*, reflection: Reflection) -> list[dict]:
    """The template's questions in order, each with the author's answer (or None)."""
    answers = {a.question_id: a for a in Answer.objects.filter(reflection=reflection)}
    return [{"question": q, "answer": answers.get(q.pk)} for q in reflection.template.questions.all()]


def reflection_list_mine(*, person: User, state: str | None = None) -> QuerySet[Reflection]:
    qs = Reflection.objects.filter(author=person).select_related("template")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-updated_at", "-pk")


def reflection_state_counts(*, person: User) -> dict[str, int]:
    """How many of a person's reflections are in each state (one query)."""
    counts = dict.fromkeys(Reflection.State.values, 0)
    counts.update(
        Reflection.objects.filter(author=person)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return counts


def reflection_event_list(*, reflection: Reflection) -> QuerySet[ReflectionEvent]:
    return reflection.events.select_related("actor").order_by("created_at", "pk")
