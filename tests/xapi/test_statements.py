"""Each learning event, made through its app's service, leaves one xAPI statement in the outbox."""

import datetime as dt
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from cafes import services as cafe_services
from cafes.models import Cafe
from circles import services as circle_services
from feedback import services as feedback_services
from feedback.models import FeedbackSession, Invitation
from reflections import services as reflection_services
from reflections.models import ContextKind, Reflection
from saypro.xapi.models import Statement
from saypro.xapi.statements import EVENTS, statement_build, statement_id_for
from tests.circles.conftest import published_circle
from tests.factories import UserFactory
from tests.factories.cafes import CafeFactory, RsvpFactory, on_agenda
from tests.factories.core import ModuleFactory
from tests.factories.feedback import FeedbackSessionFactory, InvitationFactory
from tests.factories.reflections import ReflectionFactory, ReflectionTemplateFactory

pytestmark = pytest.mark.django_db

SITE = "http://127.0.0.1:8000"
ADL = "http://adlnet.gov/expapi/verbs/"


def only_statement(event: str) -> dict:
    rows = list(Statement.objects.filter(event=event))
    assert len(rows) == 1, [r.payload for r in rows]
    return rows[0].payload


def assert_no_email_anywhere(*people) -> None:
    text = json.dumps(list(Statement.objects.values_list("payload", flat=True)))
    assert "@" not in text and "mbox" not in text
    for person in people:
        assert person.email not in text and person.full_name not in text


def module_context(module) -> dict:
    return {
        "contextActivities": {
            "parent": [
                {
                    "objectType": "Activity",
                    "id": f"{SITE}/xapi/activities/module/{module.pk}",
                    "definition": {
                        "name": {"en-GB": module.title},
                        "type": "http://adlnet.gov/expapi/activities/module",
                    },
                }
            ],
            "grouping": [
                {
                    "objectType": "Activity",
                    "id": f"{SITE}/xapi/activities/programme/{module.programme_id}",
                    "definition": {
                        "name": {"en-GB": module.programme.title},
                        "type": "http://adlnet.gov/expapi/activities/course",
                    },
                }
            ],
        },
        "platform": "SayPro Share Learnings",
        "language": "en-GB",
    }


@pytest.fixture
def module_reflection(employee, mentor):
    """A complete draft about a module, shared with the employee's mentor."""
    module = ModuleFactory(title="Coaching basics")
    return ReflectionFactory(
        author=employee,
        template=ReflectionTemplateFactory(),
        title="Listening first",
        context_kind=ContextKind.MODULE,
        context=module,
    )


def test_reflection_submitted_and_validated_make_statements_with_the_module_as_context(
    module_reflection, employee, mentor
):
    reflection_services.reflection_submit(reflection=module_reflection, by=employee, may_be_featured=False)
    reflection_services.reflection_validate(reflection=module_reflection, by=mentor, depth=3)

    submitted, validated = only_statement("reflection_submitted"), only_statement("reflection_validated")
    module = module_reflection.context
    path = f"/reflections/{module_reflection.pk}/"
    assert module_reflection.get_absolute_url() == path
    assert submitted == {
        "id": str(
            statement_id_for(
                event="reflection_submitted", key=f"reflections.reflection:{module_reflection.pk}", actor_id=employee.pk
            )
        ),
        "actor": {"objectType": "Agent", "account": {"homePage": SITE, "name": str(employee.pk)}},
        "verb": {"id": f"{SITE}/xapi/verbs/submitted", "display": {"en-GB": "submitted"}},
        "object": {
            "objectType": "Activity",
            "id": f"{SITE}{path}",
            "definition": {"name": {"en-GB": "Listening first"}, "type": f"{SITE}/xapi/activity-types/reflection"},
        },
        "timestamp": submitted["timestamp"],
        "version": "1.0.3",
        "context": module_context(module),
    }
    module_reflection.refresh_from_db()
    assert dt.datetime.fromisoformat(submitted["timestamp"]) == module_reflection.first_submitted_at
    assert validated["verb"] == {"id": f"{ADL}passed", "display": {"en-GB": "passed"}}
    assert validated["actor"] == submitted["actor"]
    assert validated["result"] == {"success": True, "score": {"raw": 3, "min": 1, "max": 4}}
    assert dt.datetime.fromisoformat(validated["timestamp"]) == module_reflection.validated_at
    assert_no_email_anywhere(employee, mentor)


def test_a_private_reflection_is_named_without_its_title(employee):
    reflection = ReflectionFactory(
        author=employee, template=ReflectionTemplateFactory(), title="My secret", visibility="private"
    )
    reflection_services.reflection_submit(reflection=reflection, by=employee, may_be_featured=False)

    assert only_statement("reflection_submitted")["object"]["definition"]["name"] == {"en-GB": "A private reflection"}
    assert "My secret" not in json.dumps(only_statement("reflection_submitted"))


def test_board_comment_will_try_and_tried_make_one_statement_each(employee, other_employee):
    reflection = ReflectionFactory(
        author=employee, template=ReflectionTemplateFactory(), state="validated", visibility="colleagues"
    )
    reflection_services.comment_add(reflection=reflection, by=other_employee, body="Nice", channel="board")
    reflection_services.adoption_will_try(reflection=reflection, by=other_employee)
    reflection_services.adoption_will_try(reflection=reflection, by=other_employee)
    reflection_services.adoption_tried(reflection=reflection, by=other_employee, note="It worked.")
    reflection_services.adoption_tried(reflection=reflection, by=other_employee, note="Better note.")

    verbs = {
        event: (p["verb"]["id"], p["actor"]["account"]["name"], p["object"]["id"])
        for event, p in Statement.objects.values_list("event", "payload")
    }
    iri = f"{SITE}/reflections/{reflection.pk}/"
    actor = str(other_employee.pk)
    assert verbs == {
        "board_comment": (f"{ADL}commented", actor, iri),
        "will_try": (f"{SITE}/xapi/verbs/planned-to-try", actor, iri),
        "tried": (f"{SITE}/xapi/verbs/tried", actor, iri),
    }
    assert "Nice" not in json.dumps(only_statement("board_comment"))
    assert_no_email_anywhere(employee, other_employee)


def test_a_review_comment_is_not_a_learning_event(employee, mentor):
    reflection = ReflectionFactory(author=employee, template=ReflectionTemplateFactory(), state="submitted")
    reflection_services.comment_add(reflection=reflection, by=mentor, body="Go deeper", channel="review")

    assert not Statement.objects.exists()


@pytest.fixture
def held_session(officer):
    session = FeedbackSessionFactory(
        state=FeedbackSession.State.OPEN, starts_at=timezone.now() - dt.timedelta(hours=1), module__title="Delegation"
    )
    return session


def test_contribution_and_session_attendance_make_statements(held_session, officer):
    present, absent = UserFactory(), UserFactory()
    came = InvitationFactory(session=held_session, person=present, attendance=Invitation.Attendance.PRESENT)
    InvitationFactory(session=held_session, person=absent, attendance=Invitation.Attendance.ABSENT)
    feedback_services.contribution_add(session=held_session, author=present, kind="insight", text="Ask first.")

    feedback_services.session_close(session=held_session, by=officer)

    contribution, attended = only_statement("contribution"), only_statement("session_attended")
    path = reverse("feedback:session-detail", kwargs={"pk": held_session.pk})
    assert (contribution["verb"]["id"], contribution["object"]["id"]) == (f"{ADL}shared", f"{SITE}{path}")
    assert attended["actor"]["account"]["name"] == str(present.pk)
    assert (attended["verb"]["id"], attended["object"]["definition"]["name"]) == (
        f"{ADL}attended",
        {"en-GB": "Feedback session: Delegation"},
    )
    assert attended["context"] == module_context(held_session.module)
    assert dt.datetime.fromisoformat(attended["timestamp"]) == held_session.starts_at
    assert "Ask first" not in json.dumps(contribution)

    # Marked absent after all: the statement is taken back (never sent, so deleted).
    feedback_services.attendance_set(invitation=came, attendance=Invitation.Attendance.ABSENT, by=officer)
    assert not Statement.objects.filter(event="session_attended").exists()
    assert_no_email_anywhere(present, absent, officer)


def test_circle_attendance_and_learning_make_statements(employee):
    colleague = UserFactory()
    circle = published_circle(people=[employee, colleague], host=employee, meets_in=-dt.timedelta(hours=1))
    circle_services.circle_attendance_record(
        circle=circle, by=employee, attended_person_ids=[employee.pk, colleague.pk]
    )
    circle_services.circle_learning_record(circle=circle, author=colleague, body="Delegate the outcome.")

    attended = Statement.objects.filter(event="circle_attended").order_by("actor_id")
    assert [s.actor_id for s in attended] == sorted([employee.pk, colleague.pk])
    shared = only_statement("learning_shared")
    assert (shared["verb"]["id"], shared["object"]["id"]) == (
        f"{ADL}shared",
        f"{SITE}{reverse('circles:circle-detail', kwargs={'pk': circle.pk})}",
    )

    circle_services.circle_attendance_record(circle=circle, by=employee, attended_person_ids=[employee.pk])
    assert list(Statement.objects.filter(event="circle_attended").values_list("actor_id", flat=True)) == [employee.pk]


def test_cafe_held_makes_talk_and_attendance_statements(officer):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() - dt.timedelta(hours=2))
    talk = on_agenda(cafe)[0]
    came, missed = RsvpFactory(cafe=cafe), RsvpFactory(cafe=cafe)

    cafe_services.cafe_mark_held(cafe=cafe, by=officer, attended_ids=[came.person_id])

    talk_given, attended = only_statement("talk_given"), only_statement("cafe_attended")
    assert (talk_given["actor"]["account"]["name"], talk_given["verb"]["id"]) == (
        str(talk.speaker_id),
        f"{SITE}/xapi/verbs/presented",
    )
    assert attended["actor"]["account"]["name"] == str(came.person_id)
    assert attended["object"]["id"] == f"{SITE}{reverse('cafes:cafe-detail', args=[cafe.pk])}"
    assert dt.datetime.fromisoformat(attended["timestamp"]) == cafe.starts_at
    assert not Statement.objects.filter(actor_id=missed.person_id).exists()


def test_statement_ids_are_stable_and_distinct_per_event_object_and_person():
    when = timezone.now()
    one = statement_build(
        event="tried", key="reflections.reflection:1:tried", actor_id=5, path="/r/1/", name="A", when=when
    )
    again = statement_build(
        event="tried",
        key="reflections.reflection:1:tried",
        actor_id=5,
        path="/r/1/",
        name="B",
        when=when + dt.timedelta(days=1),
    )
    other_person = statement_build(
        event="tried", key="reflections.reflection:1:tried", actor_id=6, path="/r/1/", name="A", when=when
    )
    other_event = statement_build(
        event="will_try", key="reflections.reflection:1:tried", actor_id=5, path="/r/1/", name="A", when=when
    )

    assert one["id"] == again["id"]
    assert len({one["id"], other_person["id"], other_event["id"]}) == 3
    assert uuid.UUID(one["id"]).version == 5


def test_the_same_event_recorded_twice_is_one_row(employee, other_employee):
    reflection = ReflectionFactory(
        author=employee, template=ReflectionTemplateFactory(), state="validated", visibility="colleagues"
    )
    reflection_services.adoption_tried(reflection=reflection, by=other_employee, note="Once.")
    Reflection.objects.filter(pk=reflection.pk).update(title="Renamed")
    from saypro.xapi.services import statement_record

    statement_record(
        event="tried",
        key=f"reflections.reflection:{reflection.pk}:tried",
        actor=other_employee,
        path="/elsewhere/",
        name="Renamed",
        when=timezone.now(),
    )

    assert Statement.objects.count() == 1


def test_every_event_has_an_iri_verb_and_a_meaning():
    assert len(EVENTS) == 11
    for event in EVENTS.values():
        assert event.verb.iri.startswith((ADL, f"{SITE}/xapi/verbs/")) and event.meaning


def test_attendance_taken_back_after_it_was_sent_queues_a_voiding_statement(employee):
    colleague = UserFactory()
    circle = published_circle(people=[employee, colleague], host=employee, meets_in=-dt.timedelta(hours=1))
    circle_services.circle_attendance_record(
        circle=circle, by=employee, attended_person_ids=[employee.pk, colleague.pk]
    )
    Statement.objects.update(sent_at=timezone.now())
    sent = Statement.objects.get(actor=colleague)

    circle_services.circle_attendance_record(circle=circle, by=employee, attended_person_ids=[employee.pk])

    sent.refresh_from_db()
    assert (sent.voided, sent.actor_id, sent.payload) == (True, None, {"id": None})
    voiding = Statement.objects.get(event="voided")
    assert voiding.sent_at is None and voiding.actor_id is None
    assert voiding.payload["verb"]["id"] == "http://adlnet.gov/expapi/verbs/voided"
    assert voiding.payload["object"] == {"objectType": "StatementRef", "id": str(sent.statement_id)}
    # Recording the same attendance again neither resends nor revives the voided statement.
    circle_services.circle_attendance_record(circle=circle, by=employee, attended_person_ids=[employee.pk])
    assert Statement.objects.count() == 3
