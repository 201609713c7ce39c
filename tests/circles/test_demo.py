import pytest

from circles import demo
from circles.models import Circle, Learning, Membership, Round, Signup
from saypro.core.demo import seed_core

pytestmark = pytest.mark.django_db


def test_demo_seed_fills_past_weeks_and_open_round_idempotently():
    org = seed_core(people=30, seed=7)
    demo.seed(org=org)
    counts = (Round.objects.count(), Circle.objects.count(), Membership.objects.count(), Learning.objects.count())
    demo.seed(org=org)
    assert (
        Round.objects.count(),
        Circle.objects.count(),
        Membership.objects.count(),
        Learning.objects.count(),
    ) == counts
    assert Round.objects.filter(state=Round.State.PUBLISHED).count() == demo.PAST_WEEKS
    open_round = Round.objects.get(state=Round.State.OPEN)
    assert open_round.accepts_signups()
    assert Signup.objects.filter(round=open_round).count() > 0
    assert not Signup.objects.filter(round=open_round, person=org.employee).exists()
    assert Membership.objects.filter(person=org.employee, attended=True).exists()
    assert Membership.objects.filter(attended=False).exists()
    # History matters: some pairs met in more than one week, and the explanations say so.
    assert any(c.explanation["repeated_pairs"] for c in Circle.objects.all())
    for circle in Circle.objects.all():
        assert 3 <= circle.memberships.count() <= 6
        assert circle.host_id in set(circle.memberships.values_list("person_id", flat=True))
