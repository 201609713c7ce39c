"""Template helpers for the sign-in pages."""

from allauth.account.adapter import get_adapter
from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def signup_is_open(context) -> bool:
    """Whether people may create their own account (only for the allowed e-mail domains)."""
    request = context.get("request")
    return bool(request is not None and get_adapter(request).is_open_for_signup(request))
