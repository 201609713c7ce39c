import datetime as dt

import pytest
from django.utils import timezone

from circles.models import Membership
from tests.circles.conftest import published_circle
from tests.factories.circles import CircleFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_member_sees_circle_and_shares_until_leaving(employee, colleagues):
    circle = published_circle(people=[employee, *colleagues], host=colleagues[0])
    assert employee.has_perm("circles.see_circle", circle)
    assert employee.has_perm("circles.share_learning", circle)
    assert not employee.has_perm("circles.record_attendance", circle)
    Membership.objects.filter(person=employee).update(left_at=timezone.now())
    assert employee.has_perm("circles.see_circle", circle)
    assert not employee.has_perm("circles.share_learning", circle)
    assert not employee.has_perm("circles.leave_circle", circle)


def test_host_and_officer_record_attendance(employee, colleagues, officer, mentor, manager):
    circle = published_circle(people=[employee, *colleagues], host=employee, meets_in=-dt.timedelta(hours=1))
    assert employee.has_perm("circles.record_attendance", circle)
    assert officer.has_perm("circles.record_attendance", circle)
    assert officer.has_perm("circles.run_rounds")
    for person in (mentor, manager, colleagues[0]):
        assert not person.has_perm("circles.record_attendance", circle)
        assert not person.has_perm("circles.run_rounds")


def test_unpublished_circle_not_seen_by_members(employee):
    membership = MembershipFactory(circle=CircleFactory(), person=employee)
    assert not employee.has_perm("circles.see_circle", membership.circle)
