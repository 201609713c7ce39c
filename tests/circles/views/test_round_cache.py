"""The officer's round page reads its round, topics and number of circles from the cache, and its
circles and who is not placed as HTML kept per version (issue 12); it shows each write to them on
the next request."""

import datetime as dt
import re

import pytest
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circles import services
from circles.models import Membership, Round
from saypro.core import roles
from saypro.core.org_import import org_import_apply, org_import_parse
from tests.circles.views.test_queries import bulk_signups, formed_round
from tests.factories import UserFactory
from tests.factories.circles import RoundFactory, SignupFactory, TopicFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _url(round: Round) -> str:
    return reverse("circles:round-detail", kwargs={"pk": round.pk})


def circle_numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="[^"]*" id="circle-(\d+)"', page)]


def circle_card(page: str, number: int) -> str:
    """The HTML of circle `number`'s card on the page."""
    start = page.index(f'id="circle-{number}"')
    return page[start : page.index("</article>", start)]


def without_tokens(page: str) -> str:
    return re.sub(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "", page)


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
    assert len(circle_numbers(response.content.decode())) == circles

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

    assert circle_numbers(response.content.decode())[-1] == 30
    assert client.get(more, {"page": 4}, headers=HTMX).status_code == 404


def test_a_missing_round_is_404(client_for, officer):
    assert client_for(officer).get(reverse("circles:round-detail", kwargs={"pk": 999999})).status_code == 404


def test_a_warm_formed_round_page_runs_no_query_and_reads_as_before(
    client_for, officer, topics, django_assert_num_queries
):
    round, _ = formed_round(count=30, topics=topics, officer=officer)
    late = UserFactory(first_name="Latecomer")
    SignupFactory(round=round, person=late, choices=[topics[0]])
    client = client_for(officer)
    cold = client.get(_url(round)).content.decode()

    # Only the session's (in the database in tests): the circles, their members and who is not
    # placed come as HTML from the cache.
    with django_assert_num_queries(1):
        warm = client.get(_url(round)).content.decode()

    assert circle_numbers(warm) == list(range(1, round.circles.count() + 1))
    assert "Not placed yet" in warm
    assert late.full_name in warm
    assert without_tokens(warm) == without_tokens(cold)


def test_a_warm_formed_round_page_does_not_build_its_circles_query(client_for, officer, topics, monkeypatch):
    """The circles are read only when a page of them is rendered; a kept page reads none."""
    from circles import selectors

    round, _ = formed_round(count=16, topics=topics, officer=officer)
    client = client_for(officer)
    client.get(_url(round))
    built = []
    real = selectors.round_circle_review_list
    monkeypatch.setattr(selectors, "round_circle_review_list", lambda **kwargs: built.append(kwargs) or real(**kwargs))

    assert circle_numbers(client.get(_url(round)).content.decode()) == list(range(1, round.circles.count() + 1))
    assert built == []

    services.circle_lock(circle=round.circles.first(), by=officer, locked=True)
    assert ">locked</span>" in client.get(_url(round)).content.decode()
    assert len(built) == 1


def test_the_formed_round_page_follows_moves_locks_renames_and_leavers(client_for, officer, topics):
    round, _ = formed_round(count=16, topics=topics, officer=officer)
    second, first = round.circles.annotate(size=Count("memberships")).order_by("size", "number")[:2]
    moved = first.memberships.select_related("person").first().person
    client = client_for(officer)
    assert moved.full_name in circle_card(client.get(_url(round)).content.decode(), first.number)

    services.circle_membership_move(round=round, person=moved, by=officer, to_circle=second)
    page = client.get(_url(round)).content.decode()
    assert moved.full_name not in circle_card(page, first.number)
    assert moved.full_name in circle_card(page, second.number)

    services.circle_lock(circle=second, by=officer, locked=True)
    assert ">locked</span>" in circle_card(client.get(_url(round)).content.decode(), second.number)

    moved.first_name = "Renamed"
    moved.save()
    assert "Renamed" in circle_card(client.get(_url(round)).content.decode(), second.number)

    department = Membership.objects.get(round=round, person=moved).department
    department.name = "Renamed department"
    department.save()
    assert "Renamed department" in circle_card(client.get(_url(round)).content.decode(), second.number)


def test_the_not_placed_list_follows_a_late_signup_and_its_placement(client_for, officer, topics):
    round, _ = formed_round(count=16, topics=topics, officer=officer)
    client = client_for(officer)
    assert "Not placed yet" not in client.get(_url(round)).content.decode()

    late = UserFactory(first_name="Latecomer")
    SignupFactory(round=round, person=late, choices=[topics[0]])
    page = client.get(_url(round)).content.decode()
    assert "Not placed yet" in page
    assert late.full_name in page

    smallest = round.circles.annotate(size=Count("memberships")).order_by("size", "number")[0]
    services.circle_membership_move(round=round, person=late, by=officer, to_circle=smallest)
    page = client.get(_url(round)).content.decode()
    assert "Not placed yet" not in page
    assert late.full_name in circle_card(page, smallest.number)


def test_an_org_import_renaming_a_member_shows_on_the_round_page(client_for, officer, topics):
    # People are written in bulk by the import, without signals: its own bump must drop the HTML.
    round, _ = formed_round(count=12, topics=topics, officer=officer)
    member = Membership.objects.filter(round=round).select_related("person").first().person
    client = client_for(officer)
    assert member.full_name in client.get(_url(round)).content.decode()

    header = "email,first_name,last_name,department,location,job_role,mentor_emails,roles,manager_departments"
    row = f"{member.email},Imported,{member.last_name},{member.department or ''},{member.location or ''},,,,"
    org_import_apply(parsed=org_import_parse(content=f"{header}\n{row}".encode()), by=officer, dry_run=False)

    assert f"Imported {member.last_name}" in client.get(_url(round)).content.decode()


def test_a_warm_page_gives_each_officer_their_own_working_csrf_token(client_for, officer, topics):
    round, _ = formed_round(count=12, topics=topics, officer=officer)
    circle = round.circles.order_by("number").first()
    first = client_for(officer)
    first.handler.enforce_csrf_checks = True
    first.get(_url(round))
    other_officer = UserFactory(roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=True)
    other = Client(enforce_csrf_checks=True)
    other.force_login(other_officer)

    tokens = []
    for client in (first, other):
        card = circle_card(client.get(_url(round)).content.decode(), circle.number)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card).group(1)
        tokens.append(token)
        lock = reverse("circles:circle-lock", kwargs={"pk": circle.pk})
        refused = client.post(lock, {"locked": "1"})
        assert refused.status_code == 403  # without the token
        assert client.post(lock, {"locked": "1", "csrfmiddlewaretoken": token}).status_code == 302
        services.circle_lock(circle=circle, by=officer, locked=False)

    assert "csrf-slot" not in "".join(tokens)
    assert tokens[0] != tokens[1]
