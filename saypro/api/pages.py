"""The page where a person makes and revokes their personal access tokens."""

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.views import View
from django.views.generic import FormView

from saypro.core.views.refusals import add_service_errors

from . import selectors, services
from .models import PersonalAccessToken

NEW_TOKEN_SESSION_KEY = "api_new_token"  # noqa: S105 -- a session key name, not a secret
MAX_ID = 2**31 - 1
LIFETIMES = [(30, "30 days"), (90, "90 days"), (365, "1 year")]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=services.NAME_MAX_CHARS, help_text="What will use it, so you recognise it later.")
    scopes = forms.MultipleChoiceField(
        choices=PersonalAccessToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[PersonalAccessToken.Scope.READ],
        error_messages={"required": "Choose read, write or both."},
    )
    days = forms.TypedChoiceField(label="Expires after", choices=LIFETIMES, coerce=int, initial=90)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class TokenListView(LoginRequiredMixin, FormView):
    template_name = "api/tokens.html"
    form_class = TokenForm
    success_url = reverse_lazy("api:tokens")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tokens=selectors.token_list(person=self.request.user),
            new_token=self.request.session.pop(NEW_TOKEN_SESSION_KEY, None),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            _token, secret = services.token_create(person=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        self.request.session[NEW_TOKEN_SESSION_KEY] = secret
        messages.success(self.request, "Your token is ready. Copy it now: it is shown only once.")
        return super().form_valid(form)


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        if pk <= MAX_ID and services.token_revoke(person=request.user, pk=pk):
            messages.success(request, "The token is revoked; scripts using it are refused from now on.")
        return redirect("api:tokens")
