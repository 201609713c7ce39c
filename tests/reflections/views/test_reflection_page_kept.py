"""The reflection page kept per reflection and audience (reflections/selectors/page.py).

What is kept is rendered once for everyone who reads the reflection alike; these tests hold the
two promises that make that safe: every write the page shows is on the next view, and nothing of
one reader's own reaches another.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reflections import services
from reflections.models import Comment
from reflections.selectors.page import kept_until
from saypro.core import roles
from tests.factories import UserFactory
from tests.factories.reflections import AdoptionFactory, CommentFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

# A kept page: the session alone (in the database in tests). The reflection's row for the
# permission check is kept with the page, and whom the reader mentors with their links.
COLLEAGUE_KEPT_QUERIES = 1
AUTHOR_KEPT_QUERIES = 1


@pytest.fixture
def reflection(employee, template):
    return ReflectionFactory(author=employee, template=template, state="submitted", visibility="colleagues")


def page(client, reflection) -> str:
    response = client.get(reflection.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def board_comment(reflection, author, body, **fields):
    return CommentFactory(reflection=reflection, author=author, body=body, body_html=f"<p>{body}</p>", **fields)


def colleague(**names):
    return UserFactory(roles=[roles.EMPLOYEE], **names)


def test_a_kept_page_runs_no_query_but_the_sessions(
    client_for, employee, other_employee, reflection, django_assert_num_queries, monkeypatch
):
    held = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: held)  # a kept page turns at midnight: not in this test
    for i in range(5):
        board_comment(reflection, UserFactory(), f"Thread {i}")
    page(client_for(colleague()), reflection)  # kept for the colleagues' audience
    client = Client()
    client.force_login(other_employee)
    page(client, reflection)  # the person's own row and roles now in their cache entry

    with django_assert_num_queries(COLLEAGUE_KEPT_QUERIES):
        html = page(client, reflection)
    author = client_for(employee)
    page(author, reflection)
    with django_assert_num_queries(AUTHOR_KEPT_QUERIES):
        page(author, reflection)

    assert "Thread 4" in html


def test_colleagues_alike_share_one_kept_page(client_for, other_employee, reflection, django_assert_max_num_queries):
    board_comment(reflection, UserFactory(), "Shared thread")
    page(client_for(colleague()), reflection)
    client = Client()
    client.force_login(other_employee)

    # The first view of another colleague renders nothing: no comment, answer or adoption is read.
    with django_assert_max_num_queries(COLLEAGUE_KEPT_QUERIES + 4) as context:
        html = page(client, reflection)

    assert "Shared thread" in html
    assert not [q for q in context.captured_queries if "reflections_comment" in q["sql"]]


def test_each_write_the_page_shows_is_on_the_next_view(client_for, employee, mentor, officer, reflection):
    reader = colleague()
    client = client_for(reader)
    page(client, reflection)

    commenter = colleague(first_name="Cora", last_name="Mentz")
    comment = services.comment_add(reflection=reflection, by=commenter, body="Tried it on Monday", channel="board")
    assert "Tried it on Monday" in page(client, reflection)

    services.comment_hide(comment=comment, by=officer, reason="Off topic")
    assert "Tried it on Monday" not in page(client, reflection)

    services.commitment_make(reflection=reflection, by=colleague(), text="Ask first")
    assert "<strong>1</strong> colleague will try this" in page(client, reflection)

    services.adoption_tried(reflection=reflection, by=colleague(first_name="Tess"), note="Worked well")
    assert "Worked well" in page(client, reflection)

    employee.first_name = "Renamed"
    employee.save()
    assert "Renamed" in page(client, reflection)

    services.reflection_validate(reflection=reflection, by=mentor, depth=3, note="Good")
    assert "Validated by" in page(client, reflection)

    services.reflection_set_visibility(reflection=reflection, by=employee, visibility="mentor")
    assert client.get(reflection.get_absolute_url()).status_code == 404


def test_a_bulk_write_of_a_service_is_on_the_next_view(client_for, employee, reflection):
    author = client_for(employee)
    assert 'name="may_be_featured" checked' not in re.sub(r'\s(id|class)="[^"]*"', "", page(author, reflection))

    services.reflection_set_featurable(reflection=reflection, by=employee, may_be_featured=True)  # update()

    assert 'name="may_be_featured" checked' in re.sub(r'\s(id|class)="[^"]*"', "", page(author, reflection))


def test_readers_own_parts_never_reach_another_reader(client_for, employee, mentor, officer, reflection):
    commenter = colleague(first_name="Cora", last_name="Mentz")
    own = board_comment(reflection, commenter, "Mine")
    hidden = board_comment(reflection, commenter, "My hidden one")
    services.comment_hide(comment=hidden, by=officer, reason="Names a colleague")
    other = board_comment(reflection, UserFactory(), "Theirs")
    adopter = colleague()
    services.commitment_make(reflection=reflection, by=adopter, text="Secret plan")
    board_comment(reflection, mentor, "Between us", channel=Comment.Channel.REVIEW)
    AdoptionFactory(reflection=reflection, person=UserFactory(), kind="tried", note="Went well")
    # Everyone with something of their own views it first, so a shared part would be kept from theirs.
    pages = {
        who: page(client_for(person), reflection)
        for who, person in [("author", employee), ("mentor", mentor), ("commenter", commenter), ("adopter", adopter)]
    }
    pages["officer"] = page(client_for(officer), reflection)
    pages["colleague"] = page(client_for(colleague()), reflection)

    report = reverse("reflections:comment-report", args=[own.pk])
    assert report not in pages["commenter"]
    assert reverse("reflections:comment-report", args=[other.pk]) in pages["commenter"]
    assert report in pages["colleague"]
    assert "My hidden one" in pages["commenter"] and "My hidden one" in pages["officer"]
    assert "My hidden one" not in pages["colleague"] and "My hidden one" not in pages["adopter"]
    assert "Secret plan" in pages["adopter"]
    assert "Secret plan" not in pages["colleague"] and "Secret plan" not in pages["commenter"]
    assert "Between us" in pages["author"] and "Between us" in pages["mentor"]
    assert all("Between us" not in pages[who] for who in ["commenter", "adopter", "officer", "colleague"])
    assert 'id="who-tried"' in pages["author"]
    assert all('id="who-tried"' not in pages[who] for who in pages if who != "author")
    assert 'id="moderate-heading"' in pages["officer"]
    assert all('id="moderate-heading"' not in pages[who] for who in pages if who != "officer")


def test_a_kept_page_gives_each_reader_their_own_tokens(employee, reflection):
    tokens = []
    for person in (colleague(), colleague()):
        client = Client(enforce_csrf_checks=True)
        client.force_login(person)
        html = page(client, reflection)
        form = html.split(f'action="{reverse("reflections:comment-add", args=[reflection.pk, "board"])}"')[1]
        form = form.split("</form>")[0]
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        submission = re.search(r'name="submission_token" value="([^"]+)"', form).group(1)
        tokens.append((csrf, submission))
        url = reverse("reflections:comment-add", args=[reflection.pk, "board"])
        sent = {"body": f"From {person.pk}", "submission_token": submission}
        assert client.post(url, sent).status_code == 403  # without the CSRF token
        assert client.post(url, {**sent, "csrfmiddlewaretoken": csrf}).status_code == 302
        assert client.post(url, {**sent, "csrfmiddlewaretoken": csrf}).status_code == 302  # a double submit...

    assert Comment.objects.filter(reflection=reflection, body__startswith="From ").count() == 2  # ... saved once
    assert tokens[0][0] != tokens[1][0] and tokens[0][1] != tokens[1][1]
    assert "csrf-slot" not in str(tokens)


def test_two_forms_of_one_kept_page_get_two_submission_tokens(client_for, mentor, reflection):
    client = client_for(mentor)
    page(client, reflection)

    tokens = re.findall(r'name="submission_token" value="([^"]+)"', page(client, reflection))

    assert len(tokens) == 2  # the review thread's and the board's comment forms
    assert len(set(tokens)) == 2


def test_a_kept_page_goes_out_of_date_at_midnight(client_for, reflection, monkeypatch):
    reader = colleague()
    adopter_today = timezone.localdate()
    client = client_for(reader)
    services.commitment_make(reflection=reflection, by=reader, due=adopter_today + dt.timedelta(days=1))
    assert "Did you try it?" not in page(client, reflection)

    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)

    assert "Did you try it?" in page(client, reflection)


def test_kept_until_is_the_next_local_midnight():
    now = timezone.make_aware(dt.datetime(2026, 12, 6, 23, 59))

    assert kept_until(now) == timezone.make_aware(dt.datetime(2026, 12, 7))


def test_a_refused_comment_keeps_what_was_typed_and_is_never_kept(client_for, other_employee, reflection):
    client = client_for(other_employee)
    page(client, reflection)
    url = reverse("reflections:comment-add", args=[reflection.pk, "board"])

    refused = client.post(url, {"body": "x" * 5001}).content.decode()

    assert "x" * 5001 in refused
    assert "x" * 5001 not in page(client, reflection)
