"""The café page's cached café and answers (issue 12): no query when warm, never stale after a write."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cafes import selectors, services
from cafes.models import Cafe, Rsvp
from tests.factories import UserFactory
from tests.factories.cafes import CafeFactory, RsvpFactory, TalkFactory, on_agenda

pytestmark = pytest.mark.django_db


def _url(cafe: Cafe) -> str:
    return reverse("cafes:cafe-detail", args=[cafe.pk])


def _seats(client, cafe: Cafe) -> str:
    """The RSVP box's text, one line of words."""
    html = client.get(_url(cafe)).content.decode()
    box = html.split('id="rsvp-box"', 1)[1].split("</section>", 1)[0]
    return " ".join(re.sub(r"<[^>]*>", " ", box).split())


def test_a_warm_cafe_page_runs_no_query_for_the_cafe_its_seats_or_the_readers_rsvp(
    client_for, employee, django_assert_num_queries
):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, capacity=3)
    RsvpFactory.create_batch(3, cafe=cafe)
    RsvpFactory(cafe=cafe, person=employee, status=Rsvp.Status.WAITLIST)
    client = client_for(employee)
    client.get(_url(cafe))

    # Only the session's (in the database in tests).
    with django_assert_num_queries(1) as context:
        response = client.get(_url(cafe))

    assert "cafes_" not in " ".join(q["sql"] for q in context.captured_queries)
    assert (response.context["seats"].going, response.context["seats"].waitlist) == (3, 1)
    assert (response.context["rsvp"].status, response.context["rsvp"].waitlist_place) == ("waitlist", 1)


def test_the_cached_seats_and_rsvp_are_the_ones_in_the_database(django_assert_num_queries):
    cafe = CafeFactory(capacity=3)
    going = RsvpFactory.create_batch(2, cafe=cafe)
    cancelled = RsvpFactory(cafe=cafe, status=Rsvp.Status.CANCELLED)
    now = timezone.now()
    # Two answers at the same moment wait in id order.
    first = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST, answered_at=now - dt.timedelta(minutes=5))
    second = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST, answered_at=now)
    third = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST, answered_at=now)
    selectors.cafe_seats_and_rsvp(cafe=cafe, person=UserFactory())

    # The place counts those waiting who answered up to the person's answer: the going and the
    # cancelled answered after `first`, before the others.
    expected = {first: 1, second: 2, third: 3, cancelled: 1, going[0]: 1, going[1]: 1}
    with django_assert_num_queries(0):
        for answer, place in expected.items():
            seats, rsvp = selectors.cafe_seats_and_rsvp(cafe=cafe, person=answer.person)
            assert (seats.capacity, seats.going, seats.waitlist, seats.left) == (3, 2, 3, 1)
            assert (rsvp.pk, rsvp.status, rsvp.attended, rsvp.answered_at, rsvp.waitlist_place) == (
                answer.pk,
                answer.status,
                answer.attended,
                answer.answered_at,
                place,
            )
        assert selectors.cafe_seats_and_rsvp(cafe=cafe, person=UserFactory.build(pk=10**9))[1] is None


def test_seats_and_rsvp_follow_each_answer_on_the_next_request(client_for, employee, other_employee):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, capacity=1)
    client = client_for(employee)
    assert "1 of 1 seat left" in _seats(client, cafe)

    services.rsvp_going(cafe=cafe, person=other_employee)
    assert "0 of 1 seat left" in _seats(client, cafe)
    assert "Join the waitlist" in _seats(client, cafe)

    # Through the page, as a person does it: the answer shows in the box the RSVP returns.
    response = client.post(reverse("cafes:rsvp", args=[cafe.pk]), {"action": "going"}, headers={"HX-Request": "true"})
    assert "number 1" in response.content.decode()
    assert "You're on the waitlist" in _seats(client, cafe)

    services.rsvp_cancel(cafe=cafe, person=other_employee)  # a seat opens up: the first waiting gets it
    text = _seats(client, cafe)
    assert "You're going." in text
    assert "0 of 1 seat left" in text


def test_a_cafe_marked_held_shows_who_was_there(client_for, employee, officer):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() + dt.timedelta(days=1))
    services.rsvp_going(cafe=cafe, person=employee)
    client = client_for(employee)
    assert "You're going." in _seats(client, cafe)

    Cafe.objects.filter(pk=cafe.pk).update(starts_at=timezone.now() - dt.timedelta(hours=2))  # time passes
    services.cafe_mark_held(cafe=Cafe.objects.get(pk=cafe.pk), by=officer)

    assert "This café took place. Give each speaker feedback" in _seats(client, cafe)


def test_a_changed_cafe_shows_on_the_next_request_and_a_deleted_one_is_gone(client_for, employee, officer):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, title="Old title", capacity=5)
    client = client_for(employee)
    assert "Old title" in client.get(_url(cafe)).content.decode()

    services.cafe_update(cafe=cafe, by=officer, title="New title", capacity=9)
    html = client.get(_url(cafe)).content.decode()
    assert "New title" in html
    assert "9 of 9 seats left" in _seats(client, cafe)

    url = _url(cafe)
    cafe.delete()
    assert client.get(url).status_code == 404


def test_a_missing_cafe_is_404_for_a_signed_in_person(client_for, employee):
    assert client_for(employee).get(reverse("cafes:cafe-detail", args=[999999])).status_code == 404


# --- the officer's agenda page: the café and the proposals waiting, cached -------------------------


def _waiting(client, cafe: Cafe) -> list[tuple[str, int]]:
    html = client.get(reverse("cafes:agenda", args=[cafe.pk])).content.decode()
    found = re.findall(r'/decide/">([^<]+)</a>\s*<div class="small text-body-secondary">[^<]* (\d+) would like', html)
    return [(title, int(count)) for title, count in found]


def test_a_warm_agenda_page_runs_no_query_for_the_cafe_or_the_proposals(client_for, officer, django_assert_num_queries):
    cafe = CafeFactory()
    TalkFactory(cafe=cafe, title="Waiting")
    client = client_for(officer)
    client.get(reverse("cafes:agenda", args=[cafe.pk]))

    with django_assert_num_queries(1) as context:  # the session's, in the database in tests
        response = client.get(reverse("cafes:agenda", args=[cafe.pk]))

    assert "cafes_" not in " ".join(q["sql"] for q in context.captured_queries)
    assert "Waiting" in response.content.decode()


def test_the_proposals_waiting_follow_each_write_on_the_next_request(client_for, officer, employee, other_employee):
    cafe = CafeFactory()
    other_cafe = CafeFactory()
    first = TalkFactory(cafe=cafe, title="First")
    client = client_for(officer)
    assert _waiting(client, cafe) == [("First", 0)]

    second = TalkFactory(cafe=cafe, title="Second")  # proposed
    services.talk_interest_toggle(talk=second, person=employee)  # someone would like to hear it
    assert _waiting(client, cafe) == [("Second", 1), ("First", 0)]
    services.talk_interest_toggle(talk=second, person=employee)  # ... after all not
    assert _waiting(client, cafe) == [("First", 0), ("Second", 0)]

    first.speaker.first_name = "Renamed"
    first.speaker.save()
    html = client.get(reverse("cafes:agenda", args=[cafe.pk])).content.decode()
    assert "Renamed" in html

    services.talk_accept(talk=first, by=officer, cafe=cafe)
    assert _waiting(client, cafe) == [("Second", 0)]

    # Another café is cancelled: its talks are kept in bulk, for any café, so they wait here too.
    on_agenda(other_cafe, title="Kept")
    assert _waiting(client, cafe) == [("Second", 0)]
    services.cafe_cancel(cafe=other_cafe, by=officer, reason="The room flooded.")
    assert sorted(_waiting(client, cafe)) == [("Kept", 0), ("Second", 0)]


def test_a_warm_cafe_page_shows_its_kept_agenda_without_reading_the_talks(client_for, employee, monkeypatch):
    """The agenda section is chosen by who speaks in it; its slots are read only to render it."""
    cafe = CafeFactory(state=Cafe.State.PUBLISHED)
    talk = on_agenda(cafe)[0]
    client = client_for(employee)
    client.get(_url(cafe))
    read = []
    real = selectors.cafe_agenda_cached
    monkeypatch.setattr(selectors, "cafe_agenda_cached", lambda **kwargs: read.append(kwargs) or real(**kwargs))

    assert talk.title in client.get(_url(cafe)).content.decode()
    assert read == []

    speaker = client_for(talk.speaker).get(_url(cafe)).content.decode()  # the speaker's own section
    assert talk.title in speaker
    assert len(read) == 1
