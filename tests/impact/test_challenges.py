"""The month's challenges raised and top recurring challenge themes: stored figures, plain SQL, the report."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.utils import timezone

from feedback.heard.services import challenge_themes_update
from feedback.models import Contribution, FeedbackSession
from saypro.impact.months import month_bounds
from saypro.impact.selectors import report_get
from saypro.impact.services import snapshot_build
from tests.factories import ModuleFactory, UserFactory
from tests.factories.feedback import ContributionFactory, FeedbackSessionFactory

from .conftest import at

JUNE = date(2026, 6, 1)

# A theme raised by 2 people in the fixture below: named only by its module in the report.
SMALL_THEME_WORDS = "projector in the training room"


def challenge(session, text, author=None, **kwargs):
    return ContributionFactory(
        session=session, author=author or UserFactory(), kind=Contribution.Kind.CHALLENGE, text=text, **kwargs
    )


@pytest.fixture
def raised(db):
    """June 2026: two held sessions of two modules with challenges in three themes, and what must not count.

    Module "Delegation": 6 people say delegating is slower (one says it twice: 7 challenges, 6
    people) and 2 people complain about the projector (2 challenges, 2 people: a small group).
    Module "Coaching": 5 people find coaching questions awkward (5 challenges, 5 people).
    Not counted: a hidden challenge, a withdrawn one, an insight, a challenge of a session held
    on 1 July (Johannesburg) and one of a session only scheduled in June.
    """
    delegation = FeedbackSessionFactory(
        module=ModuleFactory(title="Delegation"), state=FeedbackSession.State.HELD, starts_at=at(10)
    )
    coaching = FeedbackSessionFactory(
        module=ModuleFactory(title="Coaching"), state=FeedbackSession.State.HELD, starts_at=at(30, 23, 30)
    )
    july = FeedbackSessionFactory(state=FeedbackSession.State.HELD, starts_at=at(1, 0, 30, month=7))
    scheduled = FeedbackSessionFactory(state=FeedbackSession.State.SCHEDULED, starts_at=at(12))
    twice = UserFactory()
    challenge(delegation, "Delegating tasks feels slower than doing the tasks myself", author=twice)
    challenge(delegation, "Delegating tasks is slower than doing the tasks myself, again", author=twice)
    for i in range(5):
        challenge(delegation, f"Delegating tasks is slower than doing the tasks myself ({i})")
    challenge(delegation, "The projector in the training room never works")
    challenge(delegation, "The projector in the training room never works on time")
    for i in range(5):
        challenge(coaching, f"Asking coaching questions feels awkward with my team ({i})")
    challenge(delegation, "Delegating tasks slower", hidden_at=timezone.now(), hidden_reason="Repeated")
    challenge(delegation, "Delegating tasks slower too", withdrawn_at=timezone.now())
    ContributionFactory(session=delegation, kind="insight", text="Delegating tasks slower at first pays back")
    challenge(july, "Delegating tasks is slower in July")
    challenge(scheduled, "Delegating tasks is slower when scheduled")
    for session in (delegation, coaching, july, scheduled):
        challenge_themes_update(module=session.module)
    snapshot, _ = snapshot_build(month=JUNE)
    return snapshot


def cells(snapshot):
    return {(f.dimension, f.label): (f.numerator, f.people) for f in snapshot.figures.filter(name="challenges_raised")}


def test_challenges_raised_per_theme_counts_challenges_and_people(raised):
    assert cells(raised) == {
        ("", ""): (14, None),
        ("theme", "Delegation › Delegating tasks feels slower than doing the tasks myself"): (7, 6),
        ("theme", "Delegation › The projector in the training room never works"): (2, 2),
        ("theme", "Coaching › Asking coaching questions feels awkward with my team (0)"): (5, 5),
    }


def test_challenges_raised_matches_plain_sql(raised):
    if connection.vendor != "postgresql":
        pytest.skip("plain SQL checks are written for PostgreSQL")
    start, end = month_bounds(JUNE)
    where = """c.kind = 'challenge' AND c.hidden_at IS NULL AND c.withdrawn_at IS NULL
               AND s.state = 'held' AND s.starts_at >= %(start)s AND s.starts_at < %(end)s"""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM feedback_contribution c JOIN feedback_feedbacksession s ON s.id = c.session_id "
            f"WHERE {where}",
            {"start": start, "end": end},
        )
        total = cursor.fetchone()[0]
        cursor.execute(
            f"""SELECT m.theme_id, COUNT(*), COUNT(DISTINCT c.author_id)
                FROM feedback_challengethememember m
                JOIN feedback_contribution c ON c.id = m.contribution_id
                JOIN feedback_feedbacksession s ON s.id = c.session_id
                WHERE {where} GROUP BY m.theme_id""",
            {"start": start, "end": end},
        )
        per_theme = {str(theme): (n, people) for theme, n, people in cursor.fetchall()}
    stored = {
        f.key: (f.numerator, f.people) for f in raised.figures.filter(name="challenges_raised", dimension="theme")
    }
    assert raised.figures.get(name="challenges_raised", dimension="").numerator == total == 14
    assert stored == per_theme


def test_report_lists_top_challenges_with_the_small_group_hidden_and_one_more_withheld(raised):
    # One theme is small (2 people), so the smallest other (Coaching, 5) is withheld: the total
    # (14) minus the shown cells would otherwise give the small one back.
    assert report_get(snapshot=raised).top_challenges() == [
        {"module": "Delegation", "theme": "Delegating tasks feels slower than doing the tasks myself", "shown": "7"},
        {
            "module": "Coaching",
            "theme": "Asking coaching questions feels awkward with my team (0)",
            "shown": "withheld",
        },
        {"module": "Delegation", "theme": "a theme raised by fewer than 5 people", "shown": "fewer than 5"},
    ]


def test_report_page_csv_and_pdf_show_the_top_challenges_concealed(raised, client_for, manager):
    client = client_for(manager)
    html = client.get("/impact/2026-06/").content.decode()
    assert "Top recurring challenges this month" in html
    assert 'a theme raised by fewer than 5 people</th><td>Delegation</td><td class="n">fewer than 5' in html
    # The words of a theme from fewer than 5 people are theirs: no output names it.
    assert SMALL_THEME_WORDS not in html
    csv_text = client.get("/impact/2026-06/report.csv").content.decode()
    assert SMALL_THEME_WORDS not in csv_text
    rows = list(csv.reader(io.StringIO(csv_text)))
    theme_rows = {r[5]: (r[6], r[8]) for r in rows if r[2] == "challenges_raised" and r[3] == "theme"}
    assert theme_rows == {
        "Delegation › Delegating tasks feels slower than doing the tasks myself": ("7", "7"),
        "Delegation › a theme raised by fewer than 5 people": ("", "fewer than 5"),
        "Coaching › Asking coaching questions feels awkward with my team (0)": ("", "withheld"),
    }


def test_pdf_has_the_top_challenges(raised, monkeypatch):
    import weasyprint

    from saypro.impact.pdf import report_pdf

    laid_out = []
    real = weasyprint.HTML

    def keep(*, string):
        laid_out.append(string)
        return real(string=string)

    monkeypatch.setattr(weasyprint, "HTML", keep)
    assert report_pdf(snapshot=raised, department_ids=None).startswith(b"%PDF")
    html = laid_out[0]
    assert "Top recurring challenges this month" in html
    assert 'a theme raised by fewer than 5 people</th><td>Delegation</td><td class="n">fewer than 5' in html
    assert SMALL_THEME_WORDS not in html
    assert 'Challenges raised in all</th><td class="n">14' in html
