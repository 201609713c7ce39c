"""Template helpers for the sign-in pages."""

from allauth.account.adapter import get_adapter
from django import template
from django.urls import reverse

from saypro.core.company_signin import company_app

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_is_open(context) -> bool:
    """Whether people may create their own account (only for the allowed e-mail domains)."""
    request = context.get("request")
    return bool(request is not None and get_adapter(request).is_open_for_signup(request))


@register.simple_tag
def company_signin() -> dict | None:
    """The company sign-in button's text and where it posts; None when company sign-in is not configured."""
    app = company_app()
    if app is None:
        return None
    return {"name": app.name, "url": reverse("openid_connect_login", kwargs={"provider_id": app.provider_id})}
