"""Every cafés view × every role → the exact status code.

Anonymous people are sent to sign in; a signed-in person without rights to a private object
gets 404; an officer-only page gives a signed-in non-officer 403.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cafes.models import Cafe, TalkProposal
from tests.factories.cafes import CafeFactory, SpeakerPreferenceFactory, TalkFactory, on_agenda
from tests.permissions import ANONYMOUS, SIGN_IN, redirect_path

ROLES = [
    "anonymous",
    "speaker",
    "other_employee",
    "mentor_shared",
    "mentor_not_shared",
    "other_mentor",
    "officer",
    "manager",
]


def everyone(status):
    return dict.fromkeys(ROLES[1:], status) | {"anonymous": "login"}


def officer_only(ok):
    return everyone(403) | {"officer": ok}


def private(ok_for, ok=200):
    return everyone(404) | dict.fromkeys(ok_for, ok)


FEEDBACK_READERS = ("speaker", "mentor_shared", "officer")

# (name, method, url factory, expected by role)
TABLE = [
    ("cafe-list", "get", lambda w: reverse("cafes:cafe-list"), everyone(200)),
    ("cafe-detail", "get", lambda w: reverse("cafes:cafe-detail", args=[w["cafe"].pk]), everyone(200)),
    ("cafe-detail draft", "get", lambda w: reverse("cafes:cafe-detail", args=[w["draft"].pk]), private(["officer"])),
    ("cafe-create", "get", lambda w: reverse("cafes:cafe-create"), officer_only(200)),
    ("cafe-update", "get", lambda w: reverse("cafes:cafe-update", args=[w["open"].pk]), officer_only(200)),
    ("cafe-open", "post", lambda w: reverse("cafes:cafe-open", args=[w["draft"].pk]), officer_only(302)),
    ("cafe-cancel", "get", lambda w: reverse("cafes:cafe-cancel", args=[w["open"].pk]), officer_only(200)),
    ("cafe-held", "get", lambda w: reverse("cafes:cafe-held", args=[w["cafe"].pk]), officer_only(200)),
    ("agenda", "get", lambda w: reverse("cafes:agenda", args=[w["open"].pk]), officer_only(200)),
    (
        "agenda-move",
        "post",
        lambda w: reverse("cafes:agenda-move", args=[w["open"].pk, w["open_talk"].pk]),
        officer_only(302),
    ),
    ("agenda-publish", "post", lambda w: reverse("cafes:agenda-publish", args=[w["open"].pk]), officer_only(302)),
    ("rsvp", "post", lambda w: reverse("cafes:rsvp", args=[w["open"].pk]), everyone(302)),
    ("rsvp draft", "post", lambda w: reverse("cafes:rsvp", args=[w["draft"].pk]), private([], 302)),
    ("proposal-list", "get", lambda w: reverse("cafes:proposal-list"), everyone(200)),
    ("proposal-create", "get", lambda w: reverse("cafes:proposal-create"), everyone(200)),
    ("proposal-detail", "get", lambda w: reverse("cafes:proposal-detail", args=[w["talk"].pk]), everyone(200)),
    (
        "proposal-detail declined",
        "get",
        lambda w: reverse("cafes:proposal-detail", args=[w["declined"].pk]),
        private(["speaker", "officer"]),
    ),
    (
        "proposal-update",
        "get",
        lambda w: reverse("cafes:proposal-update", args=[w["proposed"].pk]),
        private(["speaker"]),
    ),
    (
        "proposal-update accepted",
        "get",
        lambda w: reverse("cafes:proposal-update", args=[w["talk"].pk]),
        private([]),
    ),
    (
        "proposal-withdraw",
        "post",
        lambda w: reverse("cafes:proposal-withdraw", args=[w["proposed"].pk]),
        private(["speaker"], 302),
    ),
    (
        "proposal-interest",
        "post",
        lambda w: reverse("cafes:proposal-interest", args=[w["proposed"].pk]),
        everyone(302) | {"speaker": 404},
    ),
    (
        "proposal-decide",
        "get",
        lambda w: reverse("cafes:proposal-decide", args=[w["proposed"].pk]),
        officer_only(200),
    ),
    ("talk-feedback", "get", lambda w: reverse("cafes:talk-feedback", args=[w["talk"].pk]), everyone(200)),
    (
        "talk-feedback declined talk",
        "get",
        lambda w: reverse("cafes:talk-feedback", args=[w["declined"].pk]),
        private(["speaker", "officer"]),
    ),
    (
        "talk-feedback-received",
        "get",
        lambda w: reverse("cafes:talk-feedback-received", args=[w["talk"].pk]),
        private(FEEDBACK_READERS),
    ),
    (
        "talk-feedback-export",
        "get",
        lambda w: reverse("cafes:talk-feedback-export", args=[w["talk"].pk]),
        private(FEEDBACK_READERS),
    ),
    (
        "feedback-moderation",
        "get",
        lambda w: reverse("cafes:feedback-moderation", args=[w["talk"].pk]),
        officer_only(200),
    ),
    (
        "speaker-growth",
        "get",
        lambda w: reverse("cafes:speaker-growth", args=[w["speaker"].pk]),
        private(FEEDBACK_READERS),
    ),
    ("my-growth", "get", lambda w: reverse("cafes:my-growth"), everyone(302)),
    ("speaker-settings", "get", lambda w: reverse("cafes:speaker-settings"), everyone(200)),
]


@pytest.fixture
def world(employee, mentor, other_employee, other_mentor, officer, manager):
    started = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() - dt.timedelta(minutes=30))
    open_cafe = CafeFactory()
    return {
        "speaker": employee,
        "cafe": started,
        "open": open_cafe,
        "open_talk": on_agenda(open_cafe, count=2)[1],
        "draft": CafeFactory(state=Cafe.State.DRAFT),
        "talk": on_agenda(started, speaker=employee)[0],
        "proposed": TalkFactory(speaker=employee, cafe=open_cafe),
        "declined": TalkFactory(speaker=employee, cafe=None, state=TalkProposal.State.DECLINED),
        "people": {
            "speaker": employee,
            "other_employee": other_employee,
            "mentor_shared": mentor,
            "mentor_not_shared": mentor,
            "other_mentor": other_mentor,
            "officer": officer,
            "manager": manager,
        },
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "url", "expected"), TABLE, ids=[row[0] for row in TABLE])
def test_permission_table(world, client_for, role, name, method, url, expected):
    if role == "mentor_shared":
        SpeakerPreferenceFactory(person=world["speaker"], share_with_mentor=True)
    client = client_for(None if role == ANONYMOUS else world["people"][role])
    data = {"direction": "up", "action": "going"} if method == "post" else None
    response = getattr(client, method)(url(world), data)
    want = expected[role]
    if want == "login":
        assert redirect_path(response) == SIGN_IN
    else:
        assert response.status_code == want
        if want == 302:
            assert redirect_path(response) != SIGN_IN
