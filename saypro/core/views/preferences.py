"""A person's choice of how each category of notification reaches them by e-mail."""

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse_lazy
from django.views.generic import FormView

from saypro.core import roles, selectors, services
from saypro.core.models import NotificationKind, NotificationPreference


def _reads_reports(person) -> bool:
    """Only managers and officers receive the monthly impact reports."""
    return roles.is_manager.test(person) or roles.is_officer.test(person)


class NotificationPreferencesForm(forms.Form):
    """One set of three radio choices per category of notification.

    A category left out of the submission keeps its current setting, so every field is
    optional; a value outside the three choices is refused next to its field.
    """

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = [c for c in NotificationKind if c != NotificationKind.REPORTS or _reads_reports(person)]
        for category in self.categories:
            self.fields[category.value] = forms.ChoiceField(
                label=category.label,
                choices=NotificationPreference.Delivery.choices,
                widget=forms.RadioSelect,
                required=False,
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*(InlineRadios(category.value) for category in self.categories))

    def deliveries(self) -> dict[str, str]:
        return {category: delivery for category, delivery in self.cleaned_data.items() if delivery}


class NotificationPreferencesView(LoginRequiredMixin, FormView):
    template_name = "core/notification_preferences.html"
    form_class = NotificationPreferencesForm
    success_url = reverse_lazy("core:notification-preferences")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.request.user}

    def get_initial(self):
        return selectors.notification_preferences_of(person=self.request.user)

    def form_valid(self, form):
        services.notification_preferences_save(person=self.request.user, deliveries=form.deliveries())
        messages.success(self.request, "Your notification preferences are saved.")
        return super().form_valid(form)
