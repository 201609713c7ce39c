"""The officer's job health shows the xAPI backlog: how many wait, since when, and the last error."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from saypro.xapi.models import Statement
from saypro.xapi.services import statement_record
from tests.core.views.test_dashboard import DASHBOARD_QUERIES
from tests.test_dashboard_queues import fill_every_queue

pytestmark = pytest.mark.django_db


def waiting(person, n: int) -> list[Statement]:
    for i in range(n):
        statement_record(event="tried", key=f"k{i}", actor=person, path=f"/r/{i}/", name="R", when=timezone.now())
    return list(Statement.objects.order_by("pk"))


def backlog_paragraph(html: str) -> str:
    start = html.index("data-xapi-backlog")
    return " ".join(html[start : html.index("</p>", start)].split())


def test_the_dashboard_shows_the_backlog_its_age_and_the_last_error(client_for, officer, employee, settings):
    settings.XAPI_LRS_ENDPOINT = "https://lrs.example.org/xAPI"
    rows = waiting(employee, 3)
    oldest = timezone.now() - dt.timedelta(hours=5)
    Statement.objects.filter(pk=rows[0].pk).update(created_at=oldest)
    Statement.objects.filter(pk=rows[1].pk).update(
        attempts=2, last_error="The LRS answered 503: down for maintenance", next_attempt_at=oldest
    )
    Statement.objects.filter(pk=rows[2].pk).update(sent_at=timezone.now())

    html = client_for(officer).get(reverse("core:dashboard")).content.decode()

    text = backlog_paragraph(html)
    assert "Learning Record Store: <strong>2</strong> learning records waiting to be sent, the oldest since" in text
    assert "(5 hours ago)" in text
    assert "1 could not be sent yet; next try" in text
    assert "Last error from the Learning Record Store" in html
    assert "The LRS answered 503: down for maintenance" in html


def test_the_dashboard_says_when_no_lrs_is_configured(client_for, officer, settings):
    settings.XAPI_LRS_ENDPOINT = ""

    text = backlog_paragraph(client_for(officer).get(reverse("core:dashboard")).content.decode())

    assert "(not configured: statements are kept until one is): <strong>0</strong> learning records waiting" in text
    assert "oldest" not in text


@pytest.mark.parametrize("size", [1, 12])
def test_a_failing_backlog_adds_one_query_whatever_its_size(
    client_for, officer, employee, size, django_assert_num_queries
):
    """The dashboard's queries (tests/core/views/test_dashboard.py) and one for the last error."""
    fill_every_queue(size, officer=officer)
    waiting(employee, size)
    Statement.objects.update(attempts=1, last_error="The LRS could not be reached")
    client = client_for(officer)

    with django_assert_num_queries(DASHBOARD_QUERIES + 1):
        response = client.get(reverse("core:dashboard"))

    assert response.status_code == 200


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("employee", 403), ("manager", 403)])
def test_only_officers_see_the_backlog(client_for, employee, manager, role, status):
    person = {"anonymous": None, "employee": employee, "manager": manager}[role]
    waiting(employee, 1)

    response = client_for(person).get(reverse("core:dashboard"))

    assert response.status_code == status
    assert b"data-xapi-backlog" not in response.content
