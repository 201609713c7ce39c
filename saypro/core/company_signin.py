"""Company sign-in: OpenID Connect through allauth.socialaccount, configured by OIDC_* settings.

People arrive by HR's import, so the provider's answer is matched to a person who already has
an account, never made into a second one: the provider's e-mail address, if the provider says
it is verified (OIDC_EMAIL_VERIFIED_CLAIM), is looked up without regard to case among active
people, and the company account is connected to that person. Anyone else is refused with a
page that says whom to ask, unless sign-up is open for their e-mail domain
(OIDC_SIGNUP_DOMAINS); then they get a plain person record, like a sign-up with a password.

Officers, staff and superusers keep needing a second factor (saypro/core/second_factor.py):
the site asks for its own (allauth's code step at sign-in, or setting one up) unless the ID
token says the provider already asked for one (`amr` in OIDC_MFA_AMR or `acr` in OIDC_MFA_ACR).

The app is built from settings on each use, not stored as a SocialApp row: with no
OIDC_SERVER_URL or OIDC_CLIENT_ID there is no button, and every sign-in URL answers 404.
"""

from __future__ import annotations

from functools import wraps

from allauth.account.signals import user_logged_in
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount import views as socialaccount_views
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.conf import settings
from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.http import Http404, HttpRequest
from django.shortcuts import render
from django.urls import include, path

from .second_factor import second_factor_passed
from .services import audit_record

PROVIDER = "openid_connect"
# allauth's AuthenticateStage, which this module's stage replaces in the list of login stages.
ALLAUTH_MFA_STAGE = "allauth.mfa.stages.AuthenticateStage"
MFA_STAGE = "saypro.core.company_signin.SecondFactorStage"


# Why a company sign-in was refused (the audit's reason), with what the refusal page says.
REFUSALS = {
    "unverified": "Your company account does not confirm that its e-mail address is verified.",
    "unknown": "There is no account here for the e-mail address of your company account.",
    "inactive": "The account for this e-mail address is closed.",
    "other_account": "Your account here is already connected to a different company account.",
    "not_yours": "The company account you chose has a different e-mail address than yours here.",
    "signed_out": "A company account is connected from your own account here, and you were not signed in.",
}


def is_configured() -> bool:
    return bool(settings.OIDC_SERVER_URL and settings.OIDC_CLIENT_ID)


def company_app() -> SocialApp | None:
    """The provider's app as allauth wants it, built from the settings; None when not configured."""
    if not is_configured():
        return None
    return SocialApp(
        provider=PROVIDER,
        provider_id=settings.OIDC_PROVIDER_ID,
        name=settings.OIDC_NAME,
        client_id=settings.OIDC_CLIENT_ID,
        secret=settings.OIDC_CLIENT_SECRET,
        # PKCE binds the code to this browser's sign-in as well as the state does.
        settings={"server_url": settings.OIDC_SERVER_URL, "oauth_pkce_enabled": True},
    )


# --- the provider's answer -------------------------------------------------------------------------


def _claims(sociallogin: SocialLogin) -> dict:
    """The ID token's claims, with the userinfo endpoint's answer (read the same way allauth does) on top."""
    data = sociallogin.account.extra_data or {}
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def _is_true(value) -> bool:
    # Some providers send the JSON string "true" rather than the boolean.
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def verified_email(sociallogin: SocialLogin) -> str | None:
    """The provider's e-mail address, lowercase, only if the provider says it is verified."""
    claims = _claims(sociallogin)
    email = str(claims.get("email") or "").strip().lower()
    if not email or not _is_true(claims.get(settings.OIDC_EMAIL_VERIFIED_CLAIM)):
        return None
    return email


def provider_asserts_second_factor(sociallogin: SocialLogin | None) -> bool:
    """Whether the ID token says the provider asked for a second factor at this sign-in."""
    if sociallogin is None:
        return False
    id_token = (sociallogin.account.extra_data or {}).get("id_token") or {}
    amr = id_token.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    acr = id_token.get("acr")
    return bool({str(value) for value in amr} & set(settings.OIDC_MFA_AMR)) or (
        acr is not None and str(acr) in settings.OIDC_MFA_ACR
    )


def signup_open_for(email: str | None) -> bool:
    return bool(email) and email.rsplit("@", 1)[-1] in settings.OIDC_SIGNUP_DOMAINS


# --- matching the answer to a person ---------------------------------------------------------------


def _refuse(request: HttpRequest, sociallogin: SocialLogin, reason: str, *, person=None, email=None):
    audit_record(
        actor=person,
        action="company_signin.refused",
        target=person,
        data={
            "reason": reason,
            "provider": sociallogin.account.provider,
            # The domain only: someone unknown is not to be recorded by name.
            "email_domain": email.rsplit("@", 1)[-1] if email else "",
        },
    )
    response = render(
        request,
        "socialaccount/company_signin_refused.html",
        {"reason": reason, "refusal": REFUSALS[reason]},
        status=403,
    )
    raise ImmediateHttpResponse(response)


def company_signin_match(*, request: HttpRequest, sociallogin: SocialLogin) -> None:
    """Connect the provider's account to the person it belongs to, or refuse the sign-in.

    Called by the adapter before allauth signs anyone in. Side effects: the company account is
    saved connected to the matched person (audit "company_signin.connected"); a refusal writes
    audit "company_signin.refused" with the reason and answers with the refusal page (403).
    Unknown people pass untouched when sign-up is open for their domain: allauth then creates
    their account (SocialAccountAdapter.save_user).
    """
    email = verified_email(sociallogin)
    if sociallogin.state.get("process") == AuthProcess.CONNECT:
        person = request.user
        if not person.is_authenticated:
            _refuse(request, sociallogin, "signed_out", email=email)
        if sociallogin.is_existing:
            return  # allauth refuses an account already connected to someone else
        if email is None:
            _refuse(request, sociallogin, "unverified", person=person)
        if email != person.email.lower():
            _refuse(request, sociallogin, "not_yours", person=person, email=email)
        if SocialAccount.objects.filter(user=person, provider=sociallogin.account.provider).exists():
            _refuse(request, sociallogin, "other_account", person=person, email=email)
        return
    if sociallogin.is_existing:
        person = sociallogin.user
        if not person.is_active:
            _refuse(request, sociallogin, "inactive", person=person)
        return
    if email is None:
        _refuse(request, sociallogin, "unverified")
    person = get_user_model().objects.filter(email__iexact=email).first()
    if person is None:
        if signup_open_for(email):
            return
        _refuse(request, sociallogin, "unknown", email=email)
    if not person.is_active:
        _refuse(request, sociallogin, "inactive", person=person, email=email)
    if SocialAccount.objects.filter(user=person, provider=sociallogin.account.provider).exists():
        # Another subject of the provider already signs in as this person: a second one is not
        # added on the strength of an address alone.
        _refuse(request, sociallogin, "other_account", person=person, email=email)
    sociallogin.connect(request, person)
    audit_record(
        actor=person,
        action="company_signin.connected",
        target=person,
        data={"provider": sociallogin.account.provider, "uid": sociallogin.account.uid},
    )


def record_signup(*, person, sociallogin: SocialLogin) -> None:
    """Audit a person who made their account through company sign-in (sign-up open for their domain)."""
    audit_record(
        actor=person,
        action="company_signin.signed_up",
        target=person,
        data={"provider": sociallogin.account.provider, "uid": sociallogin.account.uid},
    )


# --- the second factor -----------------------------------------------------------------------------


class SecondFactorStage(AuthenticateStage):
    """allauth's "enter your code" step at sign-in, skipped when the company's provider asked for a factor."""

    def _should_handle(self, request: HttpRequest) -> bool:
        if provider_asserts_second_factor((self.login.signal_kwargs or {}).get("sociallogin")):
            return False
        return super()._should_handle(request)


@receiver(user_logged_in, dispatch_uid="saypro.company_signin.logged_in")
def _on_login(sender, request, user, sociallogin=None, **kwargs) -> None:
    # allauth's signal comes after Django's, on which second_factor.py looks for an authenticator.
    if provider_asserts_second_factor(sociallogin):
        second_factor_passed(request)


def login_stages(stages: list[str]) -> list[str]:
    return [MFA_STAGE if stage == ALLAUTH_MFA_STAGE else stage for stage in stages]


# --- URLs ------------------------------------------------------------------------------------------


def only_when_configured(view):
    """The view, or 404 while company sign-in is not configured (as if the URL did not exist)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not is_configured():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def urlpatterns_for_accounts() -> list:
    """allauth's social-account URLs, each answering only while company sign-in is configured.

    Listed before allauth's own in saypro/urls.py, so these answer for the same paths.
    """
    oidc = [
        path("login/", only_when_configured(oidc_views.login)),
        path("login/callback/", only_when_configured(oidc_views.callback)),
    ]
    third_party = [
        path("login/cancelled/", only_when_configured(socialaccount_views.login_cancelled)),
        path("login/error/", only_when_configured(socialaccount_views.login_error)),
        path("signup/", only_when_configured(socialaccount_views.signup)),
        path("", only_when_configured(socialaccount_views.connections)),
    ]
    return [
        path(f"{settings.SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX}/<str:provider_id>/", include(oidc)),
        path("3rdparty/", include(third_party)),
        # allauth's old paths, which only redirect to the ones above.
        path("social/<path:rest>", not_found),
    ]


def not_found(request, *args, **kwargs):
    raise Http404
