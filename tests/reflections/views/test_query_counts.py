"""Pinned query counts: each page costs the same with one row as with many (same literal).

Counts include the session and user lookups of the signed-in client and the navigation's
group and unread-notification queries of base.html.
"""

import pytest
from django.urls import reverse

from reflections.selectors import COMMENT_PAGE_SIZE
from reflections.selectors.board import TRIED_REPORTS_SHOWN
from saypro.core import learning_log
from tests.factories import UserFactory
from tests.factories.reflections import AdoptionFactory, CommentFactory, MentorReviewFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

BOARD_QUERIES = 8
# Served from the cache (reflections/board_cache.py): session, user, groups, unread count only.
BOARD_CACHED_QUERIES = 4
# The queue's length for the pages is its "waiting for your review" count: no COUNT of its own.
MENTOR_QUEUE_QUERIES = 6
# The adoptions are two queries (the counts, the newest "I tried it" reports); the questions and
# their answers one. 13 since the page is kept rendered (reflections/selectors/page.py): the view
# reads the reflection's row alone for its permission, and a page not kept yet reads it again with
# its people and places to render it (a kept page: tests/reflections/views/test_reflection_page_kept.py).
DETAIL_QUERIES = 13
LOG_QUERIES = 7
MODERATION_QUERIES = 7
# Session, user, groups, the reflection, the mentor link (the view rule), the threads, the unread count.
EARLIER_COMMENTS_QUERIES = 7  # the open reports: one query, grouped in Python


def _board_reflections(count, template):
    for _ in range(count):
        reflection = ReflectionFactory(template=template, state="validated", visibility="colleagues")
        CommentFactory(reflection=reflection)
        AdoptionFactory(reflection=reflection)


@pytest.mark.parametrize("rows", [1, 25])
def test_board_query_count(client_for, other_employee, template, django_assert_num_queries, rows):
    _board_reflections(rows, template)
    client = client_for(other_employee)

    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(reverse("reflections:board"))

    assert len(response.context["reflections"]) == min(rows, 20)


@pytest.mark.parametrize("rows", [1, 25])
def test_board_filtered_query_count(client_for, other_employee, template, django_assert_num_queries, rows):
    _board_reflections(rows, template)
    client = client_for(other_employee)

    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(reverse("reflections:board"), {"q": "Reflection", "validated": "on", "kind": "general"})

    assert len(response.context["reflections"]) == min(rows, 20)


@pytest.mark.parametrize("rows", [1, 25])
def test_board_from_the_cache_query_count(
    client_for, employee, other_employee, template, django_assert_num_queries, rows
):
    _board_reflections(rows, template)
    client_for(employee).get(reverse("reflections:board"))  # someone else's visit caches the list
    client = client_for(other_employee)

    with django_assert_num_queries(BOARD_CACHED_QUERIES):
        response = client.get(reverse("reflections:board"))

    assert response.content.decode().count('<article class="card h-100"') == min(rows, 20)


@pytest.mark.parametrize("rows", [1, 30])
def test_mentor_queue_query_count(client_for, mentor, employee, template, django_assert_num_queries, rows):
    for _ in range(rows):
        reflection = ReflectionFactory(author=employee, template=template, state="submitted")
        CommentFactory(reflection=reflection, channel="review", author=mentor)
    client = client_for(mentor)

    with django_assert_num_queries(MENTOR_QUEUE_QUERIES):
        response = client.get(reverse("reflections:mentor-queue"))

    assert len(response.context["reflections"]) == min(rows, 25)
    assert response.context["counts"]["awaiting"] == rows


@pytest.mark.parametrize("rows", [1, 40])
def test_reflection_page_with_many_comments_query_count(
    client_for, mentor, employee, template, django_assert_num_queries, rows
):
    reflection = ReflectionFactory(author=employee, template=template, state="submitted", visibility="colleagues")
    for i in range(rows):
        first = CommentFactory(reflection=reflection, author=UserFactory())
        CommentFactory(reflection=reflection, author=employee, parent=first)
        CommentFactory(reflection=reflection, channel="review", author=mentor if i % 2 else employee)
        AdoptionFactory(reflection=reflection, person=UserFactory(), kind="will_try")
        AdoptionFactory(reflection=reflection, person=UserFactory(), kind="tried", note="It worked")
    MentorReviewFactory(reflection=reflection, mentor=mentor, decision="changes_requested")
    client = client_for(mentor)

    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(reflection.get_absolute_url())

    # The board discussion shows its newest threads; earlier ones load a page at a time.
    assert len(response.context["board_comments"]) == min(rows, COMMENT_PAGE_SIZE)
    assert len(response.context["review_comments"]) == rows
    assert len(response.context["adoptions"].tried_reports) == min(rows, TRIED_REPORTS_SHOWN)


@pytest.mark.parametrize("rows", [1, 40])
def test_earlier_comments_query_count(client_for, employee, other_employee, template, django_assert_num_queries, rows):
    reflection = ReflectionFactory(author=employee, template=template, state="validated", visibility="colleagues")
    firsts = [CommentFactory(reflection=reflection, author=UserFactory()) for _ in range(rows + 1)]
    for first in firsts:
        CommentFactory(reflection=reflection, author=employee, parent=first)
    client = client_for(other_employee)
    url = reverse("reflections:comment-list", args=[reflection.pk])

    with django_assert_num_queries(EARLIER_COMMENTS_QUERIES):
        response = client.get(url, {"before": firsts[-1].pk}, HTTP_HX_REQUEST="true")

    assert len(response.context["comment_page"].threads) == min(rows, COMMENT_PAGE_SIZE)


@pytest.mark.parametrize("rows", [1, 30])
def test_learning_log_query_count(client_for, employee, mentor, template, django_assert_num_queries, monkeypatch, rows):
    # Pinned for this app's source alone: the other apps pin their own sources.
    monkeypatch.setattr(learning_log, "LEARNING_LOG_SOURCES", ["reflections.selectors.learning_log_entries"])
    for _ in range(rows):
        reflection = ReflectionFactory(author=employee, template=template, state="validated", visibility="colleagues")
        MentorReviewFactory(reflection=reflection, mentor=mentor)
        theirs = ReflectionFactory(template=template, state="validated", visibility="colleagues")
        AdoptionFactory(reflection=theirs, person=employee, kind="tried")
    client = client_for(employee)

    with django_assert_num_queries(LOG_QUERIES):
        response = client.get(reverse("reflections:log"))

    assert len(response.context["entries"]) == min(rows * 3, 50)


@pytest.mark.parametrize("rows", [1, 30])
def test_moderation_query_count(client_for, officer, template, django_assert_num_queries, rows):
    for _ in range(rows):
        reflection = ReflectionFactory(
            template=template, state="validated", visibility="colleagues", is_hidden=True, hidden_reason="Rude"
        )
        CommentFactory(reflection=reflection, is_hidden=True, hidden_reason="Off topic")
    ReflectionFactory(template=template, state="validated", visibility="private", is_hidden=True)
    client = client_for(officer)

    with django_assert_num_queries(MODERATION_QUERIES):
        response = client.get(reverse("reflections:moderation"))

    assert len(response.context["reflections"]) == rows
    assert len(response.context["comments"]) == rows
