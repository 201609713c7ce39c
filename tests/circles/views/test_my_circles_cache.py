""" "My circles" shows each circle's card from HTML kept per version of the circle, its members and its
learnings (issue 12): the same card for each member, each write shown on the next request, and only
the person's own circles."""

import datetime as dt

import pytest
from django.urls import reverse

from circles import services
from circles.models import Membership
from tests.circles.conftest import published_circle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("circles:mine")


def card(html: str, circle) -> str:
    start = html.index(f'id="circle-{circle.pk}-title"')
    return html[start : html.index("</article>", start)]


def test_the_card_follows_learnings_hiding_leaving_renames_and_the_slot(
    client_for, employee, colleagues, officer, invites
):
    met = published_circle(people=[employee, *colleagues], host=employee, meets_in=-dt.timedelta(hours=1))
    coming = published_circle(people=[employee, *colleagues], host=employee)
    client = client_for(employee)
    assert "Learnings" not in card(client.get(URL).content.decode(), met)

    learning = services.circle_learning_record(circle=met, author=colleagues[0], body="Ask *why* first")
    assert "<em>why</em>" in card(client.get(URL).content.decode(), met)
    services.circle_learning_hide(learning=learning, by=officer, reason="Names a client")
    assert "<em>why</em>" not in card(client.get(URL).content.decode(), met)

    services.circle_membership_leave(
        membership=Membership.objects.get(circle=coming, person=colleagues[1]), by=colleagues[1], reason="Ill"
    )
    assert f"<s>{colleagues[1].full_name}</s>" in card(client.get(URL).content.decode(), coming)

    colleagues[2].first_name = "Renamed"
    colleagues[2].save()
    assert "Renamed" in card(client.get(URL).content.decode(), coming)

    coming.round.place = "The new room"
    coming.round.save()
    assert "The new room" in card(client.get(URL).content.decode(), coming)


def test_each_member_sees_the_same_card_and_nobody_sees_a_circle_they_are_not_in(client_for, employee, colleagues):
    mine = published_circle(people=[employee, *colleagues])
    others = [UserFactory() for _ in range(4)]
    theirs = published_circle(people=others)

    mine_for_employee = client_for(employee).get(URL).content.decode()
    mine_for_colleague = client_for(colleagues[0]).get(URL).content.decode()
    theirs_for_other = client_for(others[0]).get(URL).content.decode()

    assert card(mine_for_employee, mine) == card(mine_for_colleague, mine)
    assert f'id="circle-{theirs.pk}-title"' not in mine_for_employee
    assert f'id="circle-{mine.pk}-title"' not in theirs_for_other
    assert others[1].full_name in card(theirs_for_other, theirs)


# --- the rest of the page, kept per person (issue 12) --------------------------------------------------


def test_the_sign_up_section_follows_the_persons_sign_up_and_every_week_sign_up(
    client_for, employee, other_employee, open_round, topics, django_assert_num_queries
):
    client = client_for(employee)
    assert "Sign up for next week" in client.get(URL).content.decode()
    with django_assert_num_queries(1):  # the session; the rest is kept
        client.get(URL)

    services.signup_save(round=open_round, person=other_employee, topic_ids=[topics[0].pk])  # not theirs
    with django_assert_num_queries(1):
        assert "Sign up for next week" in client.get(URL).content.decode()

    services.signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk, topics[1].pk])
    assert f"1. {topics[0].name}, 2. {topics[1].name}." in client.get(URL).content.decode()
    services.signup_save(round=open_round, person=employee, topic_ids=[topics[1].pk])
    assert f"1. {topics[1].name}." in client.get(URL).content.decode()

    services.standing_save(person=employee, topic_ids=[topics[1].pk], is_active=True, paused_until=None)
    assert "You are signed up every week" in client.get(URL).content.decode()
    services.signup_save(round=open_round, person=employee, topic_ids=[topics[1].pk], every_week=False)
    assert "You are signed up every week" not in client.get(URL).content.decode()


def test_the_page_follows_a_new_circle_and_the_sign_up_closing(
    client_for, employee, colleagues, open_round, monkeypatch
):
    from django.utils import timezone

    client = client_for(employee)
    assert "No upcoming circle" in client.get(URL).content.decode()

    circle = published_circle(people=[employee, *colleagues])
    assert f'id="circle-{circle.pk}-title"' in client.get(URL).content.decode()
    assert "Sign up for next week" in client.get(URL).content.decode()

    closed = open_round.signup_deadline + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: closed)
    assert "No round is open for sign-up right now" in client.get(URL).content.decode()
