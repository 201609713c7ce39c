import datetime as dt

import factory
from django.utils import timezone

from feedback import models
from saypro.core import roles
from saypro.core.markdown import render_markdown

from .core import ModuleFactory, UserFactory


class FeedbackSessionFactory(factory.django.DjangoModelFactory):
    """A scheduled session two days from now, in a room, with an officer facilitating."""

    class Meta:
        model = models.FeedbackSession

    module = factory.SubFactory(ModuleFactory)
    state = models.FeedbackSession.State.SCHEDULED
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0) + dt.timedelta(days=2))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(minutes=90))
    place = "Boardroom 2, Johannesburg"
    facilitator = factory.SubFactory(UserFactory, roles=[roles.EMPLOYEE, roles.OFFICER])


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Invitation

    session = factory.SubFactory(FeedbackSessionFactory)
    person = factory.SubFactory(UserFactory)


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Contribution

    session = factory.SubFactory(FeedbackSessionFactory)
    author = factory.SubFactory(UserFactory)
    kind = models.Contribution.Kind.INSIGHT
    text = "Asking *what would you do?* before giving my answer made the team bring their own ideas."
    text_html = factory.LazyAttribute(lambda o: render_markdown(o.text))
    department = factory.LazyAttribute(lambda o: o.author.department)
    location = factory.LazyAttribute(lambda o: o.author.location)
    job_role = factory.LazyAttribute(lambda o: o.author.job_role)


class SuggestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Suggestion

    contribution = factory.SubFactory(ContributionFactory, kind=models.Contribution.Kind.CHALLENGE)
    author = factory.SubFactory(UserFactory)
    text = "Agree the decision rights at the start of the delegation, in writing."
    text_html = factory.LazyAttribute(lambda o: render_markdown(o.text))
