"""Who may do what with a reflection, as predicates that read like sentences.

Privacy is a promise: a private reflection is seen by its author alone; "mentor" adds the
author's *active* mentors; only "colleagues" reaches the learning board. A draft never
leaves its author. Officers see board reflections, and hidden ones for moderation.
"""

from __future__ import annotations

import rules

from saypro.core.roles import is_employee, is_mentor, is_officer

# States in which the author may change the text (not while the mentor has it).
EDITABLE_STATES = {"draft", "changes_requested"}
AWAITING_REVIEW_STATES = {"submitted", "resubmitted"}
WITHDRAWABLE_STATES = {"submitted", "resubmitted", "changes_requested"}


@rules.predicate
def is_author(user, reflection) -> bool:
    return bool(reflection is not None and user.is_authenticated and reflection.author_id == user.pk)


@rules.predicate
def is_active_mentor_of_author(user, reflection) -> bool:
    """An active mentor link to the author, from the person's kept mentees (one cache read per
    request: kept on the user object, as a page checks several permissions).

    Nobody mentors themselves (the `mentor_link_not_self` constraint), so the author's own page
    asks nothing.
    """
    if reflection is None or not user.is_authenticated or reflection.author_id == user.pk:
        return False
    from saypro.core.selectors import active_mentee_ids

    if "_reflections_mentees" not in user.__dict__:
        user.__dict__["_reflections_mentees"] = active_mentee_ids(mentor_id=user.pk)
    return reflection.author_id in user.__dict__["_reflections_mentees"]


@rules.predicate
def is_shared_with_mentor(_user, reflection) -> bool:
    return reflection is not None and reflection.is_shared_with_mentor


@rules.predicate
def is_shared_with_colleagues(_user, reflection) -> bool:
    return reflection is not None and reflection.is_shared_with_colleagues


@rules.predicate
def is_on_board(_user, reflection) -> bool:
    return reflection is not None and reflection.is_on_board


@rules.predicate
def is_editable(_user, reflection) -> bool:
    return reflection is not None and reflection.state in EDITABLE_STATES


@rules.predicate
def is_awaiting_review(_user, reflection) -> bool:
    return reflection is not None and reflection.state in AWAITING_REVIEW_STATES


@rules.predicate
def is_withdrawable(_user, reflection) -> bool:
    return reflection is not None and reflection.state in WITHDRAWABLE_STATES


@rules.predicate
def may_be_featured(_user, reflection) -> bool:
    return reflection is not None and reflection.may_be_featured


@rules.predicate
def is_published(_user, issue) -> bool:
    return issue is not None and issue.is_published


@rules.predicate
def is_comment_author(user, comment) -> bool:
    return bool(comment is not None and user.is_authenticated and comment.author_id == user.pk)


@rules.predicate
def is_shown_on_board(_user, comment) -> bool:
    """A board comment, not hidden, on a reflection that is on the board."""
    return bool(
        comment is not None and comment.channel == "board" and not comment.is_hidden and comment.reflection.is_on_board
    )


mentor_may_read = is_active_mentor_of_author & is_shared_with_mentor

can_view_reflection = (
    is_author | mentor_may_read | (is_employee & is_on_board) | (is_officer & is_shared_with_colleagues)
)

rules.add_perm("reflections.view_reflection", can_view_reflection)
rules.add_perm("reflections.change_reflection", is_author & is_editable)
rules.add_perm("reflections.delete_reflection", is_author)
rules.add_perm("reflections.submit_reflection", is_author & is_editable)
rules.add_perm("reflections.withdraw_reflection", is_author & is_withdrawable)
rules.add_perm("reflections.set_visibility", is_author)
rules.add_perm("reflections.review_reflection", mentor_may_read & is_awaiting_review)
rules.add_perm("reflections.view_review_thread", is_author | mentor_may_read)
rules.add_perm("reflections.comment_review", is_shared_with_mentor & (is_author | is_active_mentor_of_author))
# The board discussion is shown to whoever may read a reflection shared with colleagues, and to its author.
rules.add_perm("reflections.view_board_comments", is_author | (is_employee & is_shared_with_colleagues))
rules.add_perm("reflections.comment_board", is_employee & is_on_board)
rules.add_perm("reflections.adopt_reflection", is_employee & is_on_board & ~is_author)
rules.add_perm("reflections.moderate_reflection", is_officer & is_shared_with_colleagues)
# Anyone who sees something on the board may report it to the Advice Desk, except their own.
rules.add_perm("reflections.report_reflection", is_employee & is_on_board & ~is_author)
rules.add_perm("reflections.report_comment", is_employee & is_shown_on_board & ~is_comment_author)
# A huddle card shows a reflection to a whole team: the author's own, or one they agreed to feature.
rules.add_perm("reflections.print_huddle_card", is_author | (is_employee & is_on_board & may_be_featured))

rules.add_perm("reflections.manage_templates", is_officer)
rules.add_perm("reflections.moderate_board", is_officer)
rules.add_perm("reflections.manage_newsletters", is_officer)
rules.add_perm("reflections.view_newsletter", is_officer | (is_employee & is_published))
rules.add_perm("reflections.mentor_queue", is_mentor)
rules.add_perm("reflections.remind_mentors", is_officer)
