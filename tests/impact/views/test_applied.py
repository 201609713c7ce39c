"""Learning applied (docs/metrics.md) on the report page, in the CSV, the PDF and the trend chart."""

import csv
import io
import re
from datetime import date

import pytest

from saypro.impact.services import snapshot_build

from .test_report import _pdf_text

pytestmark = pytest.mark.django_db

JUNE = date(2026, 6, 1)


@pytest.fixture
def applied_snapshot(june_applied):
    built, _ = snapshot_build(month=JUNE)
    return built


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_report_page_shows_learning_applied_and_hides_small_departments(applied_snapshot, client_for, officer):
    html = client_for(officer).get("/impact/2026-06/").content.decode()
    text = _text(html)

    assert "Commitments made this month 5 Commitments due this month 4 Tried within their window 2" in text
    assert "Application rate (tried in time ÷ due) 50%" in text
    assert "Applied by someone of another department than the author 2" in text
    assert "Applied by someone of another location than the author 1" in text
    assert "Applied by someone of another job role than the author 1" in text
    # Every department's commitments come from one person: each row says why, with no numbers.
    assert "Finance fewer than 5 fewer than 5 fewer than 5" in text
    assert "IT fewer than 5 fewer than 5 fewer than 5" in text
    # The trend: June's rate beside its commitments due.
    assert re.search(r"Jun 2026 .*? 4 50%", text)
    assert "/impact/2026-06/chart/application-trend.svg" in html


def test_month_without_commitments_says_so_instead_of_zero(db, client_for, officer):
    snapshot_build(month=JUNE)
    text = _text(client_for(officer).get("/impact/2026-06/").content.decode())

    assert "Application rate (tried in time ÷ due) no commitments due" in text


def test_csv_has_the_figures_and_conceals_small_departments(applied_snapshot, client_for, officer, june_applied):
    rows = list(csv.reader(io.StringIO(client_for(officer).get("/impact/2026-06/report.csv").content.decode())))
    by_figure = {(r[2], r[3], r[5]): r for r in rows[1:]}

    assert by_figure[("application_rate", "", "")][6:] == ["2", "4", "50%"]
    assert by_figure[("commitments_made", "", "")][6:] == ["5", "", "5"]
    assert by_figure[("applied_cross_location", "", "")][6:] == ["1", "", "1"]
    assert by_figure[("application_rate", "department", "HR")][6:] == ["", "", "fewer than 5"]


def test_application_trend_chart_is_svg(applied_snapshot, client_for, manager):
    response = client_for(manager).get("/impact/2026-06/chart/application-trend.svg")

    assert response["Content-Type"] == "image/svg+xml"
    assert "Commitments due that were tried in time" in response.content.decode()


def test_pdf_has_learning_applied(applied_snapshot, client_for, officer):
    text = _pdf_text(client_for(officer))

    assert "Learning applied" in text
    assert "Application rate (tried in time ÷ due) 50%" in text
    assert "Applied by someone of another department than the author 2" in text
