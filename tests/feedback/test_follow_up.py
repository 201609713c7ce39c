"""After the session: attendees get the summary and a prompt to write a reflection, once each."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Contribution, FeedbackSession, Invitation
from saypro.core.models import Notification, OutboundEmail
from saypro.core.services import email_send
from tests.factories import UserFactory
from tests.factories.feedback import ContributionFactory, InvitationFactory, SuggestionFactory

Kind = Contribution.Kind


@pytest.fixture
def held(session, employee, peer):
    """The session held: employee present, peer late, a third person absent; with contributions."""
    absent = UserFactory(first_name="Absent")
    InvitationFactory(session=session, person=absent, attendance="absent")
    Invitation.objects.filter(session=session, person=employee).update(attendance="present")
    Invitation.objects.filter(session=session, person=peer).update(attendance="late")
    challenge = ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE, text="Delegating upwards")
    SuggestionFactory(contribution=challenge, author=peer, text="Offer two options")
    ContributionFactory(session=session, author=peer, kind=Kind.SUCCESS_STORY, text="Backlog closed", highlighted=True)
    ContributionFactory(
        session=session,
        author=peer,
        kind=Kind.INSIGHT,
        text="Secret gossip",
        hidden_at=timezone.now(),
        hidden_reason="x",
    )
    FeedbackSession.objects.filter(pk=session.pk).update(state=FeedbackSession.State.HELD, held_at=timezone.now())
    session.refresh_from_db()
    return {"session": session, "absent": absent}


def test_session_follow_up_sends_attendees_the_summary_and_a_reflection_prompt(held, employee, peer):
    session = held["session"]

    told = services.session_follow_up(session_id=session.pk)

    assert told == 2
    summaries = OutboundEmail.objects.filter(kind="session_summary").order_by("recipient_id")
    assert sorted(summaries.values_list("recipient_id", flat=True)) == sorted([employee.pk, peer.pk])
    body = summaries[0].body_text
    assert "HIGHLIGHTED\n- Success story: Backlog closed" in body
    assert "- Delegating upwards" in body
    assert "> Offer two options" in body
    assert "Secret gossip" not in body
    prompt = Notification.objects.get(recipient=employee, kind="reflection_prompt")
    assert (
        prompt.url
        == f"{reverse('reflections:write')}?kind=feedback_session&context=feedback.feedbacksession%3A{session.pk}"
    )
    assert prompt.title == f"Write a reflection: the feedback session on {session.module.title}"
    assert not Notification.objects.filter(recipient=held["absent"]).exists()
    session.refresh_from_db()
    assert session.follow_up_sent_at is not None


def test_session_follow_up_twice_tells_each_attendee_once(held, employee):
    session = held["session"]

    services.session_follow_up(session_id=session.pk)
    again = services.session_follow_up(session_id=session.pk)

    assert again == 0
    assert OutboundEmail.objects.filter(kind="session_summary", recipient=employee).count() == 1
    assert Notification.objects.filter(kind="reflection_prompt", recipient=employee).count() == 1


def test_session_follow_up_of_a_session_not_held_does_nothing(session):
    assert services.session_follow_up(session_id=session.pk) == 0
    assert services.session_follow_up(session_id=987654) == 0


def test_session_follow_up_reaches_someone_marked_present_afterwards(held, officer):
    session = held["session"]
    services.session_follow_up(session_id=session.pk)
    latecomer = Invitation.objects.get(session=session, person=held["absent"])

    services.attendance_set(invitation=latecomer, attendance="present", by=officer)
    services.session_follow_up(session_id=session.pk)

    assert OutboundEmail.objects.filter(kind="session_summary").count() == 3


def test_session_follow_up_owed_is_sent_by_the_hourly_run(held, employee):
    """A broker outage when the session closed leaves the follow-up to the hourly run."""
    services.session_reminders_send()

    assert OutboundEmail.objects.filter(kind="session_summary", recipient=employee).count() == 1


def test_session_follow_up_owed_for_a_session_long_over_is_not_sent_by_the_hourly_run(held, employee):
    """A summary weeks late is not news: the hourly run catches up only on sessions that just happened."""
    session = held["session"]

    sent_late = services.session_reminders_send(
        now=session.ends_at + services.FOLLOW_UP_CATCH_UP + dt.timedelta(hours=1)
    )
    assert (sent_late, OutboundEmail.objects.filter(kind="session_summary").count()) == (0, 0)
    services.session_reminders_send(now=session.ends_at + services.FOLLOW_UP_CATCH_UP - dt.timedelta(hours=1))
    assert OutboundEmail.objects.filter(kind="session_summary", recipient=employee).count() == 1


def test_summary_email_is_delivered_with_html_and_text(held, employee):
    services.session_follow_up(session_id=held["session"].pk)
    email = OutboundEmail.objects.get(kind="session_summary", recipient=employee)

    assert email_send(email_id=email.pk) is True

    (message,) = [m for m in mail.outbox if m.to == [employee.email]]
    assert message.subject == f"[SayPro] Summary: Feedback session: {held['session'].module.title}"
    html = message.alternatives[0][0]
    assert "<p>Offer two options</p>" in html
    assert "Secret gossip" not in html


def test_session_follow_up_summary_names_nobody_for_an_anonymous_challenge(held, employee, peer):
    session = held["session"]
    Contribution.objects.filter(session=session, kind=Kind.CHALLENGE).update(anonymous=True)

    services.session_follow_up(session_id=session.pk)

    summary = OutboundEmail.objects.filter(kind="session_summary", recipient=peer).get()
    assert "- Delegating upwards (a colleague)" in summary.body_text
    assert employee.full_name not in summary.body_text
    assert employee.full_name not in summary.body_html
    assert f"Backlog closed ({peer.full_name})" in summary.body_text
