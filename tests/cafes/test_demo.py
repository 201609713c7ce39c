import pytest

from cafes import demo, selectors
from cafes.models import Cafe, Rsvp, TalkFeedback, TalkProposal
from saypro.core.demo import seed_core

pytestmark = pytest.mark.django_db


def _counts():
    return (Cafe.objects.count(), TalkProposal.objects.count(), Rsvp.objects.count(), TalkFeedback.objects.count())


def test_demo_seeds_past_cafes_with_feedback_and_a_coming_one_twice_safely(groups_exist):
    org = seed_core(people=30, seed=7)
    demo.seed(org=org)
    first = _counts()
    demo.seed(org=seed_core(people=30, seed=7))
    assert _counts() == first
    assert Cafe.objects.filter(state=Cafe.State.HELD).count() == 5
    coming = Cafe.objects.get(state=Cafe.State.PUBLISHED)
    assert coming.is_upcoming
    assert len(selectors.cafe_agenda(cafe=coming)) == 3
    assert selectors.cafe_seat_counts(cafe=coming).left > 0
    growth = selectors.speaker_growth(speaker=org.employee)
    assert len(growth) == 3
    assert all(row.shows_averages for row in growth)
    assert TalkProposal.objects.filter(state=TalkProposal.State.PROPOSED, wants_practice_buddy=True).count() == 1
