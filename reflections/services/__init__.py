"""Writes of the reflections app: every change to a reflection, its review, the board and newsletters.

Each function is keyword-only and lists its side effects; `reflection_invite` is the entry
point the feedback, circles and cafés apps call.
"""

from .board import (
    adoption_tried,
    adoption_will_try,
    comment_add,
    comment_hide,
    comment_unhide,
    reflection_hide,
    reflection_unhide,
)
from .commitments import (
    COMMITMENT_TEXT_MAX_CHARS,
    OUTCOME_TEXT_MAX_CHARS,
    commitment_answer,
    commitment_answer_links,
    commitment_default_due,
    commitment_from_token,
    commitment_make,
    commitment_nudges_send,
)
from .common import (
    ANSWER_MAX_CHARS,
    COMMENT_MAX_CHARS,
    MAX_QUESTIONS,
    NOTE_MAX_CHARS,
    REASON_MAX_CHARS,
    TAKEAWAY_MAX_CHARS,
    TITLE_MAX_CHARS,
    TRIED_NOTE_MAX_CHARS,
)
from .newsletter import (
    newsletter_create,
    newsletter_draft_for_month,
    newsletter_publish,
    newsletter_send_batch,
    newsletter_sending_resume,
    newsletter_update,
)
from .reports import REPORT_REASON_MAX_CHARS, comment_report, reflection_report, report_resolve
from .review import mentor_remind_waiting, reflection_request_changes, reflection_validate
from .templates import QuestionSpec, template_create, template_update
from .writing import (
    CONTEXT_KINDS,
    reflection_completeness_errors,
    reflection_delete,
    reflection_invite,
    reflection_invite_many,
    reflection_save_draft,
    reflection_set_featurable,
    reflection_set_visibility,
    reflection_start,
    reflection_submit,
    reflection_withdraw,
)

__all__ = [
    "ANSWER_MAX_CHARS",
    "COMMITMENT_TEXT_MAX_CHARS",
    "OUTCOME_TEXT_MAX_CHARS",
    "COMMENT_MAX_CHARS",
    "CONTEXT_KINDS",
    "MAX_QUESTIONS",
    "NOTE_MAX_CHARS",
    "QuestionSpec",
    "REASON_MAX_CHARS",
    "REPORT_REASON_MAX_CHARS",
    "TAKEAWAY_MAX_CHARS",
    "TITLE_MAX_CHARS",
    "TRIED_NOTE_MAX_CHARS",
    "adoption_tried",
    "adoption_will_try",
    "comment_add",
    "commitment_answer",
    "commitment_answer_links",
    "commitment_default_due",
    "commitment_from_token",
    "commitment_make",
    "commitment_nudges_send",
    "comment_hide",
    "comment_report",
    "comment_unhide",
    "mentor_remind_waiting",
    "newsletter_create",
    "newsletter_draft_for_month",
    "newsletter_publish",
    "newsletter_send_batch",
    "newsletter_sending_resume",
    "newsletter_update",
    "reflection_completeness_errors",
    "reflection_delete",
    "reflection_hide",
    "reflection_invite",
    "reflection_invite_many",
    "reflection_report",
    "reflection_request_changes",
    "reflection_save_draft",
    "reflection_set_featurable",
    "reflection_set_visibility",
    "reflection_start",
    "reflection_submit",
    "reflection_unhide",
    "reflection_validate",
    "reflection_withdraw",
    "report_resolve",
    "template_create",
    "template_update",
]
