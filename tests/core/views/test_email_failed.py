"""The officer's list of failed e-mails, with resend: who may use it, what it shows, what a resend does."""

import socket

import pytest
from django.core import mail
from django.urls import reverse

from saypro.core import services
from saypro.core.models import AuditEntry, OutboundEmail
from tests.factories import UserFactory
from tests.permissions import person_for

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "employee", "other_employee", "mentor", "other_mentor", "manager", "officer"]


def _owed(recipient, key="k1") -> OutboundEmail:
    services.notify(
        recipient=recipient, kind="cafe_changed", key=key, title="Café moved", email_template="email/notification"
    )
    return OutboundEmail.objects.get(recipient=recipient, key=key)


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again on leaving: nothing listens there


def test_email_refused_by_a_dead_relay_five_times_is_listed_and_resent_once(client_for, officer, settings):
    """The relay is down for real (SMTP to a port nobody listens on); then it is back."""
    person = UserFactory(email="sipho@example.org")
    email = _owed(person)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _dead_port(), 2
    for _ in range(7):
        services.email_sweep(older_than_seconds=0)
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.FAILED, 5)
    assert "refused" in email.last_error.lower()

    client = client_for(officer)
    page = client.get(reverse("core:email-failed")).content.decode()
    assert "sipho@example.org" in page and "no longer retried" in page

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the relay is back
    response = client.post(reverse("core:email-resend", args=[email.pk]))
    assert response["Location"] == reverse("core:email-failed")
    # The resend's publish waits for a commit that a test transaction never makes; the sweep
    # sends it as it would after a lost message, and a second sweep sends nothing more.
    services.email_sweep(older_than_seconds=0)
    services.email_sweep(older_than_seconds=0)

    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT
    assert [m.to for m in mail.outbox] == [["sipho@example.org"]]
    entry = AuditEntry.objects.get(action="core.email_resend")
    assert (entry.actor, entry.target_id) == (officer, str(email.pk))
    assert "sipho@example.org" not in client.get(reverse("core:email-failed")).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_failed_email_pages_permission_table(request, client_for, officer, role):
    email = _owed(UserFactory())
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.FAILED, attempts=5)
    client = client_for(person_for(request, role))

    listed = client.get(reverse("core:email-failed")).status_code
    resent = client.post(reverse("core:email-resend", args=[email.pk])).status_code

    expected = {"anonymous": 302, "officer": None}.get(role, 403)
    assert (listed, resent) == ((200, 302) if role == "officer" else (expected, expected))
    email.refresh_from_db()
    assert email.status == (OutboundEmail.Status.PENDING if role == "officer" else OutboundEmail.Status.FAILED)


@pytest.mark.parametrize("count", [1, 12])
def test_failed_email_list_query_count_does_not_grow(client_for, officer, django_assert_num_queries, count):
    for n in range(count):
        _owed(UserFactory(), key=f"k{n}")
    OutboundEmail.objects.update(status=OutboundEmail.Status.FAILED, attempts=2, last_error="550 mailbox full")
    client = client_for(officer)
    client.get("/")  # warm the session

    # The session and page reads; the person's row, groups and unread count are cached (person_cache).
    with django_assert_num_queries(3):
        response = client.get(reverse("core:email-failed"))

    assert len(response.context["emails"]) == count
