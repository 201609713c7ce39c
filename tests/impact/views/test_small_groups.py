"""Small groups stay hidden in every output: page, charts, CSV, PDF and e-mail.

A department of three people ("Tiny") takes part in June: three eligible and active people,
three sharers, three people engaging with a Finance reflection. DESIGN.md: a cell built from
fewer than 5 people is shown as "fewer than 5" and nothing beside it gives the number back.
"""

import csv
import io
import re
import shutil
import subprocess
from datetime import date
from fractions import Fraction

import pytest
from django.core import mail

from feedback.models import Contribution
from saypro.core.models import OutboundEmail
from saypro.core.services import email_send
from saypro.impact.charts import chart_svg
from saypro.impact.models import Figure
from saypro.impact.selectors import report_get, whole_percent
from saypro.impact.services import snapshot_build, snapshot_pdf_render
from tests.factories import DepartmentFactory, EnrolmentFactory, UserFactory
from tests.factories.feedback import ContributionFactory
from tests.factories.reflections import CommentFactory
from tests.impact.conftest import at

JUNE = date(2026, 6, 1)
HIDDEN = "fewer than 5"


@pytest.fixture
def tiny(june):
    """Three people of the department "Tiny": eligible and active in session 1, each sharing an
    insight there and commenting on Finance's reflection r1."""
    department = DepartmentFactory(name="Tiny")
    session = june.objects["s1"]
    for _ in range(3):
        person = UserFactory(department=department)
        EnrolmentFactory(person=person, module=session.module)
        ContributionFactory(session=session, author=person, kind=Contribution.Kind.INSIGHT, department=department)
        CommentFactory(reflection=june.objects["r1"], author=person, created_at=at(18))
    return department


@pytest.fixture
def snapshot(tiny, django_capture_on_commit_callbacks, manager):
    with django_capture_on_commit_callbacks(execute=True):
        built, _ = snapshot_build(month=JUNE)
    return built


def test_tiny_department_cells_are_stored_with_their_people(snapshot, tiny):
    key = str(tiny.pk)
    participation = Figure.objects.get(snapshot=snapshot, name="participation", dimension="department", key=key)
    learnings = Figure.objects.get(snapshot=snapshot, name="learnings_shared", dimension="department", key=key)
    finance = snapshot.figures.get(name="transfer_matrix", dimension="department_pair", label="Finance → Tiny")
    assert (participation.numerator, participation.denominator, participation.people) == (3, 3, 3)
    assert (learnings.numerator, learnings.people) == (3, 3)
    assert (finance.numerator, finance.people) == (3, 3)


def test_page_shows_tiny_department_as_fewer_than_5_only(snapshot, client_for, manager):
    html = client_for(manager).get("/impact/2026-06/").content.decode()
    assert (
        f'<tr><th scope="row">Tiny</th><td>{HIDDEN}</td><td>{HIDDEN}</td><td>{HIDDEN}</td><td>{HIDDEN}</td></tr>'
        in html
    )
    matrix = html.split('id="matrix-department"')[1].split("</table>")[0]
    columns = re.findall(r'<th scope="col">([^<]+)</th>', matrix)
    finance_row = re.search(r'<th scope="row" class="text-start">Finance</th>(.*?)</tr>', matrix).group(1)
    cells = dict(zip(columns, re.findall(r"<td>([^<]*)</td>", finance_row), strict=True))
    assert cells["Tiny"] == HIDDEN


def test_charts_draw_no_bar_or_shade_for_tiny_department(snapshot, manager):
    report = report_get(snapshot=snapshot, viewer=manager)
    bars = chart_svg(name="learnings-by-department", report=report, trend=[])
    assert f"Tiny ({HIDDEN})" in bars
    row = next(r for r in report.department_rows() if r["label"] == "Tiny")
    assert row["learnings_count"] is None  # the series gets None: no bar, no length to measure
    heat = chart_svg(name="transfer-department", report=report, trend=[])
    assert 'fill="url(#hatch)"' in heat
    # Every June pair is small (Finance → IT 2, HR → Sales 1, Finance → Tiny 3 people at most),
    # so the only numbers drawn are the zeros of pairs without engagement.
    assert set(re.findall(r'font-weight="bold">(\d+)</text>', heat)) <= {"0"}


def test_csv_gives_no_number_beside_fewer_than_5(snapshot, client_for, manager):
    rows = list(csv.DictReader(io.StringIO(client_for(manager).get("/impact/2026-06/report.csv").content.decode())))
    tiny_rows = [r for r in rows if "Tiny" in r["label"]]
    assert {(r["figure"], r["dimension"]) for r in tiny_rows} == {
        ("participation", "department"),
        ("learnings_shared", "department"),
        ("transfer_matrix", "department_pair"),
    }
    for row in tiny_rows:
        assert (row["numerator"], row["denominator"], row["shown"]) == ("", "", HIDDEN), row
    # Every concealed row of any breakdown is blank the same way.
    for row in rows:
        if row["shown"] in (HIDDEN, "withheld"):
            assert (row["numerator"], row["denominator"]) == ("", ""), row


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils) to read the PDF")
def test_pdf_shows_tiny_department_as_fewer_than_5_only(snapshot, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(snapshot_pdf_render(snapshot=snapshot))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    lines = [" ".join(line.split()) for line in text.splitlines()]
    assert f"Tiny {HIDDEN} {HIDDEN} {HIDDEN} {HIDDEN}" in lines
    finance_rows = [line for line in lines if line.startswith("Finance ") and HIDDEN in line]
    assert finance_rows, "the Finance → Tiny matrix cell is concealed in the PDF's table"


def test_email_to_managers_carries_only_whole_organisation_figures(snapshot, manager):
    email = OutboundEmail.objects.get(recipient=manager, kind="impact_report")
    assert email_send(email_id=email.pk) is True
    body = mail.outbox[0].body
    assert "Tiny" not in body
    assert "% of training participants actively participated" in body


def test_one_small_cell_withholds_the_next_smallest(db, june):
    """With one small cell, shown total minus shown cells would give it back: a second is withheld."""
    snapshot, _ = snapshot_build(month=JUNE)
    cells = list(snapshot.figures.filter(name="learnings_shared", dimension="department"))
    # Make every cell large but one: Finance small (2 sharers), HR the next smallest by count.
    for cell in cells:
        cell.people = 2 if cell.label == "Finance" else 9
        cell.save(update_fields=["people"])
    report = report_get(snapshot=snapshot)
    shown = {c.label: report.shown(c) for c in report.by("learnings_shared", "department")}
    assert shown == {"Finance": HIDDEN, "HR": "withheld", "IT": "3", "Sales": "1"} or shown == {
        "Finance": HIDDEN,
        "HR": "1",
        "IT": "3",
        "Sales": "withheld",
    }
    assert list(shown.values()).count("withheld") == 1


@pytest.mark.parametrize(
    ("active", "eligible", "percent"),
    [(1, 8, 13), (5, 8, 63), (1, 200, 1), (1, 201, 0), (33, 40, 83), (0, 7, 0), (7, 7, 100), (1, 3, 33), (2, 3, 67)],
)
def test_whole_percent_rounds_half_up(active, eligible, percent):
    assert whole_percent(Fraction(active, eligible)) == percent
