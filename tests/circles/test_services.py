import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from circles import services
from circles.models import Circle, Learning, Membership, NeverWith, Round, Signup, SignupChoice, StandingSignup, Topic
from saypro.core.models import AuditEntry, Notification, OutboundEmail
from tests.circles.conftest import published_circle
from tests.factories import DepartmentFactory, LocationFactory, UserFactory
from tests.factories.circles import CircleFactory, MembershipFactory, RoundFactory, SignupFactory, TopicFactory

pytestmark = pytest.mark.django_db


def monday(offset_weeks: int = 0) -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=offset_weeks)


# --- topics ---------------------------------------------------------------------------------------


def test_topics_seeded_by_migration():
    names = set(Topic.objects.values_list("name", flat=True))
    assert {"Delegation", "Conflict management", "Giving feedback", "Time management", "Coaching"} <= names


def test_topic_save_creates_and_audits(officer):
    topic = services.topic_save(
        by=officer, name=" Listening ", description="Hear more.", prompts="A?\nB?", is_active=True
    )
    assert (topic.name, topic.prompt_list) == ("Listening", ["A?", "B?"])
    assert AuditEntry.objects.filter(action="circles.topic_create", actor=officer).count() == 1


def test_topic_save_duplicate_name_refused(officer):
    TopicFactory(name="Listening")
    before = Topic.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.topic_save(by=officer, name="listening", description="", prompts="", is_active=True)
    assert exc.value.message_dict == {"name": ["A topic with this name already exists."]}
    assert Topic.objects.count() == before


# --- rounds ---------------------------------------------------------------------------------------


def test_round_open_next_sets_defaults_and_is_idempotent():
    today = monday()
    round = services.circle_round_open_next(today=today)
    assert round.week_starts_on == today + dt.timedelta(days=7)
    local_deadline = timezone.localtime(round.signup_deadline)
    local_meeting = timezone.localtime(round.meets_at)
    assert (local_deadline.date(), local_deadline.hour) == (today + dt.timedelta(days=3), 17)
    assert (local_meeting.date(), local_meeting.hour, local_meeting.minute) == (today + dt.timedelta(days=9), 12, 30)
    assert round.topics.count() == services.TOPICS_OFFERED
    assert services.circle_round_open_next(today=today) is None
    assert Round.objects.count() == 1


def test_round_open_rotates_topics_least_recently_offered():
    first = services.circle_round_open_next(today=monday())
    second = services.circle_round_open_next(today=monday(1))
    active = Topic.objects.filter(is_active=True).count()
    offered_first = set(first.topics.values_list("pk", flat=True))
    offered_second = set(second.topics.values_list("pk", flat=True))
    # Topics never offered come before any offered last week.
    assert len(offered_first & offered_second) == max(0, 2 * services.TOPICS_OFFERED - active)


def test_round_open_never_offers_retired_topic():
    Topic.objects.filter(name="Delegation").update(is_active=False)
    round = services.circle_round_open_next(today=monday())
    assert "Delegation" not in set(round.topics.values_list("name", flat=True))


def test_round_open_materialises_standing_opt_ins(employee, other_employee):
    delegation, coaching = Topic.objects.get(name="Delegation"), Topic.objects.get(name="Coaching")
    StandingSignup.objects.create(person=employee, topic_ids=[coaching.pk, delegation.pk])
    StandingSignup.objects.create(person=other_employee, topic_ids=[coaching.pk], paused_until=monday(1))
    round, created = services.round_open(week_starts_on=monday(1))
    round.topics.set([coaching, delegation])  # make both offered for the check below
    assert created
    signup = Signup.objects.get(round=round)
    assert (signup.person, signup.source) == (employee, Signup.Source.STANDING)
    offered = set(round.topics.values_list("pk", flat=True))
    assert [c.topic_id for c in signup.choices.all()] == [t for t in [coaching.pk, delegation.pk] if t in offered]


def test_round_update_refuses_meeting_before_deadline(officer, open_round):
    with pytest.raises(ValidationError) as exc:
        services.round_update(
            round=open_round,
            by=officer,
            signup_deadline=open_round.meets_at,
            meets_at=open_round.signup_deadline,
            duration_minutes=60,
            place="Room 4",
            topics=list(open_round.topics.all()),
        )
    assert exc.value.message_dict == {"meets_at": ["The meeting must be after the sign-up deadline."]}


def test_round_update_refuses_retired_topic(officer, open_round):
    retired = TopicFactory(name="Old topic", is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.round_update(
            round=open_round,
            by=officer,
            signup_deadline=open_round.signup_deadline,
            meets_at=open_round.meets_at,
            duration_minutes=60,
            place="Room 4",
            topics=[retired],
        )
    assert exc.value.message_dict == {"topics": ["Retired topics cannot be offered: Old topic."]}
    assert "Old topic" not in set(open_round.topics.values_list("name", flat=True))


def test_round_update_changes_slot_and_audits(officer, open_round, topics):
    meets = open_round.meets_at + dt.timedelta(hours=2)
    services.round_update(
        round=open_round,
        by=officer,
        signup_deadline=open_round.signup_deadline,
        meets_at=meets,
        duration_minutes=45,
        place="Room 4",
        topics=topics[:1],
    )
    open_round.refresh_from_db()
    assert (open_round.meets_at, open_round.duration_minutes, open_round.place) == (meets, 45, "Room 4")
    assert list(open_round.topics.all()) == topics[:1]
    assert AuditEntry.objects.filter(action="circles.round_update").count() == 1


# --- sign-ups -------------------------------------------------------------------------------------


def test_signup_save_stores_ranked_preferences(employee, open_round, topics):
    signup = services.signup_save(round=open_round, person=employee, topic_ids=[topics[1].pk, topics[0].pk, None])
    assert [(c.rank, c.topic) for c in signup.choices.all()] == [(1, topics[1]), (2, topics[0])]


def test_signup_save_twice_updates_instead_of_duplicating(employee, open_round, topics):
    services.signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk])
    services.signup_save(round=open_round, person=employee, topic_ids=[topics[2].pk, topics[1].pk])
    assert Signup.objects.filter(round=open_round, person=employee).count() == 1
    assert list(SignupChoice.objects.filter(signup__person=employee).values_list("topic", flat=True)) == [
        topics[2].pk,
        topics[1].pk,
    ]


def test_signup_save_not_this_week_drops_preferences(employee, open_round, topics):
    services.signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk])
    signup = services.signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk], not_this_week=True)
    assert signup.not_this_week is True
    assert signup.choices.count() == 0


def test_signup_save_after_deadline_refused(employee, open_round, topics):
    with pytest.raises(ValidationError) as exc:
        services.signup_save(
            round=open_round, person=employee, topic_ids=[topics[0].pk], now=open_round.signup_deadline
        )
    assert exc.value.messages == ["The sign-up deadline for this week has passed."]
    assert Signup.objects.count() == 0


def test_signup_save_after_forming_refused(employee, open_round, topics):
    Round.objects.filter(pk=open_round.pk).update(state=Round.State.FORMED)
    open_round.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk])
    assert exc.value.messages == ["This week's circles are already formed; sign-up is closed."]


def test_signup_save_retired_topic_refused(employee, open_round, topics):
    Topic.objects.filter(pk=topics[0].pk).update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        services.signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk])
    assert exc.value.message_dict == {"topics": ["Delegation test is retired and can no longer be chosen."]}
    assert Signup.objects.count() == 0


def test_signup_save_topic_not_offered_refused(employee, open_round):
    other = TopicFactory(name="Not offered")
    with pytest.raises(ValidationError) as exc:
        services.signup_save(round=open_round, person=employee, topic_ids=[other.pk])
    assert exc.value.message_dict == {"topics": ["Not offered is not offered this week."]}


def test_signup_save_repeated_topic_refused(employee, open_round, topics):
    with pytest.raises(ValidationError) as exc:
        services.signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk, topics[0].pk])
    assert exc.value.message_dict == {"topics": ["Choose each topic only once."]}


def test_signup_save_without_topic_refused(employee, open_round):
    with pytest.raises(ValidationError) as exc:
        services.signup_save(round=open_round, person=employee, topic_ids=[None, None])
    assert exc.value.message_dict == {"topics": ["Choose at least your first-choice topic, or tick “not this week”."]}
    assert Signup.objects.count() == 0


def test_signup_save_every_week_creates_standing_opt_in(employee, open_round, topics):
    services.signup_save(round=open_round, person=employee, topic_ids=[topics[1].pk], every_week=True)
    assert StandingSignup.objects.get(person=employee).topic_ids == [topics[1].pk]


def test_standing_save_signs_up_for_open_round(employee, open_round, topics):
    services.standing_save(person=employee, topic_ids=[topics[0].pk], is_active=True, paused_until=None)
    signup = Signup.objects.get(round=open_round, person=employee)
    assert signup.source == Signup.Source.STANDING
    assert [c.topic for c in signup.choices.all()] == [topics[0]]


def test_standing_save_paused_does_not_sign_up(employee, open_round, topics):
    services.standing_save(
        person=employee, topic_ids=[topics[0].pk], is_active=True, paused_until=open_round.week_starts_on
    )
    assert not Signup.objects.filter(person=employee).exists()


def test_standing_save_pause_in_past_refused(employee, topics):
    with pytest.raises(ValidationError) as exc:
        services.standing_save(
            person=employee,
            topic_ids=[topics[0].pk],
            is_active=True,
            paused_until=timezone.localdate() - dt.timedelta(days=1),
        )
    assert exc.value.message_dict == {"paused_until": ["Choose a date from today on, or leave it empty."]}
    assert StandingSignup.objects.count() == 0


def test_never_with_add_and_bad_input(employee, other_employee):
    rule = services.never_with_add(person=employee, email=other_employee.email.upper())
    assert (rule.person, rule.other) == (employee, other_employee)
    for email, message in [
        (other_employee.email, f"{other_employee.full_name} is already on your list."),
        (employee.email, "That is your own address."),
        ("nobody@example.org", "Nobody in the organisation has this e-mail address."),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.never_with_add(person=employee, email=email)
        assert exc.value.message_dict == {"email": [message]}
    assert NeverWith.objects.count() == 1


def test_never_with_remove_only_own(employee, other_employee):
    rule = services.never_with_add(person=employee, email=other_employee.email)
    assert services.never_with_remove(person=other_employee, rule_id=rule.pk) is False
    assert services.never_with_remove(person=employee, rule_id=rule.pk) is True


# --- forming --------------------------------------------------------------------------------------


def sign_up(round, people, topic):
    return [SignupFactory(round=round, person=p, choices=[topic]) for p in people]


def past_deadline(round):
    Round.objects.filter(pk=round.pk).update(signup_deadline=timezone.now() - dt.timedelta(minutes=1))
    round.refresh_from_db()
    return round


def test_form_groups_job_waits_for_deadline(open_round, topics):
    sign_up(open_round, UserFactory.create_batch(5), topics[0])
    assert services.circle_round_form_groups(round=open_round) is None
    assert Circle.objects.count() == 0


def test_form_groups_places_everyone_with_snapshots(open_round, topics):
    departments = [DepartmentFactory(name=f"Forming dept {i}") for i in range(4)]
    people = [UserFactory(department=departments[i % 4]) for i in range(11)]
    sign_up(open_round, people, topics[0])
    formation = services.circle_round_form_groups(round=past_deadline(open_round))
    open_round.refresh_from_db()
    assert open_round.state == Round.State.FORMED
    assert open_round.formation_reason == formation.reason
    memberships = Membership.objects.filter(round=open_round)
    assert sorted(memberships.values_list("person_id", flat=True)) == sorted(p.pk for p in people)
    assert sorted(Circle.objects.filter(round=open_round).values_list("number", flat=True)) == [1, 2]
    for m in memberships.select_related("person"):
        assert (m.department_id, m.location_id, m.job_role_id) == (
            m.person.department_id,
            m.person.location_id,
            m.person.job_role_id,
        )
    circle = Circle.objects.filter(round=open_round).first()
    assert set(circle.explanation) == {
        "departments",
        "locations",
        "job_roles",
        "repeated_pairs",
        "first_choice_member_ids",
    }


def test_form_groups_uses_history_of_past_circles(topics):
    department = DepartmentFactory(name="Everyone here")
    people = UserFactory.create_batch(10, department=department)
    past = published_circle(people=people[:4], meets_in=-dt.timedelta(days=7))
    round = RoundFactory(topics=topics, week_starts_on=past.round.week_starts_on + dt.timedelta(weeks=1))
    sign_up(round, people, topics[0])
    services.circle_round_form_groups(round=past_deadline(round))
    for circle in Circle.objects.filter(round=round):
        members = set(circle.memberships.values_list("person_id", flat=True))
        assert len(members & {p.pk for p in people[:4]}) == 2  # the four who met are split two and two
        assert len(circle.explanation["repeated_pairs"]) == 1
        assert circle.explanation["repeated_pairs"][0][2] == 1


def test_form_groups_honours_never_with(open_round, topics):
    people = UserFactory.create_batch(6)
    NeverWith.objects.create(person=people[0], other=people[1])
    sign_up(open_round, people, topics[0])
    services.circle_round_form_groups(round=past_deadline(open_round))
    circle_of = dict(Membership.objects.filter(round=open_round).values_list("person_id", "circle_id"))
    assert circle_of[people[0].pk] != circle_of[people[1].pk]


def test_form_groups_ignores_not_this_week(open_round, topics):
    people = UserFactory.create_batch(4)
    sign_up(open_round, people[:3], topics[0])
    Signup.objects.create(round=open_round, person=people[3], not_this_week=True)
    services.circle_round_form_groups(round=past_deadline(open_round))
    assert Membership.objects.filter(round=open_round).count() == 3


@pytest.mark.parametrize("count", [1, 2])
def test_form_groups_too_few_signups_tells_everyone(open_round, topics, count):
    people = UserFactory.create_batch(count)
    sign_up(open_round, people, topics[0])
    assert services.circle_round_form_groups(round=past_deadline(open_round)) is None
    open_round.refresh_from_db()
    assert open_round.state == Round.State.NO_CIRCLES
    assert Circle.objects.count() == 0
    told = Notification.objects.filter(kind="circle_round_not_formed")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(p.pk for p in people)
    assert OutboundEmail.objects.filter(kind="circle_round_not_formed").count() == count
    # A second run (the job every 15 minutes) changes nothing and tells nobody twice.
    assert services.circle_rounds_form_due() == 0
    assert told.count() == count


def test_form_groups_nobody_signed_up(open_round):
    services.circle_round_form_groups(round=past_deadline(open_round))
    open_round.refresh_from_db()
    assert (open_round.state, open_round.formation_reason) == (
        Round.State.NO_CIRCLES,
        "Nobody signed up this week, so no circles were formed.",
    )


def test_form_groups_rerun_keeps_locked_circles(officer, open_round, topics):
    people = UserFactory.create_batch(10)
    sign_up(open_round, people, topics[0])
    services.circle_round_form_groups(round=past_deadline(open_round), by=officer)
    locked = Circle.objects.filter(round=open_round).order_by("number").first()
    locked_members = set(locked.memberships.values_list("person_id", flat=True))
    services.circle_lock(circle=locked, by=officer, locked=True)
    open_round.refresh_from_db()
    first_seed = open_round.formation_seed
    services.circle_round_form_groups(round=open_round, by=officer)
    open_round.refresh_from_db()
    assert open_round.formation_seed == first_seed + 1
    locked.refresh_from_db()
    assert set(locked.memberships.values_list("person_id", flat=True)) == locked_members
    assert Membership.objects.filter(round=open_round).count() == 10
    assert sorted(Circle.objects.filter(round=open_round).values_list("number", flat=True)) == [1, 2]
    assert AuditEntry.objects.filter(action="circles.round_form").count() == 2


def test_form_groups_same_seed_same_circles(officer, open_round, topics):
    sign_up(open_round, UserFactory.create_batch(13), topics[0])
    services.circle_round_form_groups(round=past_deadline(open_round), by=officer, seed=7)
    first = sorted(tuple(sorted(c.memberships.values_list("person_id", flat=True))) for c in open_round.circles.all())
    services.circle_round_form_groups(round=open_round, by=officer, seed=7)
    again = sorted(tuple(sorted(c.memberships.values_list("person_id", flat=True))) for c in open_round.circles.all())
    assert first == again


def test_form_groups_published_round_refused(officer, upcoming_circle):
    with pytest.raises(ValidationError):
        services.circle_round_form_groups(round=upcoming_circle.round, by=officer)
    assert Circle.objects.filter(round=upcoming_circle.round).count() == 1


def test_rounds_form_due_forms_only_past_deadline(topics):
    due = RoundFactory(topics=topics)
    later = RoundFactory(topics=topics)
    sign_up(due, UserFactory.create_batch(3), topics[0])
    past_deadline(due)
    assert services.circle_rounds_form_due() == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.state, later.state) == (Round.State.FORMED, Round.State.OPEN)
    assert services.circle_rounds_form_due() == 0


# --- adjusting ------------------------------------------------------------------------------------


@pytest.fixture
def formed_round(officer, open_round, topics):
    people = UserFactory.create_batch(9)
    sign_up(open_round, people, topics[0])
    services.circle_round_form_groups(round=past_deadline(open_round), by=officer)
    open_round.refresh_from_db()
    return open_round


def test_move_recomputes_both_explanations(officer, formed_round):
    one, two = formed_round.circles.order_by("number")
    bigger, smaller = (one, two) if one.memberships.count() > two.memberships.count() else (two, one)
    person = bigger.memberships.first().person
    services.circle_membership_move(round=formed_round, person=person, to_circle=smaller, by=officer)
    bigger.refresh_from_db()
    smaller.refresh_from_db()
    assert person.pk in set(smaller.memberships.values_list("person_id", flat=True))
    assert smaller.explanation["departments"] == len(
        set(smaller.memberships.values_list("person__department_id", flat=True))
    )
    assert bigger.explanation["departments"] == len(
        set(bigger.memberships.values_list("person__department_id", flat=True))
    )
    assert AuditEntry.objects.filter(action="circles.membership_move").count() == 1


def test_move_breaking_never_with_refused(officer, formed_round):
    one, two = formed_round.circles.order_by("number")
    mover = one.memberships.first().person
    NeverWith.objects.create(person=two.memberships.first().person, other=mover)
    with pytest.raises(ValidationError) as exc:
        services.circle_membership_move(round=formed_round, person=mover, to_circle=two, by=officer)
    assert "asked never to share a circle" in exc.value.message_dict["to_circle"][0]
    assert Membership.objects.get(round=formed_round, person=mover).circle == one


def test_move_into_locked_or_full_circle_refused(officer, formed_round):
    one, two = formed_round.circles.order_by("number")
    services.circle_lock(circle=two, by=officer, locked=True)
    two.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.circle_membership_move(
            round=formed_round, person=one.memberships.first().person, to_circle=two, by=officer
        )
    assert exc.value.message_dict == {"to_circle": ["Unlock the circle first: a locked circle keeps its members."]}
    services.circle_lock(circle=two, by=officer, locked=False)
    two.refresh_from_db()
    for person in UserFactory.create_batch(6 - two.memberships.count()):
        MembershipFactory(circle=two, person=person)
    with pytest.raises(ValidationError) as exc:
        services.circle_membership_move(
            round=formed_round, person=one.memberships.first().person, to_circle=two, by=officer
        )
    assert exc.value.message_dict == {"to_circle": [f"Circle {two.number} is full (6 people)."]}


def test_move_after_publish_refused(officer, upcoming_circle, other_employee):
    with pytest.raises(ValidationError) as exc:
        services.circle_membership_move(
            round=upcoming_circle.round, person=other_employee, to_circle=upcoming_circle, by=officer
        )
    assert exc.value.messages == ["Circles can only be adjusted while they await review, before publishing."]


def test_move_removes_emptied_circle(officer, formed_round):
    one, two = formed_round.circles.order_by("number")
    extra = CircleFactory(round=formed_round, topic=one.topic, number=3)
    person = one.memberships.first().person
    services.circle_membership_move(round=formed_round, person=person, to_circle=extra, by=officer)
    services.circle_membership_move(round=formed_round, person=person, to_circle=one, by=officer)
    assert not Circle.objects.filter(pk=extra.pk).exists()


# --- publishing -----------------------------------------------------------------------------------


def test_publish_queues_the_announcement_after_commit(
    officer, formed_round, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("circles.services.task_enqueue", lambda task, **kwargs: queued.append((task.name, kwargs)))
    with django_capture_on_commit_callbacks(execute=True):
        services.circle_round_publish(round=formed_round, by=officer)
    assert queued == [("circles.circle_round_announce_task", {"round_id": formed_round.pk})]
    assert OutboundEmail.objects.count() == 0


def test_publish_chooses_hosts_and_emails_everyone_with_invite(officer, formed_round):
    services.circle_round_publish(round=formed_round, by=officer)
    assert services.circle_round_announce(round=formed_round) == 9
    formed_round.refresh_from_db()
    assert formed_round.state == Round.State.PUBLISHED
    assert formed_round.announced_at is not None
    members = Membership.objects.filter(round=formed_round)
    emails = OutboundEmail.objects.filter(kind="circle_published")
    assert sorted(emails.values_list("recipient_id", flat=True)) == sorted(members.values_list("person_id", flat=True))
    email = emails.select_related("recipient").first()
    membership = members.get(person=email.recipient)
    circle = membership.circle
    assert circle.topic.name in email.body_text
    assert circle.topic.prompt_list[0] in email.body_text
    assert formed_round.place in email.body_text
    for other in circle.memberships.select_related("person"):
        assert other.person.full_name in email.body_text
    assert email.attachments[0]["filename"] == "invite.ics"
    assert f"UID:circle-{circle.pk}@saypro-share-learnings" in email.attachments[0]["content"]
    for circle in formed_round.circles.all():
        assert circle.host_id in set(circle.memberships.values_list("person_id", flat=True))
    hosts = set(formed_round.circles.values_list("host_id", flat=True))
    assert set(Notification.objects.filter(kind="circle_host").values_list("recipient_id", flat=True)) == hosts


def test_publish_host_rotates_to_who_hosted_least_recently(officer, open_round, topics):
    people = UserFactory.create_batch(3)
    published_circle(people=people, host=people[0], meets_in=-dt.timedelta(days=14))
    published_circle(people=people, host=people[1], meets_in=-dt.timedelta(days=7))
    sign_up(open_round, people, topics[0])
    services.circle_round_form_groups(round=past_deadline(open_round), by=officer)
    services.circle_round_publish(round=open_round, by=officer)
    assert open_round.circles.get().host == people[2]  # never hosted
    Circle.objects.filter(round=open_round).update(host=None)
    Round.objects.filter(pk=open_round.pk).update(state=Round.State.FORMED)
    open_round.refresh_from_db()
    # With everyone having hosted, the one who hosted longest ago is next: people[0].
    published_circle(people=people, host=people[2], meets_in=-dt.timedelta(days=1))
    services.circle_round_publish(round=open_round, by=officer)
    assert open_round.circles.get().host == people[0]


def test_publish_refused_with_unplaced_or_undersized(officer, formed_round):
    one = formed_round.circles.order_by("number").first()
    late = UserFactory()
    SignupFactory(round=formed_round, person=late, choices=[one.topic])
    with pytest.raises(ValidationError) as exc:
        services.circle_round_publish(round=formed_round, by=officer)
    assert exc.value.messages == ["Place everyone who signed up in a circle before publishing."]
    Signup.objects.filter(person=late).delete()
    removed = Membership.objects.filter(circle=one).exclude(pk=one.memberships.first().pk)
    Signup.objects.filter(round=formed_round, person__in=removed.values("person")).delete()
    removed.delete()
    with pytest.raises(ValidationError) as exc:
        services.circle_round_publish(round=formed_round, by=officer)
    assert exc.value.messages == [f"Every circle needs 3 to 6 members; check circle {one.number}."]
    assert OutboundEmail.objects.count() == 0
    formed_round.refresh_from_db()
    assert formed_round.state == Round.State.FORMED


# --- reminders ------------------------------------------------------------------------------------


def test_reminders_day_then_hour_each_once(employee, colleagues):
    circle = published_circle(people=[employee, *colleagues], meets_in=dt.timedelta(hours=20))
    meets = circle.round.meets_at
    assert services.circle_reminders_send(now=meets - dt.timedelta(hours=20)) == 4
    assert services.circle_reminders_send(now=meets - dt.timedelta(hours=19)) == 0
    assert services.circle_reminders_send(now=meets - dt.timedelta(minutes=45)) == 4
    assert services.circle_reminders_send(now=meets - dt.timedelta(minutes=30)) == 0
    keys = sorted(
        OutboundEmail.objects.filter(recipient=employee, kind="circle_reminder").values_list("key", flat=True)
    )
    assert keys == [f"circle:{circle.pk}:reminder-day", f"circle:{circle.pk}:reminder-hour"]


def test_reminders_skip_people_who_left_and_past_circles(employee, colleagues):
    circle = published_circle(people=[employee, *colleagues], meets_in=dt.timedelta(hours=5))
    Membership.objects.filter(circle=circle, person=colleagues[0]).update(left_at=timezone.now())
    assert services.circle_reminders_send(now=circle.round.meets_at + dt.timedelta(minutes=1)) == 0
    assert services.circle_reminders_send() == 3


# --- leaving --------------------------------------------------------------------------------------


def test_leave_tells_host(employee, colleagues, upcoming_circle):
    membership = Membership.objects.get(circle=upcoming_circle, person=colleagues[0])
    services.circle_membership_leave(membership=membership, by=colleagues[0], reason="On leave that day")
    membership.refresh_from_db()
    assert membership.left_at is not None
    note = Notification.objects.get(kind="circle_member_left")
    assert note.recipient == employee
    assert "On leave that day" in note.body


def test_leave_by_host_passes_hosting_on(employee, colleagues, upcoming_circle):
    membership = Membership.objects.get(circle=upcoming_circle, person=employee)
    services.circle_membership_leave(membership=membership, by=employee)
    upcoming_circle.refresh_from_db()
    assert upcoming_circle.host in colleagues
    assert Notification.objects.get(kind="circle_host").recipient == upcoming_circle.host
    assert Notification.objects.get(kind="circle_member_left").recipient == upcoming_circle.host


def test_leave_twice_or_after_meeting_refused(employee, colleagues, upcoming_circle, met_circle):
    membership = Membership.objects.get(circle=upcoming_circle, person=colleagues[0])
    services.circle_membership_leave(membership=membership, by=colleagues[0])
    with pytest.raises(ValidationError) as exc:
        services.circle_membership_leave(membership=membership, by=colleagues[0])
    assert exc.value.messages == ["You already left this circle."]
    past = Membership.objects.get(circle=met_circle, person=colleagues[1])
    with pytest.raises(ValidationError) as exc:
        services.circle_membership_leave(membership=past, by=colleagues[1])
    assert exc.value.messages == ["This circle has already met; leaving is no longer possible."]
    assert Notification.objects.filter(kind="circle_member_left").count() == 1


def test_leave_for_someone_else_refused(employee, colleagues, upcoming_circle):
    membership = Membership.objects.get(circle=upcoming_circle, person=colleagues[0])
    with pytest.raises(ValidationError):
        services.circle_membership_leave(membership=membership, by=employee)
    membership.refresh_from_db()
    assert membership.left_at is None


# --- after the meeting ----------------------------------------------------------------------------


def test_attendance_by_host_invites_attendees_to_reflect(employee, colleagues, met_circle, invites):
    services.circle_attendance_record(
        circle=met_circle, by=employee, attended_person_ids=[employee.pk, colleagues[0].pk]
    )
    attended = dict(Membership.objects.filter(circle=met_circle).values_list("person_id", "attended"))
    assert attended == {employee.pk: True, colleagues[0].pk: True, colleagues[1].pk: False, colleagues[2].pk: False}
    assert sorted(c[0] for c in invites) == sorted([employee.pk, colleagues[0].pk])
    assert invites[0][1:] == (met_circle.pk, "circle", "your circle on Delegation test")


def test_attendance_bad_input_refused(employee, colleagues, met_circle, upcoming_circle, other_employee, invites):
    with pytest.raises(ValidationError):
        services.circle_attendance_record(circle=met_circle, by=colleagues[0], attended_person_ids=[])
    with pytest.raises(ValidationError) as exc:
        services.circle_attendance_record(circle=met_circle, by=employee, attended_person_ids=[other_employee.pk])
    assert exc.value.message_dict == {"attended": ["Only members of this circle can be marked as present."]}
    with pytest.raises(ValidationError) as exc:
        services.circle_attendance_record(circle=upcoming_circle, by=employee, attended_person_ids=[employee.pk])
    assert exc.value.messages == ["Attendance can be recorded once the circle has met."]
    assert Membership.objects.filter(attended__isnull=False).count() == 0
    assert invites == []


def test_attendance_by_officer_is_audited(officer, met_circle, employee, invites):
    services.circle_attendance_record(circle=met_circle, by=officer, attended_person_ids=[employee.pk])
    assert AuditEntry.objects.filter(action="circles.attendance_record", actor=officer).count() == 1


def test_learning_record_snapshots_author_and_renders_safely(colleagues, met_circle, invites):
    author = colleagues[1]
    learning = services.circle_learning_record(
        circle=met_circle, author=author, body="**Ask** before telling <script>alert(1)</script>"
    )
    assert (learning.department_id, learning.location_id, learning.job_role_id) == (
        author.department_id,
        author.location_id,
        author.job_role_id,
    )
    assert learning.body_html == "<p><strong>Ask</strong> before telling &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    assert invites == [(author.pk, met_circle.pk, "circle", "your circle on Delegation test")]
    # Moving department later does not change where the learning counts.
    author.department = DepartmentFactory(name="Moved later")
    author.location = LocationFactory(name="Moved later too")
    author.save()
    learning.refresh_from_db()
    assert learning.department_id != author.department_id


def test_learning_record_bad_input(employee, other_employee, met_circle, upcoming_circle, invites):
    cases = [
        (met_circle, employee, "   ", {"body": ["Write what the circle learned."]}),
        (met_circle, employee, "word " * 201, {"body": ["Keep it short: at most 200 words (this has 201)."]}),
        (met_circle, other_employee, "Hello", ["Only members of the circle record its learnings."]),
        (upcoming_circle, employee, "Too early", ["Learnings can be recorded once the circle has met."]),
    ]
    for circle, author, body, expected in cases:
        with pytest.raises(ValidationError) as exc:
            services.circle_learning_record(circle=circle, author=author, body=body)
        assert (exc.value.message_dict if isinstance(expected, dict) else exc.value.messages) == expected
    assert Learning.objects.count() == 0
    assert invites == []


def test_learning_hide_needs_reason_and_officer(officer, employee, met_circle, invites):
    learning = services.circle_learning_record(circle=met_circle, author=employee, body="Ask first.")
    with pytest.raises(ValidationError):
        services.circle_learning_hide(learning=learning, by=employee, reason="no")
    with pytest.raises(ValidationError) as exc:
        services.circle_learning_hide(learning=learning, by=officer, reason=" ")
    assert exc.value.message_dict == {"reason": ["Say why it is hidden."]}
    services.circle_learning_hide(learning=learning, by=officer, reason="Names a colleague")
    learning.refresh_from_db()
    assert (learning.is_hidden, learning.hidden_reason) == (True, "Names a colleague")


def test_signup_save_every_week_unticked_stops_standing(employee, open_round, topics):
    StandingSignup.objects.create(person=employee, topic_ids=[topics[0].pk])
    services.signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk])
    assert StandingSignup.objects.get(person=employee).is_active is True
    services.signup_save(round=open_round, person=employee, topic_ids=[topics[0].pk], every_week=False)
    assert StandingSignup.objects.get(person=employee).is_active is False


def test_round_cancel_tells_everyone_signed_up(officer, formed_round):
    signed = set(Signup.objects.filter(round=formed_round).values_list("person_id", flat=True))
    with pytest.raises(ValidationError) as exc:
        services.circle_round_cancel(round=formed_round, by=officer, reason=" ")
    assert exc.value.message_dict == {"reason": ["Say why the circles are called off; everyone signed up is told."]}
    assert formed_round.circles.count() == 2
    services.circle_round_cancel(round=formed_round, by=officer, reason="Public holiday")
    formed_round.refresh_from_db()
    assert (formed_round.state, formed_round.formation_reason) == (Round.State.NO_CIRCLES, "Called off: Public holiday")
    assert formed_round.circles.count() == 0
    told = Notification.objects.filter(kind="circle_round_not_formed")
    assert set(told.values_list("recipient_id", flat=True)) == signed
    assert "called off: Public holiday" in told.first().body
    with pytest.raises(ValidationError):
        services.circle_round_cancel(round=formed_round, by=officer, reason="Again")


def test_move_into_new_circle_takes_at_least_three_people(officer, formed_round, topics):
    one = formed_round.circles.order_by("number").first()
    person, *others = [m.person for m in one.memberships.order_by("pk")[:3]]
    circle = services.circle_membership_move(
        round=formed_round, person=person, new_circle_topic=topics[1], together_with=others, by=officer
    )
    assert (circle.number, circle.topic) == (3, topics[1])
    assert set(circle.memberships.values_list("person_id", flat=True)) == {person.pk, *(p.pk for p in others)}
    assert AuditEntry.objects.filter(action="circles.membership_move").count() == 3
    with pytest.raises(ValidationError) as exc:
        services.circle_membership_move(
            round=formed_round, person=person, new_circle_topic=TopicFactory(name="Elsewhere"), by=officer
        )
    assert exc.value.message_dict == {"to_circle": ["Choose a circle, or a topic offered this week for a new one."]}
    assert formed_round.circles.count() == 3


@pytest.mark.parametrize("together", [0, 1])
def test_move_into_new_circle_alone_or_in_two_is_refused_at_the_move(officer, formed_round, topics, together):
    """A one- or two-person circle was made here and refused only at publishing; now the move says why."""
    one = formed_round.circles.order_by("number").first()
    person, *others = [m.person for m in one.memberships.order_by("pk")[: 1 + together]]
    before = sorted(Membership.objects.filter(round=formed_round).values_list("person_id", "circle_id"))

    with pytest.raises(ValidationError) as exc:
        services.circle_membership_move(
            round=formed_round, person=person, new_circle_topic=topics[1], together_with=others, by=officer
        )

    need = 2 - together
    assert exc.value.message_dict == {
        "together_with": [
            f"A new circle needs at least 3 people: choose {need} more to move with {person.full_name}, "
            "or move them into a circle with room."
        ]
    }
    assert formed_round.circles.count() == 2
    assert sorted(Membership.objects.filter(round=formed_round).values_list("person_id", "circle_id")) == before


def test_move_together_into_a_new_circle_is_all_or_nothing(officer, formed_round, topics):
    one = formed_round.circles.order_by("number").first()
    person, *others = [m.person for m in one.memberships.order_by("pk")[:3]]
    NeverWith.objects.create(person=others[0], other=others[1])

    with pytest.raises(ValidationError) as exc:
        services.circle_membership_move(
            round=formed_round, person=person, new_circle_topic=topics[1], together_with=others, by=officer
        )

    assert "asked never to share a circle" in exc.value.message_dict["to_circle"][0]
    assert formed_round.circles.count() == 2
    assert set(one.memberships.values_list("person_id", flat=True)) >= {person.pk, *(p.pk for p in others)}


def test_move_together_only_into_a_new_circle(officer, formed_round):
    one, two = formed_round.circles.order_by("number")
    person, other = [m.person for m in one.memberships.order_by("pk")[:2]]

    with pytest.raises(ValidationError) as exc:
        services.circle_membership_move(
            round=formed_round, person=person, to_circle=two, together_with=[other], by=officer
        )

    assert exc.value.message_dict == {"together_with": ["People move together only into a new circle."]}


def test_form_groups_impossible_leaves_round_for_the_officer(officer, open_round, topics):
    people = UserFactory.create_batch(3)
    NeverWith.objects.create(person=people[0], other=people[1])
    sign_up(open_round, people, topics[0])
    assert services.circle_round_form_groups(round=past_deadline(open_round)) is None
    open_round.refresh_from_db()
    assert open_round.state == Round.State.FORMED
    assert open_round.formation_reason.startswith("The circles could not be formed automatically: ")
    assert open_round.formation_reason.endswith(" Place people by hand, or call the week off.")
    assert Circle.objects.count() == 0


def test_announce_twice_or_pending_tells_nobody_twice(officer, formed_round):
    services.circle_round_publish(round=formed_round, by=officer)
    assert services.circle_rounds_announce_pending() == 9
    assert services.circle_rounds_announce_pending() == 0
    Round.objects.filter(pk=formed_round.pk).update(announced_at=None)  # as if a crash came before the end
    assert services.circle_round_announce(round=formed_round) == 0
    assert OutboundEmail.objects.filter(kind="circle_published").count() == 9
    assert Notification.objects.filter(kind="circle_host").count() == 2


def test_announce_pending_leaves_a_round_that_already_met_untold(officer, formed_round):
    """An announcement lost until after the meeting stays untold: an invitation to the past is noise."""
    services.circle_round_publish(round=formed_round, by=officer)
    formed_round.refresh_from_db()

    after_meeting = formed_round.meets_at + dt.timedelta(minutes=1)
    assert services.circle_rounds_announce_pending(now=after_meeting) == 0
    assert OutboundEmail.objects.filter(kind="circle_published").count() == 0
    assert services.circle_rounds_announce_pending(now=formed_round.meets_at - dt.timedelta(minutes=1)) == 9
