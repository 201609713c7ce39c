"""Claims from the file the tests write, so each test decides what the provider asserts."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from oauth2_provider.oauth2_validators import OAuth2Validator

CALLBACK_PATH = "/accounts/oidc/company/login/callback/"
# The site under test: the test client's host, or a live server on this machine on any port.
SITE_HOSTS = {"testserver", "localhost", "127.0.0.1"}


class ClaimsFileValidator(OAuth2Validator):
    # Every claim the test sets goes into the ID token and userinfo, whatever the scopes: amr and
    # acr (RFC 8176; OpenID Connect Core 2) and claims of other names, as some providers send.
    oidc_claim_scope = None

    def get_additional_claims(self, request):
        claims = json.loads(settings.IDP_CLAIMS_FILE.read_text())
        return claims.get(request.user.username, {})

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        # The live server's port is known only after the provider started, so the callback is
        # allowed on any port of this machine, on its one path only.
        parts = urlsplit(redirect_uri)
        return parts.scheme == "http" and parts.hostname in SITE_HOSTS and parts.path == CALLBACK_PATH
