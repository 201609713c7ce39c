import csv
import datetime as dt
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from saypro.core import learning_log
from saypro.xapi.statements import statement_id_for
from tests.factories.reflections import MentorReviewFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

TZ = timezone.get_current_timezone()


@pytest.fixture
def history(employee, mentor, template, monkeypatch):
    monkeypatch.setattr(learning_log, "LEARNING_LOG_SOURCES", ["reflections.selectors.learning_log_entries"])
    march = ReflectionFactory(
        author=employee,
        template=template,
        state="validated",
        title="=SUM(A1)",
        now=dt.datetime(2026, 3, 4, 9, tzinfo=TZ),
    )
    MentorReviewFactory(reflection=march, mentor=mentor, created_at=dt.datetime(2026, 3, 6, 10, tzinfo=TZ))
    ReflectionFactory(
        author=employee, template=template, state="submitted", title="April", now=dt.datetime(2026, 4, 2, tzinfo=TZ)
    )
    return march


def test_log_filters_by_month_and_type(client_for, employee, history):
    client = client_for(employee)

    march = client.get(reverse("reflections:log"), {"month": "2026-03"})
    feedback = client.get(reverse("reflections:log"), {"kind": "mentor_feedback"})
    bad = client.get(reverse("reflections:log"), {"month": "March"})

    assert [e.title for e, _ in march.context["entries"]] == ["Mentor feedback on “=SUM(A1)”", "=SUM(A1)"]
    assert [label for _, label in feedback.context["entries"]] == ["Mentor feedback"]
    assert bad.context["form"].errors == {"month": ["Give the month as YYYY-MM, for example 2026-03."]}
    assert len(bad.context["entries"]) == 3


def test_log_csv_export(client_for, employee, history):
    response = client_for(employee).get(reverse("reflections:log-csv"), {"month": "2026-03"})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == ["when", "type", "title", "detail", "link"]
    assert rows[2] == [
        "2026-03-04T09:00:00+02:00",
        "reflection",
        "'=SUM(A1)",
        "Validated · My mentor",
        f"http://127.0.0.1:8000/reflections/{history.pk}/",
    ]


def test_log_xapi_export(client_for, employee, mentor, history):
    response = client_for(employee).get(reverse("reflections:log-xapi"), {"kind": "mentor_feedback"})

    statements = json.loads(response.content)
    assert len(statements) == 1
    statement = statements[0]
    # The person is an account on the portal, never an e-mail address (the LRS's statements too).
    assert statement["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": "http://127.0.0.1:8000", "name": str(employee.pk)},
    }
    assert employee.email not in response.content.decode() and "mbox" not in response.content.decode()
    assert statement["verb"] == {"id": "http://adlnet.gov/expapi/verbs/passed", "display": {"en-GB": "passed"}}
    assert statement["object"]["id"] == f"http://127.0.0.1:8000{history.get_absolute_url()}"
    # The same statement id as the outbox gives the validation, so a portal importing both keeps one.
    assert statement["id"] == str(
        statement_id_for(event="reflection_validated", key=f"reflections.reflection:{history.pk}", actor_id=employee.pk)
    )
    assert statement["object"]["definition"]["name"] == {"en-GB": "Mentor feedback on “=SUM(A1)”"}
    assert statement["timestamp"] == "2026-03-06T08:00:00+00:00"
    again = json.loads(client_for(employee).get(reverse("reflections:log-xapi"), {"kind": "mentor_feedback"}).content)
    assert again[0]["id"] == statement["id"]


def test_log_never_shows_another_person_s_reflections(client_for, other_employee, history):
    response = client_for(other_employee).get(reverse("reflections:log-csv"))

    assert response.content.decode().strip() == "when,type,title,detail,link"


def test_own_data_export_download(client_for, employee, history):
    response = client_for(employee).get(reverse("reflections:export"))

    data = json.loads(response.content)
    assert response["Content-Disposition"] == 'attachment; filename="my-reflections.json"'
    assert sorted(r["title"] for r in data["reflections"]) == ["=SUM(A1)", "April"]


def test_log_csv_keeps_every_typed_text_a_formula_could_hide_in_as_text(client_for, employee, other_employee, template):
    """Each text a person types that reaches the learning log CSV, from every app, starting with = + - @."""
    from cafes.models import Cafe, TalkProposal
    from circles.models import Learning, Round
    from reflections.models import Adoption
    from tests.factories.cafes import CafeFactory, RsvpFactory, TalkFactory
    from tests.factories.circles import CircleFactory, MembershipFactory
    from tests.factories.feedback import ContributionFactory
    from tests.factories.reflections import AdoptionFactory

    ReflectionFactory(author=employee, template=template, state="submitted", title="=1+1")
    board = ReflectionFactory(author=other_employee, template=template, state="validated", visibility="colleagues")
    AdoptionFactory(reflection=board, person=employee, kind=Adoption.Kind.TRIED, note="+tried it")
    circle = CircleFactory(round__state=Round.State.PUBLISHED)
    MembershipFactory(circle=circle, person=employee, attended=True)
    Learning.objects.create(circle=circle, author=employee, body="-learned", body_html="<p>-learned</p>")
    cafe = CafeFactory(state=Cafe.State.HELD, theme="@theme")
    TalkFactory(cafe=cafe, speaker=employee, state=TalkProposal.State.DELIVERED, idea="=idea")
    RsvpFactory(cafe=cafe, person=employee, attended=True)
    ContributionFactory(author=employee, text="+contributed")

    rows = list(csv.reader(io.StringIO(client_for(employee).get(reverse("reflections:log-csv")).content.decode())))

    typed = {cell for row in rows[1:] for cell in row[2:4] if cell.startswith("'")}
    assert typed == {"'=1+1", "'+tried it", "'-learned", "'=idea", "'@theme", "'+contributed"}
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@"))]


def test_log_converts_markdown_once_while_the_log_is_kept(client_for, employee, monkeypatch):
    """The whole log is kept per person with its Markdown converted: the page converts every entry
    once, then neither the page again nor its CSV converts anything, until a new entry is written."""
    from saypro.core.markdown import markdown_as_text
    from tests.factories.feedback import ContributionFactory, FeedbackSessionFactory

    monkeypatch.setattr(learning_log, "LEARNING_LOG_SOURCES", ["feedback.selectors.learning_log_entries"])
    session = FeedbackSessionFactory(state="held")
    for i in range(60):
        ContributionFactory(session=session, author=employee, text=f"**Insight {i}** in *Markdown*")
    converted = []

    def counted(text, **kwargs):
        converted.append(text)
        return markdown_as_text(text, **kwargs)

    monkeypatch.setattr(learning_log, "markdown_as_text", counted)
    client = client_for(employee)

    page = client.get(reverse("reflections:log")).content.decode()
    assert len(converted) == 60
    assert "Insight 59 in Markdown" in page
    assert "**" not in page

    converted.clear()
    client.get(reverse("reflections:log"))
    rows = list(csv.reader(io.StringIO(client.get(reverse("reflections:log-csv")).content.decode())))
    assert converted == []
    assert sorted(row[3] for row in rows[1:]) == sorted(f"Insight {i} in Markdown" for i in range(60))

    ContributionFactory(session=session, author=employee, text="**Insight 60**")
    assert "Insight 60" in client.get(reverse("reflections:log")).content.decode()
    assert len(converted) == 61


def test_kept_log_page_turns_with_the_month_and_is_kept_per_query(client_for, employee, monkeypatch):
    """The page is kept per query string until the month turns (its month links start at this month)."""
    from reflections.views import log

    ReflectionFactory(author=employee, state="submitted", title="Listening first")
    client = client_for(employee)
    everything = client.get(reverse("reflections:log")).content.decode()
    only_talks = client.get(reverse("reflections:log"), {"kind": "talk"}).content.decode()
    assert "Listening first" in everything
    assert "Listening first" not in only_talks
    assert 'value="talk" selected' in only_talks

    renders = []
    monkeypatch.setattr(log, "render_to_string", lambda *args, **kwargs: renders.append(args) or "")
    assert "Listening first" in client.get(reverse("reflections:log")).content.decode()
    assert renders == []

    # Kept until the month turns (its month links start at this month).
    from django.core.cache import cache
    from django.test import RequestFactory

    from saypro.core.fragments import query_part

    part = query_part(RequestFactory().get(reverse("reflections:log")))
    kept = cache.get(f"personal:learning_log:{employee.pk}:page:{part}")
    assert kept["until"] == log.selectors.month_span(timezone.localdate())[1]
