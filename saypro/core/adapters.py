"""django-allauth adapter: sign-up is closed unless the e-mail's domain is allowed.

People arrive with an address from HR's import (or an officer), not through sign-up, so
allauth has no record of it; the adapter records it as confirmed on first sign-in, and the
address-change form does so before a change, because allauth would otherwise take it for an
unconfirmed change and remove it, leaving the person without an address.

A change to an address another account already uses gets the same answer on the page as any
other change ("a link was sent"), so the page never tells a signed-in person who has an
account (ACCOUNT_PREVENT_ENUMERATION). The e-mail then going to that address carries no
link, only a notice, and a confirmation is refused while another account holds the address:
one address never belongs to two accounts.
"""

from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.models import EmailAddress
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.urls import reverse

from . import company_signin
from .roles import is_manager, is_officer


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


def address_used_by_another(*, email: str, user) -> bool:
    """Whether an account other than `user` signs in with `email` or holds it confirmed."""
    others = get_user_model().objects.exclude(pk=user.pk)
    return (
        others.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email, verified=True).exclude(user=user).exists()
    )


def on_site(url: str) -> str:
    """The same link on SITE_URL, so every link in an e-mail names the one published address.

    allauth builds its links from the request's host, which may differ from SITE_URL (another
    name for the same machine, a proxy), and the e-mail's other links use SITE_URL.
    """
    parts = urlsplit(url)
    return settings.SITE_URL + parts.path + (f"?{parts.query}" if parts.query else "")


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request) -> str:
        """Officers start on their dashboard, managers on the impact report (what they come for),
        everyone else on their home page; a `next` still wins."""
        if is_officer.test(request.user):
            return reverse("core:dashboard")
        if is_manager.test(request.user):
            return reverse("impact:report-latest")
        return super().get_login_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's security e-mails, carrying the organisation's name and the site address."""
        context = {"organisation": settings.ORGANISATION_NAME, "site_url": settings.SITE_URL, **context}
        super().send_mail(template_prefix, email, context)

    def send_confirmation_mail(self, request, emailconfirmation, signup: bool) -> None:
        """A confirmation link, unless another account uses the address: then a notice without one."""
        address = emailconfirmation.email_address
        if not signup and address_used_by_another(email=address.email, user=address.user):
            self.send_mail("account/email/email_in_use", address.email, {"email": address.email})
            return
        super().send_confirmation_mail(request, emailconfirmation, signup)

    def confirm_email(self, request, email_address) -> bool:
        """Refuse a link opened after another account came to use the address (an import, say)."""
        if address_used_by_another(email=email_address.email, user=email_address.user):
            self.add_message(
                request,
                messages.ERROR,
                "account/messages/email_confirmation_failed.txt",
                {"email": email_address.email},
            )
            return False
        return super().confirm_email(request, email_address)

    def get_reset_password_from_key_url(self, key: str) -> str:
        return on_site(super().get_reset_password_from_key_url(key))

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return on_site(super().get_email_confirmation_url(request, emailconfirmation))

    def login(self, request, user) -> None:
        current_address_record(user=user, confirm=False)
        super().login(request, user)

    def is_open_for_signup(self, request) -> bool:
        return bool(settings.SIGNUP_ALLOWED_DOMAINS)

    def get_login_stages(self) -> list[str]:
        """allauth's, with the second-factor step that knows when the company's provider asked for one."""
        return company_signin.login_stages(super().get_login_stages())

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email).lower()
        allowed = settings.SIGNUP_ALLOWED_DOMAINS
        if allowed and email.rsplit("@", 1)[-1] not in allowed:
            raise forms.ValidationError("Sign-up is open only to addresses of: " + ", ".join(allowed) + ".")
        return email


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """Company sign-in (saypro/core/company_signin.py): one provider, from the settings, matched to people."""

    error_messages = {
        **DefaultSocialAccountAdapter.error_messages,
        "no_password": "Set a password first (“Forgot your password?” on the sign-in page): "
        "without the company account it is your only way in.",
    }

    def list_apps(self, request, provider=None, client_id=None):
        app = company_signin.company_app()
        if app is None or provider not in (None, app.provider, app.provider_id):
            return []
        if client_id is not None and client_id != app.client_id:
            return []
        return [app]

    def pre_social_login(self, request, sociallogin) -> None:
        company_signin.company_signin_match(request=request, sociallogin=sociallogin)

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return company_signin.signup_open_for(company_signin.verified_email(sociallogin))

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.email = (company_signin.verified_email(sociallogin) or user.email or "").lower()
        return user

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        company_signin.record_signup(person=user, sociallogin=sociallogin)
        return user

    def validate_disconnect(self, account, accounts) -> None:
        """A person keeps a way in: the company account goes only while they have a password."""
        if not account.user.has_usable_password():
            raise self.validation_error("no_password")


class AddEmailForm(AllauthAddEmailForm):
    """Change of address: the current one stays until the new one is confirmed.

    An address another account uses passes the form like any other (see the module docstring).
    """

    def save(self, request):
        current_address_record(user=self.user, confirm=True)
        return super().save(request)
