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
