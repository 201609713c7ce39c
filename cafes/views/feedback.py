"""Feedback to speakers: giving it, the speaker's anonymous view and export, growth, and moderation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView
from rules.contrib.views import LoginRequiredMixin, PermissionRequiredMixin

from saypro.core.ids import id_param
from saypro.core.models import User
from saypro.core.roles import is_officer
from saypro.core.spreadsheet import csv_writer
from saypro.core.views.refusals import add_service_errors

from .. import selectors, services
from ..charts import growth_chart
from ..forms import FeedbackHideForm, SpeakerPreferenceForm, TalkFeedbackForm
from ..models import AVERAGES_FROM, RATING_QUESTIONS, RATING_SCALE, TRY_NEXT_QUESTION, WORKED_QUESTION, TalkFeedback
from .mixins import PrivateObjectPermissionMixin, TalkObjectMixin


class TalkFeedbackView(TalkObjectMixin, PrivateObjectPermissionMixin, FormView):
    """An attendee gives, or edits, their feedback on one talk."""

    template_name = "cafes/talk_feedback_form.html"
    form_class = TalkFeedbackForm
    permission_required = "cafes.give_feedback"

    def existing(self) -> TalkFeedback | None:
        if not hasattr(self, "_existing"):
            self._existing = selectors.feedback_of(talk=self.get_object(), giver=self.request.user)
        return self._existing

    def get_initial(self):
        feedback = self.existing()
        if feedback is None:
            return {}
        return {name: getattr(feedback, name) for name in (*RATING_QUESTIONS, "worked", "try_next")}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        talk = self.get_object()
        ctx.update(
            talk=talk,
            refusal=selectors.feedback_refusal(talk=talk, person=self.request.user),
            existing=self.existing(),
        )
        return ctx

    def form_valid(self, form):
        talk = self.get_object()
        try:
            _, created = services.feedback_give(talk=talk, giver=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            "Thank you: your feedback reached the speaker, without your name."
            if created
            else "You had already given feedback on this talk: your answers are updated (one per person per talk).",
        )
        return HttpResponseRedirect(reverse("cafes:cafe-detail", args=[talk.cafe_id]))


class TalkFeedbackReceivedView(TalkObjectMixin, PrivateObjectPermissionMixin, TemplateView):
    """What the speaker (or their mentor, when shared) sees: averages from three answers, texts, no names."""

    template_name = "cafes/talk_feedback_received.html"
    permission_required = "cafes.read_talk_feedback"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        talk = self.get_object()
        ctx.update(
            talk=talk,
            summary=selectors.talk_feedback_summary(talk=talk),
            averages_from=AVERAGES_FROM,
            rating_scale=RATING_SCALE,
            worked_question=WORKED_QUESTION,
            try_next_question=TRY_NEXT_QUESTION,
            is_speaker=talk.speaker_id == self.request.user.pk,
            is_officer=is_officer.test(self.request.user),
        )
        return ctx


class TalkFeedbackExportView(TalkObjectMixin, PrivateObjectPermissionMixin, View):
    """The same anonymous view as a CSV file: question and answer per row, never a giver."""

    permission_required = "cafes.read_talk_feedback"

    def get(self, request, pk):
        talk = self.get_object()
        summary = selectors.talk_feedback_summary(talk=talk)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="talk-{talk.pk}-feedback.csv"'
        writer = csv_writer(response)
        writer.writerow(["talk", "question", "answer"])
        writer.writerow([talk.title, "Number of answers", summary.count])
        if summary.shows_averages:
            for average in summary.averages:
                writer.writerow([talk.title, f"{average.question} (average, {RATING_SCALE})", average.average])
        else:
            writer.writerow(
                [talk.title, "Averages", f"shown from {AVERAGES_FROM} answers on, so no one is identifiable"]
            )
        for text in summary.worked:
            writer.writerow([talk.title, WORKED_QUESTION, text])
        for text in summary.try_next:
            writer.writerow([talk.title, TRY_NEXT_QUESTION, text])
        return response


class FeedbackModerationView(TalkObjectMixin, PermissionRequiredMixin, TemplateView):
    """Who wrote what, for the officer acting on abuse only. Every opening is recorded in the audit trail."""

    template_name = "cafes/feedback_moderation.html"
    permission_required = "cafes.moderate_feedback"

    def get(self, request, *args, **kwargs):
        services.feedback_moderation_opened(talk=self.get_object(), by=request.user)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        talk = self.get_object()
        ctx.update(
            talk=talk,
            feedback_list=selectors.feedback_for_moderation(talk=talk),
            questions=RATING_QUESTIONS,
            worked_question=WORKED_QUESTION,
            try_next_question=TRY_NEXT_QUESTION,
            hide_form=kwargs.get("hide_form") or FeedbackHideForm(),
            hide_target=kwargs.get("hide_target"),
        )
        return ctx

    def post(self, request, pk):
        talk = self.get_object()
        feedback = get_object_or_404(TalkFeedback, pk=id_param(request.POST, "feedback") or 0, talk=talk)
        form = FeedbackHideForm(request.POST)
        if form.is_valid():
            try:
                services.feedback_hide(feedback=feedback, by=request.user, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "The feedback is hidden from the speaker; the reason is kept.")
                return HttpResponseRedirect(reverse("cafes:feedback-moderation", args=[talk.pk]))
        services.feedback_moderation_opened(talk=talk, by=request.user)
        return self.render_to_response(self.get_context_data(hide_form=form, hide_target=feedback.pk))


class SpeakerGrowthView(PrivateObjectPermissionMixin, TemplateView):
    """A speaker's talks over time: the three average ratings as a chart and as a table."""

    template_name = "cafes/speaker_growth.html"
    permission_required = "cafes.view_speaker_growth"

    def get_object(self):
        if not hasattr(self, "_speaker"):
            self._speaker = get_object_or_404(User, pk=self.kwargs["pk"], is_active=True)
        return self._speaker

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        speaker = self.get_object()
        rows = selectors.speaker_growth(speaker=speaker)
        ctx.update(
            speaker=speaker,
            rows=rows,
            chart=growth_chart(rows),
            questions=RATING_QUESTIONS,
            rating_scale=RATING_SCALE,
            averages_from=AVERAGES_FROM,
            is_self=speaker.pk == self.request.user.pk,
            generated_at=timezone.now(),
        )
        return ctx


class MyGrowthView(LoginRequiredMixin, View):
    def get(self, request):
        return HttpResponseRedirect(reverse("cafes:speaker-growth", args=[request.user.pk]))


class SpeakerPreferenceView(PermissionRequiredMixin, FormView):
    template_name = "cafes/speaker_settings.html"
    form_class = SpeakerPreferenceForm
    permission_required = "cafes.set_speaker_preference"

    def get_initial(self):
        preference = selectors.speaker_preference_of(person=self.request.user)
        return {
            "notify_new_feedback": preference.notify_new_feedback,
            "share_with_mentor": preference.share_with_mentor,
        }

    def form_valid(self, form):
        services.speaker_preference_set(person=self.request.user, **form.cleaned_data)
        messages.success(self.request, "Your speaker preferences are saved.")
        return HttpResponseRedirect(reverse("cafes:speaker-settings"))
