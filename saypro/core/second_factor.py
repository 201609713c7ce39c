"""A second factor (allauth.mfa) for everyone, required of officers, staff and superusers.

Everyone may add an authenticator app (TOTP), passkeys / security keys (WebAuthn) and
recovery codes at /accounts/2fa/. Officers (who change what everyone sees), other staff (who
reach the admin) and superusers must: until they have an authenticator app or a passkey,
every page but the sign-in pages sends them to set one up (`SecondFactorRequiredMiddleware`).
Recovery codes alone do not count: they are the way back in when the real factor is lost.

Whether the person has one is kept in the session, written at sign-in and whenever an
authenticator is added or removed, so the check costs no query on each request. The
setting OFFICER_MFA_REQUIRED (environment variable, on by default, off for `make run`)
relaxes the rule for the demo logins.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from .roles import OFFICER

SESSION_KEY = "saypro.has_second_factor"
FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
# Sign-in, sign-out, the 2FA pages themselves and files: reachable before a factor is set up.
EXEMPT_PREFIXES = ("/accounts/",)
MESSAGE_TAG = "second-factor"


def second_factor_required(user) -> bool:
    """Whether this person may use the site only with a second factor set up."""
    if not user.is_authenticated:
        return False
    # is_staff and is_superuser cost nothing; the group only for the rest (cached per request).
    return bool(user.is_superuser or user.is_staff or user.has_group(OFFICER))


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=FACTOR_TYPES).exists()


def remember_second_factor(request, user) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = has_second_factor(user)


def second_factor_passed(request) -> None:
    """Count this session as having a second factor (the company's provider asked for one at sign-in)."""
    request.session[SESSION_KEY] = True


@receiver(user_logged_in, dispatch_uid="saypro.second_factor.logged_in")
def _on_login(sender, request, user, **kwargs) -> None:
    remember_second_factor(request, user)


@receiver(authenticator_added, dispatch_uid="saypro.second_factor.added")
@receiver(authenticator_removed, dispatch_uid="saypro.second_factor.removed")
def _on_authenticator_change(sender, request, user, **kwargs) -> None:
    remember_second_factor(request, user)


def _setup_notice(request) -> None:
    """Say once (not once per refused page) why the person landed on the 2FA page."""
    storage = messages.get_messages(request)
    queued = any(MESSAGE_TAG in message.tags for message in storage)
    storage.used = False
    if not queued:
        messages.warning(
            request,
            "Your role needs a second factor: set up an authenticator app or a passkey to continue.",
            extra_tags=MESSAGE_TAG,
        )


class SecondFactorRequiredMiddleware:
    """Sends an officer, staff member or superuser without a second factor to set one up."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = (*EXEMPT_PREFIXES, settings.STATIC_URL, settings.MEDIA_URL)

    def __call__(self, request):
        if (
            settings.OFFICER_MFA_REQUIRED
            and not request.path.startswith(self.exempt)
            and request.user.is_authenticated
            and not request.session.get(SESSION_KEY)
            and second_factor_required(request.user)
        ):
            # Look before refusing: a factor added in another session, or a session from before
            # this rule. Only someone who must set one up and has not pays this query.
            remember_second_factor(request, request.user)
            if request.session[SESSION_KEY]:
                return self.get_response(request)
            _setup_notice(request)
            target = reverse("mfa_index")
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(target)
            return HttpResponseRedirect(target)
        return self.get_response(request)
