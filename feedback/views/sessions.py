"""Session pages: the list, a session's page, and the officer's scheduling forms."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from feedback import selectors, services
from feedback.forms import CancelForm, ContributionForm, SessionFilterForm, SessionForm
from feedback.models import FeedbackSession
from saypro.core import roles
from saypro.core.ids import id_param
from saypro.core.models import Module
from saypro.core.views.refusals import add_service_errors

from .mixins import SessionObjectMixin


class SessionListView(LoginRequiredMixin, ListView):
    """Participants see the sessions they are invited to; officers see every session, with filters."""

    template_name = "feedback/session_list.html"
    context_object_name = "sessions"
    paginate_by = 25

    def get_queryset(self):
        self.filter_form = SessionFilterForm(self.request.GET or None)
        state, when = "", ""
        if self.filter_form.is_valid():
            state = self.filter_form.cleaned_data["state"]
            when = self.filter_form.cleaned_data["when"]
        upcoming = {"upcoming": True, "past": False}.get(when)
        return selectors.session_list(person=self.request.user, state=state or None, upcoming=upcoming)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["filter_form"] = self.filter_form
        ctx["is_officer"] = roles.is_officer.test(self.request.user)
        return ctx


class SessionDetailView(SessionObjectMixin, TemplateView):
    """A session's page: details, prompts, contributions, and afterwards its summary."""

    permission_required = "feedback.view_session"
    template_name = "feedback/session_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        session = self.get_session()
        user = self.request.user
        invitation = selectors.session_invitation_for(session=session, person=user)
        contributions = list(selectors.session_contributions(session=session, viewer=user))
        can_contribute = invitation is not None and session.accepts_contributions
        for contribution in contributions:
            # Each suggestion form carries its own token, so two answers never look like one double submit.
            contribution.suggest_token = uuid.uuid4()
            contribution.can_suggest = (
                can_contribute
                and contribution.kind == "challenge"
                and contribution.author_id != user.pk
                and contribution.is_visible
            )
            contribution.is_mine = contribution.author_id == user.pk
        ctx.update(
            session=session,
            invitation=invitation,
            groups=selectors.group_by_kind(contributions),
            can_contribute=can_contribute,
            is_officer=roles.is_officer.test(user),
            form=ContributionForm() if can_contribute else None,
            counts=selectors.session_participation(session=session),
            summary=selectors.session_summary(session=session) if session.state == FeedbackSession.State.HELD else None,
        )
        return ctx


class OfficerSessionFormMixin(SessionObjectMixin):
    permission_required = "feedback.facilitate"
    template_name = "feedback/session_form.html"
    form_class = SessionForm
    heading = ""
    submit_label = ""

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["with_module"] = False
        return kwargs

    def get_initial(self):
        return SessionForm.initial_for(self.get_session())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(session=self.get_session(), heading=self.heading, submit_label=self.submit_label)
        return ctx

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "module"}
        try:
            session = self.call_service(self.get_session(), data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message(session))
        return HttpResponseRedirect(reverse("feedback:session-detail", kwargs={"pk": session.pk}))


class SessionCreateView(PermissionRequiredMixin, FormView):
    """An officer creates and schedules a session for any module."""

    permission_required = "feedback.facilitate"
    template_name = "feedback/session_form.html"
    form_class = SessionForm

    def get_initial(self):
        module_id = id_param(self.request.GET, "module")
        return {"module": module_id} if module_id is not None else {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(heading="New feedback session", submit_label="Schedule and invite participants")
        return ctx

    def form_valid(self, form):
        try:
            session = services.session_create(by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Scheduled. The participants of {session.module.title} are being invited.")
        return HttpResponseRedirect(reverse("feedback:session-detail", kwargs={"pk": session.pk}))


class SessionScheduleView(OfficerSessionFormMixin, FormView):
    """An officer confirms a proposed session: time, place, facilitator; participants are invited."""

    heading = "Schedule the proposed session"
    submit_label = "Schedule and invite participants"

    def call_service(self, session, data):
        return services.session_schedule(session=session, by=self.request.user, **data)

    def success_message(self, session):
        return f"Scheduled. The participants of {session.module.title} are being invited."

    def get_initial(self):
        initial = super().get_initial()
        if not initial.get("facilitator"):
            initial["facilitator"] = self.request.user.pk
        return initial


class SessionEditView(OfficerSessionFormMixin, FormView):
    """An officer changes a session; a new time or place sends participants an updated invite."""

    heading = "Change the session"
    submit_label = "Save changes"

    def call_service(self, session, data):
        return services.session_update(session=session, by=self.request.user, **data)

    def success_message(self, session):
        return "Saved. Participants get an updated calendar invite if the time or place changed."


class SessionCancelView(SessionObjectMixin, FormView):
    permission_required = "feedback.facilitate"
    template_name = "feedback/session_cancel.html"
    form_class = CancelForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["session"] = self.get_session()
        return ctx

    def form_valid(self, form):
        session = self.get_session()
        try:
            services.session_cancel(session=session, reason=form.cleaned_data["reason"], by=self.request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Cancelled. The participants are told, with your reason.")
        return HttpResponseRedirect(reverse("feedback:session-detail", kwargs={"pk": session.pk}))


class ModuleParticipationView(PermissionRequiredMixin, TemplateView):
    """A module's feedback sessions with eligible, attended and active counts."""

    permission_required = "feedback.view_participation"
    template_name = "feedback/module_participation.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        module = get_object_or_404(Module.objects.select_related("programme"), pk=self.kwargs["module_pk"])
        ctx.update(
            module=module,
            rows=selectors.module_sessions(module=module),
            is_officer=roles.is_officer.test(self.request.user),
        )
        return ctx


class NewsletterCandidatesView(PermissionRequiredMixin, ListView):
    """Highlighted contributions of held sessions, offered to the officer for the newsletter."""

    permission_required = "feedback.facilitate"
    template_name = "feedback/newsletter_candidates.html"
    context_object_name = "candidates"
    paginate_by = 50

    def get_queryset(self):
        return selectors.feedback_newsletter_candidates()
