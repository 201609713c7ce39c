"""Demo data: held sessions with realistic contributions, one coming session, safe to run twice."""

from feedback import selectors
from feedback.demo import HIDDEN_REASON, seed
from feedback.models import Contribution, FeedbackSession, Invitation, Suggestion
from saypro.core.demo import seed_core


def test_seed_makes_held_sessions_and_one_upcoming_and_is_idempotent(db):
    org = seed_core(people=20, seed=7)

    seed(org=org)
    counts = (FeedbackSession.objects.count(), Contribution.objects.count(), Suggestion.objects.count())
    seed(org=org)

    assert (FeedbackSession.objects.count(), Contribution.objects.count(), Suggestion.objects.count()) == counts
    states = dict(FeedbackSession.objects.values_list("module__title", "state"))
    major = ("Leading yourself", "Delegation that develops people", "Coaching conversations")
    assert {title: states[title] for title in major} == {
        "Leading yourself": "held",
        "Delegation that develops people": "held",
        "Coaching conversations": "scheduled",
    }
    # At most one more: a held session in the newest complete month (see tests/impact/test_demo.py).
    assert [state for title, state in states.items() if title not in major] in ([], ["held"])
    held = FeedbackSession.objects.filter(state="held").order_by("starts_at")
    assert held[0].starts_at.month != held[1].starts_at.month
    for session in held:
        contributions = session.contributions.all()
        assert {c.kind for c in contributions} == {"insight", "challenge", "success_story"}
        assert contributions.filter(hidden_reason=HIDDEN_REASON).count() == 1
        assert contributions.filter(recorded_by=org.officer).count() == 1
        assert contributions.filter(highlighted=True).exists()
        assert Suggestion.objects.filter(contribution__session=session).exists()
        assert session.invitations.filter(attendance__in=Invitation.ATTENDED).count() > 0
        assert session.follow_up_sent_at is not None
        counts = selectors.session_participation(session=session)
        assert 0 < counts["active"] <= counts["eligible"]
    upcoming = FeedbackSession.objects.get(state="scheduled")
    assert upcoming.invitations.filter(person=org.employee).exists()
    assert selectors.next_session_for(person=org.employee) == upcoming
