"""The officer runs a week from the pages: topics, the round's slot, forming, publishing with e-mails and invites."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from circles.models import Round, Topic
from saypro.core.models import AuditEntry, OutboundEmail
from tests.factories import UserFactory
from tests.factories.circles import SignupFactory

pytestmark = pytest.mark.django_db


def test_officer_creates_and_retires_a_topic(client_for, officer):
    client = client_for(officer)
    response = client.post(
        reverse("circles:topic-create"),
        {
            "name": "Listening",
            "description": "Hear more.",
            "prompts": "Who listened well?\nWhat helped?",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get(name="Listening")
    assert topic.prompt_list == ["Who listened well?", "What helped?"]
    response = client.post(
        reverse("circles:topic-edit", kwargs={"pk": topic.pk}),
        {"name": "Listening", "description": "Hear more.", "prompts": topic.prompts},
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.is_active is False
    assert "retired" in client.get(reverse("circles:topic-list")).content.decode()


def test_officer_opens_next_round_once(client_for, officer):
    client = client_for(officer)
    first = client.post(reverse("circles:round-open"))
    second = client.post(reverse("circles:round-open"), follow=True)
    round = Round.objects.get()
    assert first["Location"] == reverse("circles:round-detail", kwargs={"pk": round.pk})
    assert "Next week&#x27;s round was already open." in second.content.decode()
    assert AuditEntry.objects.filter(action="circles.round_open").count() == 1


def test_officer_changes_slot_and_topics(client_for, officer, open_round, topics):
    response = client_for(officer).post(
        reverse("circles:round-edit", kwargs={"pk": open_round.pk}),
        {
            "signup_deadline": "2031-05-05T17:00",
            "meets_at": "2031-05-07T09:00",
            "duration_minutes": 45,
            "place": "Boardroom",
            "topics": [topics[1].pk],
        },
    )
    assert response.status_code == 302
    open_round.refresh_from_db()
    assert timezone.localtime(open_round.meets_at).strftime("%Y-%m-%d %H:%M") == "2031-05-07 09:00"
    assert (open_round.duration_minutes, open_round.place) == (45, "Boardroom")
    assert list(open_round.topics.all()) == [topics[1]]


def test_officer_forms_and_publishes_and_members_get_mail_with_invite(
    client_for, officer, open_round, topics, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    people = UserFactory.create_batch(5)
    for person in people:
        SignupFactory(round=open_round, person=person, choices=[topics[0]])
    Round.objects.filter(pk=open_round.pk).update(signup_deadline=timezone.now() - dt.timedelta(minutes=1))
    client = client_for(officer)
    client.post(reverse("circles:round-form", kwargs={"pk": open_round.pk}))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("circles:round-publish", kwargs={"pk": open_round.pk}), follow=True)
    assert "Published. Every member is being e-mailed their circle with a calendar invite." in response.content.decode()
    mail.outbox = [m for m in mail.outbox if "Your circle" in m.subject]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    message = mail.outbox[0]
    assert message.subject.startswith("[SayPro] Your circle on Delegation test, ")
    assert "Prompts to start the conversation:" in message.body
    filename, content, mimetype = message.attachments[0]
    assert (filename, mimetype) == ("invite.ics", "text/calendar; method=REQUEST; charset=utf-8")
    assert "SUMMARY:Peer sharing circle: Delegation test" in content
    # Publishing twice is refused and sends nothing more.
    response = client.post(reverse("circles:round-publish", kwargs={"pk": open_round.pk}), follow=True)
    assert "Only formed circles awaiting review can be published." in response.content.decode()
    assert OutboundEmail.objects.filter(kind="circle_published").count() == 5


def test_officer_lock_toggles(client_for, officer, open_round, topics):
    for person in UserFactory.create_batch(3):
        SignupFactory(round=open_round, person=person, choices=[topics[0]])
    client = client_for(officer)
    client.post(reverse("circles:round-form", kwargs={"pk": open_round.pk}))
    circle = open_round.circles.get()
    client.post(reverse("circles:circle-lock", kwargs={"pk": circle.pk}), {"locked": "1"})
    circle.refresh_from_db()
    assert circle.is_locked is True
    client.post(reverse("circles:circle-lock", kwargs={"pk": circle.pk}), {"locked": "0"})
    circle.refresh_from_db()
    assert circle.is_locked is False


def test_officer_calls_off_a_week_with_reason(client_for, officer, open_round, topics):
    SignupFactory(round=open_round, person=UserFactory(), choices=[topics[0]])
    url = reverse("circles:round-cancel", kwargs={"pk": open_round.pk})
    client = client_for(officer)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert response.context["form"].errors == {"reason": ["This field is required."]}
    response = client.post(url, {"reason": "Public holiday"})
    assert response.status_code == 302
    open_round.refresh_from_db()
    assert open_round.state == Round.State.NO_CIRCLES


def test_officer_places_someone_in_a_new_circle(client_for, officer, open_round, topics):
    for person in UserFactory.create_batch(6):
        SignupFactory(round=open_round, person=person, choices=[topics[0]])
    client = client_for(officer)
    client.post(reverse("circles:round-form", kwargs={"pk": open_round.pk}))
    person = open_round.circles.get().memberships.first().person
    url = reverse("circles:membership-move", kwargs={"pk": open_round.pk, "person_id": person.pk})
    assert (
        f'<option value="new-{topics[1].pk}">A new circle on Coaching test</option>' in client.get(url).content.decode()
    )
    alone = client.post(url, {"to_circle": f"new-{topics[1].pk}"})
    assert alone.status_code == 400
    assert "A new circle needs at least 3 people: choose 2 more to move with" in alone.content.decode()
    assert open_round.circles.count() == 1
    others = [m.person for m in open_round.circles.get().memberships.exclude(person=person).order_by("pk")[:2]]
    one_more = client.post(url, {"to_circle": f"new-{topics[1].pk}", "together_with": [others[0].pk]})
    html = one_more.content.decode()
    assert "choose 1 more to move with" in html
    # What the officer chose stays chosen, and each person is named with where they work.
    assert f'<option value="{others[0].pk}" selected>' in html
    response = client.post(url, {"to_circle": f"new-{topics[1].pk}", "together_with": [o.pk for o in others]})
    assert response.status_code == 302
    new = open_round.circles.get(number=2)
    assert new.topic == topics[1]
    assert set(new.memberships.values_list("person_id", flat=True)) == {person.pk, *(o.pk for o in others)}
