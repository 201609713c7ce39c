"""The same reads on PostgreSQL: full-text search, the engagement union and the report figures.

Run with, e.g.::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro_reflections \
    .venv/bin/python -m pytest tests/reflections/test_postgres.py
"""

import datetime as dt
import os

import pytest
from django.db import connection
from django.utils import timezone

from reflections import selectors
from reflections.models import Reflection
from tests.factories.reflections import AdoptionFactory, CommentFactory, MentorReviewFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="needs DATABASE_URL=postgres://..."
    ),
    pytest.mark.django_db,
]

TZ = timezone.get_current_timezone()


def at(*args):
    return dt.datetime(*args, tzinfo=TZ)


def test_runs_on_postgresql():
    assert connection.vendor == "postgresql"


def test_board_search_is_full_text_with_stemming_and_web_syntax(make_reflection):
    delegation = make_reflection(state="validated", visibility="colleagues", title="Delegation that develops")
    Reflection.objects.filter(pk=delegation.pk).update(search_text="We tried the huddle format every morning.")
    huddles = make_reflection(state="submitted", visibility="colleagues", title="Short huddles")
    Reflection.objects.filter(pk=huddles.pk).update(search_text="Huddles with a secret agenda.")
    private = make_reflection(state="submitted", visibility="private", title="Delegating privately")

    assert [r.pk for r in selectors.board_list(search="delegating")] == [delegation.pk]
    assert {r.pk for r in selectors.board_list(search="huddle")} == {delegation.pk, huddles.pk}
    assert [r.pk for r in selectors.board_list(search="huddle -secret")] == [delegation.pk]
    assert [r.pk for r in selectors.board_list(search='"secret agenda"')] == [huddles.pk]
    assert private.pk not in {r.pk for r in selectors.board_list(search="privately")}


def test_engagements_union_and_month_bounds_on_postgresql(make_reflection, other_employee, employee):
    reflection = make_reflection(state="validated", visibility="colleagues", now=at(2026, 2, 27))
    CommentFactory(reflection=reflection, author=other_employee, created_at=at(2026, 3, 1, 0, 0))
    AdoptionFactory(reflection=reflection, person=other_employee, created_at=at(2026, 3, 31, 23, 59))
    AdoptionFactory(reflection=reflection, person=other_employee, kind="tried", created_at=at(2026, 4, 1, 0, 0))
    start, end = selectors.month_span(dt.date(2026, 3, 1))

    rows = sorted(selectors.reflection_engagements_in(start=start, end=end), key=lambda r: r["at"])

    assert [(r["engagement_kind"], r["engaging_person_id"], r["reflection_author_id"]) for r in rows] == [
        ("comment", other_employee.pk, employee.pk),
        ("will_try", other_employee.pk, employee.pk),
    ]
    assert rows[0]["author_department_id"] == employee.department_id


def test_board_shared_and_response_days_on_postgresql(make_reflection, mentor):
    shared = make_reflection(state="validated", visibility="colleagues", now=at(2026, 3, 31, 23, 30))
    make_reflection(state="validated", visibility="colleagues", now=at(2026, 2, 28, 23, 30))
    MentorReviewFactory(reflection=shared, mentor=mentor, created_at=at(2026, 4, 2, 11, 30))
    start, end = selectors.month_span(dt.date(2026, 3, 1))

    assert [r.pk for r in selectors.reflection_board_shared_in(start=start, end=end)] == [shared.pk]
    assert [row["days"] for row in selectors.reflection_mentor_response_days(start=start, end=end)] == [1.5]


def test_board_search_uses_the_gin_index(make_reflection, employee, template):
    first = make_reflection(state="validated", visibility="colleagues", title="Delegation")
    Reflection.objects.bulk_create(
        [
            Reflection(
                author=employee,
                template=template,
                title=f"Huddle {i}",
                key_takeaway="Meet briefly.",
                state="submitted",
                visibility="colleagues",
                first_submitted_at=first.first_submitted_at,
                first_shared_at=first.first_shared_at,
                search_text="Ten minutes, three questions. " * 5,
            )
            for i in range(3000)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reflections_reflection")
    query = selectors.board_list(search="delegation").query
    sql, params = query.sql_with_params()

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert "reflection_board_search_gin" in plan
