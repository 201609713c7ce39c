import datetime as dt
from fractions import Fraction

import pytest
from django.utils import timezone

from circles import selectors
from circles.models import Learning, Membership, NeverWith, Round, Signup
from saypro.core.learning_log import VERB_ATTENDED, VERB_SHARED
from tests.circles.conftest import published_circle
from tests.factories import DepartmentFactory, UserFactory
from tests.factories.circles import CircleFactory, MembershipFactory, RoundFactory, SignupFactory

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


def learning(circle, author, *, at, hidden=False, department=None):
    return Learning.objects.create(
        circle=circle,
        author=author,
        department=department or author.department,
        body="Ask first.",
        body_html="<p>Ask first.</p>",
        is_hidden=hidden,
        hidden_reason="Off topic" if hidden else "",
        created_at=at,
    )


def test_learnings_shared_in_month_boundaries_and_hidden(employee, colleagues):
    circle = published_circle(people=[employee, *colleagues], meets_in=-dt.timedelta(days=40))
    start, end = dt.datetime(2026, 5, 1, tzinfo=TZ), dt.datetime(2026, 6, 1, tzinfo=TZ)
    old_department = DepartmentFactory(name="Department at the time")
    inside = learning(circle, employee, at=start, department=old_department)
    learning(circle, colleagues[0], at=end - dt.timedelta(seconds=1))
    learning(circle, colleagues[1], at=end)  # the next month
    learning(circle, colleagues[2], at=start - dt.timedelta(seconds=1))  # the month before
    learning(circle, colleagues[2], at=start + dt.timedelta(days=3), hidden=True)
    shared = list(selectors.circle_learnings_shared_in(start=start, end=end))
    assert [(s.author_id, s.department_id) for s in shared] == [
        (employee.pk, old_department.pk),
        (colleagues[0].pk, colleagues[0].department_id),
    ]
    assert shared[0] == inside


def meet(circle, at):
    Round.objects.filter(pk=circle.round_id).update(meets_at=at, signup_deadline=at - dt.timedelta(days=3))


def test_cohesion_counts_attendance_and_mix(employee, colleagues):
    start, end = dt.datetime(2026, 5, 1, tzinfo=TZ), dt.datetime(2026, 6, 1, tzinfo=TZ)
    same = DepartmentFactory(name="Same department")
    a = published_circle(people=[employee, *colleagues], meets_in=dt.timedelta(0))
    meet(a, start)
    Membership.objects.filter(circle=a, person__in=[employee, colleagues[0]]).update(attended=True)
    Membership.objects.filter(circle=a, person=colleagues[1]).update(attended=False)
    Membership.objects.filter(circle=a, person=colleagues[2]).update(
        left_at=start - dt.timedelta(days=1), attended=True
    )
    b_people = UserFactory.create_batch(4, department=same)
    b = published_circle(people=b_people, meets_in=dt.timedelta(0))
    meet(b, end - dt.timedelta(minutes=1))
    Membership.objects.filter(circle=b).update(attended=True)
    outside = published_circle(people=UserFactory.create_batch(3), meets_in=dt.timedelta(0))
    meet(outside, end)
    unpublished = CircleFactory(round=RoundFactory(meets_at=start + dt.timedelta(days=1), signup_deadline=start))
    MembershipFactory(circle=unpublished)

    cohesion = selectors.circle_cohesion_in(start=start, end=end)

    # Circle a: 3 members still in it (one left) from 3 departments; circle b: 4 from one.
    assert cohesion.circles == 2
    assert (cohesion.memberships, cohesion.attended) == (7, 6)
    assert cohesion.per_circle == [(a.pk, 3, 3), (b.pk, 4, 1)]
    assert cohesion.attendance_rate == Fraction(6, 7)
    assert cohesion.mix_index == (Fraction(3, 3) + Fraction(1, 4)) / 2


def test_cohesion_empty_month():
    cohesion = selectors.circle_cohesion_in(
        start=dt.datetime(2020, 1, 1, tzinfo=TZ), end=dt.datetime(2020, 2, 1, tzinfo=TZ)
    )
    assert (cohesion.circles, cohesion.memberships, cohesion.attendance_rate, cohesion.mix_index) == (0, 0, None, None)


def test_meeting_history_weeks_ago_most_recent_and_window(employee, colleagues):
    this_week = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
    two_weeks = published_circle(people=[employee, colleagues[0]])
    one_week = published_circle(people=[employee, colleagues[0], colleagues[1]])
    too_old = published_circle(people=[employee, colleagues[2]])
    Round.objects.filter(pk=two_weeks.round_id).update(week_starts_on=this_week - dt.timedelta(weeks=2))
    Round.objects.filter(pk=one_week.round_id).update(week_starts_on=this_week - dt.timedelta(weeks=1))
    Round.objects.filter(pk=too_old.round_id).update(week_starts_on=this_week - dt.timedelta(weeks=13))
    Membership.objects.filter(circle=one_week, person=colleagues[1]).update(left_at=timezone.now())
    history = selectors.meeting_history(week_starts_on=this_week, person_ids={employee.pk, *[c.pk for c in colleagues]})
    assert history == {frozenset((employee.pk, colleagues[0].pk)): 1}


def test_never_with_pairs_only_among_signed_up(open_round, employee, other_employee, colleagues):
    SignupFactory(round=open_round, person=employee)
    SignupFactory(round=open_round, person=other_employee)
    NeverWith.objects.create(person=employee, other=other_employee)
    NeverWith.objects.create(person=employee, other=colleagues[0])  # not signed up
    assert selectors.never_with_pairs(round=open_round) == {frozenset((employee.pk, other_employee.pk))}


def test_round_signup_counts_are_counts_only(open_round, topics, employee, other_employee, colleagues):
    SignupFactory(round=open_round, person=employee, choices=[topics[1], topics[0]])
    SignupFactory(round=open_round, person=other_employee, choices=[topics[1]])
    Signup.objects.create(round=open_round, person=colleagues[0], not_this_week=True)
    counts = selectors.round_signup_counts(round=open_round)
    assert (counts.signed_up, counts.not_this_week, counts.standing) == (2, 1, 0)
    assert counts.by_first_choice == [(topics[1].name, 2)]
    assert sorted(counts.by_department) == sorted([(employee.department.name, 1), (other_employee.department.name, 1)])


def test_round_signup_counts_someone_who_just_opted_in_every_week(open_round, topics, employee, other_employee):
    """The round page said "0 every week" right after someone ticked "every week"."""
    from circles.models import StandingSignup
    from circles.services import signup_save

    signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk], every_week=True)
    signup_save(round=open_round, person=other_employee, topic_ids=[topics[0].pk], every_week=True)
    StandingSignup.objects.filter(person=other_employee).update(paused_until=open_round.week_starts_on)

    counts = selectors.round_signup_counts(round=open_round)

    assert (counts.signed_up, counts.standing) == (2, 1)


def test_people_met_list(employee, colleagues):
    published_circle(people=[employee, colleagues[0], colleagues[1]], meets_in=-dt.timedelta(days=8))
    latest = published_circle(people=[employee, colleagues[0]], meets_in=-dt.timedelta(days=1))
    published_circle(people=[employee, colleagues[2]], meets_in=dt.timedelta(days=1))  # not met yet
    met = selectors.people_met_list(person=employee)
    assert [(m.person, m.times) for m in met] == [(colleagues[0], 2), (colleagues[1], 1)]
    assert met[0].last_met_on == latest.round.week_starts_on


def test_circle_ids_for_only_own_published(employee, other_employee, colleagues, upcoming_circle):
    CircleFactory(round=RoundFactory(state=Round.State.FORMED))
    published_circle(people=[other_employee, *colleagues])
    assert selectors.circle_ids_for(person=employee, limit=20) == [(upcoming_circle.pk, upcoming_circle.round.ends_at)]


def test_learning_log_entries(employee, colleagues, met_circle):
    Membership.objects.filter(circle=met_circle, person=employee).update(attended=True)
    shared = learning(met_circle, employee, at=timezone.now())
    learning(met_circle, employee, at=timezone.now(), hidden=True)
    entries = selectors.learning_log_entries(person=employee)
    assert [(e.kind, e.verb, e.object_id) for e in entries] == [
        ("circle", VERB_SHARED, f"circles.learning:{shared.pk}"),
        ("circle", VERB_ATTENDED, f"circles.circle:{met_circle.pk}"),
    ]
    assert entries[1].title == "Peer sharing circle: Delegation test"
    later = selectors.learning_log_entries(person=employee, start=timezone.now() + dt.timedelta(minutes=1))
    assert later == []
    assert selectors.learning_log_entries(person=colleagues[0]) == []


def test_learning_log_entry_shows_a_learnings_markdown_as_plain_text(employee, met_circle):
    shared = learning(met_circle, employee, at=timezone.now())
    Learning.objects.filter(pk=shared.pk).update(body="Agree on what *done* looks like **before** handing work over.")
    (entry,) = [
        e for e in selectors.learning_log_entries(person=employee) if e.object_id.startswith("circles.learning")
    ]
    assert entry.detail == "Agree on what done looks like before handing work over."
