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
from feedback.models import FeedbackSession, Invitation
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


ATTENDANCE_FIELD = "attendance-"


def console_context(*, session: FeedbackSession, user, params, attendance: dict[str, str] | None = None) -> dict:
    """Everything the console page shows; `attendance`, as sent by a refused save, is ticked again."""
    ctx = board_context(session=session, user=user, params=params)
    invitations = list(selectors.session_invitations(session=session))
    for invitation in invitations if attendance else ():
        sent = attendance.get(str(invitation.pk))
        if sent in Invitation.Attendance.values:
            invitation.attendance = sent
    ctx.update(
        invitations=invitations,
        attendance_choices=ATTENDANCE_CHOICES,
        attendance_url=reverse("feedback:attendance", kwargs={"pk": session.pk}),
        counts=selectors.session_participation(session=session),
        timer_minutes={"insight": 10, "challenge": 15, "success_story": 10},
    )
    return ctx


class ConsoleView(SessionObjectMixin, TemplateView):
    permission_required = "feedback.facilitate"
    template_name = "feedback/console.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(console_context(session=self.get_session(), user=self.request.user, params=self.request.GET))
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
    """Record attendance: one row through htmx as the officer ticks, or the whole list at once without JavaScript.

    Either way the rows sent go through one service call, all or nothing. A refused list without
    JavaScript shows the console again with the message and the ticks as sent, so none is lost.
    """

    permission_required = "feedback.facilitate"

    def post(self, request, pk):
        session = self.get_session()
        attendance = {
            name.removeprefix(ATTENDANCE_FIELD): value
            for name, value in request.POST.items()
            if name.startswith(ATTENDANCE_FIELD)
        }
        try:
            recorded, changed = services.attendance_record(session=session, attendance=attendance, by=request.user)
        except ValidationError as exc:
            if request.htmx:
                return HttpResponse(" ".join(exc.messages), status=400)
            messages.error(request, "Attendance not saved. " + " ".join(exc.messages))
            ctx = console_context(session=session, user=request.user, params=None, attendance=attendance)
            return render(request, "feedback/console.html", ctx)
        if request.htmx:
            if len(recorded) == 1:
                return render(
                    request,
                    "feedback/partials/attendance_row.html",
                    {
                        "invitation": recorded[0],
                        "attendance_choices": ATTENDANCE_CHOICES,
                        "attendance_url": reverse("feedback:attendance", kwargs={"pk": session.pk}),
                        "saved": True,
                    },
                )
            return HttpResponse(f"Attendance saved ({changed} changed)." if recorded else "Nothing changed.")
        messages.success(request, f"Attendance saved ({changed} changed).")
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
