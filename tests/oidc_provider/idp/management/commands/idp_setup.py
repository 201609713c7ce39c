"""Create the site's client and the provider's people (usernames in the claims file, one password)."""

import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application


class Command(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--password", required=True)

    def handle(self, *args, client_id, client_secret, password, **options):
        Application.objects.create(
            name="SayPro Share Learnings",
            client_id=client_id,
            client_secret=client_secret,
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            # Checked by the validator instead (any port of this machine): see idp/validator.py.
            redirect_uris="http://testserver/accounts/oidc/company/login/callback/",
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
        for username in json.loads(settings.IDP_CLAIMS_FILE.read_text()):
            get_user_model().objects.create_user(username=username, password=password)
