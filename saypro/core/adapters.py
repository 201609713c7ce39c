"""django-allauth adapter: sign-up is closed unless the e-mail's domain is allowed.

People arrive with an address from HR's import (or an officer), not through sign-up, so
allauth has no record of it; the adapter records it as confirmed on first sign-in, and the
address-change form does so before a change, because allauth would otherwise take it for an
unconfirmed change and remove it, leaving the person without an address.
"""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

from .roles import is_officer


def current_address_record(*, user, confirm: bool) -> None:
    """Make the address a person signs in with their primary allauth address.

    With `confirm`, an existing unconfirmed record of it is marked confirmed too; without,
    only a missing record is created (as confirmed: it came from HR or an officer).
    """
    if not user.email:
        return
    existing = EmailAddress.objects.filter(user=user, email=user.email).first()
    if existing is not None and (existing.verified or not confirm) and existing.primary:
        return
    EmailAddress.objects.filter(user=user, primary=True).exclude(email=user.email).update(primary=False)
    if existing is None:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    else:
        existing.primary = True
        existing.verified = existing.verified or confirm
        existing.save(update_fields=["primary", "verified"])


def on_site(url: str) -> str:
    """The same link on SITE_URL, so every link in an e-mail names the one published address.

    allauth builds its links from the request's host, which may differ from SITE_URL (another
    name for the same machine, a proxy), and the e-mail's other links use SITE_URL.
    """
    parts = urlsplit(url)
    return settings.SITE_URL + parts.path + (f"?{parts.query}" if parts.query else "")


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        """Officers start on their dashboard, everyone else on their home page; a `next` still wins."""
        if is_officer.test(request.user):
            return reverse("core:dashboard")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's security e-mails, carrying the organisation's name and the site address."""
        context = {"organisation": settings.ORGANISATION_NAME, "site_url": settings.SITE_URL, **context}
        super().send_mail(template_prefix, email, context)

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def login(self, request, user) -> None:
        current_address_record(user=user, confirm=False)
        super().login(request, user)

    def is_open_for_signup(self, request) -> bool:
        return bool(settings.SIGNUP_ALLOWED_DOMAINS)

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email).lower()
        allowed = settings.SIGNUP_ALLOWED_DOMAINS
        if allowed and email.rsplit("@", 1)[-1] not in allowed:
            raise forms.ValidationError("Sign-up is open only to addresses of: " + ", ".join(allowed) + ".")
        return email


class AddEmailForm(AllauthAddEmailForm):
    """Change of address: the current one stays until the new one is confirmed."""

    def clean_email(self) -> str:
        value = super().clean_email()
        if get_user_model().objects.filter(email__iexact=value).exclude(pk=self.user.pk).exists():
            raise forms.ValidationError("Another account already uses this address.")
        return value

    def save(self, request):
        current_address_record(user=self.user, confirm=True)
        return super().save(request)
