"""Report charts as SVG, drawn server-side with pygal so the web page, the PDF and the
e-mail all show the same picture without any script in the browser."""

from __future__ import annotations

import pygal
from pygal.style import Style

from .selectors import Report

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#0b3d91", "#c2410c", "#15803d", "#7c3aed", "#0e7490", "#a16207"),
    font_family="DejaVu Sans, Arial, sans-serif",
    title_font_size=16,
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
)
CHART_OPTIONS = {
    "style": STYLE,
    "width": 760,
    "height": 340,
    "explicit_size": False,
    "disable_xml_declaration": True,
    "js": [],
    "print_values": False,
    "show_y_guides": True,
}
CHART_NAMES = (
    "participation-trend",
    "learnings-by-channel",
    "learnings-by-department",
    "transfer-matrix",
    "cohesion-trend",
)


def chart_svg(*, name: str, report: Report, trend: list[dict]) -> str:
    """Render one named chart of the report."""
    builders = {
        "participation-trend": _participation_trend,
        "learnings-by-channel": _learnings_by_channel,
        "learnings-by-department": _learnings_by_department,
        "transfer-matrix": _transfer_matrix,
        "cohesion-trend": _cohesion_trend,
    }
    return builders[name](report, trend).render(is_unicode=True)


def _labels(trend: list[dict]) -> list[str]:
    return [point["month"].strftime("%b %Y") for point in trend]


def _participation_trend(report: Report, trend: list[dict]):
    chart = pygal.Line(title="Participation in feedback sessions (%)", range=(0, 100), **CHART_OPTIONS)
    chart.x_labels = _labels(trend)
    chart.add("Active participants", [p["participation_percent"] for p in trend])
    return chart


def _cohesion_trend(report: Report, trend: list[dict]):
    chart = pygal.Line(title="Circle cohesion (%)", range=(0, 100), **CHART_OPTIONS)
    chart.x_labels = _labels(trend)
    chart.add("Attendance", [p["attendance_percent"] for p in trend])
    chart.add("Department mix", [p["mix_percent"] for p in trend])
    return chart


def _learnings_by_channel(report: Report, trend: list[dict]):
    chart = pygal.Bar(title="Peer learnings shared, by channel", show_legend=False, **CHART_OPTIONS)
    cells = report.by("learnings_shared", "channel")
    chart.x_labels = [c.label for c in cells]
    chart.add("Learnings", [c.numerator for c in cells])
    return chart


def _learnings_by_department(report: Report, trend: list[dict]):
    chart = pygal.HorizontalBar(title="Peer learnings shared, by department", show_legend=False, **CHART_OPTIONS)
    cells = report.by("learnings_shared", "department")
    chart.x_labels = [c.label for c in cells]
    chart.add("Learnings", [c.numerator for c in cells])
    return chart


def _transfer_matrix(report: Report, trend: list[dict]):
    """A heat map of engagements from one department's people on another's reflections."""
    chart = pygal.Dot(title="Engagements across departments (from → to)", show_legend=False, **CHART_OPTIONS)
    matrix = transfer_matrix_rows(report)
    chart.x_labels = matrix["columns"]
    for row in matrix["rows"]:
        chart.add(row["label"], row["counts"])
    return chart


def transfer_matrix_rows(report: Report) -> dict:
    """The from×to matrix as rows of counts, for the heat map and its table alternative."""
    cells = report.by("transfer_matrix", "department_pair")
    names: dict[str, str] = {}
    counts: dict[tuple[str, str], int] = {}
    for cell in cells:
        source, target = cell.key.split(">")
        source_name, target_name = cell.label.split(" → ")
        names[source], names[target] = source_name, target_name
        counts[(source, target)] = cell.numerator
    keys = sorted(names, key=lambda k: names[k])
    return {
        "columns": [names[k] for k in keys],
        "rows": [{"label": names[s], "counts": [counts.get((s, t), 0) for t in keys]} for s in keys],
    }
