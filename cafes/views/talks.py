"""Talk proposals: proposing, reading, "I'd like to hear this", and the officer's decision."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from rules.contrib.views import PermissionRequiredMixin

from saypro.core.ids import id_param
from saypro.core.roles import is_officer
from saypro.core.views.refusals import add_service_errors, refusal_as_message

from .. import selectors, services
from ..forms import TalkDecisionForm, TalkProposalForm, TalkProposeForm
from ..models import TalkProposal
from .mixins import PrivateObjectPermissionMixin, TalkObjectMixin


class TalkListView(PermissionRequiredMixin, ListView):
    template_name = "cafes/proposal_list.html"
    permission_required = "cafes.list_cafes"
    context_object_name = "talks"
    paginate_by = 20

    def get_queryset(self):
        state = self.request.GET.get("state", "")
        if state not in TalkProposal.State.values:
            state = ""
        qs = selectors.talk_list(viewer=self.request.user, state=state or None)
        if self.request.GET.get("mine"):
            qs = qs.filter(speaker=self.request.user)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        officer = is_officer.test(self.request.user)
        states = (
            TalkProposal.State.choices
            if officer
            else [(value, label) for value, label in TalkProposal.State.choices if value in TalkProposal.PUBLIC_STATES]
        )
        ctx.update(
            is_officer=officer,
            states=states,
            state=self.request.GET.get("state", ""),
            mine=bool(self.request.GET.get("mine")),
        )
        return ctx


def own_reflection_choices(person) -> list[tuple[str, str]]:
    """The speaker's reflections on the board as (path, title) choices for a talk proposal."""
    from reflections.selectors import reflection_shared_list_of

    return [(r.get_absolute_url(), str(r)) for r in reflection_shared_list_of(author=person)[:100]]


class TalkCreateView(PermissionRequiredMixin, FormView):
    template_name = "cafes/proposal_form.html"
    form_class = TalkProposeForm
    permission_required = "cafes.propose_talk"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["cafes"] = selectors.cafe_open_for_proposals()
        kwargs["first_talk"] = not selectors.speaker_has_spoken(speaker=self.request.user)
        kwargs["own_reflections"] = own_reflection_choices(self.request.user)
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        cafe = id_param(self.request.GET, "cafe")
        if cafe is not None:
            initial["cafe"] = cafe
        return initial

    def form_valid(self, form):
        try:
            talk = services.talk_propose(speaker=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, "Thank you! Your talk is proposed; colleagues can now say they'd like to hear it."
        )
        return HttpResponseRedirect(reverse("cafes:proposal-detail", args=[talk.pk]))


class TalkDetailView(TalkObjectMixin, PrivateObjectPermissionMixin, TemplateView):
    template_name = "cafes/proposal_detail.html"
    permission_required = "cafes.read_talk"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        viewer = self.request.user
        talk = selectors.talk_get(pk=self.get_object().pk, viewer=viewer)
        is_speaker = talk.speaker_id == viewer.pk
        ctx.update(
            talk=talk,
            is_speaker=is_speaker,
            is_officer=is_officer.test(viewer),
            can_edit=viewer.has_perm("cafes.edit_talk", talk),
            can_withdraw=viewer.has_perm("cafes.withdraw_talk", talk),
            can_show_interest=viewer.has_perm("cafes.show_interest", talk)
            and talk.state != TalkProposal.State.DELIVERED,
            on_agenda=talk.state in selectors.AGENDA_STATES,
        )
        return ctx


class TalkUpdateView(TalkObjectMixin, PrivateObjectPermissionMixin, FormView):
    template_name = "cafes/proposal_form.html"
    form_class = TalkProposalForm
    permission_required = "cafes.edit_talk"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        talk = self.get_object()
        kwargs["instance"] = TalkProposal.objects.get(pk=talk.pk)
        kwargs["cafes"] = selectors.cafe_open_for_proposals()
        kwargs["first_talk"] = talk.first_talk
        kwargs["own_reflections"] = own_reflection_choices(talk.speaker)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(talk=self.get_object(), **kwargs)

    def form_valid(self, form):
        try:
            services.talk_update(talk=self.get_object(), by=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Proposal saved.")
        return HttpResponseRedirect(reverse("cafes:proposal-detail", args=[self.get_object().pk]))


class TalkWithdrawView(TalkObjectMixin, PrivateObjectPermissionMixin, View):
    permission_required = "cafes.withdraw_talk"

    def post(self, request, pk):
        with refusal_as_message(request):
            services.talk_withdraw(talk=self.get_object(), by=request.user)
            messages.success(request, "Your talk is withdrawn. You are welcome to propose again any time.")
        return HttpResponseRedirect(reverse("cafes:proposal-detail", args=[pk]))


class TalkInterestView(TalkObjectMixin, PrivateObjectPermissionMixin, View):
    """ "I'd like to hear this": htmx swaps the button; without JavaScript the page reloads."""

    permission_required = "cafes.show_interest"

    def post(self, request, pk):
        talk = self.get_object()
        error = None
        try:
            services.talk_interest_toggle(talk=talk, person=request.user)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        if request.htmx:
            fresh = selectors.talk_get(pk=talk.pk, viewer=request.user)
            return render(request, "cafes/partials/interest_button.html", {"talk": fresh, "interest_error": error})
        if error:
            messages.error(request, error)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("cafes:proposal-detail", args=[talk.pk])
        return HttpResponseRedirect(target)


class TalkDecideView(TalkObjectMixin, PermissionRequiredMixin, FormView):
    template_name = "cafes/proposal_decide.html"
    form_class = TalkDecisionForm
    permission_required = "cafes.manage_cafe"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "cafes": selectors.cafe_open_for_proposals(),
            "wants_buddy": self.get_object().wants_practice_buddy,
        }

    def get_initial(self):
        talk = self.get_object()
        return {"cafe": talk.cafe_id, "decision": "accept"}

    def get_context_data(self, **kwargs):
        talk = selectors.talk_get(pk=self.get_object().pk, viewer=self.request.user)
        return super().get_context_data(talk=talk, **kwargs)

    def form_valid(self, form):
        talk, by = self.get_object(), self.request.user
        decision, note = form.cleaned_data["decision"], form.cleaned_data.get("note", "")
        buddy = form.cleaned_data.get("practice_buddy")
        try:
            with transaction.atomic():
                if buddy is not None:
                    services.talk_practice_buddy_set(talk=talk, by=by, buddy=buddy)
                if decision == "accept":
                    services.talk_accept(talk=talk, by=by, cafe=form.cleaned_data["cafe"], note=note)
                    text = "Accepted: the talk takes the last slot of the agenda."
                elif decision == "keep":
                    services.talk_keep(talk=talk, by=by, note=note)
                    text = "Kept for a later café; the speaker is told."
                else:
                    services.talk_decline(talk=talk, by=by, note=note)
                    text = "Declined; the speaker has your note."
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, text)
        if decision == "accept":
            return HttpResponseRedirect(reverse("cafes:agenda", args=[form.cleaned_data["cafe"].pk]))
        return HttpResponseRedirect(reverse("cafes:proposal-detail", args=[talk.pk]))
