"""django-allauth adapter: sign-up is closed unless the e-mail's domain is allowed."""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return bool(settings.SIGNUP_ALLOWED_DOMAINS)

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email).lower()
        allowed = settings.SIGNUP_ALLOWED_DOMAINS
        if allowed and email.rsplit("@", 1)[-1] not in allowed:
            raise forms.ValidationError("Sign-up is open only to addresses of: " + ", ".join(allowed) + ".")
        return email
