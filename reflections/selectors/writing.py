"""Reads for writing: templates, the context an invitation names, answers, a person's own reflections."""

from __future__ import annotations

import importlib
import importlib.util

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, FilteredRelation, Model, Q, QuerySet

from saypro.core.ids import id_from
from saypro.core.models import User

from ..models import Answer, ContextKind, GuidingQuestion, Reflection, ReflectionEvent, ReflectionTemplate

# What an invitation link may name, per kind: "<app_label>.<model>" -> the owning app's selector
# `(*, pk, person) -> object | None`, which returns the object only when the person took part in it
# (a circle they were a member of, a session they were invited to, a café they attended, a talk
# they heard). Dotted names, so this app imports none of them; anything not listed here is no
# context at all, so a link cannot read a "never with" choice, an RSVP or a declined proposal.
CONTEXT_SOURCES: dict[str, dict[str, str]] = {
    ContextKind.FEEDBACK_SESSION: {"feedback.feedbacksession": "feedback.selectors.session_for_reflection"},
    ContextKind.CIRCLE: {"circles.circle": "circles.selectors.circle_for_reflection"},
    ContextKind.CAFE: {
        "cafes.cafe": "cafes.selectors.cafe_for_reflection",
        "cafes.talkproposal": "cafes.selectors.talk_for_reflection",
    },
}


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


def context_resolve(*, kind: str, token: str, person: User) -> Model | None:
    """The activity an invitation link names as "<app_label>.<model>:<pk>", if `person` may reflect on it.

    None when the token is malformed, names a model the kind does not offer, or an object the
    person did not take part in (or that does not exist): the caller cannot tell these apart,
    so a link reveals nothing about objects the person may not see.
    """
    model_label, _, raw_pk = token.partition(":")
    dotted = CONTEXT_SOURCES.get(kind, {}).get(model_label)
    pk = id_from(raw_pk)
    if dotted is None or pk is None:
        return None
    module, _, name = dotted.rpartition(".")
    if importlib.util.find_spec(module.partition(".")[0]) is None:
        return None
    selector = getattr(importlib.import_module(module), name)
    return selector(pk=pk, person=person)


def reflection_for_context(*, person: User, context: Model) -> Reflection | None:
    """The person's reflection about this activity, if they started one (at most one exists)."""
    ct = ContentType.objects.get_for_model(context)
    return Reflection.objects.filter(author=person, context_type=ct, context_id=context.pk).first()


def answer_list(*, reflection: Reflection) -> list[dict]:
    """The template's questions in order, each with the author's answer (or None).

    One query: each question with this reflection's answer to it joined on (an Answer has no
    other columns than those read here).
    """
    questions = (
        GuidingQuestion.objects.filter(template_id=reflection.template_id)
        .annotate(mine=FilteredRelation("answers", condition=Q(answers__reflection=reflection)))
        .annotate(answer_pk=F("mine__pk"), answer_text=F("mine__text"), answer_html=F("mine__html"))
    )
    return [
        {
            "question": q,
            "answer": Answer(pk=q.answer_pk, reflection=reflection, question=q, text=q.answer_text, html=q.answer_html)
            if q.answer_pk is not None
            else None,
        }
        for q in questions
    ]


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
