"""Factories of the circles app."""

import datetime as dt

import factory
from django.utils import timezone

from circles import models
from tests.factories import UserFactory


def next_monday(weeks: int = 1) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 - today.weekday() + 7 * (weeks - 1))


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Topic
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Topic {n}")
    description = "A topic to talk about."
    prompts = "What worked?\nWhat did not?"


class RoundFactory(factory.django.DjangoModelFactory):
    """An open round for next week whose deadline is a day ahead, meeting in a few days."""

    class Meta:
        model = models.Round
        skip_postgeneration_save = True

    week_starts_on = factory.Sequence(lambda n: next_monday() + dt.timedelta(weeks=n))
    signup_deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    meets_at = factory.LazyAttribute(lambda o: o.signup_deadline + dt.timedelta(days=2))

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create:
            self.topics.set(extracted if extracted is not None else [TopicFactory(), TopicFactory()])


class SignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Signup
        skip_postgeneration_save = True

    round = factory.SubFactory(RoundFactory)
    person = factory.SubFactory(UserFactory)

    @factory.post_generation
    def choices(self, create, extracted, **kwargs):
        if create:
            topics = extracted if extracted is not None else list(self.round.topics.order_by("pk")[:1])
            for rank, topic in enumerate(topics, start=1):
                models.SignupChoice.objects.create(signup=self, topic=topic, rank=rank)


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Circle

    round = factory.SubFactory(RoundFactory)
    topic = factory.LazyAttribute(lambda o: o.round.topics.order_by("pk").first())
    number = factory.Sequence(lambda n: n + 1)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Membership

    circle = factory.SubFactory(CircleFactory)
    round = factory.LazyAttribute(lambda o: o.circle.round)
    person = factory.SubFactory(UserFactory)
    department = factory.LazyAttribute(lambda o: o.person.department)
    location = factory.LazyAttribute(lambda o: o.person.location)
    job_role = factory.LazyAttribute(lambda o: o.person.job_role)
