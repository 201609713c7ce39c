"""The reflection page and what people do on it: review, comment, try it, moderate, print."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from reflections import selectors, services
from reflections.forms import (
    CommentForm,
    CommitmentAnswerForm,
    CommitmentForm,
    ReasonForm,
    ReviewForm,
    TriedForm,
    comment_form_kwargs,
)
from reflections.models import Comment, MentorReview
from saypro.core.ids import id_param

from .base import ReflectionPermissionMixin, _with_report_urls, reflection_page


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ReflectionDetailView(ReflectionPermissionMixin, View):
    """The reflection page; `?reports=all` lists every "I tried it" report instead of the newest few."""

    reads_kept_row = True  # the page is kept rendered (reflection_page): its row is all a kept view reads

    def get(self, request, pk):
        return reflection_page(request, self.reflection, all_reports=request.GET.get("reports") == "all")


class CommentListView(ReflectionPermissionMixin, View):
    """Earlier threads of the board discussion, a page at a time ("Earlier comments").

    With htmx the page's fragment replaces the link that asked for it; without JavaScript it is
    a page of its own, with its own link further back.
    """

    permission_required = "reflections.view_board_comments"

    def get(self, request, pk):
        reflection = self.reflection
        page = selectors.comment_thread_page(
            reflection=reflection, viewer=request.user, before=id_param(request.GET, "before")
        )
        _with_report_urls(page.threads, viewer=request.user, on_board=reflection.is_on_board)
        ctx = {
            "reflection": reflection,
            "comment_page": page,
            "earlier": True,
            "can_moderate": request.user.has_perm("reflections.moderate_reflection", reflection),
        }
        template = "reflections/partials/comment_page.html" if request.htmx else "reflections/comment_list.html"
        response = render(request, template, ctx)
        patch_vary_headers(response, ["HX-Request"])
        return response


class ReflectionReviewView(ReflectionPermissionMixin, View):
    """A mentor validates the reflection or asks for more depth, with a depth rating and a note."""

    permission_required = "reflections.review_reflection"

    def post(self, request, pk):
        reflection = self.reflection
        form = ReviewForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == MentorReview.Decision.VALIDATED:
                    services.reflection_validate(
                        reflection=reflection, by=request.user, depth=data["depth"], note=data["note"]
                    )
                    messages.success(request, "Validated. The author has been told.")
                else:
                    services.reflection_request_changes(
                        reflection=reflection, by=request.user, depth=data["depth"], note=data["note"]
                    )
                    messages.success(request, "You asked for more depth. The author has been told.")
                return redirect(reflection)
            except ValidationError as exc:
                _add_errors(form, exc)
        return reflection_page(request, reflection, review_form=form)


class CommentCreateView(ReflectionPermissionMixin, View):
    """Post a comment to the review thread or the board discussion of a reflection."""

    def get_permission_required(self):
        channel = self.kwargs["channel"]
        if channel == Comment.Channel.REVIEW:
            return ["reflections.comment_review"]
        if channel == Comment.Channel.BOARD:
            return ["reflections.comment_board"]
        raise Http404("No such discussion.")

    def post(self, request, pk, channel):
        reflection = self.reflection
        form = CommentForm(
            request.POST, **comment_form_kwargs(channel=channel, reflection=reflection, person=request.user)
        )
        if form.is_valid():
            parent = None
            parent_id = id_param(request.POST, "parent")
            if parent_id is not None:
                parent = Comment.objects.filter(pk=parent_id, reflection=reflection).first()
                if parent is None:
                    raise Http404("No such comment to answer.")
            try:
                comment = services.comment_add(
                    reflection=reflection,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    channel=channel,
                    parent=parent,
                    submission_token=form.cleaned_data["submission_token"],
                )
                messages.success(request, "Comment posted.")
                return redirect(f"{reflection.get_absolute_url()}#comment-{comment.pk}")
            except ValidationError as exc:
                _add_errors(form, exc)
        return reflection_page(request, reflection, **{f"{channel}_comment_form": form})


class AdoptionWillTryView(ReflectionPermissionMixin, View):
    """ "I'll try this", with what and by when: an htmx swap of the reactions box, or a redirect."""

    permission_required = "reflections.adopt_reflection"

    def post(self, request, pk):
        reflection = self.reflection
        form = CommitmentForm(request.POST)
        if form.is_valid():
            try:
                services.commitment_make(
                    reflection=reflection,
                    by=request.user,
                    text=form.cleaned_data["commitment_text"],
                    due=form.cleaned_data["commitment_due"],
                )
                if request.htmx:
                    return _adoptions_box(request, reflection)
                messages.success(request, "Noted: you will try this. We will ask you how it went on the day.")
                return redirect(reflection)
            except ValidationError as exc:
                _add_errors(form, exc)
        if request.htmx:
            return _adoptions_box(request, reflection, commitment_form=form)
        return reflection_page(request, reflection, commitment_form=form)


class AdoptionTriedView(ReflectionPermissionMixin, View):
    permission_required = "reflections.adopt_reflection"

    def post(self, request, pk):
        reflection = self.reflection
        form = TriedForm(request.POST)
        if form.is_valid():
            try:
                services.adoption_tried(reflection=reflection, by=request.user, note=form.cleaned_data["note"])
                messages.success(request, "Thank you for telling how it went.")
                return redirect(reflection)
            except ValidationError as exc:
                _add_errors(form, exc)
        return reflection_page(request, reflection, tried_form=form)


class ReflectionHideView(ReflectionPermissionMixin, View):
    permission_required = "reflections.moderate_reflection"

    def post(self, request, pk):
        reflection = self.reflection
        form = ReasonForm(request.POST, auto_id="id_hide_%s")
        if form.is_valid():
            try:
                services.reflection_hide(reflection=reflection, by=request.user, reason=form.cleaned_data["reason"])
                messages.success(request, "Hidden from the board. The author sees your reason.")
                return redirect(reflection)
            except ValidationError as exc:
                _add_errors(form, exc)
        return reflection_page(request, reflection, hide_form=form)


class ReflectionUnhideView(ReflectionPermissionMixin, View):
    permission_required = "reflections.moderate_reflection"

    def post(self, request, pk):
        services.reflection_unhide(reflection=self.reflection, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, "Back on the board.")
        return redirect(self.reflection)


class CommentModerateView(PermissionRequiredMixin, View):
    """Hide (with a reason) or show again a board comment; officers only."""

    permission_required = "reflections.moderate_reflection"
    hide = True

    def get_permission_object(self):
        if not hasattr(self, "_comment"):
            comment = selectors.comment_get(pk=self.kwargs["pk"])
            user = self.request.user
            if user.is_authenticated and (
                comment is None or not user.has_perm("reflections.view_reflection", comment.reflection)
            ):
                raise Http404("No such comment.")
            self._comment = comment
        return self._comment.reflection if self._comment else None

    def post(self, request, pk):
        comment = self._comment
        if comment.channel != Comment.Channel.BOARD:
            raise PermissionDenied("Review threads are private to the author and mentors.")
        if not self.hide:
            services.comment_unhide(comment=comment, by=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, "The comment is shown again.")
            return redirect(f"{comment.reflection.get_absolute_url()}#comment-{comment.pk}")
        form = ReasonForm(request.POST)
        if form.is_valid():
            services.comment_hide(comment=comment, by=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, "The comment is hidden. Its author sees your reason.")
        else:
            messages.error(request, "Give the reason for hiding the comment; its author sees it.")
        return redirect(f"{comment.reflection.get_absolute_url()}#comment-{comment.pk}")


class HuddleCardView(ReflectionPermissionMixin, TemplateView):
    """One reflection, large and printable, for a team meeting."""

    permission_required = "reflections.print_huddle_card"
    template_name = "reflections/huddle_card.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(reflection=self.reflection, answers=selectors.answer_list(reflection=self.reflection))
        return ctx


def _adoptions_box(request, reflection, **forms):
    """The "Trying it out" box alone, for an htmx swap (focus and announcement by the shared helper)."""
    return render(
        request,
        "reflections/partials/adoptions.html",
        {
            "reflection": reflection,
            "adoptions": selectors.adoption_summary(reflection=reflection, viewer=request.user),
            "can_adopt": request.user.has_perm("reflections.adopt_reflection", reflection),
            "tried_form": forms.get("tried_form") or TriedForm(),
            "commitment_form": forms.get("commitment_form") or CommitmentForm(),
            "answer_form": forms.get("answer_form") or CommitmentAnswerForm(),
            "swap_announce": forms.get("swap_announce", ""),
        },
        status=forms.get("status", 200),
    )


ANSWER_SAID = {
    "tried": "Thank you: saved that you tried it. The author hears that their learning was used.",
    "not_yet": "Noted. We will ask again on {due}.",
    "not_yet_closed": "Noted: not yet. We will not ask again; say “I tried it” here when you have.",
    "wont": "Noted: you won't try it. Thank you for saying so.",
}


def answer_said(adoption) -> str:
    """What the person is told after answering, in their words."""
    if adoption.outcome == "not_yet":
        return ANSWER_SAID["not_yet_closed"]
    if not adoption.outcome:
        return ANSWER_SAID["not_yet"].format(due=f"{adoption.commitment_due.day} {adoption.commitment_due:%B %Y}")
    return ANSWER_SAID[adoption.outcome]


def commitment_answer_from(*, form: CommitmentAnswerForm, adoption, by):
    """Save the answer a bound form holds; None (with the errors on the form) when it cannot be saved."""
    if not form.is_valid():
        return None
    try:
        return services.commitment_answer(
            adoption=adoption, by=by, answer=form.cleaned_data["answer"], text=form.cleaned_data["text"]
        )
    except ValidationError as exc:
        _add_errors(form, exc)
        return None


class CommitmentAnswerView(ReflectionPermissionMixin, View):
    """The answer to "Did you try it?" on the reflection page: an htmx swap of the box, or a redirect.

    Only a person with a commitment on this reflection has something to answer; anyone else
    who may read the reflection gets 404 (there is no commitment of theirs here).
    """

    permission_required = "reflections.view_reflection"

    def post(self, request, pk):
        reflection = self.reflection
        adoption = selectors.commitment_of(reflection=reflection, person=request.user)
        if adoption is None:
            raise Http404("You have no commitment on this reflection.")
        form = CommitmentAnswerForm(request.POST)
        answered = commitment_answer_from(form=form, adoption=adoption, by=request.user)
        if answered is not None:
            said = answer_said(answered)
            if request.htmx:
                return _adoptions_box(request, reflection, swap_announce=said)
            messages.success(request, said)
            return redirect(f"{reflection.get_absolute_url()}#adoptions")
        if request.htmx:
            return _adoptions_box(request, reflection, answer_form=form)
        return reflection_page(request, reflection, answer_form=form)
