"""Factories of the cafés app."""

import datetime as dt

import factory
from django.utils import timezone

from cafes.models import Cafe, Rsvp, SpeakerPreference, TalkFeedback, TalkProposal

from .core import UserFactory


class CafeFactory(factory.django.DjangoModelFactory):
    """A café open for proposals and RSVPs, a week from now."""

    class Meta:
        model = Cafe

    title = factory.Sequence(lambda n: f"Knowledge café {n}")
    theme = "Leading without a title"
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
    place = "Boardroom, 2nd floor"
    capacity = 30
    state = Cafe.State.OPEN


class TalkFactory(factory.django.DjangoModelFactory):
    """A proposed talk; pass state=ACCEPTED with a position to put it on the agenda."""

    class Meta:
        model = TalkProposal

    speaker = factory.SubFactory(UserFactory)
    cafe = factory.SubFactory(CafeFactory)
    title = factory.Sequence(lambda n: f"Talk {n}: the two-minute check-in")
    idea = "Start each one-to-one with two minutes on how the person really is."
    why_it_matters = "People say what blocks them when they feel heard first."
    audience_can_try = "Try it in your next three one-to-ones."
    state = TalkProposal.State.PROPOSED


class RsvpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rsvp

    cafe = factory.SubFactory(CafeFactory)
    person = factory.SubFactory(UserFactory)
    status = Rsvp.Status.GOING


class TalkFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TalkFeedback

    talk = factory.SubFactory(TalkFactory)
    giver = factory.SubFactory(UserFactory)
    clarity = 4
    usefulness = 4
    delivery = 4
    worked = "The story at the start made the idea concrete."
    try_next = "Leave a few seconds of silence after the key point."


class SpeakerPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpeakerPreference
        django_get_or_create = ("person",)

    person = factory.SubFactory(UserFactory)


def on_agenda(cafe: Cafe, *, speaker=None, count: int = 1, **kwargs) -> list[TalkProposal]:
    """Put `count` accepted talks on a café's agenda after the ones already there."""
    start = TalkProposal.objects.filter(cafe=cafe, position__isnull=False).count()
    fields = {"state": TalkProposal.State.ACCEPTED} | kwargs
    if speaker is not None:
        fields["speaker"] = speaker
    return [TalkFactory(cafe=cafe, position=start + i + 1, **fields) for i in range(count)]
