"""Café pages issue the same number of queries whatever the number of talks, RSVPs and feedback.

When a number here changes, the commit says why.
"""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cafes.models import Cafe, Rsvp, TalkFeedback, TalkProposal
from saypro.core.models import User
from tests.factories.cafes import CafeFactory, RsvpFactory, TalkFactory, TalkFeedbackFactory, on_agenda

pytestmark = pytest.mark.django_db


def _people(n: int, tag: str) -> list[User]:
    User.objects.bulk_create([User(email=f"{tag}{i}@example.org", first_name="P", last_name=str(i)) for i in range(n)])
    return list(User.objects.filter(email__startswith=tag))


def _rsvps(cafe: Cafe, n: int) -> None:
    Rsvp.objects.bulk_create(
        [Rsvp(cafe=cafe, person=p, status=Rsvp.Status.GOING) for p in _people(n, f"rsvp{cafe.pk}-")]
    )


@pytest.mark.parametrize(("talks", "rsvps"), [(2, 5), (20, 500)])
def test_cafe_detail_queries_do_not_grow(client_for, other_employee, django_assert_num_queries, talks, rsvps):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, capacity=1000)
    on_agenda(cafe, count=talks)
    _rsvps(cafe, rsvps)
    RsvpFactory(cafe=cafe, person=other_employee)
    client = client_for(other_employee)
    url = reverse("cafes:cafe-detail", args=[cafe.pk])
    # Cold: the seat counts and the reader's RSVP are one read of the café's answers (was two).
    with django_assert_num_queries(7):
        response = client.get(url)
    assert len(response.context["slots"]) == talks
    assert response.context["seats"].going == rsvps + 1
    # Cached: the agenda (its talks and speakers) is not read again (issue 12), nor the person's
    # row, groups and unread count (saypro/core/person_cache.py), nor the café and its answers
    # (was 4): only the session, in the database in tests.
    with django_assert_num_queries(1):
        cached = client.get(url)
    assert cached.context["agenda_section"] == response.context["agenda_section"]


@pytest.mark.parametrize(("talks", "rsvps"), [(2, 5), (20, 500)])
def test_cafe_detail_queries_do_not_grow_for_the_officer(client_for, officer, django_assert_num_queries, talks, rsvps):
    cafe = CafeFactory(capacity=1000)
    on_agenda(cafe, count=talks)
    _rsvps(cafe, rsvps)
    client = client_for(officer)
    with django_assert_num_queries(7):
        client.get(reverse("cafes:cafe-detail", args=[cafe.pk]))
    with django_assert_num_queries(1):
        client.get(reverse("cafes:cafe-detail", args=[cafe.pk]))


@pytest.mark.parametrize("count", [1, 8])
def test_speaker_growth_queries_do_not_grow(client_for, employee, django_assert_num_queries, count):
    for month in range(count):
        cafe = CafeFactory(state=Cafe.State.HELD, starts_at=timezone.now() - dt.timedelta(days=30 * (month + 1)))
        talk = on_agenda(cafe, speaker=employee, state=TalkProposal.State.DELIVERED)[0]
        givers = _people(4, f"giver{talk.pk}-")
        TalkFeedback.objects.bulk_create(
            [
                TalkFeedback(talk=talk, giver=g, clarity=4, usefulness=3, delivery=5, worked="w", try_next="t")
                for g in givers
            ]
        )
    client = client_for(employee)
    with django_assert_num_queries(6):
        response = client.get(reverse("cafes:speaker-growth", args=[employee.pk]))
    assert len(response.context["rows"]) == count
    assert len(response.context["chart"]["series"][0].markers) == count


@pytest.mark.parametrize("count", [1, 15])
def test_talk_feedback_received_queries_do_not_grow(client_for, employee, django_assert_num_queries, count):
    cafe = CafeFactory(state=Cafe.State.HELD, starts_at=timezone.now() - dt.timedelta(days=3))
    talk = on_agenda(cafe, speaker=employee, state=TalkProposal.State.DELIVERED)[0]
    TalkFeedbackFactory.create_batch(count, talk=talk)
    client = client_for(employee)
    with django_assert_num_queries(6):
        client.get(reverse("cafes:talk-feedback-received", args=[talk.pk]))


@pytest.mark.parametrize("count", [1, 12])
def test_cafe_list_queries_do_not_grow(client_for, employee, django_assert_num_queries, count):
    for i in range(count):
        on_agenda(CafeFactory(starts_at=timezone.now() + dt.timedelta(days=i + 1)))
        CafeFactory(state=Cafe.State.HELD, starts_at=timezone.now() - dt.timedelta(days=i + 1))
    client = client_for(employee)
    with django_assert_num_queries(7):
        response = client.get(reverse("cafes:cafe-list"))
    assert len(response.context["upcoming"]) == count


@pytest.mark.parametrize("count", [1, 25])
def test_proposal_list_queries_do_not_grow(client_for, employee, django_assert_num_queries, count):
    TalkFactory.create_batch(count)
    client = client_for(employee)
    with django_assert_num_queries(6):
        response = client.get(reverse("cafes:proposal-list"))
    assert len(response.context["talks"]) == min(count, 20)


@pytest.mark.parametrize("count", [1, 10])
def test_agenda_queries_do_not_grow(client_for, officer, django_assert_num_queries, count):
    cafe = CafeFactory()
    on_agenda(cafe, count=count)
    TalkFactory.create_batch(count, cafe=cafe)
    client = client_for(officer)
    with django_assert_num_queries(7):
        client.get(reverse("cafes:agenda", args=[cafe.pk]))
    # The slots and the proposals waiting come as HTML kept per version of what they show, the café
    # from its cache (was 3), the officer's row, groups and unread count from the person's cache
    # entry: only the session's, in the database in tests.
    with django_assert_num_queries(1):
        response = client.get(reverse("cafes:agenda", args=[cafe.pk]))
    html = response.content.decode()
    assert html.count('<li class="list-group-item d-flex flex-wrap align-items-center gap-2" id="slot-') == count
    assert len(re.findall(r'<a href="/cafes/talks/\d+/decide/">', html)) == count  # each waiting proposal's link
