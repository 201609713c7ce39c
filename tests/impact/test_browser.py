"""The demo manager reads the newest monthly impact report in a real browser.

The demo data builds the snapshots of the past months. The manager opens /impact/, lands on the
newest month, reads the headline, sees every chart drawn, downloads the CSV, asks for the PDF
(rendered here, since no worker runs in this test) and downloads it. The page passes axe-core
and does not scroll sideways on a phone.
"""

import csv
import re
import shutil
import subprocess
import zlib

import pytest
from django.core.management import call_command

from saypro.core.demo import DEMO_PASSWORD
from saypro.impact import selectors, tasks
from saypro.impact.models import Snapshot
from saypro.impact.services import snapshot_pdf_render

pytestmark = pytest.mark.browser

MANAGER = "manager@saypro.demo"
CSV_HEADER = ["month", "version", "figure", "dimension", "key", "label", "numerator", "denominator", "shown"]
PARTICIPATION = re.compile(r"\d+% of training participants actively participated in feedback sessions this month")
NO_SESSIONS = "No feedback sessions were held this month, so there is no participation rate."


@pytest.fixture
def newest(transactional_db):
    """The demo organisation, committed before the browser starts; returns the newest ready snapshot."""
    call_command("seed_demo", people=12, verbosity=0)
    return selectors.snapshot_get(month=selectors.snapshot_latest_month())


def pdf_title(data: bytes) -> str:
    """The document title in the PDF's metadata (WeasyPrint keeps it in a compressed object stream)."""
    chunks = [data]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            chunks.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    for chunk in chunks:
        found = re.search(rb"/Title\s*(?:<([0-9a-fA-F]+)>|\(((?:\\.|[^\\)])*)\))", chunk)
        if found and found.group(1):
            raw = bytes.fromhex(found.group(1).decode())
            return raw[2:].decode("utf-16-be") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
        if found:
            return found.group(2).decode("latin-1")
    return ""


def test_manager_reads_newest_report_with_charts_csv_and_pdf(
    newest, browser_page, live_server, live_login, axe_check, monkeypatch, tmp_path
):
    queued = []
    monkeypatch.setattr(tasks.snapshot_pdf_task, "apply_async", lambda kwargs: queued.append(kwargs))
    month_key = f"{newest.month:%Y-%m}"
    headlines = selectors.report_get(snapshot=newest).headlines()
    page = live_login(browser_page, live_server, MANAGER, DEMO_PASSWORD)

    # Signing in lands the manager on /impact/, which goes to the newest month, whose headline
    # reads like DESIGN.md's.
    page.wait_for_url(f"{live_server.url}/impact/{month_key}/")
    assert page.locator("h1").inner_text() == f"Impact report — {newest.month:%B %Y}"
    shown = page.locator("p.headline").all_inner_texts()
    assert shown == headlines
    assert PARTICIPATION.fullmatch(shown[0]) or shown[0] == NO_SESSIONS
    assert re.fullmatch(r"\d+\+? peer learnings shared across departments .+", shown[1])

    # Every chart is an SVG image that has loaded and drawn: five charts (with learning applied,
    # issue 16), three heat maps.
    charts = page.locator("main img")
    assert charts.count() == 8
    page.wait_for_function(
        "() => [...document.querySelectorAll('main img')].every(img => img.complete && img.naturalWidth > 0)"
    )
    # The from/to wording on every matrix.
    for plural in ("departments", "locations", "job roles"):
        assert page.get_by_role("heading", name=f"Engagements across {plural}: from (rows) to (columns)").count() == 1
    for index in range(charts.count()):
        assert charts.nth(index).evaluate("img => img.naturalWidth") > 0
    axe_check(page)

    # The CSV: one row per figure under a fixed header.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV (one row per figure)").click()
    download = download_info.value
    assert download.suggested_filename == f"impact-{month_key}-v{newest.version}.csv"
    download.save_as(tmp_path / "report.csv")
    rows = list(csv.reader((tmp_path / "report.csv").read_text(encoding="utf-8").splitlines()))
    assert rows[0] == CSV_HEADER
    assert len(rows) - 1 == newest.figures.count()  # the demo manager reads the whole organisation
    participation = newest.figures.get(name="participation", dimension="")
    assert [month_key, str(newest.version), "participation", "", "", "", str(participation.numerator)] in [
        row[:7] for row in rows
    ]

    # The PDF is asked for, rendered (here, in place of the worker), then downloaded.
    page.get_by_role("button", name="Prepare the PDF").click()
    page.locator("#pdf-status", has_text="Preparing the PDF").wait_for()
    assert queued == [{"snapshot_id": newest.pk, "scope": "all"}]
    snapshot_pdf_render(snapshot=Snapshot.objects.get(pk=newest.pk))
    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"impact-{month_key}-v{newest.version}.pdf"
    download.save_as(tmp_path / "report.pdf")
    data = (tmp_path / "report.pdf").read_bytes()
    assert data.startswith(b"%PDF")
    pdftotext = shutil.which("pdftotext")
    if pdftotext:
        text = subprocess.run([pdftotext, "-layout", str(tmp_path / "report.pdf"), "-"], capture_output=True,
                              text=True, check=True).stdout  # fmt: skip
        assert headlines[0] in " ".join(text.split())
    else:
        # Without poppler-utils the page text cannot be read here; the metadata names the month.
        title = pdf_title(data)
        assert title.startswith("Impact report") and f"{newest.month:%B %Y}" in title, title
    assert page.js_errors == []


def test_report_fits_a_phone_screen(newest, phone_page, live_server, live_login, axe_check):
    page = live_login(phone_page, live_server, MANAGER, DEMO_PASSWORD)
    page.goto(f"{live_server.url}/impact/{newest.month:%Y-%m}/")
    page.wait_for_function("() => [...document.querySelectorAll('img')].every(img => img.complete)")
    widths = page.evaluate(
        "() => ({page: document.documentElement.scrollWidth, screen: document.documentElement.clientWidth})"
    )
    assert widths["page"] <= widths["screen"], widths
    # Charts are the phone-sized drawings, shown at about their own size: their 14-unit text
    # stays at 12 px or more (the wide drawing squeezed to 340 px would put it near 6 px).
    charts = page.evaluate(
        "() => [...document.querySelectorAll('main picture img')].map(img => ({src: img.currentSrc,"
        " drawn: img.naturalWidth, shown: img.getBoundingClientRect().width}))"
    )
    assert len(charts) == 5  # with the learning-applied trend (issue 16)
    for chart in charts:
        assert chart["src"].endswith("?size=phone"), chart
        assert 14 * chart["shown"] / chart["drawn"] >= 12, chart
    # Heat maps give way to their tables on a phone; every wide table scrolls inside a
    # focusable region that says what it holds.
    assert page.locator("main img[alt^='Heat map']").evaluate_all("els => els.every(el => !el.offsetParent)")
    regions = page.locator(".table-responsive")
    assert regions.count() >= 6
    for index in range(regions.count()):
        region = regions.nth(index)
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("role") == "region"
        labelled = region.get_attribute("aria-labelledby")
        assert labelled and page.locator(f"#{labelled}").inner_text().strip()
    axe_check(page)
    assert page.js_errors == []
