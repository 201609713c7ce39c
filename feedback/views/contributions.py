"""Contributions and suggestions: adding, editing, withdrawing, and the officer's marks and moderation."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView
from django_htmx.http import HttpResponseClientRedirect
from rules.contrib.views import PermissionRequiredMixin

from feedback import selectors, services
from feedback.forms import ContributionEditForm, ContributionForm, HideForm, RecordForm, SuggestionForm
from feedback.models import Contribution
from saypro.core.models import User
from saypro.core.views.refusals import add_service_errors, refusal_as_message

from .mixins import ContributionObjectMixin, SessionObjectMixin


def _detail_url(session_id: int, anchor: str = "") -> str:
    url = reverse("feedback:session-detail", kwargs={"pk": session_id})
    return f"{url}#{anchor}" if anchor else url


def _console_url(session_id: int, anchor: str = "") -> str:
    url = reverse("feedback:console", kwargs={"pk": session_id})
    return f"{url}#{anchor}" if anchor else url


def _contribution_add(
    view,
    form,
    *,
    url: Callable[[int, str], str],
    created: Callable[[Contribution], str],
    again: str,
    **by: User,
) -> HttpResponse:
    """Add a contribution from a valid form (by its author, or recorded by the officer: `by`), then say so
    (created(contribution), or again when it was already saved) and go to url(session, its anchor).
    A refusal puts the service's errors next to the form's fields."""
    session = view.get_session()
    try:
        contribution, was_created = services.contribution_add(session=session, **by, **form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return view.form_invalid(form)
    if was_created:
        messages.success(view.request, created(contribution))
    else:
        messages.info(view.request, again)
    return HttpResponseRedirect(url(session.pk, f"contribution-{contribution.pk}"))


class ContributionAddView(SessionObjectMixin, FormView):
    """An invited participant adds an insight, a challenge or a success story."""

    permission_required = "feedback.contribute"
    template_name = "feedback/contribution_form.html"
    form_class = ContributionForm

    def get_initial(self):
        kind = self.request.GET.get("kind", "")
        return {"kind": kind} if kind in dict(ContributionForm.base_fields["kind"].choices) else {}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(session=self.get_session(), heading="Add a contribution", submit_label="Share it")
        return ctx

    def form_valid(self, form):
        return _contribution_add(
            self,
            form,
            url=_detail_url,
            created=lambda c: f"Thank you — your {c.get_kind_display().lower()} is shared.",
            again="That was already saved; it is shared once.",
            author=self.request.user,
        )


class ContributionRecordView(SessionObjectMixin, FormView):
    """The officer records a contribution on a participant's behalf; it counts as theirs."""

    permission_required = "feedback.facilitate"
    template_name = "feedback/contribution_form.html"
    form_class = RecordForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["session"] = self.get_session()
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            session=self.get_session(),
            heading="Record a contribution on someone's behalf",
            submit_label="Record it",
            recording=True,
        )
        return ctx

    def form_valid(self, form):
        return _contribution_add(
            self,
            form,
            url=_console_url,
            created=lambda c: f"Recorded for {c.author.full_name}.",
            again="That was already recorded; it is kept once.",
            recorded_by=self.request.user,
        )


class ContributionEditView(ContributionObjectMixin, FormView):
    permission_required = "feedback.change_own_contribution"
    template_name = "feedback/contribution_form.html"
    form_class = ContributionEditForm

    def get_initial(self):
        contribution = self.get_contribution()
        return {"kind": contribution.kind, "text": contribution.text, "anonymous": contribution.anonymous}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            session=self.get_contribution().session,
            heading="Change your contribution",
            submit_label="Save changes",
        )
        return ctx

    def form_valid(self, form):
        contribution = self.get_contribution()
        try:
            services.contribution_update(contribution=contribution, by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Saved.")
        return HttpResponseRedirect(_detail_url(contribution.session_id, f"contribution-{contribution.pk}"))


class ContributionWithdrawView(ContributionObjectMixin, View):
    """Ask, then withdraw one's own contribution."""

    permission_required = "feedback.change_own_contribution"

    def get(self, request, pk):
        contribution = self.get_contribution()
        return render(request, "feedback/contribution_withdraw.html", {"contribution": contribution})

    def post(self, request, pk):
        contribution = self.get_contribution()
        with refusal_as_message(request):
            services.contribution_withdraw(contribution=contribution, by=request.user)
            messages.success(request, "Withdrawn. It is no longer shown.")
        return HttpResponseRedirect(_detail_url(contribution.session_id))


class ContributionMarkView(ContributionObjectMixin, View):
    """The marks form of a contribution on the console: its pressed button says what to do.

    `discussed` or `highlighted` with 1 marks the contribution, with 0 undoes the mark; `hide`
    leads to the page that asks the reason; `unhide` (the only button of a hidden card) puts it
    back. With htmx the card comes back to be swapped in place (or, for hide, the browser is sent
    to that page); without JavaScript the console reloads at the card.
    """

    permission_required = "feedback.facilitate"
    BUTTONS = (*services.FLAGS, "hide", "unhide")

    def post(self, request, pk):
        contribution = self.get_contribution()
        pressed = [name for name in self.BUTTONS if name in request.POST]
        if len(pressed) != 1 or (pressed[0] in services.FLAGS and request.POST[pressed[0]] not in ("0", "1")):
            return HttpResponseBadRequest("Press one of Discussed, Highlight or Hide.")
        if pressed[0] == "hide":
            url = reverse("feedback:contribution-hide", kwargs={"pk": contribution.pk})
            return HttpResponseClientRedirect(url) if request.htmx else HttpResponseRedirect(url)
        with refusal_as_message(request):
            if pressed[0] == "unhide":
                services.contribution_unhide(contribution=contribution, by=request.user)
            else:
                flag = pressed[0]
                services.contribution_flag_set(
                    contribution=contribution, flag=flag, value=request.POST[flag] == "1", by=request.user
                )
        if request.htmx:
            fresh = (
                selectors.session_contributions(session=contribution.session, viewer=request.user, facilitating=True)
                .filter(pk=contribution.pk)
                .first()
            )
            return render(
                request,
                "feedback/partials/console_contribution.html",
                {"contribution": fresh, "session": contribution.session, "can_mark": True},
            )
        return HttpResponseRedirect(_console_url(contribution.session_id, f"contribution-{contribution.pk}"))


class ContributionHideView(ContributionObjectMixin, FormView):
    """Hide a contribution that breaks the rules, with a reason its author reads."""

    permission_required = "feedback.facilitate"
    template_name = "feedback/hide_form.html"
    form_class = HideForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        contribution = self.get_contribution()
        ctx.update(session=contribution.session, target=contribution, what=contribution.get_kind_display().lower())
        return ctx

    def form_valid(self, form):
        contribution = self.get_contribution()
        try:
            services.contribution_hide(
                contribution=contribution, reason=form.cleaned_data["reason"], by=self.request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Hidden. The author sees your reason.")
        return HttpResponseRedirect(_console_url(contribution.session_id))


class SuggestionAddView(ContributionObjectMixin, FormView):
    """A peer answers a challenge with a suggestion."""

    permission_required = "feedback.suggest"
    template_name = "feedback/suggestion_form.html"
    form_class = SuggestionForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        contribution = self.get_contribution()
        ctx.update(session=contribution.session, challenge=contribution)
        return ctx

    def form_valid(self, form):
        contribution = self.get_contribution()
        try:
            _, created = services.suggestion_add(
                contribution=contribution, author=self.request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        if created:
            messages.success(self.request, "Thank you — your suggestion is shared.")
        else:
            messages.info(self.request, "That was already saved; it is shared once.")
        return HttpResponseRedirect(_detail_url(contribution.session_id, f"contribution-{contribution.pk}"))


class SuggestionHideView(PermissionRequiredMixin, FormView):
    permission_required = "feedback.facilitate"
    template_name = "feedback/hide_form.html"
    form_class = HideForm
    _suggestion = None

    def get_suggestion(self):
        if self._suggestion is None and self.request.user.is_authenticated:
            self._suggestion = selectors.suggestion_get(person=self.request.user, pk=self.kwargs["pk"])
            if self._suggestion is None:
                raise Http404("No such suggestion.")
        return self._suggestion

    def get_permission_object(self):
        return self.get_suggestion()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        suggestion = self.get_suggestion()
        ctx.update(session=suggestion.contribution.session, target=suggestion, what="suggestion")
        return ctx

    def form_valid(self, form):
        suggestion = self.get_suggestion()
        try:
            services.suggestion_hide(suggestion=suggestion, reason=form.cleaned_data["reason"], by=self.request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Hidden. The author sees your reason.")
        return HttpResponseRedirect(_console_url(suggestion.contribution.session_id))
