"""Every list a person is picked from names them with department and location, so namesakes are told apart."""

from types import SimpleNamespace

from cafes.forms import CafeHeldForm
from circles.forms import AttendanceForm, MoveForm
from saypro.core.forms import person_choice_label
from tests.factories import UserFactory
from tests.factories.core import DepartmentFactory, LocationFactory


def namesakes():
    return [
        UserFactory(
            first_name="Thabo",
            last_name="Nkosi",
            department=DepartmentFactory(name=department),
            location=LocationFactory(name=location),
        )
        for department, location in (("Finance", "Durban"), ("Sales", "Pretoria"))
    ]


def test_person_choice_label_names_department_and_location(db):
    finance, sales = namesakes()

    assert person_choice_label(finance) == "Thabo Nkosi (Finance · Durban)"
    assert person_choice_label(sales) == "Thabo Nkosi (Sales · Pretoria)"


def test_person_choice_label_without_department_or_location_is_the_name(db):
    person = UserFactory(
        first_name="Lerato", last_name="Mokoena", department=None, location=LocationFactory(name="Soweto")
    )
    nowhere = UserFactory(first_name="Ayanda", last_name="Zulu", department=None, location=None)

    assert person_choice_label(person) == "Lerato Mokoena (Soweto)"
    assert person_choice_label(nowhere) == "Ayanda Zulu"


def test_cafe_held_form_offers_namesakes_told_apart_without_a_query_each(db, django_assert_num_queries):
    finance, sales = namesakes()
    form = CafeHeldForm(people=[finance, sales])

    with django_assert_num_queries(1):
        labels = sorted(label for _, label in form.fields["attended"].choices)

    assert labels == ["Thabo Nkosi (Finance · Durban)", "Thabo Nkosi (Sales · Pretoria)"]


def test_circle_attendance_form_offers_namesakes_told_apart(db):
    finance, sales = namesakes()
    memberships = [SimpleNamespace(person_id=p.pk, person=p, attended=None) for p in (finance, sales)]

    form = AttendanceForm(memberships=memberships)

    assert form.fields["attended"].choices == [
        (str(finance.pk), "Thabo Nkosi (Finance · Durban)"),
        (str(sales.pk), "Thabo Nkosi (Sales · Pretoria)"),
    ]


def test_move_form_says_member_for_one_and_members_for_more(db):
    topic = SimpleNamespace(name="Delegation")
    targets = [
        SimpleNamespace(pk=1, number=3, topic=topic, size=1),
        SimpleNamespace(pk=2, number=4, topic=topic, size=5),
    ]

    form = MoveForm(targets=targets, topics=[])

    assert [label for _, label in form.fields["to_circle"].choices][1:] == [
        "Circle 3: Delegation (1 member)",
        "Circle 4: Delegation (5 members)",
    ]
