"""The learning log kept per person (learning_log.learning_log_kept): read without a query while
kept, and fresh again after every write of what it shows, through the services that make them."""

import datetime as dt

import pytest
from django.utils import timezone

from cafes import services as cafe_services
from cafes.models import Cafe
from circles import services as circle_services
from feedback import services as feedback_services
from feedback.models import Invitation
from reflections.models import Adoption
from saypro.core.learning_log import learning_log_gather, learning_log_kept
from tests.circles.conftest import published_circle
from tests.factories.cafes import CafeFactory, RsvpFactory
from tests.factories.core import UserFactory
from tests.factories.feedback import ContributionFactory, FeedbackSessionFactory, InvitationFactory
from tests.factories.reflections import AdoptionFactory, MentorReviewFactory, ReflectionFactory

pytestmark = pytest.mark.django_db


def titles(person) -> list[str]:
    return [entry.title for entry in learning_log_kept(person=person)]


def test_kept_log_is_the_gathered_log_and_is_read_without_a_query(employee, django_assert_num_queries):
    ReflectionFactory(author=employee, state="submitted", title="Listening first")
    ContributionFactory(session=FeedbackSessionFactory(state="held"), author=employee)

    assert learning_log_kept(person=employee) == [
        entry.__class__(**{**entry.__dict__, "detail": str(entry.detail)})
        for entry in learning_log_gather(person=employee)
    ]
    with django_assert_num_queries(0):
        assert len(learning_log_kept(person=employee)) == 2


def test_a_month_is_picked_from_the_kept_log_as_the_sources_filter_it(employee):
    now = timezone.now()
    for days in (0, 40, 80):
        ReflectionFactory(author=employee, state="submitted", now=now - dt.timedelta(days=days))
    learning_log_kept(person=employee)
    start, end = now - dt.timedelta(days=50), now - dt.timedelta(days=20)

    picked = learning_log_kept(person=employee, start=start, end=end)

    gathered = learning_log_gather(person=employee, start=start, end=end)
    assert [e.object_id for e in picked] == [e.object_id for e in gathered]
    assert len(picked) == 1


def test_another_persons_write_leaves_the_log_kept(employee, other_employee, django_assert_num_queries):
    ReflectionFactory(author=employee, state="submitted")
    learning_log_kept(person=employee)

    ReflectionFactory(author=other_employee, state="submitted")

    with django_assert_num_queries(0):
        learning_log_kept(person=employee)


def test_attendance_recorded_for_one_shows_the_session(employee, officer):
    session = FeedbackSessionFactory(state="held", starts_at=timezone.now() - dt.timedelta(days=1))
    invitation = InvitationFactory(session=session, person=employee)
    assert titles(employee) == []

    feedback_services.attendance_set(invitation=invitation, attendance=Invitation.Attendance.LATE, by=officer)

    assert titles(employee) == [f"Feedback session: {session.module.title}"]


def test_attendance_recorded_for_several_shows_the_session(employee, other_employee, officer):
    session = FeedbackSessionFactory(state="held", starts_at=timezone.now() - dt.timedelta(days=1))
    mine = InvitationFactory(session=session, person=employee)
    theirs = InvitationFactory(session=session, person=other_employee)
    assert titles(employee) == []

    feedback_services.attendance_record(
        session=session, attendance={mine.pk: "present", theirs.pk: "absent"}, by=officer
    )

    assert titles(employee) == [f"Feedback session: {session.module.title}"]
    assert titles(other_employee) == []


def test_everyone_marked_present_shows_the_session(employee, officer):
    session = FeedbackSessionFactory(state="held", starts_at=timezone.now() - dt.timedelta(days=1))
    InvitationFactory(session=session, person=employee)
    assert titles(employee) == []

    feedback_services.attendance_everyone_present(session=session, by=officer)

    assert titles(employee) == [f"Feedback session: {session.module.title}"]


def test_a_renamed_module_is_renamed_in_the_log(employee):
    session = FeedbackSessionFactory(state="held")
    ContributionFactory(session=session, author=employee)
    titles(employee)

    session.module.title = "Coaching conversations"
    session.module.save()

    assert titles(employee) == ["Insight in the feedback session on Coaching conversations"]


def test_circle_attendance_shows_the_circle(employee, officer):
    colleagues = [UserFactory() for _ in range(2)]
    circle = published_circle(people=[employee, *colleagues], meets_in=-dt.timedelta(hours=1))
    assert titles(employee) == []

    circle_services.circle_attendance_record(circle=circle, by=officer, attended_person_ids=[employee.pk])

    assert titles(employee) == ["Peer sharing circle: Delegation test"]


def test_a_cafe_marked_held_shows_it_to_those_who_came(employee, officer):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() - dt.timedelta(hours=2))
    RsvpFactory(cafe=cafe, person=employee)
    assert titles(employee) == []

    cafe_services.cafe_mark_held(cafe=cafe, by=officer, attended_ids=[employee.pk])

    assert titles(employee) == [f"Attended a knowledge café: {cafe.title}"]


def test_a_mentor_review_and_the_mentors_new_name_show(employee, mentor):
    reflection = ReflectionFactory(author=employee, state="submitted", title="Listening first")
    learning_log_kept(person=employee)

    MentorReviewFactory(reflection=reflection, mentor=mentor)
    [review] = [e for e in learning_log_kept(person=employee) if e.kind == "mentor_feedback"]
    assert mentor.full_name in review.detail

    mentor.first_name, mentor.last_name = "Thandi", "Mokoena"
    mentor.save()
    [review] = [e for e in learning_log_kept(person=employee) if e.kind == "mentor_feedback"]
    assert "by Thandi Mokoena" in review.detail


def test_a_practice_tried_leaves_the_log_when_its_author_makes_it_private(employee, other_employee):
    reflection = ReflectionFactory(author=other_employee, state="submitted", visibility="colleagues")
    AdoptionFactory(reflection=reflection, person=employee, kind=Adoption.Kind.TRIED)
    assert [e.kind for e in learning_log_kept(person=employee)] == ["practice"]

    reflection.visibility = "private"
    reflection.save()

    assert learning_log_kept(person=employee) == []
