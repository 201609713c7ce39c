"""Fixtures of the reflections tests: a template, people around an author, and ready reflections."""

import pytest

from saypro.core import roles
from tests.factories import MentorLinkFactory, UserFactory
from tests.factories.reflections import ReflectionFactory, ReflectionTemplateFactory


@pytest.fixture
def template(db):
    """A general template with two questions of 50 words each."""
    return ReflectionTemplateFactory()


@pytest.fixture
def former_mentor(db, employee):
    """Once mentored `employee`; the link is no longer active."""
    person = UserFactory(roles=[roles.EMPLOYEE, roles.MENTOR])
    MentorLinkFactory(mentor=person, mentee=employee, is_active=False)
    return person


@pytest.fixture
def make_reflection(employee, template):
    """Build a reflection by `employee` (unless another author is given) in any state and visibility."""

    def make(**kwargs):
        kwargs.setdefault("author", employee)
        kwargs.setdefault("template", template)
        return ReflectionFactory(**kwargs)

    return make


def context_link(kind: str, obj) -> str:
    """The invitation link reflection_invite builds for `obj` (unquoted, as a person may type it)."""
    from django.contrib.contenttypes.models import ContentType
    from django.urls import reverse

    ct = ContentType.objects.get_for_model(obj)
    return f"{reverse('reflections:write')}?kind={kind}&context={ct.app_label}.{ct.model}:{obj.pk}"


@pytest.fixture
def reflection_contexts(employee):
    """One activity of each kind an invitation may name, each one `employee` took part in.

    name -> (kind, the activity). Keyed like reflections.selectors.CONTEXT_SOURCES' models.
    """
    from cafes.models import Cafe, TalkProposal
    from circles.models import Round
    from feedback.models import FeedbackSession
    from tests.factories.cafes import CafeFactory, RsvpFactory, TalkFactory
    from tests.factories.circles import CircleFactory, MembershipFactory
    from tests.factories.feedback import FeedbackSessionFactory, InvitationFactory

    circle = CircleFactory(round__state=Round.State.PUBLISHED)
    MembershipFactory(circle=circle, person=employee)
    session = FeedbackSessionFactory(state=FeedbackSession.State.HELD)
    InvitationFactory(session=session, person=employee)
    cafe = CafeFactory(state=Cafe.State.HELD, title="Café of June")
    RsvpFactory(cafe=cafe, person=employee, attended=True)
    talk = TalkFactory(cafe=cafe, state=TalkProposal.State.DELIVERED, position=1, title="The pause")
    return {
        "circles.circle": ("circle", circle),
        "feedback.feedbacksession": ("feedback_session", session),
        "cafes.cafe": ("cafe", cafe),
        "cafes.talkproposal": ("cafe", talk),
    }
