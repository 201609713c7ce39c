"""What the circles pages show: members, prompts, learnings, the gap a leaver leaves, who one has met."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from circles import services
from circles.models import Learning, Membership
from saypro.core.models import Notification
from tests.circles.conftest import published_circle
from tests.factories import UserFactory
from tests.factories.circles import SignupFactory

pytestmark = pytest.mark.django_db


def test_my_circles_shows_members_prompts_and_learnings(client_for, employee, colleagues, met_circle, upcoming_circle):
    Learning.objects.create(
        circle=met_circle,
        author=colleagues[0],
        body="x",
        body_html="<p>Ask <em>first</em></p>",
        created_at=timezone.now(),
    )
    Learning.objects.create(
        circle=met_circle,
        author=colleagues[1],
        body="y",
        body_html="<p>Hidden one</p>",
        is_hidden=True,
        hidden_reason="Off topic",
    )
    response = client_for(employee).get(reverse("circles:mine"))
    assert [c.pk for c in response.context["upcoming"]] == [upcoming_circle.pk]
    assert [c.pk for c in response.context["past"]] == [met_circle.pk]
    page = response.content.decode()
    for person in colleagues:
        assert person.full_name in page
        assert person.department.name in page
        assert person.location.name in page
    assert "What worked?" in page
    assert "<p>Ask <em>first</em></p>" in page
    assert "Hidden one" not in page


def test_my_circles_hides_others_circles(client_for, other_employee, upcoming_circle):
    response = client_for(other_employee).get(reverse("circles:mine"))
    assert (response.context["upcoming"], response.context["past"]) == ([], [])


def test_round_page_shows_the_gap_a_leaver_leaves(client_for, officer, colleagues, upcoming_circle):
    services.circle_membership_leave(
        membership=Membership.objects.get(circle=upcoming_circle, person=colleagues[2]), by=colleagues[2], reason="Ill"
    )
    response = client_for(officer).get(reverse("circles:round-detail", kwargs={"pk": upcoming_circle.round_id}))
    row = response.context["circle_rows"][0]
    assert [m.person for m in row["left"]] == [colleagues[2]]
    assert len(row["active"]) == 3
    assert f"<s>{colleagues[2].full_name}</s> left" in response.content.decode()


def test_history_page_lists_people_met(client_for, employee, colleagues):
    published_circle(people=[employee, *colleagues], meets_in=-dt.timedelta(days=2))
    response = client_for(employee).get(reverse("circles:history"))
    assert sorted(m.person.pk for m in response.context["met"]) == sorted(c.pk for c in colleagues)
    assert colleagues[0].full_name in response.content.decode()


def test_attendance_invites_attendees_through_reflections(employee, colleagues, met_circle):
    services.circle_attendance_record(circle=met_circle, by=employee, attended_person_ids=[employee.pk])
    prompt = Notification.objects.get(kind="reflection_prompt")
    assert prompt.recipient == employee
    assert prompt.title == "Write a reflection: your circle on Delegation test"
    assert f"context=circles.circle%3A{met_circle.pk}" in prompt.url


def test_officer_sees_circle_but_not_signups(client_for, officer, employee, open_round, topics):
    services.signup_save(round=open_round, person=employee, topic_ids=[topics[2].pk])
    page = client_for(officer).get(reverse("circles:round-detail", kwargs={"pk": open_round.pk})).content.decode()
    assert "<strong>1</strong> signed up" in page
    assert employee.full_name not in page


def test_unplaced_person_listed_for_officer(client_for, officer, open_round, topics):
    people = UserFactory.create_batch(5)
    for person in people:
        services.signup_save(round=open_round, person=person, topic_ids=[topics[0].pk])
    services.circle_round_form_groups(round=open_round, by=officer)
    late = UserFactory()
    SignupFactory(round=open_round, person=late, choices=[topics[0]])
    response = client_for(officer).get(reverse("circles:round-detail", kwargs={"pk": open_round.pk}))
    assert response.context["unplaced"] == [late]
    assert "Not placed yet" in response.content.decode()


def test_officer_hides_learning_with_reason(client_for, officer, employee, met_circle, invites):
    learning = services.circle_learning_record(circle=met_circle, author=employee, body="Names a *colleague*")
    client = client_for(officer)
    url = reverse("circles:learning-hide", kwargs={"pk": learning.pk})
    response = client.post(url, {"reason": "  "}, follow=True)
    assert "Say why it is hidden." in response.content.decode()
    client.post(url, {"reason": "Names a colleague"})
    learning.refresh_from_db()
    assert (learning.is_hidden, learning.hidden_reason) == (True, "Names a colleague")
    page = client_for(employee).get(reverse("circles:circle-detail", kwargs={"pk": met_circle.pk})).content.decode()
    assert "<em>colleague</em>" not in page
