"""Reads of "What we heard": a module's challenge themes as officers and the module's owner see them.

Only visible challenges count and show (not hidden by moderation, not withdrawn). An anonymous
challenge names its author to officers only; the module's owner reads it as colleagues do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from feedback.models import ChallengeTheme, ChallengeThemeMember, Contribution, FeedbackSession, Suggestion
from saypro.core.markdown import markdown_as_text
from saypro.core.models import Module, User

from . import similarity

# What one page shows: the largest themes, a few examples each, a few answers each.
THEMES_SHOWN = 50
EXAMPLES_PER_THEME = 3
ANSWERS_PER_THEME = 3
# How many of the module's insights and success stories are compared with the themes (the newest).
ANSWER_CANDIDATES = 300
# An insight or success story answers a theme when it shares this much of the theme's words.
ANSWER_THRESHOLD = 0.08
# Challenges raised this recently are "new" on the officer's dashboard.
NEW_CHALLENGE_DAYS = 14

VISIBLE_MEMBER = Q(contribution__hidden_at__isnull=True, contribution__withdrawn_at__isnull=True)
# The same, read from a theme.
VISIBLE_MEMBERS = Q(members__contribution__hidden_at__isnull=True, members__contribution__withdrawn_at__isnull=True)


@dataclass
class ThemeView:
    """One theme as the page, the CSV and the PDF show it."""

    theme: ChallengeTheme
    count: int
    people: int
    new_since_addressed: int
    examples: list[Contribution] = field(default_factory=list)
    answers: list[Contribution] = field(default_factory=list)
    words: frozenset[str] = frozenset()

    @property
    def suggestions(self) -> list[Suggestion]:
        return [s for c in self.examples for s in c.suggestions.all()]


def module_heard_get(*, pk: int) -> Module | None:
    return Module.objects.select_related("programme", "owner").filter(pk=pk).first()


def challenge_themes_live(*, module_id: int | None = None) -> QuerySet[ChallengeTheme]:
    """Themes not merged into another (an officer's actions and the merge targets), with their module."""
    themes = ChallengeTheme.objects.select_related("module").filter(merged_into__isnull=True)
    return themes if module_id is None else themes.filter(module_id=module_id)


def heard_themes(*, module: Module, officer: bool) -> list[ThemeView]:
    """The module's live themes with visible challenges, largest first: four queries in all.

    One for the themes with their counts, one for each theme's first few examples, one for the
    examples' visible suggestions, one for the insights and success stories that may answer them.
    `officer` decides whether an anonymous challenge's author is named (see `example_author`).
    """
    themes = list(
        ChallengeTheme.objects.filter(module=module, merged_into__isnull=True)
        .annotate(
            n=Count("members", filter=VISIBLE_MEMBERS),
            people=Count("members__contribution__author", filter=VISIBLE_MEMBERS, distinct=True),
            new_since=Count(
                "members",
                filter=VISIBLE_MEMBERS & Q(addressed=True, members__contribution__created_at__gt=F("addressed_at")),
            ),
        )
        .filter(n__gt=0)
        .select_related("addressed_by", "named_from")
        .order_by("-n", "name", "pk")[:THEMES_SHOWN]
    )
    views = {t.pk: ThemeView(theme=t, count=t.n, people=t.people, new_since_addressed=t.new_since) for t in themes}
    if not views:
        return []
    members = (
        ChallengeThemeMember.objects.filter(VISIBLE_MEMBER, theme_id__in=list(views))
        .annotate(
            rank=Window(
                RowNumber(), partition_by=F("theme_id"), order_by=[F("contribution__created_at").desc(), F("pk").desc()]
            )
        )
        .filter(rank__lte=EXAMPLES_PER_THEME)
        .select_related("contribution__author", "contribution__session")
        .prefetch_related(
            Prefetch(
                "contribution__suggestions",
                queryset=Suggestion.objects.filter(hidden_at__isnull=True).select_related("author").order_by("pk"),
            )
        )
        .order_by("theme_id", "rank")
    )
    for member in members:
        view = views[member.theme_id]
        # Read by the templates and the CSV: who raised it as the reader may know, its words as text.
        member.contribution.shown_author = example_author(member.contribution, officer=officer)  # type: ignore[attr-defined]
        member.contribution.plain_text = example_text(member.contribution)  # type: ignore[attr-defined]
        view.examples.append(member.contribution)
        view.words = view.words | similarity.words(member.contribution.text) | similarity.words(view.theme.name)
    for view in views.values():
        theme = view.theme
        named_from = theme.named_from
        if not theme.renamed and (named_from is None or not named_from.is_visible) and view.examples:
            # Until the next update renames it: never show words of a challenge no longer shown.
            oldest = min(view.examples, key=lambda c: (c.created_at, c.pk))
            theme.name = similarity.theme_name_from(oldest.text)
    for contribution in module_answers(module=module):
        own = similarity.words(contribution.text)
        scored = sorted(
            ((similarity.jaccard(own, view.words), view) for view in views.values()),
            key=lambda pair: -pair[0],
        )
        if scored and scored[0][0] >= ANSWER_THRESHOLD and len(scored[0][1].answers) < ANSWERS_PER_THEME:
            contribution.plain_text = example_text(contribution)  # type: ignore[attr-defined]  # as for examples
            scored[0][1].answers.append(contribution)
    return list(views.values())


def module_answers(*, module: Module) -> QuerySet[Contribution]:
    """The module's visible insights and success stories, newest first (bounded)."""
    return (
        Contribution.objects.filter(
            session__module=module,
            kind__in=[Contribution.Kind.INSIGHT, Contribution.Kind.SUCCESS_STORY],
            hidden_at__isnull=True,
            withdrawn_at__isnull=True,
        )
        .select_related("author")
        .order_by("-created_at", "-pk")[:ANSWER_CANDIDATES]
    )


def example_author(contribution: Contribution, *, officer: bool) -> str:
    """Who raised a challenge, as the reader may know it: an anonymous one names nobody but to officers."""
    if contribution.anonymous and not officer:
        return "A colleague (name not shown)"
    return contribution.author.full_name


def example_text(contribution: Contribution) -> str:
    return markdown_as_text(contribution.text)


def challenges_ungrouped(*, module_id: int | None = None) -> QuerySet[Contribution]:
    """Visible challenges (of one module, or of all) that no update has put in a theme yet, oldest first."""
    qs = Contribution.objects.filter(
        kind=Contribution.Kind.CHALLENGE, hidden_at__isnull=True, withdrawn_at__isnull=True
    ).exclude(Exists(ChallengeThemeMember.objects.filter(contribution_id=OuterRef("pk"))))
    if module_id is not None:
        qs = qs.filter(session__module_id=module_id)
    return qs.order_by("created_at", "pk")


def heard_ungrouped_count(*, module: Module) -> int:
    return challenges_ungrouped(module_id=module.pk).count()


# --- links from the dashboard and Home ----------------------------------------------------------


def modules_with_new_challenges(*, now: datetime) -> QuerySet[Module]:
    """Modules with visible challenges raised in the last two weeks, the most first.

    Each has `new_challenges` and `last_challenge_at`: the officer's dashboard links them to
    their "What we heard" page.
    """
    recent = Q(
        feedback_sessions__contributions__kind=Contribution.Kind.CHALLENGE,
        feedback_sessions__contributions__created_at__gte=now - timedelta(days=NEW_CHALLENGE_DAYS),
        feedback_sessions__contributions__hidden_at__isnull=True,
        feedback_sessions__contributions__withdrawn_at__isnull=True,
    )
    return (
        Module.objects.annotate(
            new_challenges=Count("feedback_sessions__contributions", filter=recent),
            last_challenge_at=Max("feedback_sessions__contributions__created_at", filter=recent),
        )
        .filter(new_challenges__gt=0)
        .order_by("-new_challenges", "title", "pk")
    )


def modules_owned_with_challenges(*, person: User) -> list[Module]:
    """The modules the person owns, each with its visible challenges and newest challenge (one query)."""
    if not person.is_authenticated:
        return []
    visible_challenge = Q(
        feedback_sessions__contributions__kind=Contribution.Kind.CHALLENGE,
        feedback_sessions__contributions__hidden_at__isnull=True,
        feedback_sessions__contributions__withdrawn_at__isnull=True,
    )
    return list(
        Module.objects.filter(owner=person)
        .annotate(
            challenges=Count("feedback_sessions__contributions", filter=visible_challenge),
            last_challenge_at=Max("feedback_sessions__contributions__created_at", filter=visible_challenge),
        )
        .order_by("-last_challenge_at", "title", "pk")
    )


# --- the monthly report -------------------------------------------------------------------------


def challenges_raised_in(*, start: datetime, end: datetime) -> QuerySet[Contribution]:
    """Visible challenges of feedback sessions held in [start, end) (their scheduled start decides)."""
    return Contribution.objects.filter(
        kind=Contribution.Kind.CHALLENGE,
        hidden_at__isnull=True,
        withdrawn_at__isnull=True,
        session__state=FeedbackSession.State.HELD,
        session__starts_at__gte=start,
        session__starts_at__lt=end,
    )


def challenge_themes_raised_in(*, start: datetime, end: datetime) -> QuerySet:
    """Per theme: its module, name, how many of the month's challenges it holds, and from how many people."""
    raised = challenges_raised_in(start=start, end=end).values("pk")
    return (
        ChallengeThemeMember.objects.filter(contribution__in=raised)
        .values("theme_id", "theme__name", "theme__module_id", "theme__module__title")
        .annotate(challenges=Count("pk"), people=Count("contribution__author", distinct=True))
        .order_by("-challenges", "theme__name", "theme_id")
    )
