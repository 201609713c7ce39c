"""The report as a PDF for one reader scope: a headline page, the charts, then the tables.

WeasyPrint lays it out as A4 with the month, the scope and the page number in every page's
footer (CSS paged media), and the charts embedded as SVG so they stay sharp in print.
"""

from __future__ import annotations

import base64

from django.template.loader import render_to_string

from .charts import chart_svg, pdf_chart_names
from .models import Snapshot
from .selectors import report_for_scope, trend_get


def report_pdf(*, snapshot: Snapshot, department_ids: set[int] | None) -> bytes:
    import weasyprint  # imported here: it needs the system's Pango library, only the PDF does

    report = report_for_scope(snapshot=snapshot, department_ids=department_ids)
    trend = trend_get(month=snapshot.month)
    charts = {
        name.replace("-", "_"): "data:image/svg+xml;base64,"
        + base64.b64encode(chart_svg(name=name, report=report, trend=trend, size="print").encode()).decode()
        for name in pdf_chart_names()
    }
    html = render_to_string(
        "impact/report_pdf.html",
        {
            "report": report,
            "snapshot": snapshot,
            "charts": charts,
            "trend": trend,
            "headlines": report.headlines(),
            "department_rows": report.department_rows(),
            "matrices": report.matrices(),
            "transfer": report.transfer_rows(),
            "channels": report.by("learnings_shared", "channel"),
            "officer_counts": report.officer_counts(),
            "applied": report.applied(),
            "top_challenges": report.top_challenges(),
            "challenges_raised": report.count("challenges_raised"),
        },
    )
    return weasyprint.HTML(string=html).write_pdf()
