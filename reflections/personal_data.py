"""A person's reflections data, for "export and delete my data" (see saypro/personal_data.py).

Export: the person's reflections with their answers, the mentor reviews they received, the
newsletters that featured them and how many comments and "I'll try this" / "I tried it" they
drew; the comments, adoptions and mentor reviews the person wrote. Other people's words and
names are left out: of comments and reactions on the person's reflections only the counts, and
of someone else's reflection the title only when it is on the learning board.

Erase decides per record:

- Drafts, private and mentor-only reflections are private content: deleted with their answers,
  reviews, review threads, events and reactions.
- Reflections shared with colleagues are shared content that the monthly report counted: the
  row stays (its author is the anonymised user), its title and answers are replaced with
  "Removed at the author's request", it is hidden from the board with that reason, consent to
  being featured is withdrawn, and its private review thread is deleted. Like any hide, a
  rebuilt snapshot no longer counts it or the engagement on it; stored snapshots keep their figures.
- The person's board comments, review comments, "I'll try this" / "I tried it" and the mentor
  reviews they wrote stay (engagement and validation figures), under the anonymised name.
- The reports the person made to the Advice Desk are deleted: no figure counts them, and an
  officer's resolution keeps its own audit entry.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from saypro.core import fragments
from saypro.core.markdown import render_markdown
from saypro.core.models import User
from saypro.core.personal_data import REMOVED_TEXT, jsonable

from .board_cache import board_changed
from .models import (
    Adoption,
    Answer,
    Comment,
    MentorReview,
    NewsletterIssue,
    NewsletterItem,
    Reflection,
    ReflectionEvent,
    Report,
)

SECTION_TITLE = "Reflections"
ERASE_EXPLAINED = [
    "Your drafts and your private and mentor-only reflections are deleted, with their answers, "
    "mentor reviews and comments.",
    "Your reflections on the learning board are taken off it: their title and answers are replaced with "
    f"“{REMOVED_TEXT}”, they are no longer featured, and their review threads with your mentors are deleted.",
    "Your comments, “I'll try this” and “I tried it” on colleagues' reflections, and the reviews you wrote "
    "as a mentor, stay under the name “Former colleague”.",
    "What you reported to the Advice Desk is deleted.",
]


def _on_board(reflection: Reflection) -> bool:
    return reflection.is_on_board


def _shared_with_colleagues() -> Q:
    """Reflections that reached (or may have reached) colleagues: submitted and visible to colleagues."""
    return Q(visibility=Reflection.Visibility.COLLEAGUES) & ~Q(state=Reflection.State.DRAFT)


# --- export ------------------------------------------------------------------------------------------


def _reflection_row(reflection: Reflection, comments: dict[int, int], adoptions: dict[int, dict[str, int]]) -> dict:
    return {
        "id": reflection.pk,
        "title": reflection.title,
        "key_takeaway": reflection.key_takeaway,
        "visibility": reflection.visibility,
        "state": reflection.state,
        "may_be_featured": reflection.may_be_featured,
        "about": reflection.context_label or reflection.get_context_kind_display(),
        "template": reflection.template.name,
        "answers": [{"question": a.question.text, "text": a.text} for a in reflection.answers.all()],
        "created_at": jsonable(reflection.created_at),
        "updated_at": jsonable(reflection.updated_at),
        "first_submitted_at": jsonable(reflection.first_submitted_at),
        "submitted_at": jsonable(reflection.submitted_at),
        "validated_at": jsonable(reflection.validated_at),
        "first_shared_at": jsonable(reflection.first_shared_at),
        "depth": reflection.depth,
        "hidden": reflection.is_hidden,
        "hidden_reason": reflection.hidden_reason,
        "mentor_reviews_received": [
            {
                "decision": r.decision,
                "depth": r.depth,
                "note": r.note,
                "created_at": jsonable(r.created_at),
            }
            for r in reflection.reviews.all()
        ],
        "featured_in_newsletters": [item.issue.title for item in reflection.newsletter_items.all()],
        "comments_received": comments.get(reflection.pk, 0),
        "will_try_received": adoptions[reflection.pk].get(Adoption.Kind.WILL_TRY, 0),
        "tried_received": adoptions[reflection.pk].get(Adoption.Kind.TRIED, 0),
    }


def _title_if_visible_to(reflection: Reflection, person: User) -> str | None:
    """A reflection's title when the person may name it to anyone: their own, or on the board."""
    if reflection.author_id == person.pk or _on_board(reflection):
        return str(reflection)
    return None


def export(*, person: User) -> dict:
    """The person's reflections and what they wrote on others' (nine queries)."""
    mine = (
        Reflection.objects.filter(author=person)
        .select_related("template")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.select_related("question").order_by("question__position")),
            Prefetch("reviews", queryset=MentorReview.objects.order_by("created_at", "id")),
            Prefetch(
                "newsletter_items",
                queryset=NewsletterItem.objects.filter(issue__state=NewsletterIssue.State.PUBLISHED).select_related(
                    "issue"
                ),
            ),
        )
        .order_by("created_at", "id")
    )
    comments_received = dict(
        Comment.objects.filter(reflection__author=person)
        .exclude(author=person)
        .values("reflection_id")
        .annotate(n=Count("id"))
        .values_list("reflection_id", "n")
    )
    adoptions_received: dict[int, dict[str, int]] = defaultdict(dict)
    for reflection_id, kind, n in (
        Adoption.objects.filter(reflection__author=person)
        .values("reflection_id", "kind")
        .annotate(n=Count("id"))
        .values_list("reflection_id", "kind", "n")
    ):
        adoptions_received[reflection_id][kind] = n

    comments = Comment.objects.filter(author=person).select_related("reflection").order_by("created_at", "id")
    adoptions = Adoption.objects.filter(person=person).select_related("reflection").order_by("created_at", "id")
    reviews = MentorReview.objects.filter(mentor=person).order_by("created_at", "id")
    return {
        "reflections": [_reflection_row(r, comments_received, adoptions_received) for r in mine],
        "comments": [
            {
                "reflection_id": c.reflection_id,
                "reflection": _title_if_visible_to(c.reflection, person),
                "channel": c.channel,
                "body": c.body,
                "created_at": jsonable(c.created_at),
                "hidden": c.is_hidden,
                "hidden_reason": c.hidden_reason,
            }
            for c in comments
        ],
        "adoptions": [
            {
                "reflection_id": a.reflection_id,
                "reflection": _title_if_visible_to(a.reflection, person),
                "kind": a.kind,
                "note": a.note,
                "created_at": jsonable(a.created_at),
                # The commitment of an "I'll try this" (issue 16): what, by when, and the answer.
                "commitment_text": a.commitment_text,
                "commitment_due": jsonable(a.commitment_due),
                "outcome": a.outcome,
                "outcome_text": a.outcome_text,
                "outcome_at": jsonable(a.outcome_at),
            }
            for a in adoptions
        ],
        "mentor_reviews_written": [
            {
                "reflection_id": r.reflection_id,
                "decision": r.decision,
                "depth": r.depth,
                "note": r.note,
                "created_at": jsonable(r.created_at),
            }
            for r in reviews
        ],
    }


# --- erase -------------------------------------------------------------------------------------------


def erase(*, person: User) -> dict:
    """Delete the person's private reflections; take their shared ones off the board, text removed.

    Runs inside the caller's transaction. Returns counts of what changed.
    """
    now = timezone.now()
    authored = Reflection.objects.filter(author=person)
    private = authored.exclude(_shared_with_colleagues())
    private_count = private.count()
    private.delete()

    shared = list(authored.filter(_shared_with_colleagues()).only("pk", "state"))
    shared_ids = [r.pk for r in shared]
    review_comments = Comment.objects.filter(reflection_id__in=shared_ids, channel=Comment.Channel.REVIEW)
    review_comment_count = review_comments.count()
    review_comments.delete()
    draft_items = NewsletterItem.objects.filter(reflection_id__in=shared_ids, issue__state=NewsletterIssue.State.DRAFT)
    draft_item_count = draft_items.count()
    draft_items.delete()
    Answer.objects.filter(reflection_id__in=shared_ids).update(text=REMOVED_TEXT, html=render_markdown(REMOVED_TEXT))
    fragments.changed("dashboard")  # the dashboard's queues show these titles; update() sends no signal
    fragments.changed("learning_log")  # ... and so do the logs of those who tried them
    fragments.changed("reflection-page")  # ... and their pages
    fragments.changed("mentor_queue")  # ... and the queues of their author's mentors
    Reflection.objects.filter(pk__in=shared_ids).update(
        title=REMOVED_TEXT,
        key_takeaway="",
        search_text="",
        may_be_featured=False,
        is_hidden=True,
        hidden_reason=REMOVED_TEXT,
        hidden_at=now,
        hidden_by=person,
        updated_at=now,
    )
    board_changed()  # a queryset update sends no signal: the cached board drops them here
    ReflectionEvent.objects.bulk_create(
        [
            ReflectionEvent(
                reflection_id=r.pk,
                actor=person,
                action=ReflectionEvent.Action.HIDDEN,
                from_state=r.state,
                to_state=r.state,
                note=REMOVED_TEXT,
                created_at=now,
            )
            for r in shared
        ]
    )
    reports_deleted, _ = Report.objects.filter(reporter=person).delete()
    return {
        "reflections_deleted": private_count,
        "reports_deleted": reports_deleted,
        "reflections_taken_off_board": len(shared_ids),
        "review_comments_deleted": review_comment_count,
        "newsletter_drafts_left": draft_item_count,
        "comments_kept": Comment.objects.filter(author=person).count(),
        "adoptions_kept": Adoption.objects.filter(person=person).count(),
        "mentor_reviews_kept": MentorReview.objects.filter(mentor=person).count(),
    }
