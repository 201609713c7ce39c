"""The circles pages issue the same number of queries for 20 sign-ups as for 2,000."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from circles import services
from circles.models import Circle, Membership, Round, Signup, SignupChoice
from saypro.core.models import Department, Location, User
from tests.factories.circles import RoundFactory

pytestmark = pytest.mark.django_db

SIZES = [20, 2000]


def bulk_signups(*, round, count: int, topics) -> list[User]:
    """`count` people across 12 departments and 6 locations, signed up with ranked topics."""
    departments = [Department.objects.get_or_create(name=f"Bulk department {i}")[0] for i in range(12)]
    locations = [Location.objects.get_or_create(name=f"Bulk location {i}")[0] for i in range(6)]
    people = User.objects.bulk_create(
        [
            User(
                email=f"bulk{round.pk}-{i}@example.org",
                first_name=f"Person{i}",
                last_name="Bulk",
                department=departments[i % 12],
                location=locations[i % 6],
            )
            for i in range(count)
        ]
    )
    signups = Signup.objects.bulk_create([Signup(round=round, person=p) for p in people])
    SignupChoice.objects.bulk_create(
        [
            SignupChoice(signup=s, topic=topics[(i + rank) % len(topics)], rank=rank + 1)
            for i, s in enumerate(signups)
            for rank in range(2)
        ]
    )
    return people


def formed_round(*, count, topics, officer, **round_fields):
    round = RoundFactory(topics=topics, **round_fields)
    people = bulk_signups(round=round, count=count, topics=topics)
    Round.objects.filter(pk=round.pk).update(signup_deadline=timezone.now() - dt.timedelta(minutes=1))
    round.refresh_from_db()
    services.circle_round_form_groups(round=round, by=officer)
    round.refresh_from_db()
    return round, people


@pytest.mark.parametrize("count", SIZES)
def test_round_page_queries_do_not_grow(client_for, officer, topics, count, django_assert_num_queries):
    round, _ = formed_round(count=count, topics=topics, officer=officer)
    Membership.objects.filter(round=round, person__in=round.circles.first().memberships.values("person")[:1]).update(
        left_at=timezone.now()
    )
    client = client_for(officer)
    url = reverse("circles:round-detail", kwargs={"pk": round.pk})
    with django_assert_num_queries(13):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["circle_rows"]) == min(12, round.circles.count())
    assert response.context["counts"].signed_up == count


@pytest.mark.parametrize("count", SIZES)
def test_my_circles_queries_do_not_grow(client_for, officer, topics, count, django_assert_num_queries):
    round, people = formed_round(count=count, topics=topics, officer=officer)
    # Published without the e-mails, and a later round open for sign-up with the person signed up.
    Round.objects.filter(pk=round.pk).update(state=Round.State.PUBLISHED)
    later = RoundFactory(topics=topics)
    bulk_signups(round=later, count=count, topics=topics)
    person = people[0]
    services.signup_save(round=later, person=person, topic_ids=[topics[0].pk])
    client = client_for(person)
    with django_assert_num_queries(13):
        response = client.get(reverse("circles:mine"))
    assert response.status_code == 200
    assert len(response.context["upcoming"]) == 1
    circle = Circle.objects.get(pk=response.context["upcoming"][0].pk)
    assert person.full_name in response.content.decode()
    for m in circle.memberships.select_related("person"):
        assert m.person.full_name in response.content.decode()
    # Again: the circle's card comes as HTML from the cache (its circle, members and learnings are
    # not read), and the person's circles, the open round, their sign-up with its choices and their
    # every-week sign-up are kept for them (issue 12: five queries). Left: the session.
    with django_assert_num_queries(1):
        again = client.get(reverse("circles:mine"))
    assert again.content.decode().count('<article class="card mb-3"') == 1
    assert f"1. {topics[0].name}" in again.content.decode()


def test_round_page_counts_are_cached_until_a_signup_changes(client_for, officer, topics, django_assert_num_queries):
    round = RoundFactory(topics=topics)
    people = bulk_signups(round=round, count=20, topics=topics)
    client = client_for(officer)
    url = reverse("circles:round-detail", kwargs={"pk": round.pk})
    client.get(url)

    # The three counting queries are left out while nothing they count changed (and the officer's
    # row, groups and unread count come from the person's cache entry, the round, its topics and
    # its number of circles from the round's: was 4). Only the session's, in the database in tests.
    with django_assert_num_queries(1):
        cached = client.get(url)
    newcomer = User.objects.create(email="newcomer@example.org", first_name="New", department=people[0].department)
    services.signup_save(round=round, person=newcomer, topic_ids=[topics[1].pk], every_week=True)
    after_signup = client.get(url)
    newcomer.department = Department.objects.get_or_create(name="Moved here")[0]
    newcomer.save()
    after_move = client.get(url)
    services.signup_save(round=round, person=newcomer, topic_ids=[topics[1].pk], every_week=False)
    after_opt_out = client.get(url)

    assert (cached.context["counts"].signed_up, cached.context["counts"].standing) == (20, 0)
    assert (after_signup.context["counts"].signed_up, after_signup.context["counts"].standing) == (21, 1)
    assert ("Moved here", 1) in after_move.context["counts"].by_department
    assert after_opt_out.context["counts"].standing == 0
