"""Reads of the shared core."""

import datetime as dt

import pytest

from saypro.core import selectors, services
from saypro.core.models import ManagerScope, MentorLink, Placement
from tests.factories import DepartmentFactory, MentorLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 1, 1, 0, 0, tzinfo=dt.UTC)
MOVE = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def test_manager_department_ids_lists_the_scoped_departments():
    manager = UserFactory()
    finance, hr = DepartmentFactory(), DepartmentFactory()
    ManagerScope.objects.create(manager=manager, department=finance)
    ManagerScope.objects.create(manager=manager, department=hr)

    assert selectors.manager_department_ids(manager=manager) == {finance.pk, hr.pk}


def test_manager_department_ids_whole_organisation_is_none():
    manager = UserFactory()
    ManagerScope.objects.create(manager=manager, department=DepartmentFactory())
    ManagerScope.objects.create(manager=manager, department=None)

    assert selectors.manager_department_ids(manager=manager) is None


def test_manager_department_ids_without_scope_is_empty():
    assert selectors.manager_department_ids(manager=UserFactory()) == set()


def test_manager_department_ids_are_read_once_and_follow_each_saved_or_deleted_scope(django_assert_num_queries):
    manager = UserFactory()
    finance, hr = DepartmentFactory(), DepartmentFactory()
    ManagerScope.objects.create(manager=manager, department=finance)
    assert selectors.manager_department_ids(manager=manager) == {finance.pk}
    with django_assert_num_queries(0):
        assert selectors.manager_department_ids(manager=manager) == {finance.pk}

    hr_scope = ManagerScope.objects.create(manager=manager, department=hr)
    assert selectors.manager_department_ids(manager=manager) == {finance.pk, hr.pk}
    whole = ManagerScope.objects.create(manager=manager, department=None)
    assert selectors.manager_department_ids(manager=manager) is None
    whole.delete()
    hr_scope.department = None
    hr_scope.save()
    assert selectors.manager_department_ids(manager=manager) is None
    ManagerScope.objects.filter(department=None).delete()
    assert selectors.manager_department_ids(manager=manager) == {finance.pk}


def test_placement_names_are_kept_and_follow_a_rename_and_a_move(django_assert_num_queries):
    from saypro.core.models import JobRole, Location

    finance, hr = DepartmentFactory(name="Finance"), DepartmentFactory(name="HR")
    durban = Location.objects.create(name="Durban")
    analyst = JobRole.objects.create(name="Analyst")
    person = UserFactory(department=finance, location=durban, job_role=analyst)
    colleague = UserFactory(department=finance, location=durban, job_role=analyst)
    expected = {"department_name": "Finance", "location_name": "Durban", "job_role_name": "Analyst"}
    assert selectors.person_placement_names(person=person) == expected
    with django_assert_num_queries(0):  # kept for everyone in the same place
        assert selectors.person_placement_names(person=colleague) == expected

    finance.name = "Finance and Risk"
    finance.save()
    assert selectors.person_placement_names(person=colleague)["department_name"] == "Finance and Risk"
    person.department, person.job_role = hr, None
    person.save()
    assert selectors.person_placement_names(person=person) == {
        "department_name": "HR",
        "location_name": "Durban",
        "job_role_name": None,
    }
    durban.name = "eThekwini"
    durban.save()
    assert selectors.person_placement_names(person=person)["location_name"] == "eThekwini"


def test_manager_department_ids_are_kept_per_manager():
    finance_manager, hr_manager = UserFactory(), UserFactory()
    finance, hr = DepartmentFactory(), DepartmentFactory()
    ManagerScope.objects.create(manager=finance_manager, department=finance)
    ManagerScope.objects.create(manager=hr_manager, department=hr)

    assert selectors.manager_department_ids(manager=finance_manager) == {finance.pk}
    assert selectors.manager_department_ids(manager=hr_manager) == {hr.pk}


@pytest.fixture
def moved_person():
    """A person in one department from T0, moved to another at MOVE."""
    person = UserFactory(placement=T0)
    first_department = person.department
    second_department = DepartmentFactory()
    services.person_place(
        person=person, department=second_department, location=person.location, job_role=person.job_role, at=MOVE
    )
    return person, first_department, second_department


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (T0 - dt.timedelta(microseconds=1), None),
        (T0, "first"),
        (MOVE - dt.timedelta(microseconds=1), "first"),
        (MOVE, "second"),
        (MOVE + dt.timedelta(days=400), "second"),
    ],
    ids=["before-any", "first-starts", "just-before-move", "at-move", "long-after"],
)
def test_placement_at_boundaries(moved_person, at, expected):
    person, first, second = moved_person

    placement = selectors.placement_at(person_id=person.pk, at=at)

    departments = {"first": first.pk, "second": second.pk}
    assert (placement.department_id if placement else None) == departments.get(expected)


def test_placement_at_is_one_query_with_its_departments(moved_person, django_assert_num_queries):
    person, _, second = moved_person

    with django_assert_num_queries(1):
        placement = selectors.placement_at(person_id=person.pk, at=MOVE)
        assert placement.department.name == second.name


def test_placement_history_is_kept(moved_person):
    person, first, second = moved_person

    assert list(Placement.objects.filter(person=person).values_list("department_id", "valid_from", "valid_to")) == [
        (first.pk, T0, MOVE),
        (second.pk, MOVE, None),
    ]


def test_mentor_ids_of_lists_active_mentors_only():
    mentee = UserFactory()
    active, former = MentorLinkFactory(mentee=mentee), MentorLinkFactory(mentee=mentee)
    former.is_active = False
    former.save(update_fields=["is_active"])
    MentorLinkFactory()  # someone else's mentor

    assert selectors.mentor_ids_of(mentee=mentee) == [active.mentor_id]
    assert selectors.is_active_mentor_of(mentor=active.mentor, mentee_id=mentee.pk) is True
    assert selectors.is_active_mentor_of(mentor=former.mentor, mentee_id=mentee.pk) is False


def test_active_mentee_ids_are_kept_until_a_link_of_the_mentor_is_written(django_assert_num_queries):
    mentor = UserFactory()
    link = MentorLinkFactory(mentor=mentor)
    other = MentorLinkFactory(mentor=mentor)
    MentorLinkFactory()  # someone else's mentee
    assert selectors.active_mentee_ids(mentor_id=mentor.pk) == {link.mentee_id, other.mentee_id}

    with django_assert_num_queries(0):
        selectors.active_mentee_ids(mentor_id=mentor.pk)
    link.is_active = False
    link.save(update_fields=["is_active"])
    after_end = selectors.active_mentee_ids(mentor_id=mentor.pk)
    other.delete()
    after_delete = selectors.active_mentee_ids(mentor_id=mentor.pk)

    assert (after_end, after_delete) == ({other.mentee_id}, frozenset())


def test_active_mentee_ids_follow_links_written_in_bulk_when_the_writer_says_so():
    from saypro.core import fragments

    link = MentorLinkFactory()
    assert selectors.active_mentee_ids(mentor_id=link.mentor_id) == {link.mentee_id}

    MentorLink.objects.update(is_active=False)  # as the org import and an erasure write them
    fragments.changed("mentor_links")

    assert selectors.active_mentee_ids(mentor_id=link.mentor_id) == frozenset()


def test_an_erasure_ends_the_mentors_kept_links(officer):
    link = MentorLinkFactory()
    assert selectors.active_mentee_ids(mentor_id=link.mentor_id) == {link.mentee_id}

    from saypro.core.personal_data import personal_data_erase

    personal_data_erase(person=link.mentee, by=officer)

    assert selectors.active_mentee_ids(mentor_id=link.mentor_id) == frozenset()


def test_mentee_list_lists_active_mentees_only():
    mentor = UserFactory()
    current, former = UserFactory(), UserFactory()
    MentorLinkFactory(mentor=mentor, mentee=current)
    MentorLink.objects.create(mentor=mentor, mentee=former, is_active=False)

    assert list(selectors.mentee_list(mentor=mentor)) == [current]


def test_notification_unread_count_counts_only_own_unread():
    person, other = UserFactory(), UserFactory()
    notes = [services.notification_create(recipient=person, kind="k", title=str(i)) for i in range(3)]
    services.notification_create(recipient=other, kind="k", title="theirs")
    services.notifications_mark_read(recipient=person, ids=[notes[0].pk])

    assert selectors.notification_unread_count(person=person) == 2
    assert selectors.notification_unread_count(person=other) == 1


def test_notification_list_newest_first_and_own_only():
    person, other = UserFactory(), UserFactory()
    older = services.notification_create(recipient=person, kind="k", title="older")
    newer = services.notification_create(recipient=person, kind="k", title="newer")
    services.notification_create(recipient=other, kind="k", title="theirs")

    assert list(selectors.notification_list(person=person)) == [newer, older]
