"""Challenges raised about one module, in words that form two themes and one loner."""

import pytest

from feedback.models import Contribution
from tests.factories import UserFactory
from tests.factories.feedback import ContributionFactory

DELEGATION = [
    "Delegating tasks feels slower than doing the tasks myself",
    "When delegating tasks I end up redoing the tasks myself, slower than doing them",
    "Delegating tasks to juniors is slower than doing the work myself",
]
FEEDBACK = [
    "Giving difficult feedback to a senior colleague makes me anxious",
    "I feel anxious giving difficult feedback to a senior colleague in meetings",
]
LONER = "The training room projector never works on Mondays"


def raise_challenge(session, text, **kwargs):
    return ContributionFactory(
        session=session, author=kwargs.pop("author", None) or UserFactory(), kind=Contribution.Kind.CHALLENGE,
        text=text, **kwargs,
    )  # fmt: skip


@pytest.fixture
def challenges(session):
    """Six visible challenges in the module's session: three on delegation, two on feedback, one loner."""
    return [raise_challenge(session, text) for text in DELEGATION + FEEDBACK + [LONER]]
