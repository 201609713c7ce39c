"""A person's own data: see what the platform holds, download it, or erase it.

Every page acts on the signed-in person only; there is no id in any URL, so no one can reach
another person's data here.
"""

from allauth.core import ratelimit
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import render
from django.views import View
from django.views.generic import FormView, TemplateView

from saypro.core import personal_data

CONFIRM_WORD = "DELETE"
EXPORT_FILENAME = "saypro-my-data.json"


class PersonalDataEraseForm(forms.Form):
    """The word DELETE and the current password: two deliberate steps before an act that cannot be undone."""

    confirm = forms.CharField(
        label=f"Type {CONFIRM_WORD} to confirm",
        max_length=20,
        help_text=f"In capital letters: {CONFIRM_WORD}.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": f"Type the word {CONFIRM_WORD} to confirm."},
    )
    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your current password."},
    )

    def __init__(self, *args, person, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.request = request
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's form carries the token
        self.helper.layout = Layout(Field("confirm"), Field("password"))

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value != CONFIRM_WORD:
            raise forms.ValidationError(f"Type the word {CONFIRM_WORD}, in capital letters, to confirm.")
        return value

    def clean_password(self) -> str:
        value = self.cleaned_data["password"]
        # The same limit as allauth's re-authentication, so a borrowed session cannot guess the password.
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.person):
            raise forms.ValidationError("Too many tries. Wait a minute, then enter your password again.")
        if not self.person.check_password(value):
            raise forms.ValidationError("This is not your current password.")
        return value


class PersonalDataView(LoginRequiredMixin, TemplateView):
    """What the export holds and where to erase, for the signed-in person."""

    template_name = "core/personal_data.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["export_filename"] = EXPORT_FILENAME
        return ctx


class PersonalDataExportView(LoginRequiredMixin, View):
    """The signed-in person's data as one JSON file to download."""

    def get(self, request):
        data = personal_data.personal_data_export(person=request.user)
        response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2, "ensure_ascii": False})
        response["Content-Disposition"] = f'attachment; filename="{EXPORT_FILENAME}"'
        response["Cache-Control"] = "no-store"
        return response


class PersonalDataEraseView(LoginRequiredMixin, FormView):
    """Explain exactly what erasing does; erase after DELETE and the password, then sign out and say goodbye."""

    template_name = "core/personal_data_erase.html"
    form_class = PersonalDataEraseForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "person": self.request.user, "request": self.request}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["explained"] = personal_data.personal_data_erase_explained()
        ctx["confirm_word"] = CONFIRM_WORD
        return ctx

    def form_valid(self, form):
        person = self.request.user
        personal_data.personal_data_erase(person=person, by=person)
        logout(self.request)
        return render(self.request, "core/personal_data_erased.html")
