import pytest

from reflections import demo
from reflections.models import Adoption, Comment, MentorReview, NewsletterIssue, Reflection
from saypro.core.demo import seed_core

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return seed_core(people=24, seed=2026)


def test_demo_seed_fills_every_state_and_the_board(org):
    demo.seed(org=org)

    states = set(Reflection.objects.values_list("state", flat=True))
    assert states == set(Reflection.State.values)
    assert set(Reflection.objects.filter(author=org.employee).values_list("state", flat=True)) == set(
        Reflection.State.values
    )
    assert MentorReview.objects.filter(decision="changes_requested").exists()
    board = Reflection.objects.filter(visibility="colleagues", is_hidden=False).exclude(state="draft")
    assert board.count() >= 10
    cross = Adoption.objects.exclude(department_id=None).exclude(reflection__department_id=None)
    assert cross.count() > 0
    assert all(a.department_id != a.reflection.department_id for a in cross.select_related("reflection"))
    assert Comment.objects.filter(channel="board").count() > 0
    issue = NewsletterIssue.objects.get()
    assert issue.state == "published"
    assert issue.items.count() >= 1
    assert not issue.items.filter(reflection__may_be_featured=False).exists()


def test_demo_seed_spreads_sharing_over_months(org):
    demo.seed(org=org)

    months = {
        d.strftime("%Y-%m")
        for d in Reflection.objects.exclude(first_shared_at=None).values_list("first_shared_at", flat=True)
    }
    assert len(months) >= 4


def test_demo_seed_twice_adds_nothing(org):
    demo.seed(org=org)
    counts = (Reflection.objects.count(), Comment.objects.count(), Adoption.objects.count())

    demo.seed(org=seed_core(people=24, seed=2026))

    assert (Reflection.objects.count(), Comment.objects.count(), Adoption.objects.count()) == counts


def test_demo_seed_makes_commitments_with_every_answer(org):
    from django.utils import timezone

    demo.seed(org=org)

    will_try = Adoption.objects.filter(kind="will_try")
    assert not will_try.filter(commitment_due=None).exists()
    assert {"tried", "wont", ""} <= set(will_try.values_list("outcome", flat=True))
    assert will_try.filter(snoozed_once=True).exists()
    # Every "tried" commitment has its "I tried it", so the board's counts agree.
    for commitment in will_try.filter(outcome="tried"):
        assert Adoption.objects.filter(
            reflection=commitment.reflection, person=commitment.person, kind="tried"
        ).exists()
    # The demo employee is asked today.
    mine = will_try.get(person=org.employee)
    assert (mine.commitment_due, mine.commitment_asks) == (timezone.localdate(), True)
