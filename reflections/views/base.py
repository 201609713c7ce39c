"""What every reflection page shares: loading the reflection with its permission, and the page context."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from rules.contrib.views import PermissionRequiredMixin

from reflections import selectors
from reflections.forms import (
    CommentForm,
    CommitmentAnswerForm,
    CommitmentForm,
    ReasonForm,
    ReviewForm,
    TriedForm,
    VisibilityForm,
    comment_form_kwargs,
)
from reflections.models import Comment, Reflection


class ReflectionPermissionMixin(PermissionRequiredMixin):
    """Load the reflection named by the URL and check a permission on it.

    Anonymous people go to sign in. A signed-in person who may not read the reflection gets
    404 (its existence is private too); one who may read it but not do this gets 403.
    """

    permission_required = "reflections.view_reflection"

    def get_permission_object(self) -> Reflection | None:
        if not hasattr(self, "_reflection"):
            reflection = selectors.reflection_get(pk=self.kwargs["pk"])
            user = self.request.user
            if user.is_authenticated and (
                reflection is None or not user.has_perm("reflections.view_reflection", reflection)
            ):
                raise Http404("No such reflection.")
            self._reflection = reflection
        return self._reflection

    @property
    def reflection(self) -> Reflection:
        return self.get_permission_object()


def _with_report_urls(threads: list[Comment], *, viewer, on_board: bool) -> list[Comment]:
    """Give each board comment the viewer may report (someone else's, shown on the board) its `report_url`.

    The same test as the "reflections.report_comment" rule, made here once for the whole page:
    a reflection may hold hundreds of comments, and one reverse() per comment showed in the page
    time (benchmarks/bench_pages.py), so the URL is built from one reversed pattern.
    """
    head, tail = reverse("reflections:comment-report", args=[0]).split("/0/")
    for root in threads:
        for comment in [root, *root.thread]:
            may_report = on_board and viewer.is_authenticated and not comment.is_hidden
            comment.report_url = f"{head}/{comment.pk}/{tail}" if may_report and comment.author_id != viewer.pk else ""
    return threads


def reflection_page(request, reflection: Reflection, *, status: int = 200, all_reports: bool = False, **forms):
    """Render the reflection page; POST views pass their bound form back so nothing typed is lost.

    The "I tried it" reports are the newest few unless `all_reports`.
    """
    user = request.user

    def can(perm: str) -> bool:
        return user.has_perm(f"reflections.{perm}", reflection)

    is_author = reflection.author_id == user.pk
    see_review = can("view_review_thread")
    see_board = can("view_board_comments")
    # The newest threads only; earlier ones load a page at a time (CommentListView).
    board_page = selectors.comment_thread_page(reflection=reflection, viewer=user) if see_board else None
    ctx = {
        "reflection": reflection,
        "answers": selectors.answer_list(reflection=reflection),
        "is_author": is_author,
        "can_edit": can("change_reflection"),
        "can_withdraw": can("withdraw_reflection"),
        "can_set_visibility": can("set_visibility"),
        "can_delete": can("delete_reflection"),
        "can_review": can("review_reflection"),
        "can_see_review": see_review,
        "can_comment_review": can("comment_review"),
        "can_comment_board": can("comment_board"),
        "can_adopt": can("adopt_reflection"),
        "can_moderate": can("moderate_reflection"),
        "can_report": can("report_reflection"),
        "can_print": can("print_huddle_card"),
        "reviews": list(selectors.review_list(reflection=reflection)) if see_review else [],
        "review_comments": (
            selectors.comment_threads(reflection=reflection, viewer=user, channel=Comment.Channel.REVIEW)
            if see_review
            else []
        ),
        "board_comments": (
            _with_report_urls(board_page.threads, viewer=user, on_board=reflection.is_on_board) if board_page else []
        ),
        "comment_page": board_page,
        "adoptions": (
            selectors.adoption_summary(reflection=reflection, viewer=user, all_reports=all_reports)
            if see_board
            else None
        ),
        "events": list(selectors.reflection_event_list(reflection=reflection)) if is_author else [],
        "review_form": forms.get("review_form") or ReviewForm(),
        "review_comment_form": forms.get("review_comment_form")
        or CommentForm(**comment_form_kwargs(channel="review", reflection=reflection, person=user)),
        "board_comment_form": forms.get("board_comment_form")
        or CommentForm(**comment_form_kwargs(channel="board", reflection=reflection, person=user)),
        "tried_form": forms.get("tried_form") or TriedForm(),
        "commitment_form": forms.get("commitment_form") or CommitmentForm(),
        "answer_form": forms.get("answer_form") or CommitmentAnswerForm(),
        "hide_form": forms.get("hide_form") or ReasonForm(auto_id="id_hide_%s"),
        "visibility_form": forms.get("visibility_form")
        or VisibilityForm(initial={"visibility": reflection.visibility, "may_be_featured": reflection.may_be_featured}),
    }
    return render(request, "reflections/reflection_detail.html", ctx, status=status)
