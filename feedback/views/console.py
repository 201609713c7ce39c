"""The officer's live facilitation console: attendance, contributions, marks, opening and closing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from feedback import selectors, services
from feedback.forms import ATTENDANCE_CHOICES, ConsoleFilterForm
from feedback.models import FeedbackSession
from saypro.core.views.refusals import refusal_as_message

from .mixins import SessionObjectMixin

SHOW_FILTERS = {
    "open": lambda c: c.is_visible and not c.discussed,
    "discussed": lambda c: c.discussed,
    "highlighted": lambda c: c.highlighted,
    "hidden": lambda c: c.hidden_at is not None,
}


def board_context(*, session: FeedbackSession, user, params) -> dict:
    """What the live part of the console shows: contributions grouped by kind, filtered, with counts."""
    filter_form = ConsoleFilterForm(params or None)
    kind, show = "", ""
    if filter_form.is_valid():
        kind, show = filter_form.cleaned_data["kind"], filter_form.cleaned_data["show"]
    contributions = list(selectors.session_contributions(session=session, viewer=user, facilitating=True))
    groups = selectors.group_by_kind(contributions)
    totals = {g.kind: sum(1 for c in g.contributions if c.is_visible) for g in groups}
    for group in groups:
        group.total = totals[group.kind]
        if show in SHOW_FILTERS:
            group.contributions = [c for c in group.contributions if SHOW_FILTERS[show](c)]
    if kind:
        groups = [g for g in groups if g.kind == kind]
    query = params.urlencode() if params else ""
    return {
        "session": session,
        "groups": groups,
        "filter_form": filter_form,
        "filter_query": query,
        "version": selectors.console_version(session=session),
        "can_mark": session.state
        in (FeedbackSession.State.SCHEDULED, FeedbackSession.State.OPEN, FeedbackSession.State.HELD),
    }


class ConsoleView(SessionObjectMixin, TemplateView):
    permission_required = "feedback.facilitate"
    template_name = "feedback/console.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session = self.get_session()
        ctx.update(board_context(session=session, user=self.request.user, params=self.request.GET))
        ctx.update(
            invitations=list(selectors.session_invitations(session=session)),
            attendance_choices=ATTENDANCE_CHOICES,
            counts=selectors.session_participation(session=session),
            timer_minutes={"insight": 10, "challenge": 15, "success_story": 10},
        )
        return ctx


class ConsoleBoardView(SessionObjectMixin, View):
    """The contributions part of the console, polled by htmx; 204 (nothing to swap) when unchanged."""

    permission_required = "feedback.facilitate"

    def get(self, request, pk):
        session = self.get_session()
        if request.GET.get("v") and request.GET["v"] == selectors.console_version(session=session):
            return HttpResponse(status=204)
        params = request.GET.copy()
        params.pop("v", None)
        ctx = board_context(session=session, user=request.user, params=params)
        return render(request, "feedback/partials/console_board.html", ctx)


class AttendanceView(SessionObjectMixin, View):
    """Record attendance: one row through htmx as the officer ticks, or the whole list without JavaScript."""

    permission_required = "feedback.facilitate"

    def post(self, request, pk):
        session = self.get_session()
        invitations = {i.pk: i for i in selectors.session_invitations(session=session)}
        changed = []
        errors = []
        for name, value in request.POST.items():
            if not name.startswith("attendance-"):
                continue
            invitation_id = name.removeprefix("attendance-")
            invitation = invitations.get(int(invitation_id)) if invitation_id.isdigit() else None
            if invitation is None:
                continue
            invitation.session = session
            try:
                services.attendance_set(invitation=invitation, attendance=value, by=request.user)
            except ValidationError as exc:
                errors.extend(exc.messages)
                continue
            changed.append(invitation)
        if request.htmx:
            if len(changed) == 1 and not errors:
                return render(
                    request,
                    "feedback/partials/attendance_row.html",
                    {
                        "invitation": changed[0],
                        "session": session,
                        "attendance_choices": ATTENDANCE_CHOICES,
                        "saved": True,
                    },
                )
            return HttpResponse("; ".join(errors) or "Nothing changed.", status=400 if errors else 200)
        if errors:
            messages.error(request, " ".join(dict.fromkeys(errors)))
        else:
            messages.success(request, f"Attendance saved ({len(changed)} changed).")
        return HttpResponseRedirect(reverse("feedback:console", kwargs={"pk": session.pk}) + "#attendance")


class SessionTransitionView(SessionObjectMixin, View):
    """Open or close a session from the console."""

    permission_required = "feedback.facilitate"
    service = None
    done_message = ""

    def post(self, request, pk):
        session = self.get_session()
        with refusal_as_message(request):
            self.service(session=session, by=request.user)
            messages.success(request, self.done_message)
        return HttpResponseRedirect(reverse("feedback:console", kwargs={"pk": session.pk}))


class SessionOpenView(SessionTransitionView):
    service = staticmethod(services.session_open)
    done_message = "The session is open. New contributions appear below as they arrive."


class SessionCloseView(SessionTransitionView):
    service = staticmethod(services.session_close)
    done_message = (
        "The session is held and its contributions are locked. Attendees get the summary and a reflection prompt."
    )
