"""Two identical submits at the same moment, each its own request and connection, on PostgreSQL.

Issue 18, item 4: five double-posted comments were all saved twice, each with two e-mails.
With the one-time token the second request waits on the token's unique index until the
first commits, then answers with the first comment; e-mails are counted per person and reason.
"""

import uuid

import pytest
from django.db import connection
from django.urls import reverse

from reflections.models import Comment
from saypro.core.models import OutboundEmail
from tests.cafes.test_integration import _race
from tests.conftest import skip_or_fail
from tests.factories import MentorLinkFactory, UserFactory
from tests.factories.reflections import ReflectionFactory, ReflectionTemplateFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DOUBLE_POSTS = 5


def test_simultaneous_double_posted_comments_save_once_and_email_once():
    if connection.vendor != "postgresql":
        skip_or_fail("needs PostgreSQL: set DATABASE_URL=postgres://...")
    author, mentor = UserFactory(), UserFactory()
    MentorLinkFactory(mentor=mentor, mentee=author)
    template = ReflectionTemplateFactory()
    reflections = [ReflectionFactory(author=author, template=template, state="submitted") for _ in range(DOUBLE_POSTS)]

    for reflection in reflections:
        url = reverse("reflections:comment-add", args=[reflection.pk, "review"])
        data = {"body": "What would you try first?", "submission_token": str(uuid.uuid4())}
        assert _race([(mentor, url, data)] * 2) == [302, 302]

    per_reflection = {r.pk: Comment.objects.filter(reflection=r).count() for r in reflections}
    assert per_reflection == {r.pk: 1 for r in reflections}
    emails = OutboundEmail.objects.filter(recipient=author, kind="mentor_feedback")
    assert sorted(emails.values_list("key", flat=True)) == sorted(
        f"comment:{pk}" for pk in Comment.objects.values_list("pk", flat=True)
    )
