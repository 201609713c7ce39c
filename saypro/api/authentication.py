"""DRF authentication and permissions for personal access tokens."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from . import selectors, services


class PersonalAccessTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer spl_…`; an unknown, expired or revoked token is refused outright."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        try:
            secret = header[1].decode()
        except UnicodeError as error:
            raise exceptions.AuthenticationFailed("The token is not valid.") from error
        token = selectors.token_for_secret(secret=secret)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is unknown, expired or revoked.")
        services.token_mark_used(token=token)
        return token.person, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class TokenScope(permissions.BasePermission):
    """A token reads with "read" and changes with "write"; a signed-in browser session may do both."""

    message = "This token's scopes do not allow this request."

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if token is None or not hasattr(token, "allows"):
            return True
        needed = "read" if request.method in permissions.SAFE_METHODS else "write"
        return token.allows(needed)


class PersonalAccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = PersonalAccessTokenAuthentication
    name = "personalAccessToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A personal access token (spl_…)."}
