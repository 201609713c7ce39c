"""The report's PDF asked for while the broker is down: no "Preparing…" forever (issue 18, item 3).

The broker is really stopped (the test's own redis-server, killed). The manager's request
answers at once with the reason and "Try again"; once the broker is back, "Try again" queues
the rendering and a real worker makes the PDF, which the manager downloads.
"""

import time
from datetime import date

import pytest

from saypro.core.services import broker_pause_reset
from saypro.impact.models import ReportPdf
from saypro.impact.services import snapshot_build

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

URL = "/impact/2026-02/report.pdf"


def test_report_pdf_asked_for_with_the_broker_down_offers_try_again_and_is_made_once_it_is_back(
    own_redis, request, client_for, manager
):
    snapshot, _ = snapshot_build(month=date(2026, 2, 1))
    client = client_for(manager)

    own_redis.stop()
    started = time.monotonic()
    assert client.post(URL).status_code == 302
    assert time.monotonic() - started < 8.0
    pdf = ReportPdf.objects.get(snapshot=snapshot)
    assert (pdf.status, pdf.error) == (ReportPdf.Status.FAILED, "The background worker could not be reached.")
    page = client.get(URL).content.decode()
    assert "Try again" in page
    assert "Preparing the PDF" not in page

    own_redis.start()
    worker = request.getfixturevalue("live_worker")
    broker_pause_reset()  # the 15 s pause after a failed publish has passed by the time someone tries again
    assert client.post(URL).status_code == 302
    worker.wait_for(
        lambda: ReportPdf.objects.filter(snapshot=snapshot, status=ReportPdf.Status.READY).exists(),
        timeout=90,
        what="the worker to render the PDF",
    )
    response = client.get(URL)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert ReportPdf.objects.get(snapshot=snapshot).attempts == 1
