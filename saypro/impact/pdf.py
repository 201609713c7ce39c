"""The report as a PDF: the same template as the page, with the charts embedded as SVG."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string

from .charts import CHART_NAMES, chart_svg
from .models import Snapshot
from .selectors import report_get, trend_get


def report_pdf(*, snapshot: Snapshot) -> bytes:
    import weasyprint  # imported here: it needs the system's Pango library, only the PDF does

    report = report_get(snapshot=snapshot)
    trend = trend_get(month=snapshot.month)
    charts = {
        name.replace("-", "_"): "data:image/svg+xml;base64,"
        + base64.b64encode(chart_svg(name=name, report=report, trend=trend).encode()).decode()
        for name in CHART_NAMES
    }
    html = render_to_string("impact/report_pdf.html", {"report": report, "snapshot": snapshot, "charts": charts})
    return weasyprint.HTML(string=html).write_pdf()
