"""Writes of templates of guiding questions, versioned so old reflections keep their questions."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from saypro.core.models import User
from saypro.core.services import audit_record
from saypro.core.text import text_clean

from ..models import ContextKind, GuidingQuestion, ReflectionTemplate
from .common import MAX_QUESTIONS


@dataclass(frozen=True)
class QuestionSpec:
    """One guiding question as an officer writes it."""

    text: str
    help_text: str = ""
    word_limit: int = 200


def _clean_template_input(
    *, name: str, applies_to: str, questions: list[QuestionSpec], intro: str = ""
) -> list[QuestionSpec]:
    errors: dict[str, list[str]] = {}
    text_clean(intro, field="intro", max_chars=5_000, label="the introduction", errors=errors)
    if not text_clean(name, field="name", max_chars=120, single_line=True, label="the name", errors=errors):
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
        for value, label in ((q.text, "a question"), (q.help_text, "a question's help")):
            text_clean(value, field="questions", max_chars=300, single_line=True, label=label, errors=errors)
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
    questions = _clean_template_input(name=name, applies_to=applies_to, questions=questions, intro=intro)
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
    questions = _clean_template_input(name=name, applies_to=applies_to, questions=questions, intro=intro)
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
