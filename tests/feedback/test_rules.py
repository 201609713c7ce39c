"""The feedback permissions read like sentences; each is pinned here on the people of the fixtures."""

import pytest

from feedback.models import Contribution
from tests.factories.feedback import ContributionFactory


@pytest.fixture
def challenge(session, employee):
    return ContributionFactory(session=session, author=employee, kind=Contribution.Kind.CHALLENGE)


def test_view_session_is_for_invited_participants_and_officers(
    session, employee, peer, outsider, officer, mentor, manager
):
    allowed = {
        p.pk
        for p in (employee, peer, outsider, officer, mentor, manager)
        if p.has_perm("feedback.view_session", session)
    }

    assert allowed == {employee.pk, peer.pk, officer.pk}


def test_contribute_is_for_invited_participants_only(session, employee, outsider, officer):
    assert employee.has_perm("feedback.contribute", session) is True
    assert outsider.has_perm("feedback.contribute", session) is False
    assert officer.has_perm("feedback.contribute", session) is False


def test_facilitate_is_for_officers_only(employee, officer, manager):
    assert [p.has_perm("feedback.facilitate") for p in (employee, officer, manager)] == [False, True, False]


def test_change_own_contribution_is_for_its_author(challenge, employee, peer, officer):
    assert [p.has_perm("feedback.change_own_contribution", challenge) for p in (employee, peer, officer)] == [
        True,
        False,
        False,
    ]


def test_suggest_is_for_invited_peers_on_a_challenge(session, challenge, employee, peer, outsider):
    insight = ContributionFactory(session=session, author=employee, kind=Contribution.Kind.INSIGHT)

    assert peer.has_perm("feedback.suggest", challenge) is True
    assert employee.has_perm("feedback.suggest", challenge) is False
    assert outsider.has_perm("feedback.suggest", challenge) is False
    assert peer.has_perm("feedback.suggest", insight) is False


def test_view_participation_is_for_officers_and_managers(employee, officer, manager, mentor):
    assert [p.has_perm("feedback.view_participation") for p in (employee, officer, manager, mentor)] == [
        False,
        True,
        True,
        False,
    ]
