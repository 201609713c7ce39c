"""Every circles page × every role → the exact status code."""

import datetime as dt

import pytest
from django.urls import reverse

from circles import services
from circles.models import Round
from tests.circles.conftest import published_circle
from tests.factories import UserFactory
from tests.factories.circles import RoundFactory, SignupFactory
from tests.permissions import ANONYMOUS, SIGN_IN, redirect_path

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "other_employee", "host", "officer", "mentor", "manager"]


@pytest.fixture
def world(employee, other_employee, mentor, officer, manager, topics, invites):
    """An open round, a circle that met an hour ago (employee a member, `host` hosting), a formed round."""
    host = UserFactory()
    circle = published_circle(
        people=[host, employee, *UserFactory.create_batch(2)], host=host, meets_in=-dt.timedelta(hours=1)
    )
    RoundFactory(topics=topics)
    formed = RoundFactory(topics=topics)
    people = UserFactory.create_batch(4)
    for person in people:
        SignupFactory(round=formed, person=person, choices=[topics[0]])
    Round.objects.filter(pk=formed.pk).update(signup_deadline=formed.meets_at - dt.timedelta(days=3))
    formed.refresh_from_db()
    services.circle_round_form_groups(round=formed, by=officer)
    rule = services.never_with_add(person=other_employee, email=employee.email)
    learning = services.circle_learning_record(circle=circle, author=employee, body="Ask first.")
    people_by_role = {
        "anonymous": None,
        "member": employee,
        "other_employee": other_employee,
        "host": host,
        "officer": officer,
        "mentor": mentor,
        "manager": manager,
    }
    return {
        "people": people_by_role,
        "circle": circle,
        "formed": formed,
        "person": people[0],
        "topic": topics[0],
        "rule": rule,
        "learning": learning,
    }


ALL_EMPLOYEES = dict.fromkeys(ROLES[1:], 200)
OFFICER_ONLY = {**dict.fromkeys(ROLES[1:], 403), "officer": 200}
CIRCLE_SEEN = {"member": 200, "other_employee": 404, "host": 200, "officer": 200, "mentor": 404, "manager": 404}

# (url name, kwargs builder, expected status per signed-in role); anonymous always goes to sign in.
GET_PAGES = [
    ("circles:mine", lambda w: {}, ALL_EMPLOYEES),
    ("circles:signup", lambda w: {}, ALL_EMPLOYEES),
    ("circles:standing", lambda w: {}, ALL_EMPLOYEES),
    ("circles:never-with", lambda w: {}, ALL_EMPLOYEES),
    ("circles:history", lambda w: {}, ALL_EMPLOYEES),
    ("circles:circle-detail", lambda w: {"pk": w["circle"].pk}, CIRCLE_SEEN),
    ("circles:circle-invite", lambda w: {"pk": w["circle"].pk}, CIRCLE_SEEN),
    ("circles:circle-leave", lambda w: {"pk": w["circle"].pk}, {**CIRCLE_SEEN, "officer": 403}),
    ("circles:circle-attendance", lambda w: {"pk": w["circle"].pk}, {**CIRCLE_SEEN, "member": 403}),
    ("circles:round-list", lambda w: {}, OFFICER_ONLY),
    ("circles:round-detail", lambda w: {"pk": w["formed"].pk}, OFFICER_ONLY),
    # Without htmx, the more-circles part sends the officer to the round page at that page.
    ("circles:round-circles", lambda w: {"pk": w["formed"].pk}, {**OFFICER_ONLY, "officer": 302}),
    ("circles:round-edit", lambda w: {"pk": w["formed"].pk}, OFFICER_ONLY),
    ("circles:round-cancel", lambda w: {"pk": w["formed"].pk}, OFFICER_ONLY),
    ("circles:membership-move", lambda w: {"pk": w["formed"].pk, "person_id": w["person"].pk}, OFFICER_ONLY),
    ("circles:move-preview", lambda w: {"pk": w["formed"].pk, "person_id": w["person"].pk}, OFFICER_ONLY),
    ("circles:topic-list", lambda w: {}, OFFICER_ONLY),
    ("circles:topic-create", lambda w: {}, OFFICER_ONLY),
    ("circles:topic-edit", lambda w: {"pk": w["topic"].pk}, OFFICER_ONLY),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "kwargs", "expected"), GET_PAGES, ids=[p[0] for p in GET_PAGES])
def test_get_pages_by_role(client_for, world, role, name, kwargs, expected):
    client = client_for(world["people"][role])
    url = reverse(name, kwargs=kwargs(world))
    response = client.get(url)
    if role == ANONYMOUS:
        assert redirect_path(response) == SIGN_IN
    else:
        assert response.status_code == expected[role]


@pytest.mark.parametrize("role", ROLES)
def test_more_circles_by_htmx_by_role(client_for, world, role):
    client = client_for(world["people"][role])
    url = reverse("circles:round-circles", kwargs={"pk": world["formed"].pk}) + "?page=1"
    response = client.get(url, headers={"HX-Request": "true"})
    if role == ANONYMOUS:
        assert redirect_path(response) == SIGN_IN
    else:
        assert response.status_code == OFFICER_ONLY[role]


POST_ACTIONS = [
    ("circles:round-open", lambda w: {}, {}, {**OFFICER_ONLY, "officer": 302}),
    ("circles:round-form", lambda w: {"pk": w["formed"].pk}, {}, {**OFFICER_ONLY, "officer": 302}),
    ("circles:round-publish", lambda w: {"pk": w["formed"].pk}, {}, {**OFFICER_ONLY, "officer": 302}),
    (
        "circles:circle-lock",
        lambda w: {"pk": w["formed"].circles.first().pk},
        {"locked": "1"},
        {**OFFICER_ONLY, "officer": 302},
    ),
    (
        "circles:never-with-remove",
        lambda w: {"pk": w["rule"].pk},
        {},
        {**dict.fromkeys(ROLES[1:], 404), "other_employee": 302},
    ),
    (
        "circles:learning-hide",
        lambda w: {"pk": w["learning"].pk},
        {"reason": "Off topic"},
        {**OFFICER_ONLY, "officer": 302},
    ),
    (
        "circles:learning-add",
        lambda w: {"pk": w["circle"].pk},
        {"body": "Ask before telling."},
        {**CIRCLE_SEEN, "member": 302, "host": 302, "officer": 400},
    ),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "kwargs", "data", "expected"), POST_ACTIONS, ids=[p[0] for p in POST_ACTIONS])
def test_post_actions_by_role(client_for, world, role, name, kwargs, data, expected):
    client = client_for(world["people"][role])
    response = client.post(reverse(name, kwargs=kwargs(world)), data)
    if role == ANONYMOUS:
        assert redirect_path(response) == SIGN_IN
    else:
        assert response.status_code == expected[role]


def test_unpublished_circle_hidden_from_its_members(client_for, world):
    circle = world["formed"].circles.first()
    member = circle.memberships.first().person
    assert client_for(member).get(reverse("circles:circle-detail", kwargs={"pk": circle.pk})).status_code == 404
