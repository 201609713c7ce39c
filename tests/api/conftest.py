import pytest
from rest_framework.test import APIClient

from saypro.api import services


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def token_for():
    """Return `make(person, scopes=("read", "write"))`, which gives back an APIClient using a fresh token."""

    def make(person, scopes=("read", "write")):
        _token, secret = services.token_create(person=person, name="script", scopes=list(scopes), days=30)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        return client

    return make
