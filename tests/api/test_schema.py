"""schemathesis against the API's own OpenAPI schema: no server errors, every answer as documented.

It generates requests from the schema (valid and invalid), sends them in process to the Django
application as a person with a read-and-write token, and checks each response against the
schema: status code documented, body and headers conforming, never a 5xx, invalid input refused.
"""

from contextlib import contextmanager

import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from saypro.api import services
from tests.factories.cafes import CafeFactory
from tests.factories.circles import RoundFactory
from tests.factories.reflections import ReflectionFactory, ReflectionTemplateFactory

EXAMPLES_PER_OPERATION = 12


@contextmanager
def connections_kept_open():
    """Serve requests in process without closing the test's database connection after each one.

    A real WSGI handler closes "old" connections when a request starts and ends; inside the
    test's transaction that closes the connection itself on PostgreSQL. Django's test client
    disconnects the same two receivers.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


# A schema-valid request may still break a business rule the schema cannot say (an empty topic
# list, a retired template): the 400 that follows is documented and checked like any answer,
# so only the "valid data must be accepted" check is left out.
EXCLUDED_CHECKS = [positive_data_acceptance]


def test_api_conforms_to_its_schema(db, employee):
    # Something behind every endpoint, so generated requests reach past the 404s.
    template = ReflectionTemplateFactory()
    ReflectionFactory(author=employee, template=template)
    RoundFactory()
    CafeFactory(state="published")
    _token, secret = services.token_create(person=employee, name="schemathesis", scopes=["read", "write"], days=1)
    headers = {"Authorization": f"Bearer {secret}"}
    with connections_kept_open():
        schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", WSGIHandler())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 14

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
        def conforms(case):
            case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)

        with connections_kept_open():
            conforms()
