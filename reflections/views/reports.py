"""Reporting a board reflection or comment to the Advice Desk, and the officer's resolution of reports."""

from __future__ import annotations

from abc import ABC, abstractmethod

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views import View
from rules.contrib.views import PermissionRequiredMixin

from reflections import selectors, services
from reflections.forms import ReportForm, ResolveForm
from reflections.models import Comment, Reflection, Report
from saypro.core.views.refusals import add_service_errors

from .base import ReflectionPermissionMixin


class ReportMixin(ABC):
    """GET shows the report form on a page of its own; POST reports (htmx swaps the form in place).

    Without JavaScript a valid report returns to the reflection with a message, and an invalid
    one shows the page again with the message next to the field and what was typed.
    """

    target_kind: str

    @abstractmethod
    def target(self) -> Reflection | Comment:
        """The reflection or comment being reported."""

    @abstractmethod
    def back_url(self) -> str:
        """Where the reporter returns to."""

    @abstractmethod
    def report(self, reason: str) -> Report:
        """Report the target with this reason (a service call)."""

    def render_form(self, form: ReportForm, *, status: int = 200):
        ctx = {
            "form": form,
            "target_kind": self.target_kind,
            "target": self.target(),
            "action": self.request.path,
            "back_url": self.back_url(),
            "target_pk": self.target().pk,
            # Loaded in place of a comment's "Report" link: the cursor goes to the reason.
            "autofocus": bool(self.request.htmx) and self.request.method == "GET",
        }
        template = "reflections/partials/report_form.html" if self.request.htmx else "reflections/report.html"
        return render(self.request, template, ctx, status=status)

    def get(self, request, pk):
        return self.render_form(ReportForm())

    def post(self, request, pk):
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                self.report(form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                text = "Thank you. The Advice Desk will look at it and tell you what they decided."
                if request.htmx:
                    return render(request, "reflections/partials/report_done.html", {"text": text})
                messages.success(request, text)
                return redirect(self.back_url())
        return self.render_form(form)


class ReflectionReportView(ReportMixin, ReflectionPermissionMixin, View):
    permission_required = "reflections.report_reflection"
    target_kind = "reflection"

    def target(self) -> Reflection:
        return self.reflection

    def back_url(self) -> str:
        return self.reflection.get_absolute_url()

    def report(self, reason: str) -> Report:
        return services.reflection_report(reflection=self.reflection, by=self.request.user, reason=reason)


class CommentReportView(ReportMixin, PermissionRequiredMixin, View):
    """Report a board comment. A comment the person cannot read (a review thread, a reflection
    they may not see, a hidden comment of someone else) is 404; their own comment is 403."""

    permission_required = "reflections.report_comment"
    target_kind = "comment"

    def get_permission_object(self) -> Comment | None:
        if not hasattr(self, "_comment"):
            comment = selectors.comment_get(pk=self.kwargs["pk"])
            user = self.request.user
            if user.is_authenticated and (comment is None or not self._may_read(user, comment)):
                raise Http404("No such comment.")
            self._comment = comment
        return self._comment

    @staticmethod
    def _may_read(user, comment: Comment) -> bool:
        if not user.has_perm("reflections.view_reflection", comment.reflection):
            return False
        if comment.channel != Comment.Channel.BOARD:
            return user.has_perm("reflections.view_review_thread", comment.reflection)
        return not comment.is_hidden or comment.author_id == user.pk or user.has_perm("reflections.moderate_board")

    def target(self) -> Comment:
        return self.get_permission_object()

    def back_url(self) -> str:
        comment = self.target()
        return f"{comment.reflection.get_absolute_url()}#comment-{comment.pk}"

    def report(self, reason: str) -> Report:
        return services.comment_report(comment=self.target(), by=self.request.user, reason=reason)


def moderation_page(request, *, failed: dict | None = None, status: int = 200):
    """The officer's moderation page: open reports first, then what was hidden.

    `failed` carries a refused resolution back to its item: {"key", "action", "note", "errors"}.
    """
    reported = selectors.reported_list()
    for item in reported:
        item.hide_note = item.dismiss_note = ""
        item.hide_errors = item.dismiss_errors = []
        if failed and failed["key"] == item.key:
            setattr(item, f"{failed['action']}_note", failed["note"])
            setattr(item, f"{failed['action']}_errors", failed["errors"])
    ctx = {
        "reported": reported,
        "reflections": selectors.hidden_reflection_list()[:100],
        "comments": selectors.hidden_comment_list()[:100],
    }
    return render(request, "reflections/moderation.html", ctx, status=status)


class ModerationView(PermissionRequiredMixin, View):
    """Open reports to resolve, oldest first; then what officers took off the board, to put back."""

    permission_required = "reflections.moderate_board"

    def get(self, request):
        return moderation_page(request)


class ReportResolveView(PermissionRequiredMixin, View):
    """An officer hides what was reported (with the reason the author sees) or dismisses the reports."""

    permission_required = "reflections.moderate_board"

    def post(self, request, pk):
        report = selectors.report_get(pk=pk)
        if report is None or not request.user.has_perm("reflections.moderate_reflection", report.on_reflection):
            raise Http404("No such report.")
        form = ResolveForm(request.POST)
        resolution = request.POST.get("resolution", "")
        action = "hide" if resolution == Report.Resolution.HIDDEN else "dismiss"
        if form.is_valid():
            try:
                resolved = services.report_resolve(
                    report=report, by=request.user, resolution=resolution, note=form.cleaned_data["note"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not resolved:
                    messages.info(request, "These reports were already resolved.")
                elif resolution == Report.Resolution.HIDDEN:
                    messages.success(request, "Hidden from the board. The author sees your reason; reporters are told.")
                else:
                    messages.success(request, "Reports dismissed. The reporters are told it stays on the board.")
                return redirect("reflections:moderation")
        errors = [error for errors in form.errors.values() for error in errors]
        failed = {"key": report.target_key, "action": action, "note": request.POST.get("note", ""), "errors": errors}
        return moderation_page(request, failed=failed)
