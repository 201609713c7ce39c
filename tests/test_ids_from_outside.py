"""Every endpoint that reads an id from a GET or POST parameter answers a huge or negative one with 400 or 404.

"99999999999999999999" is more than a bigint holds: passed on to a query it raised OverflowError
(a 500). Ids are range-checked by saypro.core.ids before any query. Forms that offer a list of
rows refuse such an id next to the field, like any other choice that is not on the list.
"""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from cafes.models import Cafe
from circles.models import Round
from feedback.models import FeedbackSession
from reflections.models import Reflection
from saypro.core.ids import ID_MAX, id_from, ids_from
from tests.factories.cafes import CafeFactory, TalkFactory
from tests.factories.circles import CircleFactory, RoundFactory
from tests.factories.feedback import FeedbackSessionFactory, InvitationFactory
from tests.factories.reflections import ReflectionFactory

pytestmark = pytest.mark.django_db

BAD_IDS = ["99999999999999999999", "-1", str(ID_MAX + 1)]


@pytest.fixture
def objects(employee):
    return {
        "reflection": ReflectionFactory(author=employee, visibility="colleagues", state="validated"),
        "round": RoundFactory(),
        "talk": TalkFactory(),
        "cafe": CafeFactory(state=Cafe.State.PUBLISHED),
        "session": FeedbackSessionFactory(state=FeedbackSession.State.OPEN),
    }


# name -> (who asks, method, url(objects), data(bad id), htmx?, statuses allowed)
ENDPOINTS = {
    "notification_read": (
        "employee",
        "post",
        lambda o: reverse("core:notification-read"),
        lambda b: {"id": b},
        False,
        {400},
    ),
    "notification_read_htmx": (
        "employee",
        "post",
        lambda o: reverse("core:notification-read"),
        lambda b: {"id": ["1", b]},
        True,
        {400},
    ),
    "write_template": (
        "employee",
        "get",
        lambda o: reverse("reflections:write"),
        lambda b: {"template": b},
        False,
        {400},
    ),
    "write_context": (
        "employee",
        "get",
        lambda o: reverse("reflections:write"),
        lambda b: {"kind": "circle", "context": f"circles.circle:{b}"},
        False,
        {404},
    ),
    "write_post_template": (
        "employee",
        "post",
        lambda o: reverse("reflections:write"),
        lambda b: {"template": b, "start_key": str(uuid.uuid4())},
        False,
        {400},
    ),
    "write_autosave_context": (
        "employee",
        "post",
        lambda o: reverse("reflections:write-autosave"),
        lambda b: {"kind": "cafe", "context": f"cafes.cafe:{b}", "start_key": str(uuid.uuid4())},
        True,
        {404},
    ),
    "comment_parent": (
        "other_employee",
        "post",
        lambda o: reverse("reflections:comment-add", args=[o["reflection"].pk, "board"]),
        lambda b: {"body": "Hello", "parent": b},
        False,
        {400},
    ),
    "circle_signup_round": (
        "employee",
        "post",
        lambda o: reverse("circles:signup"),
        lambda b: {"round": b},
        False,
        {400},
    ),
    "circle_move_preview": (
        "officer",
        "get",
        lambda o: reverse("circles:move-preview", args=[o["round"].pk, 1]),
        lambda b: {"to_circle": b},
        True,
        {400},
    ),
    "talk_feedback_hide": (
        "officer",
        "post",
        lambda o: reverse("cafes:feedback-moderation", args=[o["talk"].pk]),
        lambda b: {"feedback": b, "reason": "Rude"},
        False,
        {400},
    ),
    "talk_propose_cafe": (
        "employee",
        "get",
        lambda o: reverse("cafes:proposal-create"),
        lambda b: {"cafe": b},
        False,
        {400},
    ),
    "session_create_module": (
        "officer",
        "get",
        lambda o: reverse("feedback:session-create"),
        lambda b: {"module": b},
        False,
        {400},
    ),
    "session_attendance": (
        "officer",
        "post",
        lambda o: reverse("feedback:attendance", args=[o["session"].pk]),
        lambda b: {f"attendance-{b}": "present"},
        True,
        {400},
    ),
}


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_an_id_out_of_range_is_400_or_404(request, client, objects, endpoint, bad):
    role, method, url, data, htmx, allowed = ENDPOINTS[endpoint]
    client.force_login(request.getfixturevalue(role))
    headers = {"HX-Request": "true"} if htmx else {}
    before = Reflection.objects.count()

    response = getattr(client, method)(url(objects), data(bad), headers=headers)

    assert response.status_code in allowed
    assert Reflection.objects.count() == before


@pytest.mark.parametrize("bad", BAD_IDS)
def test_a_list_of_rows_refuses_an_id_out_of_range_next_to_the_field(client_for, officer, employee, bad):
    """The café's "who was there" and the round's topics: a choice no row can have is an error on the field."""
    cafe = CafeFactory(state=Cafe.State.PUBLISHED)
    round = RoundFactory(state=Round.State.OPEN)
    client = client_for(officer)

    held = client.post(reverse("cafes:cafe-held", args=[cafe.pk]), {"attended": [bad]})
    edited = client.post(reverse("circles:round-edit", args=[round.pk]), {"topics": [bad], "place": "Room 1"})

    assert held.status_code == 200
    assert held.context["form"].errors["attended"] == [f"“{bad}” is not a valid value."]
    assert edited.context["form"].errors["topics"] == [f"“{bad}” is not a valid value."]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),
        ("0", None),
        ("-3", None),
        ("1e3", None),
        ("²", None),
        ("١٢", None),
        ("", None),
        (None, None),
        ("9" * 40, None),
    ],
)
def test_id_from(raw, expected):
    assert id_from(raw) == expected


def test_ids_from_refuses_the_whole_list_for_one_bad_id():
    assert ids_from(["1", "2"]) == [1, 2]
    assert ids_from(["1", "99999999999999999999"]) is None


def test_session_attendance_with_a_real_invitation_still_records(client_for, officer):
    session = FeedbackSessionFactory(state=FeedbackSession.State.OPEN)
    invitation = InvitationFactory(session=session)

    client_for(officer).post(
        reverse("feedback:attendance", args=[session.pk]), {f"attendance-{invitation.pk}": "present"}
    )

    invitation.refresh_from_db()
    assert invitation.attendance == "present"


@pytest.mark.parametrize("bad", ["99999999999999999999", "0"])
def test_move_preview_with_a_person_id_out_of_range_in_the_path_is_404(client_for, officer, bad):
    """The path's <int:> takes any run of digits; with a real circle asked for, the id reaches a pk__in query."""
    circle = CircleFactory()
    url = reverse("circles:move-preview", args=[circle.round.pk, 1]).replace("/move/1/", f"/move/{bad}/")

    response = client_for(officer).get(url, {"to_circle": circle.pk}, headers={"HX-Request": "true"})

    assert response.status_code == 404
