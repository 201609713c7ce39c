"""The API's endpoints: same selectors and services as the web pages, same per-object rules."""

import datetime as dt

import pytest
from django.utils import timezone

from cafes.models import Rsvp
from circles.models import Signup
from reflections.models import Reflection
from saypro.impact.services import snapshot_build
from tests.factories.cafes import CafeFactory
from tests.factories.circles import RoundFactory
from tests.factories.reflections import ReflectionFactory, ReflectionTemplateFactory
from tests.permissions import ANONYMOUS, person_for

API = "/api/v1"


@pytest.fixture
def template(db):
    return ReflectionTemplateFactory(questions=2)


def _answers(template, text="I listened before answering and it changed the meeting."):
    return [{"question": q.pk, "text": text} for q in template.questions.all()]


# --- reflections ------------------------------------------------------------------------------------


def test_create_draft_then_submit(token_for, employee, template):
    client = token_for(employee)

    created = client.post(
        f"{API}/reflections/",
        {"template": template.pk, "title": "Silence helps", "key_takeaway": "Wait three seconds."},
        format="json",
    )
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["state"] == "draft"

    refused = client.post(f"{API}/reflections/{pk}/submit/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()[f"answer_{template.questions.first().pk}"] == ["Answer this question before submitting."]

    patched = client.patch(f"{API}/reflections/{pk}/", {"answers": _answers(template)}, format="json")
    assert patched.status_code == 200
    assert patched.json()["title"] == "Silence helps"
    submitted = client.post(f"{API}/reflections/{pk}/submit/", {"may_be_featured": True}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["state"] == "submitted"
    reflection = Reflection.objects.get(pk=pk)
    assert (reflection.author, reflection.may_be_featured, reflection.answers.count()) == (employee, True, 2)


def test_create_refuses_a_retired_or_unknown_template(token_for, employee):
    retired = ReflectionTemplateFactory(is_active=False)
    client = token_for(employee)

    for template_id in (retired.pk, 2**31 - 1):
        response = client.post(f"{API}/reflections/", {"template": template_id}, format="json")
        assert response.status_code == 400
        assert response.json() == {"template": ["Choose one of the current templates."]}
    assert not Reflection.objects.exists()


def test_patch_refuses_what_the_form_refuses_and_saves_nothing(token_for, employee, template):
    reflection = ReflectionFactory(author=employee, template=template, answered=False)
    client = token_for(employee)

    too_long = client.patch(f"{API}/reflections/{reflection.pk}/", {"title": "x" * 5000}, format="json")
    foreign = ReflectionTemplateFactory().questions.first()
    wrong_question = client.patch(
        f"{API}/reflections/{reflection.pk}/", {"answers": [{"question": foreign.pk, "text": "hi"}]}, format="json"
    )

    assert too_long.status_code == 400
    assert "title" in too_long.json()
    assert wrong_question.status_code == 400
    reflection.refresh_from_db()
    assert reflection.title.startswith("Reflection ")
    assert reflection.answers.count() == 0


def test_submitted_reflection_is_not_changed_by_patch(token_for, employee, template):
    reflection = ReflectionFactory(author=employee, template=template, state=Reflection.State.SUBMITTED)

    response = token_for(employee).patch(f"{API}/reflections/{reflection.pk}/", {"title": "New"}, format="json")

    assert response.status_code == 400
    assert "withdraw it to draft" in response.json()["non_field_errors"][0]


@pytest.mark.parametrize("pk", ["0", "-1", "99999999999999999999", "abc"])
def test_reflection_ids_out_of_range_are_404(token_for, employee, pk):
    assert token_for(employee).get(f"{API}/reflections/{pk}/").status_code == 404


def test_reflection_list_shows_only_own(token_for, employee, other_employee, template):
    mine = ReflectionFactory(author=employee, template=template)
    ReflectionFactory(author=other_employee, template=template, visibility="colleagues", state="submitted")

    response = token_for(employee).get(f"{API}/reflections/")

    assert [r["id"] for r in response.json()["results"]] == [mine.pk]


# Every role against someone else's reflection (shared with colleagues even) and their own draft.
ROLES = [ANONYMOUS, "employee", "other_employee", "mentor", "other_mentor", "officer", "manager"]
EXPECTED_OTHERS = {ANONYMOUS: 401, **dict.fromkeys(ROLES[1:], 404)}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [("get", "", None), ("patch", "", {"title": "Mine now"}), ("post", "submit/", {})],
)
def test_reflection_permissions(request, api_client, template, role, method, suffix, body):
    author = request.getfixturevalue("employee") if role != "employee" else request.getfixturevalue("other_employee")
    reflection = ReflectionFactory(author=author, template=template, state="submitted", visibility="colleagues")
    person = person_for(request, role)
    if person is not None:
        api_client.force_authenticate(person)

    response = getattr(api_client, method)(f"{API}/reflections/{reflection.pk}/{suffix}", body, format="json")

    assert response.status_code == EXPECTED_OTHERS[role]
    reflection.refresh_from_db()
    assert reflection.title.startswith("Reflection ")


def test_session_writes_need_the_csrf_token(client_for, employee, template):
    client = client_for(employee)
    client.handler.enforce_csrf_checks = True

    response = client.post(f"{API}/reflections/", {"template": template.pk}, content_type="application/json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Reflection.objects.exists()


# --- learning log -----------------------------------------------------------------------------------


def test_learning_log_lists_the_persons_entries(token_for, employee, other_employee, template):
    ReflectionFactory(author=employee, template=template, title="Mine", state="submitted")
    ReflectionFactory(author=other_employee, template=template, title="Theirs", state="submitted")

    response = token_for(employee).get(f"{API}/learning-log/")

    titles = [entry["title"] for entry in response.json()["results"]]
    assert "Mine" in " ".join(titles)
    assert "Theirs" not in " ".join(titles)


def test_learning_log_bad_date_is_400(token_for, employee):
    response = token_for(employee).get(f"{API}/learning-log/", {"start": "yesterday"})

    assert response.status_code == 400
    assert response.json() == {"start": ["Give a date as YYYY-MM-DD."]}


# --- circles and cafés ---------------------------------------------------------------------------------


def test_circle_signup_through_the_service(token_for, employee):
    round = RoundFactory()
    first, second = round.topics.order_by("pk")
    client = token_for(employee)

    response = client.put(f"{API}/circles/round/signup/", {"topic_ids": [second.pk, first.pk]}, format="json")

    assert response.status_code == 200
    assert response.json()["my_topic_ids"] == [second.pk, first.pk]
    assert Signup.objects.get(person=employee).round == round
    refused = client.put(f"{API}/circles/round/signup/", {"topic_ids": []}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"topics": ["Choose at least your first-choice topic, or tick “not this week”."]}


def test_circle_round_is_404_when_none_is_open(token_for, employee):
    assert token_for(employee).get(f"{API}/circles/round/").status_code == 404


def test_cafe_rsvp_going_then_not(token_for, employee):
    cafe = CafeFactory(state="published", capacity=1)
    client = token_for(employee)

    going = client.put(f"{API}/cafes/{cafe.pk}/rsvp/", {"going": True}, format="json")
    listed = client.get(f"{API}/cafes/")
    cancelled = client.put(f"{API}/cafes/{cafe.pk}/rsvp/", {"going": False}, format="json")

    assert going.json()["my_rsvp"] == "going"
    assert [(c["id"], c["my_rsvp"]) for c in listed.json()] == [(cafe.pk, "going")]
    assert cancelled.json()["my_rsvp"] == "cancelled"
    assert Rsvp.objects.get(person=employee).status == Rsvp.Status.CANCELLED


def test_cafe_rsvp_to_a_draft_cafe_is_404(token_for, employee):
    cafe = CafeFactory(state="draft")

    assert token_for(employee).put(f"{API}/cafes/{cafe.pk}/rsvp/", {"going": True}, format="json").status_code == 404
    assert not Rsvp.objects.exists()


# --- snapshots --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "expected"), [("employee", 403), ("mentor", 403), ("manager", 200), ("officer", 200)])
def test_snapshots_for_managers_and_officers(request, db, token_for, role, expected):
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    snapshot_build(month=month)

    response = token_for(request.getfixturevalue(role)).get(f"{API}/snapshots/")
    detail = token_for(request.getfixturevalue(role)).get(f"{API}/snapshots/{month:%Y-%m}/")

    assert response.status_code == expected == detail.status_code
    if expected == 200:
        assert [s["month"] for s in response.json()] == [month.isoformat()]
        assert detail.json()["report_url"] == f"/impact/{month:%Y-%m}/"
        assert detail.json()["headlines"]


def test_snapshot_unknown_month_is_404(token_for, manager):
    assert token_for(manager).get(f"{API}/snapshots/1999-13/").status_code == 404
    assert token_for(manager).get(f"{API}/snapshots/2001-01/").status_code == 404


def test_docs_page_lists_every_operation_of_the_schema(client, db, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(f"{API}/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('<section class="card mb-3" id="op-') == 14
    assert "<code>PATCH /api/v1/reflections/{id}/</code>" in html
    assert "<code>PatchedReflectionDraftRequest</code>" in html
    assert "<strong>404</strong> — Nothing the person may see is there." in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]
