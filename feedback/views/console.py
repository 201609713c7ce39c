"""The officer's live facilitation console: attendance, contributions, marks, opening and closing."""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from feedback import selectors, services
from feedback.forms import ATTENDANCE_BUTTONS, ConsoleFilterForm, TransitionForm
from feedback.models import FeedbackSession, Invitation
from feedback.selectors import ATTENDANCE_PAGE_SIZE
from saypro.core import fragments
from saypro.core.roles import is_officer
from saypro.core.views.refusals import add_service_errors, refusal_as_message

from .mixins import SessionObjectMixin

SHOW_FILTERS = {
    "open": lambda c: c.is_visible and not c.discussed,
    "discussed": lambda c: c.discussed,
    "highlighted": lambda c: c.highlighted,
    "hidden": lambda c: c.hidden_at is not None,
}


# How many cards each kind shows on the whole board (no kind chosen): the newest, those the live session is
# at. The group's "Show all" link opens the board on that kind alone, which shows every card of it.
BOARD_NEWEST_PER_KIND = 10


def _board_groups(*, session: FeedbackSession, user, kind: str, show: str) -> list:
    contributions = list(selectors.session_contributions(session=session, viewer=user, facilitating=True))
    groups = selectors.group_by_kind(contributions)
    totals = {g.kind: sum(1 for c in g.contributions if c.is_visible) for g in groups}
    for group in groups:
        group.total = totals[group.kind]
        if show in SHOW_FILTERS:
            group.contributions = [c for c in group.contributions if SHOW_FILTERS[show](c)]
        group.matching = len(group.contributions)
        if not kind:
            group.contributions = group.contributions[-BOARD_NEWEST_PER_KIND:]
    if kind:
        groups = [g for g in groups if g.kind == kind]
    return groups


def board_context(*, session: FeedbackSession, user, params, version: str) -> dict:
    """What the live part of the console shows: contributions grouped by kind, filtered, with counts.

    The board is the same for every officer, so the template caches its cards ({% cache %}) under
    the session, its state, the filter and `version` (selectors.console_version), which changes with
    every contribution or suggestion written. `groups` is lazy: a cached board never loads the
    contributions.
    """
    filter_form = ConsoleFilterForm(params or None)
    kind, show = "", ""
    if filter_form.is_valid():
        kind, show = filter_form.cleaned_data["kind"], filter_form.cleaned_data["show"]
    query = params.urlencode() if params else ""
    return {
        "session": session,
        "board_show": show,
        "groups": SimpleLazyObject(lambda: _board_groups(session=session, user=user, kind=kind, show=show)),
        "board_filter": f"{kind}:{show}",
        "board_cache_seconds": BOARD_CACHE_SECONDS,
        "filter_form": filter_form,
        "filter_query": query,
        "version": version,
        "can_mark": session.state
        in (FeedbackSession.State.SCHEDULED, FeedbackSession.State.OPEN, FeedbackSession.State.HELD),
    }


ATTENDANCE_FIELD = "attendance-"
# How long a rendered board is kept. Its key changes with every write to the session's contributions
# and suggestions; the bound only limits how long a renamed person or department keeps its old name.
BOARD_CACHE_SECONDS = 600


def attendance_context(
    *, session: FeedbackSession, params, attendance: dict[str, str] | None = None, invited: int | None = None
) -> dict:
    """One page of the attendance list, searched by `q` (name, department, location) and paged by `page`.

    `attendance`, as sent by a refused save, is ticked again so nothing the officer ticked is lost.
    `invited`, when the caller already counted the invitations, saves the paginator its count query.
    """
    search = (params.get("q") or "").strip()[:100] if params else ""
    paginator = Paginator(selectors.session_invitations(session=session, search=search), ATTENDANCE_PAGE_SIZE)
    if invited is not None and not search:
        paginator.count = invited  # a cached property: set, it is not queried again
    page = paginator.get_page(params.get("page") if params else None)
    invitations = list(page.object_list)
    for invitation in invitations if attendance else ():
        sent = attendance.get(str(invitation.pk))
        if sent in Invitation.Attendance.values:
            invitation.attendance = sent
    query = urlencode({k: v for k, v in (("q", search), ("page", page.number if page.number > 1 else "")) if v})
    return {
        "session": session,
        "invitations": invitations,
        "attendance_query": query,
        "attendance_page": page,
        "attendance_search": search,
        "attendance_choices": ATTENDANCE_BUTTONS,
        **_attendance_urls(session),
    }


def _attendance_urls(session: FeedbackSession) -> dict:
    return {
        "attendance_url": reverse("feedback:attendance", kwargs={"pk": session.pk}),
        "attendance_list_url": reverse("feedback:attendance-list", kwargs={"pk": session.pk}),
        "console_url": reverse("feedback:console", kwargs={"pk": session.pk}),
    }


def console_context(
    *,
    session: FeedbackSession,
    user,
    params,
    attendance: dict[str, str] | None = None,
    version: str | None = None,
    now: datetime | None = None,
) -> dict:
    """Everything the console page shows below the navigation; `attendance`, as sent by a refused
    save, is ticked again. `version` and `now` when the caller already has them (console_html keys
    the page with them)."""
    if version is None:
        version = selectors.console_version(session=session)
    now = now or timezone.now()
    ctx = board_context(session=session, user=user, params=params, version=version)
    counts = selectors.session_participation_cached(session=session)
    ctx.update(attendance_context(session=session, params=params, attendance=attendance, invited=counts["invited"]))
    ctx.update(
        counts=counts,
        timer_minutes={"insight": 10, "challenge": 15, "success_story": 10},
        open_early=services.session_open_is_early(session, now=now),
        close_early=services.session_close_is_early(session, now=now),
        opens_at=services.session_opens_at(session),
    )
    return ctx


def _row(instance) -> tuple:
    """Every column of a row as read: a part of a key that changes with any write to the row."""
    return tuple(getattr(instance, f.attname) for f in instance._meta.concrete_fields)


def console_html(*, request, session: FeedbackSession) -> SafeString:
    """The console below the navigation, as every officer sees it for this query string, kept rendered.

    Rendering it was most of the page's time, and officers share everything on it. It is kept under
    the versions of the attendance list and of the participation counts (bumped by every write they
    show, one by one or in bulk), and keyed by what this request reads anyway, both kept per session
    (selectors.CONSOLE_KEPT, stale on every write of them, update() included): the board's version,
    which changes with every contribution and suggestion written, and the session and its module as
    read for the permission check, so a new state, time or title shows at once; whether opening or
    closing now would be early, which the clock decides; and the query string (the board's filter,
    the list's search and page).
    """
    now = timezone.now()
    version = selectors.console_version_kept(session=session)
    params = request.GET
    shown = (
        _row(session),
        _row(session.module),
        version,
        services.session_open_is_early(session, now=now),
        services.session_close_is_early(session, now=now),
        params.urlencode(),
    )
    return fragments.shared_html(
        caches=[selectors.ATTENDANCE_CACHE, selectors.PARTICIPATION_CACHE],
        # Hashed: whatever anyone types in the query string makes a key of the same short length.
        key=f"session:{session.pk}:{hashlib.sha256(repr(shown).encode()).hexdigest()[:32]}",
        template_name="feedback/partials/console_body.html",
        context=lambda: console_context(session=session, user=request.user, params=params, version=version, now=now),
        request=request,
    )


class ConsoleView(SessionObjectMixin, TemplateView):
    permission_required = "feedback.facilitate"
    template_name = "feedback/console.html"

    def get_session(self):
        # Officers see every session: theirs is read as kept for the console. Anyone else is
        # answered as before (404 for a session they may not see, 403 for one they may).
        if self._session is None and is_officer.test(self.request.user):
            self._session = selectors.console_session_kept(pk=self.kwargs["pk"])
            if self._session is None:
                raise Http404("No such feedback session.")
        return super().get_session()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session = self.get_session()
        ctx.update(session=session, console_html=console_html(request=self.request, session=session))
        return ctx


class ConsoleBoardView(SessionObjectMixin, View):
    """The contributions part of the console, polled by htmx; 204 (nothing to swap) when unchanged."""

    permission_required = "feedback.facilitate"

    def get(self, request, pk):
        session = self.get_session()
        version = selectors.console_version(session=session)
        if request.GET.get("v") == version:
            return HttpResponse(status=204)
        params = request.GET.copy()
        params.pop("v", None)
        ctx = board_context(session=session, user=request.user, params=params, version=version)
        return render(request, "feedback/partials/console_board.html", ctx)


class AttendanceListView(SessionObjectMixin, View):
    """One page of the attendance list (search as you type, next page) for htmx to swap in.

    Without JavaScript the search box and the page links load the console itself, so this answers
    a plain request by sending the browser there.
    """

    permission_required = "feedback.facilitate"

    def get(self, request, pk):
        session = self.get_session()
        if not request.htmx:
            query = request.GET.urlencode()
            url = reverse("feedback:console", kwargs={"pk": session.pk})
            return HttpResponseRedirect(f"{url}{'?' + query if query else ''}#attendance")
        ctx = attendance_context(session=session, params=request.GET)
        return render(request, "feedback/partials/attendance_list.html", ctx)


class AttendanceView(SessionObjectMixin, View):
    """Record attendance: one row through htmx as the officer ticks, or the whole page at once without JavaScript,
    or everyone not recorded yet as present ("Mark everyone present", then the exceptions).

    The rows sent go through one service call, all or nothing. A refused list without
    JavaScript shows the console again with the message and the ticks as sent, so none is lost.
    """

    permission_required = "feedback.facilitate"

    def post(self, request, pk):
        session = self.get_session()
        back = reverse("feedback:console", kwargs={"pk": session.pk}) + "#attendance"
        if request.POST.get("everyone") == "present":
            with refusal_as_message(request):
                marked = services.attendance_everyone_present(session=session, by=request.user)
                messages.success(
                    request,
                    ngettext(
                        "%(n)d person marked present. Now mark the exceptions: late or absent.",
                        "%(n)d people marked present. Now mark the exceptions: late or absent.",
                        marked,
                    )
                    % {"n": marked},
                )
            return HttpResponseRedirect(back)
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
            params = request.GET.copy()
            ctx = console_context(session=session, user=request.user, params=params, attendance=attendance)
            return render(request, "feedback/console.html", ctx)
        if request.htmx:
            if len(recorded) == 1:
                return render(
                    request,
                    "feedback/partials/attendance_row.html",
                    {
                        "invitation": recorded[0],
                        "attendance_choices": ATTENDANCE_BUTTONS,
                        "attendance_url": reverse("feedback:attendance", kwargs={"pk": session.pk}),
                        "saved": True,
                    },
                )
            return HttpResponse(f"Attendance saved ({changed} changed)." if recorded else "Nothing changed.")
        messages.success(request, f"Attendance saved ({changed} changed).")
        query = request.GET.urlencode()
        url = reverse("feedback:console", kwargs={"pk": session.pk})
        return HttpResponseRedirect(f"{url}{'?' + query if query else ''}#attendance")


class SessionTransitionView(SessionObjectMixin, FormView):
    """Open or close a session from the console.

    On time, the console's button posts straight here. Early (opening more than
    FEEDBACK_OPEN_LEAD_MINUTES before the start, closing before it), the service asks a reason:
    this page shows the form with the refusal next to the field and what was typed kept.
    """

    permission_required = "feedback.facilitate"
    template_name = "feedback/session_transition.html"
    form_class = TransitionForm
    service = None
    is_early = None
    done_message = ""
    heading = ""
    submit_label = ""
    opening = False

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session = self.get_session()
        ctx.update(
            session=session,
            heading=self.heading,
            submit_label=self.submit_label,
            early=self.is_early(session),
            opening=self.opening,
            opens_at=services.session_opens_at(session),
        )
        return ctx

    def form_valid(self, form):
        session = self.get_session()
        try:
            self.service(session=session, by=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message)
        return HttpResponseRedirect(reverse("feedback:console", kwargs={"pk": session.pk}))


class SessionOpenView(SessionTransitionView):
    service = staticmethod(services.session_open)
    is_early = staticmethod(services.session_open_is_early)
    done_message = "The session is open. New contributions appear below as they arrive."
    heading = "Open the session"
    submit_label = "Open the session"
    opening = True


class SessionCloseView(SessionTransitionView):
    service = staticmethod(services.session_close)
    is_early = staticmethod(services.session_close_is_early)
    done_message = (
        "The session is held and its contributions are locked. Attendees get the summary and a reflection prompt."
    )
    heading = "Close the session"
    submit_label = "Close and send the summary"
