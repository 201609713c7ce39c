"""All three boundaries' from×to matrices reach every output, headed from → to (issue 13 items 1-2).

June's engagements cross departments, locations and job roles; every matrix cell there is built
from one or two people, so each is shown as "fewer than 5" with no number beside it.
"""

import csv
import io
import shutil
import subprocess
from datetime import date

import pytest

from saypro.impact.services import snapshot_build, snapshot_pdf_render

JUNE = date(2026, 6, 1)
HIDDEN = "fewer than 5"
BOUNDARIES = {"department": "departments", "location": "locations", "job_role": "job roles"}


@pytest.fixture
def snapshot(june):
    built, _ = snapshot_build(month=JUNE)
    return built


def test_csv_has_every_boundarys_matrix_cells_labelled_from_to_and_concealed(snapshot, client_for, manager):
    rows = list(csv.DictReader(io.StringIO(client_for(manager).get("/impact/2026-06/report.csv").content.decode())))
    for boundary in BOUNDARIES:
        cells = [row for row in rows if row["figure"] == "transfer_matrix" and row["dimension"] == f"{boundary}_pair"]
        assert cells, boundary
        assert snapshot.figures.filter(name="transfer_matrix", dimension=f"{boundary}_pair").count() == len(cells)
        for row in cells:
            source, target = row["label"].split(" → ")
            assert source and target and source != target, row
            assert (row["numerator"], row["denominator"], row["shown"]) == ("", "", HIDDEN), row


def test_report_page_heads_each_matrix_from_rows_to_columns(snapshot, client_for, manager):
    html = client_for(manager).get("/impact/2026-06/").content.decode()
    for boundary, plural in BOUNDARIES.items():
        assert f'id="matrix-{boundary}"' in html, boundary
        assert f"Engagements across {plural}: from (rows) to (columns)" in html


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs pdftotext (poppler-utils) to read the PDF")
def test_pdf_heads_each_matrix_from_to_and_numbers_its_pages(snapshot, tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(snapshot_pdf_render(snapshot=snapshot))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    for plural in BOUNDARIES.values():
        assert f"Engagements across {plural}: from (rows) to (columns)" in flat, plural
    pages = text.count("\f") or 1
    assert pages >= 2
    for number in range(1, pages + 1):
        assert f"Page {number} of {pages}" in flat
    assert "June 2026" in flat
