"""The officer's round page reads its round, topics and number of circles from the cache (issue 12),
and shows each write to them on the next request."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from circles import services
from circles.models import Round
from tests.circles.views.test_queries import bulk_signups, formed_round
from tests.factories.circles import RoundFactory, TopicFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _url(round: Round) -> str:
    return reverse("circles:round-detail", kwargs={"pk": round.pk})


def test_a_warm_open_round_page_runs_no_query(client_for, officer, topics, django_assert_num_queries):
    round = RoundFactory(topics=topics)
    bulk_signups(round=round, count=20, topics=topics)
    client = client_for(officer)
    client.get(_url(round))

    # Only the session's (in the database in tests): the round, its topics, its number of circles
    # and the sign-up counts come from the cache.
    with django_assert_num_queries(1) as context:
        response = client.get(_url(round))

    assert "circles_" not in " ".join(q["sql"] for q in context.captured_queries)
    assert [t.name for t in response.context["round"].topics.all()] == sorted(t.name for t in topics)
    assert response.context["counts"].signed_up == 20


def test_the_round_page_follows_an_edit_forming_and_calling_off(client_for, officer, topics):
    round = RoundFactory(topics=topics[:2], place="Room 1")
    bulk_signups(round=round, count=12, topics=topics[:2])
    client = client_for(officer)
    page = client.get(_url(round)).content.decode()
    assert "Room 1" in page
    assert "No circle yet." in page

    extra = TopicFactory(name="Added this week")
    services.round_update(
        round=round,
        by=officer,
        signup_deadline=round.signup_deadline,
        meets_at=round.meets_at,
        duration_minutes=round.duration_minutes,
        place="Room 2",
        topics=[*topics[:2], extra],
    )
    response = client.get(_url(round))
    assert "Room 2" in response.content.decode()
    assert "Added this week" in [t.name for t in response.context["round"].topics.all()]

    # Formed: the circles are written in bulk; the page lists them and counts them.
    Round.objects.filter(pk=round.pk).update(signup_deadline=timezone.now() - dt.timedelta(minutes=1))
    services.circle_round_form_groups(round=Round.objects.get(pk=round.pk), by=officer)
    circles = Round.objects.get(pk=round.pk).circles.count()
    assert circles > 0
    response = client.get(_url(round))
    assert response.context["round"].state == Round.State.FORMED
    assert f"Circles ({circles})" in response.content.decode()
    assert len(response.context["circle_rows"]) == circles

    services.circle_round_cancel(round=Round.objects.get(pk=round.pk), by=officer, reason="A public holiday.")
    page = client.get(_url(round)).content.decode()
    assert "Called off: A public holiday." in page
    assert "No circle yet." in page


def test_the_round_page_says_when_every_member_was_told(client_for, officer, topics, mailoutbox):
    round, _ = formed_round(count=12, topics=topics, officer=officer)
    services.circle_round_publish(round=round, by=officer)
    Round.objects.filter(pk=round.pk).update(announced_at=None)  # the announcement has not run yet
    client = client_for(officer)
    assert "Members are being told" in client.get(_url(round)).content.decode()

    services.circle_round_announce(round=Round.objects.get(pk=round.pk))

    assert "Every member was told on" in client.get(_url(round)).content.decode()


def test_more_circles_come_from_the_cached_count(client_for, officer, topics):
    round, _ = formed_round(count=150, topics=topics, officer=officer)
    client = client_for(officer)
    client.get(_url(round))
    more = reverse("circles:round-circles", kwargs={"pk": round.pk})

    response = client.get(more, {"page": 3}, headers=HTMX)

    assert [row["circle"].number for row in response.context["circle_rows"]][-1] == 30
    assert client.get(more, {"page": 4}, headers=HTMX).status_code == 404


def test_a_missing_round_is_404(client_for, officer):
    assert client_for(officer).get(reverse("circles:round-detail", kwargs={"pk": 999999})).status_code == 404
