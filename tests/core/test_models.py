import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from saypro.core.models import Department, Enrolment, ManagerScope, MentorLink, Module, Placement, User
from tests.factories import EnrolmentFactory, ModuleFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


def _violates(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except IntegrityError:
        return True
    return False


def test_user_email_unique_regardless_of_case():
    UserFactory(email="zoe@example.org")
    assert _violates(lambda: User.objects.create_user(email="ZOE@example.org".lower()))
    assert User.objects.create_user(email="Other@Example.org").email == "other@example.org"


def test_user_email_stored_uppercase_is_refused_by_database():
    assert _violates(lambda: User.objects.bulk_create([User(email="Upper@example.org")]))


def test_department_name_unique_ignoring_case():
    Department.objects.create(name="Finance")
    assert _violates(lambda: Department.objects.create(name="finance"))


def test_mentor_link_not_self_and_unique():
    person, other = UserFactory(), UserFactory()
    assert _violates(lambda: MentorLink.objects.create(mentor=person, mentee=person))
    MentorLink.objects.create(mentor=other, mentee=person)
    assert _violates(lambda: MentorLink.objects.create(mentor=other, mentee=person))


def test_module_end_before_start_refused():
    programme = ProgrammeFactory()
    today = timezone.localdate()
    assert _violates(
        lambda: Module.objects.create(
            programme=programme, position=1, title="x", starts_on=today, ends_on=today - dt.timedelta(days=1)
        )
    )


def test_module_position_unique_in_programme():
    module = ModuleFactory()
    assert _violates(lambda: ModuleFactory(programme=module.programme, position=module.position))


def test_enrolment_unique_per_person_and_module():
    enrolment = EnrolmentFactory()
    assert _violates(lambda: Enrolment.objects.create(person=enrolment.person, module=enrolment.module))


def test_enrolment_withdrawn_needs_time_and_only_then():
    enrolment = EnrolmentFactory()
    assert _violates(lambda: Enrolment.objects.filter(pk=enrolment.pk).update(status="withdrawn"))
    assert _violates(lambda: Enrolment.objects.filter(pk=enrolment.pk).update(withdrawn_at=timezone.now()))


def test_only_one_open_placement_per_person():
    person = UserFactory()
    assert _violates(lambda: Placement.objects.create(person=person, valid_from=timezone.now()))


def test_manager_scope_whole_organisation_once():
    manager = UserFactory()
    ManagerScope.objects.create(manager=manager, department=None)
    assert _violates(lambda: ManagerScope.objects.create(manager=manager, department=None))


def test_user_full_name_falls_back_to_email():
    assert str(User(email="a@b.org")) == "a@b.org"
    assert str(User(email="a@b.org", first_name="Zoë", last_name="Ndlovu-Müller")) == "Zoë Ndlovu-Müller"
