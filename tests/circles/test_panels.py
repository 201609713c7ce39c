import datetime as dt

import pytest

from circles.panels import home_panel
from tests.circles.conftest import published_circle
from tests.factories.circles import SignupFactory

pytestmark = pytest.mark.django_db


def test_home_panel_next_circle_and_open_round(employee, colleagues, open_round, django_assert_num_queries):
    circle = published_circle(people=[employee, *colleagues], meets_in=dt.timedelta(days=1))
    published_circle(people=[employee, *colleagues], meets_in=dt.timedelta(days=8))
    SignupFactory(round=open_round, person=employee)
    # The next circle, and the open round with the person's sign-up (issue 12: was 4 queries, with
    # the round's topics, which the panel does not show, and the sign-up read on its own).
    with django_assert_num_queries(2):
        panel = home_panel(person=employee)
    assert panel["template"] == "circles/partials/home_panel.html"
    assert (panel["next_circle"], panel["open_round"], panel["signed_up"]) == (circle, open_round, True)


def test_home_panel_without_circles(other_employee):
    panel = home_panel(person=other_employee)
    assert (panel["next_circle"], panel["open_round"], panel["signed_up"]) == (None, None, False)


def test_home_page_shows_circles_panel(client_for, employee, open_round):
    page = client_for(employee).get("/").content.decode()
    assert "Peer sharing circles" in page
    assert "Sign up by" in page


# --- kept per person (issue 12): stale when what the panel shows is written --------------------------


def test_home_panel_is_kept_until_the_persons_sign_up_changes(employee, other_employee, open_round, topics):
    from circles.services import signup_save

    assert home_panel(person=employee)["signed_up"] is False
    signup_save(round=open_round, person=other_employee, topic_ids=[topics[0].pk])  # someone else's
    assert home_panel(person=employee)["signed_up"] is False

    signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk])
    assert home_panel(person=employee)["signed_up"] is True

    signup_save(round=open_round, person=employee, topic_ids=[], not_this_week=True)
    assert home_panel(person=employee)["signed_up"] is False


def test_home_panel_follows_a_standing_opt_in_made_into_a_sign_up(employee, open_round, topics):
    from circles.services import standing_save

    assert home_panel(person=employee)["signed_up"] is False

    standing_save(person=employee, topic_ids=[topics[0].pk], is_active=True, paused_until=None)

    assert home_panel(person=employee)["signed_up"] is True


def test_home_panel_drops_a_circle_left_and_one_that_is_over(employee, colleagues, monkeypatch):
    from django.utils import timezone

    from circles.models import Membership

    first = published_circle(people=[employee, *colleagues], meets_in=dt.timedelta(days=1))
    second = published_circle(people=[employee, *colleagues], meets_in=dt.timedelta(days=8))
    assert home_panel(person=employee)["next_circle"] == first

    membership = Membership.objects.get(circle=first, person=employee)
    membership.left_at = timezone.now()
    membership.save()
    assert home_panel(person=employee)["next_circle"] == second

    over = second.round.meets_at + dt.timedelta(hours=2, seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: over)
    assert home_panel(person=employee)["next_circle"] is None


def test_home_panel_follows_the_round(employee, colleagues):
    circle = published_circle(people=[employee, *colleagues], meets_in=dt.timedelta(days=1))
    assert home_panel(person=employee)["next_circle"] == circle

    later = circle.round.meets_at + dt.timedelta(hours=1)
    circle.round.meets_at = later
    circle.round.save()

    assert home_panel(person=employee)["next_circle"].round.meets_at == later


def test_home_panel_is_kept_rendered_for_each_person_with_their_own_words(employee, colleagues, client_for):
    published_circle(people=[employee, *colleagues], host=employee, meets_in=dt.timedelta(days=1))

    host_panel = home_panel(person=employee)
    member_panel = home_panel(person=colleagues[0])

    assert "— you host" in host_panel["html"]
    assert "— you host" not in member_panel["html"]
    assert "— you host" in client_for(employee).get("/").content.decode()
