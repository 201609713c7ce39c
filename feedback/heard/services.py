"""Writes of "What we heard": grouping a module's challenges into themes, and the officer's edits.

Grouping is incremental. A challenge not yet in a theme joins the theme holding the most similar
grouped challenge, if that similarity reaches the threshold, or starts a theme named from its own
words. Grouping never touches what an officer decided: names given by hand, "addressed" marks
and merges stay; a merged theme has no members left, so nothing joins it again.
"""

from __future__ import annotations

from django.contrib.postgres.search import TrigramSimilarity
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from feedback.models import (
    THEME_NAME_MAX_CHARS,
    THEME_NOTE_MAX_CHARS,
    ChallengeTheme,
    ChallengeThemeMember,
    Contribution,
)
from saypro.core.models import Module, User
from saypro.core.services import audit_record

from . import similarity
from .selectors import challenges_ungrouped

# How many new challenges of one module one update groups; the next run takes the rest. One
# challenge costs about three queries (25 ms on a loaded two-core test machine with PostgreSQL,
# comparing with 500 grouped ones), so the officer's button takes fewer than the hourly job.
UPDATE_BATCH = 2000
UPDATE_BATCH_ON_REQUEST = 200


def challenge_themes_update(*, module: Module, limit: int = UPDATE_BATCH) -> int:
    """Put every visible challenge of the module that is in no theme yet into one; return how many.

    Side effects: challenge themes created (named from their first challenge) and members added;
    themes whose naming challenge is no longer visible renamed from a visible one (unless an
    officer named them);
    in one transaction that holds the module's row, so two updates of one module wait for each
    other instead of starting the same theme twice.
    """
    with transaction.atomic():
        Module.objects.select_for_update().filter(pk=module.pk).first()
        new = list(challenges_ungrouped(module_id=module.pk).only("pk", "text", "created_at")[:limit])
        if new and similarity.uses_trigrams():
            _group_by_trigrams(module, new)
        elif new:
            _group_by_words(module, new)
        _refresh_names(module.pk)
    return len(new)


def _start_theme(module: Module, challenge: Contribution) -> ChallengeTheme:
    return ChallengeTheme.objects.create(
        module=module, name=similarity.theme_name_from(challenge.text), named_from=challenge
    )


def _names_to_refresh(module_id: int | None = None):
    """Themes named from a challenge that is no longer visible (hidden, withdrawn or erased), not renamed."""
    themes = ChallengeTheme.objects.filter(renamed=False, merged_into__isnull=True).filter(
        Q(named_from__isnull=True) | Q(named_from__hidden_at__isnull=False) | Q(named_from__withdrawn_at__isnull=False)
    )
    return themes if module_id is None else themes.filter(module_id=module_id)


def _refresh_names(module_id: int) -> None:
    """Name each such theme after its oldest visible challenge (a theme with none is not shown anywhere)."""
    for theme in _names_to_refresh(module_id):
        first = (
            Contribution.objects.filter(
                pk__in=theme.members.values("contribution_id"), hidden_at__isnull=True, withdrawn_at__isnull=True
            )
            .order_by("created_at", "pk")
            .first()
        )
        if first is not None:
            theme.name, theme.named_from = similarity.theme_name_from(first.text), first
            theme.save(update_fields=["name", "named_from"])


def _group_by_trigrams(module: Module, new: list[Contribution]) -> None:
    live = ChallengeThemeMember.objects.filter(theme__module=module, theme__merged_into__isnull=True)
    for challenge in new:
        # The newest grouped challenges only, as on SQLite: the cost of one match stays bounded.
        grouped = live.filter(pk__in=live.order_by("-pk").values("pk")[: similarity.FALLBACK_CANDIDATES])
        match = (
            grouped.annotate(similar=TrigramSimilarity("contribution__text", challenge.text))
            .filter(similar__gte=similarity.TRIGRAM_THRESHOLD)
            .order_by("-similar", "pk")
            .values_list("theme_id", flat=True)
            .first()
        )
        theme_id = match if match is not None else _start_theme(module, challenge).pk
        ChallengeThemeMember.objects.create(theme_id=theme_id, contribution=challenge)


def _group_by_words(module: Module, new: list[Contribution]) -> None:
    candidates: list[tuple[int, frozenset[str]]] = [
        (theme_id, similarity.words(text))
        for theme_id, text in ChallengeThemeMember.objects.filter(theme__module=module, theme__merged_into__isnull=True)
        .order_by("-pk")
        .values_list("theme_id", "contribution__text")[: similarity.FALLBACK_CANDIDATES]
    ]
    for challenge in new:
        own = similarity.words(challenge.text)
        theme_id, score = similarity.best_match(own, candidates)
        if theme_id is None or score < similarity.JACCARD_THRESHOLD:
            theme_id = _start_theme(module, challenge).pk
        ChallengeThemeMember.objects.create(theme_id=theme_id, contribution=challenge)
        candidates.insert(0, (theme_id, own))


def challenge_themes_update_due() -> int:
    """Group the new challenges of every module that has some; return how many were grouped."""
    module_ids = set(challenges_ungrouped().values_list("session__module_id", flat=True).distinct())
    module_ids |= set(_names_to_refresh().values_list("module_id", flat=True).distinct())
    return sum(challenge_themes_update(module=module) for module in Module.objects.filter(pk__in=module_ids))


# --- the officer's edits ------------------------------------------------------------------------


def challenge_theme_rename(*, theme: ChallengeTheme, name: str, by: User) -> ChallengeTheme:
    """Give a theme a name of the officer's choosing, kept by every later update; audited."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the theme a name."})
    if len(name) > THEME_NAME_MAX_CHARS:
        raise ValidationError({"name": f"Keep the name to {THEME_NAME_MAX_CHARS} characters (it has {len(name)})."})
    old = theme.name
    theme.name, theme.renamed = name, True
    theme.save(update_fields=["name", "renamed"])
    audit_record(actor=by, action="feedback.theme_renamed", target=theme, data={"from": old, "to": name})
    return theme


def challenge_theme_merge(*, theme: ChallengeTheme, into: ChallengeTheme, by: User) -> ChallengeTheme:
    """Move every challenge of `theme` into `into` (same module) and keep `theme` as merged; audited.

    Themes merged into `theme` earlier now point at `into`, so no chain of merges forms.
    """
    if into.pk == theme.pk:
        raise ValidationError({"into": "Choose another theme: a theme cannot be merged into itself."})
    if into.module_id != theme.module_id or into.merged_into_id is not None or theme.merged_into_id is not None:
        raise ValidationError({"into": "Choose one of this module's themes on the page."})
    with transaction.atomic():
        moved = ChallengeThemeMember.objects.filter(theme=theme).update(theme=into)
        ChallengeTheme.objects.filter(merged_into=theme).update(merged_into=into)
        theme.merged_into = into
        theme.save(update_fields=["merged_into"])
        audit_record(
            actor=by,
            action="feedback.theme_merged",
            target=into,
            data={"merged": theme.pk, "merged_name": theme.name, "challenges": moved},
        )
    return into


def challenge_theme_mark_addressed(*, theme: ChallengeTheme, note: str, by: User) -> ChallengeTheme:
    """Mark a theme "addressed in the next run" with what changes; audited."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": "Say in a line what changes in the next run."})
    if len(note) > THEME_NOTE_MAX_CHARS:
        raise ValidationError({"note": f"Keep the note to {THEME_NOTE_MAX_CHARS} characters (it has {len(note)})."})
    theme.addressed, theme.addressed_note = True, note
    theme.addressed_at, theme.addressed_by = timezone.now(), by
    theme.save(update_fields=["addressed", "addressed_note", "addressed_at", "addressed_by"])
    audit_record(actor=by, action="feedback.theme_addressed", target=theme, reason=note)
    return theme


def challenge_theme_reopen(*, theme: ChallengeTheme, by: User) -> ChallengeTheme:
    """Take back an "addressed" mark; the old note stays in the audit entry."""
    if not theme.addressed:
        return theme
    old_note = theme.addressed_note
    theme.addressed, theme.addressed_note, theme.addressed_at, theme.addressed_by = False, "", None, None
    theme.save(update_fields=["addressed", "addressed_note", "addressed_at", "addressed_by"])
    audit_record(actor=by, action="feedback.theme_reopened", target=theme, data={"note": old_note})
    return theme
