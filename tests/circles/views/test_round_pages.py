"""The officer's round page lists its circles a page at a time; htmx brings the next page in place."""

import pytest
from django.urls import reverse
from django.utils import timezone

from circles.models import Membership
from circles.views import CIRCLES_PER_PAGE
from tests.circles.views.test_queries import formed_round
from tests.circles.views.test_round_cache import circle_numbers

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def big_round(officer, topics):
    """A formed round of 150 sign-ups: 30 circles, three pages."""
    round, _ = formed_round(count=150, topics=topics, officer=officer)
    assert round.circles.count() == 30
    return round


def numbers(response) -> list[int]:
    return circle_numbers(response.content.decode())


def test_round_page_shows_first_circles_and_a_link_to_more(client_for, officer, big_round):
    response = client_for(officer).get(reverse("circles:round-detail", kwargs={"pk": big_round.pk}))
    page = response.content.decode()
    assert numbers(response) == list(range(1, CIRCLES_PER_PAGE + 1))
    assert "Circles (30)" in page
    assert f'href="/circles/rounds/{big_round.pk}/?page=2#circles-heading"' in page
    assert f'data-hx-get="/circles/rounds/{big_round.pk}/circles/?page=2"' in page
    assert f"({30 - CIRCLES_PER_PAGE} more)" in page
    assert "Earlier circles" not in page


def test_round_page_at_a_later_page_without_javascript(client_for, officer, big_round):
    response = client_for(officer).get(reverse("circles:round-detail", kwargs={"pk": big_round.pk}) + "?page=3")
    page = response.content.decode()
    assert numbers(response) == list(range(2 * CIRCLES_PER_PAGE + 1, 31))
    assert 'href="?page=2#circles-heading">Earlier circles</a>' in page
    assert "More circles" not in page
    # The summary stays on every page.
    assert "<strong>150</strong> signed up" in page


def test_round_page_with_a_junk_page_number_shows_the_first(client_for, officer, big_round):
    response = client_for(officer).get(reverse("circles:round-detail", kwargs={"pk": big_round.pk}) + "?page=x")
    assert response.status_code == 200
    assert numbers(response) == list(range(1, CIRCLES_PER_PAGE + 1))


def test_more_circles_by_htmx_returns_the_next_page_in_place(client_for, officer, big_round):
    url = reverse("circles:round-circles", kwargs={"pk": big_round.pk})
    response = client_for(officer).get(url + "?page=2", headers=HTMX)
    part = response.content.decode()
    assert response.status_code == 200
    assert numbers(response) == list(range(CIRCLES_PER_PAGE + 1, 2 * CIRCLES_PER_PAGE + 1))
    assert "<html" not in part
    assert "Sign-ups" not in part
    # It takes focus and says what came in; it links to the page after it.
    assert (
        f'data-swap-focus data-swap-announce="Circles {CIRCLES_PER_PAGE + 1} to {2 * CIRCLES_PER_PAGE} of 30 shown"'
        in part
    )
    assert f'data-hx-get="{url}?page=3"' in part
    last = client_for(officer).get(url + "?page=3", headers=HTMX)
    assert numbers(last) == list(range(2 * CIRCLES_PER_PAGE + 1, 31))
    assert "More circles" not in last.content.decode()


def test_more_circles_without_htmx_opens_the_round_page_at_that_page(client_for, officer, big_round):
    url = reverse("circles:round-circles", kwargs={"pk": big_round.pk})
    response = client_for(officer).get(url + "?page=2")
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("circles:round-detail", kwargs={"pk": big_round.pk}) + "?page=2",
    )


@pytest.mark.parametrize("page", ["0", "4", "x", "99999999999999999999"])
def test_more_circles_with_a_page_that_is_not_there_is_404(client_for, officer, big_round, page):
    url = reverse("circles:round-circles", kwargs={"pk": big_round.pk})
    assert client_for(officer).get(f"{url}?page={page}", headers=HTMX).status_code == 404


def test_more_circles_queries_do_not_grow(client_for, officer, big_round, django_assert_num_queries):
    Membership.objects.filter(round=big_round, circle__number=CIRCLES_PER_PAGE + 1).update(left_at=timezone.now())
    client = client_for(officer)
    url = reverse("circles:round-circles", kwargs={"pk": big_round.pk}) + "?page=2"
    # Session, user, groups, the round with its topics, the count, the circles and their members
    # (the part is rendered without the request, so without the navigation's unread count).
    with django_assert_num_queries(8):
        response = client.get(url, headers=HTMX)
    assert len(numbers(response)) == CIRCLES_PER_PAGE
    # Again, the part comes from the cache: only the session's (in the database in tests).
    with django_assert_num_queries(1):
        again = client.get(url, headers=HTMX)
    assert numbers(again) == numbers(response)


def test_lock_on_a_later_page_goes_back_to_that_page(client_for, officer, big_round):
    circle = big_round.circles.get(number=CIRCLES_PER_PAGE + 2)
    response = client_for(officer).post(reverse("circles:circle-lock", kwargs={"pk": circle.pk}), {"locked": "1"})
    assert response["Location"] == (
        reverse("circles:round-detail", kwargs={"pk": big_round.pk}) + f"?page=2#circle-{circle.number}"
    )
