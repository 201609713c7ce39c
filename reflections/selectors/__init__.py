"""Reads of the reflections app, with related rows loaded and visibility filtered for the viewer."""

from .board import AdoptionSummary, adoption_summary, board_list, comment_get, comment_threads
from .log import VERB_ATTEMPTED, learning_log_entries, month_span
from .newsletter import (
    newsletter_candidate_list,
    newsletter_candidates,
    newsletter_get,
    newsletter_items_for_email,
    newsletter_list,
    newsletter_reflections,
)
from .report import (
    reflection_board_shared_in,
    reflection_engagements_in,
    reflection_mentor_response_days,
    reflection_submitted_in,
    reflection_validated_in,
)
from .review import mentor_queue, mentor_queue_counts, review_list
from .visibility import (
    AWAITING,
    DRAFT,
    SHARED_WITH_MENTOR,
    reflection_get,
    reflection_list_visible,
    reflection_visible_q,
)
from .writing import (
    CONTEXT_APPS,
    CONTEXT_MODELS,
    answer_list,
    context_resolve,
    reflection_event_list,
    reflection_list_mine,
    reflection_state_counts,
    template_for_kind,
    template_get,
    template_list_current,
    template_versions,
)

__all__ = [
    "AWAITING",
    "AdoptionSummary",
    "CONTEXT_APPS",
    "CONTEXT_MODELS",
    "DRAFT",
    "SHARED_WITH_MENTOR",
    "VERB_ATTEMPTED",
    "adoption_summary",
    "answer_list",
    "board_list",
    "comment_get",
    "comment_threads",
    "context_resolve",
    "learning_log_entries",
    "mentor_queue",
    "mentor_queue_counts",
    "month_span",
    "newsletter_candidate_list",
    "newsletter_candidates",
    "newsletter_get",
    "newsletter_items_for_email",
    "newsletter_list",
    "newsletter_reflections",
    "reflection_board_shared_in",
    "reflection_engagements_in",
    "reflection_event_list",
    "reflection_get",
    "reflection_list_mine",
    "reflection_list_visible",
    "reflection_mentor_response_days",
    "reflection_state_counts",
    "reflection_submitted_in",
    "reflection_validated_in",
    "reflection_visible_q",
    "review_list",
    "template_for_kind",
    "template_get",
    "template_list_current",
    "template_versions",
]
