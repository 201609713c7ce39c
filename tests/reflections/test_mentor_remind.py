"""An officer reminds a waiting mentee's mentors: once a day, audited, only with something waiting."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reflections import services
from saypro.core.models import AuditEntry, Notification, OutboundEmail
from tests.factories import MentorLinkFactory, UserFactory
from tests.factories.reflections import ReflectionFactory

pytestmark = pytest.mark.django_db


def waiting(author, *, days: int, **kwargs):
    kwargs.setdefault("state", "submitted")
    kwargs.setdefault("visibility", "mentor")
    return ReflectionFactory(author=author, now=timezone.now() - dt.timedelta(days=days), answered=False, **kwargs)


def test_mentor_remind_waiting_tells_each_active_mentor_the_count_and_audits(employee, mentor, officer):
    second = UserFactory(first_name="Sam", last_name="Second")
    MentorLinkFactory(mentor=second, mentee=employee)
    MentorLinkFactory(mentor=UserFactory(), mentee=employee, is_active=False)
    waiting(employee, days=12)
    waiting(employee, days=3, state="resubmitted", visibility="colleagues")
    waiting(employee, days=20, visibility="private")
    waiting(employee, days=20, state="validated")

    reminded = services.mentor_remind_waiting(mentee=employee, by=officer)

    notes = Notification.objects.filter(kind="mentor_reminder").order_by("recipient_id")
    assert reminded == 2
    assert [(n.recipient_id, n.title, n.url) for n in notes] == [
        (person.pk, f"{employee.full_name} has 2 reflections waiting for your review", "/reflections/mentor/")
        for person in sorted([mentor, second], key=lambda p: p.pk)
    ]
    assert OutboundEmail.objects.filter(kind="mentor_reminder").count() == 2
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id, entry.data) == (
        officer,
        "reflections.mentor_remind",
        str(employee.pk),
        {"mentors": sorted([mentor.pk, second.pk]), "waiting": 2},
    )


def test_mentor_remind_waiting_twice_a_day_reminds_once(employee, mentor, officer):
    waiting(employee, days=9)
    services.mentor_remind_waiting(mentee=employee, by=officer)

    again = services.mentor_remind_waiting(mentee=employee, by=officer)

    assert again == 0
    assert Notification.objects.filter(kind="mentor_reminder").count() == 1
    assert AuditEntry.objects.count() == 1


def test_mentor_remind_waiting_without_a_waiting_reflection_refused(employee, mentor, officer):
    waiting(employee, days=9, state="validated")

    with pytest.raises(ValidationError) as caught:
        services.mentor_remind_waiting(mentee=employee, by=officer)

    assert caught.value.messages == [f"No reflection of {employee.full_name} waits for a mentor."]
    assert (Notification.objects.count(), AuditEntry.objects.count()) == (0, 0)


def test_mentor_remind_waiting_without_an_active_mentor_refused(employee, officer):
    MentorLinkFactory(mentor=UserFactory(), mentee=employee, is_active=False)
    waiting(employee, days=9)

    with pytest.raises(ValidationError) as caught:
        services.mentor_remind_waiting(mentee=employee, by=officer)

    assert caught.value.messages == [f"{employee.full_name} has no active mentor; assign one first."]
    assert (Notification.objects.count(), AuditEntry.objects.count()) == (0, 0)


@pytest.mark.parametrize("role", ["employee", "mentor", "manager"])
def test_mentor_remind_waiting_by_a_non_officer_refused(request, employee, mentor, role):
    waiting(employee, days=9)

    with pytest.raises(PermissionDenied):
        services.mentor_remind_waiting(mentee=employee, by=request.getfixturevalue(role))

    assert Notification.objects.count() == 0
