"""Factories for the reflections app; state-dependent timestamps follow the state given."""

import factory
from django.utils import timezone

from reflections import models
from tests.factories.core import UserFactory


class ReflectionTemplateFactory(factory.django.DjangoModelFactory):
    """A current, active template with `questions` guiding questions (default 2, limit 50 words)."""

    class Meta:
        model = models.ReflectionTemplate
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Template {n}")
    intro = "Think back on it."
    applies_to = models.ContextKind.GENERAL

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        if not create:
            return
        count = 2 if extracted is None else extracted
        for position in range(1, count + 1):
            models.GuidingQuestion.objects.create(
                template=self, position=position, text=f"Question {position}?", word_limit=50
            )


class ReflectionFactory(factory.django.DjangoModelFactory):
    """A reflection in any state; answers to every question unless `answered=False`."""

    class Meta:
        model = models.Reflection
        skip_postgeneration_save = True

    class Params:
        now = factory.LazyFunction(timezone.now)

    author = factory.SubFactory(UserFactory)
    template = factory.SubFactory(ReflectionTemplateFactory)
    title = factory.Sequence(lambda n: f"Reflection {n}")
    key_takeaway = "Ask before assuming."
    state = models.Reflection.State.DRAFT
    visibility = models.Reflection.Visibility.MENTOR
    first_submitted_at = factory.LazyAttribute(lambda o: None if o.state == "draft" else o.now)
    submitted_at = factory.LazyAttribute(lambda o: None if o.state == "draft" else o.now)
    validated_at = factory.LazyAttribute(lambda o: o.now if o.state == "validated" else None)
    first_shared_at = factory.LazyAttribute(
        lambda o: o.now if o.state != "draft" and o.visibility == "colleagues" else None
    )
    department = factory.LazyAttribute(lambda o: o.author.department if o.first_shared_at else None)
    location = factory.LazyAttribute(lambda o: o.author.location if o.first_shared_at else None)
    job_role = factory.LazyAttribute(lambda o: o.author.job_role if o.first_shared_at else None)

    @factory.post_generation
    def answered(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        from saypro.core.markdown import render_markdown

        text = "I learned to **listen** first."
        models.Answer.objects.bulk_create(
            [
                models.Answer(reflection=self, question=q, text=text, html=render_markdown(text))
                for q in self.template.questions.all()
            ]
        )
        self.search_text = text
        models.Reflection.objects.filter(pk=self.pk).update(search_text=text)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Comment

    reflection = factory.SubFactory(ReflectionFactory)
    author = factory.SubFactory(UserFactory)
    channel = models.Comment.Channel.BOARD
    body = "Thanks for sharing."
    body_html = "<p>Thanks for sharing.</p>"
    department = factory.LazyAttribute(lambda o: o.author.department)
    location = factory.LazyAttribute(lambda o: o.author.location)
    job_role = factory.LazyAttribute(lambda o: o.author.job_role)


class AdoptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Adoption

    reflection = factory.SubFactory(ReflectionFactory)
    person = factory.SubFactory(UserFactory)
    kind = models.Adoption.Kind.WILL_TRY
    department = factory.LazyAttribute(lambda o: o.person.department)
    location = factory.LazyAttribute(lambda o: o.person.location)
    job_role = factory.LazyAttribute(lambda o: o.person.job_role)


class MentorReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.MentorReview

    reflection = factory.SubFactory(ReflectionFactory)
    mentor = factory.SubFactory(UserFactory)
    depth = 3
    decision = models.MentorReview.Decision.VALIDATED


class NewsletterIssueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.NewsletterIssue
        django_get_or_create = ("month",)

    month = factory.LazyFunction(lambda: timezone.localdate().replace(day=1))
    title = factory.LazyAttribute(lambda o: f"Learnings of {o.month:%B %Y}")
