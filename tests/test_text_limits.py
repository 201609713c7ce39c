"""Every free-text field has a character limit in its service; single-line fields refuse line breaks.

A circle learning of a megabyte was accepted (word limit, no character limit), and a title with
CR/LF made its notification e-mail fail forever. The services refuse both, keyed by the field,
so the form shows the message next to the field and keeps what was typed.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cafes import services as cafe_services
from circles import services as circle_services
from circles.models import Learning
from feedback import services as feedback_services
from reflections import services as reflection_services
from reflections.services.templates import QuestionSpec
from saypro.core.text import text_problem
from tests.circles.conftest import published_circle
from tests.factories import ModuleFactory, UserFactory
from tests.factories.cafes import CafeFactory, TalkFactory
from tests.factories.circles import RoundFactory, TopicFactory
from tests.factories.reflections import NewsletterIssueFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

MEGABYTE = "a" * 1_048_576
CRLF_TITLE = "Listening first\r\nBcc: everyone@example.org"


def _future(days: int = 7) -> dt.datetime:
    return timezone.now().replace(microsecond=0) + dt.timedelta(days=days)


def _talk_fields(**fields):
    return {
        "title": "The pause",
        "idea": "Pause.",
        "why_it_matters": "Calm.",
        "audience_can_try": "Pause once.",
    } | fields


# name -> (call(person, officer, value), field, value)
CASES = {
    "circle_learning_megabyte": (
        lambda p, o, v: circle_services.circle_learning_record(
            circle=published_circle(people=[p, UserFactory()], meets_in=-dt.timedelta(hours=1)), author=p, body=v
        ),
        "body",
        MEGABYTE,
    ),
    "topic_name_crlf": (
        lambda p, o, v: circle_services.topic_save(by=o, name=v, description="", prompts="", is_active=True),
        "name",
        CRLF_TITLE,
    ),
    "topic_description_megabyte": (
        lambda p, o, v: circle_services.topic_save(by=o, name="Delegation", description=v, prompts="", is_active=True),
        "description",
        MEGABYTE,
    ),
    "round_place_crlf": (
        lambda p, o, v: circle_services.round_update(
            round=RoundFactory(),
            by=o,
            signup_deadline=_future(1),
            meets_at=_future(3),
            duration_minutes=60,
            place=v,
            topics=[TopicFactory()],
        ),
        "place",
        CRLF_TITLE,
    ),
    "cafe_title_crlf": (
        lambda p, o, v: cafe_services.cafe_create(by=o, title=v, starts_at=_future(), place="Room 1", capacity=10),
        "title",
        CRLF_TITLE,
    ),
    "cafe_cancel_reason_megabyte": (
        lambda p, o, v: cafe_services.cafe_cancel(cafe=CafeFactory(), by=o, reason=v),
        "reason",
        MEGABYTE,
    ),
    "talk_title_crlf": (
        lambda p, o, v: cafe_services.talk_propose(speaker=p, cafe=None, **_talk_fields(title=v)),
        "title",
        CRLF_TITLE,
    ),
    "talk_idea_megabyte": (
        lambda p, o, v: cafe_services.talk_propose(speaker=p, cafe=None, **_talk_fields(idea=v)),
        "idea",
        MEGABYTE,
    ),
    "talk_decline_note_megabyte": (
        lambda p, o, v: cafe_services.talk_decline(talk=TalkFactory(), by=o, note=v),
        "note",
        MEGABYTE,
    ),
    "session_place_crlf": (
        lambda p, o, v: feedback_services.session_create(
            module=ModuleFactory(), starts_at=_future(), ends_at=_future(8), place=v, facilitator=o, by=o
        ),
        "place",
        CRLF_TITLE,
    ),
    "session_prompts_megabyte": (
        lambda p, o, v: feedback_services.session_create(
            module=ModuleFactory(),
            starts_at=_future(),
            ends_at=_future(8),
            place="Room",
            facilitator=o,
            prompts=v,
            by=o,
        ),
        "prompts",
        MEGABYTE,
    ),
    "reflection_title_crlf": (
        lambda p, o, v: reflection_services.reflection_save_draft(
            reflection=ReflectionFactory(author=p), by=p, title=v, key_takeaway="", answers={}
        ),
        "title",
        CRLF_TITLE,
    ),
    "template_name_crlf": (
        lambda p, o, v: reflection_services.template_create(
            by=o, name=v, intro="", applies_to="general", is_active=True, questions=[QuestionSpec(text="What?")]
        ),
        "name",
        CRLF_TITLE,
    ),
    "template_intro_megabyte": (
        lambda p, o, v: reflection_services.template_create(
            by=o, name="T", intro=v, applies_to="general", is_active=True, questions=[QuestionSpec(text="What?")]
        ),
        "intro",
        MEGABYTE,
    ),
    "newsletter_title_crlf": (
        lambda p, o, v: reflection_services.newsletter_update(
            issue=NewsletterIssueFactory(month=dt.date(2026, 5, 1)), by=o, title=v, intro="", reflection_ids=[]
        ),
        "title",
        CRLF_TITLE,
    ),
    "newsletter_intro_megabyte": (
        lambda p, o, v: reflection_services.newsletter_update(
            issue=NewsletterIssueFactory(month=dt.date(2026, 5, 1)), by=o, title="May", intro=v, reflection_ids=[]
        ),
        "intro",
        MEGABYTE,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_service_refuses_text_over_its_limit_or_on_more_than_one_line(employee, officer, case):
    call, field, value = CASES[case]

    with pytest.raises(ValidationError) as refused:
        call(employee, officer, value)

    messages = refused.value.message_dict[field]
    assert any(m.startswith("Keep ") and ("one line" in m or "characters" in m) for m in messages), messages


@pytest.mark.parametrize(
    ("text", "single_line", "expected"),
    [
        ("fine", True, None),
        ("two\nlines", False, None),
        ("two\nlines", True, "Keep this on one line."),
        ("cr\ronly", True, "Keep this on one line."),
        ("unicode\u2028separator", True, "Keep this on one line."),
        ("x" * 11, False, "Keep this to 10 characters (it has 11)."),
    ],
)
def test_text_problem(text, single_line, expected):
    assert text_problem(text, max_chars=10, single_line=single_line) == expected


def test_a_megabyte_circle_learning_is_refused_next_to_the_field(client_for, employee, monkeypatch):
    monkeypatch.setattr(circle_services, "reflection_invite", lambda **kwargs: True)
    circle = published_circle(people=[employee, UserFactory()], meets_in=-dt.timedelta(hours=1))

    response = client_for(employee).post(reverse("circles:learning-add", kwargs={"pk": circle.pk}), {"body": MEGABYTE})

    assert response.status_code == 400
    assert response.context["learning_form"].errors == {
        "body": ["Keep the learning to 2,000 characters (it has 1,048,576)."]
    }
    assert Learning.objects.count() == 0


def test_a_crlf_title_is_refused_next_to_the_field_and_kept(client_for, employee):
    reflection = ReflectionFactory(author=employee, title="Before")
    data = {"title": CRLF_TITLE, "key_takeaway": "", "visibility": "mentor", "action": "save"}

    response = client_for(employee).post(reverse("reflections:edit", args=[reflection.pk]), data)

    assert response.context["form"].errors["title"] == ["Keep the title on one line."]
    assert "Bcc: everyone@example.org" in response.content.decode()
    reflection.refresh_from_db()
    assert reflection.title == "Before"
