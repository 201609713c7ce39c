"""What every reflection page shares: loading the reflection with its permission, and the page context."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
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
from saypro.core import fragments
from saypro.core.roles import is_officer


class ReflectionPermissionMixin(PermissionRequiredMixin):
    """Load the reflection named by the URL and check a permission on it.

    Anonymous people go to sign in. A signed-in person who may not read the reflection gets
    404 (its existence is private too); one who may read it but not do this gets 403.
    """

    permission_required = "reflections.view_reflection"
    # How the reflection is read: with the people and places its page shows, or (for a page kept
    # rendered) its row alone, as kept with that page (selectors.page.reflection_row_kept).
    reads_kept_row = False

    def get_permission_object(self) -> Reflection | None:
        if not hasattr(self, "_reflection"):
            load = selectors.reflection_row_kept if self.reads_kept_row else selectors.reflection_get
            reflection = load(pk=self.kwargs["pk"])
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


# The page's permissions on the reflection, by the name the template reads.
PAGE_PERMISSIONS = {
    "can_edit": "change_reflection",
    "can_withdraw": "withdraw_reflection",
    "can_set_visibility": "set_visibility",
    "can_delete": "delete_reflection",
    "can_review": "review_reflection",
    "can_see_review": "view_review_thread",
    "can_see_board": "view_board_comments",
    "can_comment_review": "comment_review",
    "can_comment_board": "comment_board",
    "can_adopt": "adopt_reflection",
    "can_moderate": "moderate_reflection",
    "can_report": "report_reflection",
    "can_print": "print_huddle_card",
}
PAGE_BODY = "reflections/partials/reflection_body.html"


def reflection_page(request, reflection: Reflection, *, status: int = 200, all_reports: bool = False, **forms):
    """Render the reflection page; POST views pass their bound form back so nothing typed is lost.

    The "I tried it" reports are the newest few unless `all_reports`. Without forms to show again,
    the page below the navigation is the one kept for the reader's audience (selectors.page).
    """
    user = request.user
    audience = {name: user.has_perm(f"reflections.{perm}", reflection) for name, perm in PAGE_PERMISSIONS.items()}
    audience.update(
        is_author=reflection.author_id == user.pk, is_officer=is_officer.test(user), all_reports=all_reports
    )

    def context(*, kept: bool = False) -> dict:
        # A kept page is rendered from the reflection with its people and places (the view that
        # keeps it loaded only its row, for the permission check).
        shown = (selectors.reflection_get(pk=reflection.pk) or reflection) if kept else reflection
        return reflection_page_context(user=user, reflection=shown, audience=audience, forms=forms, kept=kept)

    if forms or status != 200:
        body = render_to_string(PAGE_BODY, context(), request=request)
    else:
        part = selectors.reader_part(reflection=reflection, reader=user, audience=audience)
        kept = selectors.REFLECTION_PAGE.get_or_set_for(
            object_id=reflection.pk,
            part=part,
            compute=lambda: (
                render_to_string(PAGE_BODY, {**context(kept=True), **fragments.kept_render_context()}),
                selectors.kept_until(timezone.now()),
            ),
        )
        body = fragments.filled_slots(kept, request=request)
    ctx = {"reflection": reflection, "body": body}
    return render(request, "reflections/reflection_detail.html", ctx, status=status)


def reflection_page_context(*, user, reflection: Reflection, audience: dict, forms: dict, kept: bool) -> dict:
    """What the page below the navigation shows, for a reader with these permissions (`audience`).

    `kept`: rendered to be kept for every reader of the audience, so the comment forms carry the
    submission token's slot (each request fills in a new token) instead of a token of their own.
    """
    token = {"initial": {"submission_token": fragments.submission_slot()}} if kept else {}
    see_review, see_board = audience["can_see_review"], audience["can_see_board"]
    # The newest threads only; earlier ones load a page at a time (CommentListView).
    board_page = selectors.comment_thread_page(reflection=reflection, viewer=user) if see_board else None
    return {
        **audience,
        "reflection": reflection,
        "answers": selectors.answer_list(reflection=reflection),
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
            selectors.adoption_summary(reflection=reflection, viewer=user, all_reports=audience["all_reports"])
            if see_board
            else None
        ),
        "events": list(selectors.reflection_event_list(reflection=reflection)) if audience["is_author"] else [],
        "review_form": forms.get("review_form") or ReviewForm(),
        "review_comment_form": forms.get("review_comment_form")
        or CommentForm(**comment_form_kwargs(channel="review", reflection=reflection, person=user), **token),
        "board_comment_form": forms.get("board_comment_form")
        or CommentForm(**comment_form_kwargs(channel="board", reflection=reflection, person=user), **token),
        "tried_form": forms.get("tried_form") or TriedForm(),
        "commitment_form": forms.get("commitment_form") or CommitmentForm(),
        "answer_form": forms.get("answer_form") or CommitmentAnswerForm(),
        "hide_form": forms.get("hide_form") or ReasonForm(auto_id="id_hide_%s"),
        "visibility_form": forms.get("visibility_form")
        or VisibilityForm(initial={"visibility": reflection.visibility, "may_be_featured": reflection.may_be_featured}),
    }
