"""Report charts as SVG, drawn server-side so the web page and the PDF show the same picture
without any script in the browser.

Line and bar charts are pygal's; the from×to heat maps are drawn here, as a plain grid of
squares with the number written in each. Colours come from the Okabe–Ito palette, which people
with the common colour-vision deficiencies tell apart; series also differ by dash and marker,
and the heat maps use one hue from light to dark, so everything still reads in greyscale print.
Months without figures are gaps, never a line drawn across them. Every chart has a phone-sized
variant (narrower, with larger type) so its text stays readable at 360 px.
"""

from __future__ import annotations

import textwrap
from xml.sax.saxutils import escape

import pygal
from pygal.style import Style

from .selectors import BOUNDARIES, FEWER_THAN_5, Report

# Okabe & Ito (2008), "Color Universal Design": blue, orange, bluish green, vermillion, purple.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
# One hue, light to dark (ColorBrewer "Blues"): ordered in greyscale as well as in colour.
HEAT = ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
INK = "#1f2933"
SIZES = {
    # name: (width, height, label font, title font); the phone size is drawn at about the width
    # it is shown at, so 14 units stay about 14 px on the screen.
    "wide": (900, 380, 15, 18),
    "phone": (360, 340, 14, 16),
    # The PDF's column is about 640 px (170 mm) wide: drawn at that size, 14 units print at ~10 pt.
    "print": (640, 280, 14, 16),
}
CHART_NAMES = (
    "participation-trend",
    "learnings-by-channel",
    "learnings-by-department",
    "cohesion-trend",
    "application-trend",
    "transfer-department",
    "transfer-location",
    "transfer-job-role",
)
HEAT_MAPS = {"transfer-department": "department", "transfer-location": "location", "transfer-job-role": "job_role"}


def pdf_chart_names() -> tuple[str, ...]:
    return CHART_NAMES


def _style(size: str) -> Style:
    _width, _height, label, title = SIZES[size]
    return Style(
        background="white",
        plot_background="white",
        foreground=INK,
        foreground_strong=INK,
        foreground_subtle="#52606d",
        colors=PALETTE,
        font_family="DejaVu Sans, Arial, sans-serif",
        title_font_size=title,
        label_font_size=label,
        major_label_font_size=label,
        legend_font_size=label,
        value_font_size=label,
        tooltip_font_size=label,
        no_data_font_size=label + 2,
        stroke_width=3,
    )


def _options(size: str, **extra) -> dict:
    width, height, _label, _title = SIZES[size]
    options = {
        "style": _style(size),
        "width": width,
        "height": height,
        "explicit_size": True,  # a size of its own, so WeasyPrint lays it out at the right height
        "disable_xml_declaration": True,
        "js": [],
        "print_values": False,
        "show_y_guides": True,
        "truncate_label": -1,  # whole labels: a reader should never see "Active partici…"
        "truncate_legend": -1,
        "no_data_text": "No figures for this month",
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1 if size == "phone" else 2,
        "margin_right": 40,
        "margin_bottom": 16 if size == "phone" else 34,  # pygal clips a legend under angled labels
    }
    options.update(extra)
    return options


def chart_svg(*, name: str, report: Report, trend: list[dict], size: str = "wide") -> str:
    """Render one named chart of the report, wide (page, PDF) or phone-sized."""
    if name in HEAT_MAPS:
        return heat_map_svg(report.matrix(HEAT_MAPS[name]), size=size)
    builders = {
        "participation-trend": _participation_trend,
        "learnings-by-channel": _learnings_by_channel,
        "learnings-by-department": _learnings_by_department,
        "cohesion-trend": _cohesion_trend,
        "application-trend": _application_trend,
    }
    return builders[name](report, trend, size).render(is_unicode=True)


def _month_labels(trend: list[dict], size: str) -> list[str]:
    # On a phone only every third month is named (the table gives each one).
    labels = [point["month"].strftime("%b %Y") for point in trend]
    if size == "phone":
        labels = [point["month"].strftime("%b ’%y") for point in trend]
        return [label if (len(labels) - 1 - i) % 3 == 0 else "" for i, label in enumerate(labels)]
    return labels


def _line(title: str, trend: list[dict], size: str):
    chart = pygal.Line(
        title=title,
        range=(0, 100),
        allow_interruptions=True,  # a month without figures is a gap, not a line across it
        x_label_rotation=0 if size == "phone" else 30,
        show_minor_x_labels=True,
        dots_size=5,
        **_options(size),
    )
    chart.x_labels = _month_labels(trend, size)
    chart.y_labels = [0, 20, 40, 60, 80, 100]
    return chart


def _participation_trend(report: Report, trend: list[dict], size: str):
    chart = _line("Participation in feedback sessions (%)", trend, size)
    chart.add("Eligible colleagues who took part", [p["participation_percent"] for p in trend])
    return chart


def _cohesion_trend(report: Report, trend: list[dict], size: str):
    chart = _line("Peer circles (%)", trend, size)
    chart.add("Attendance", [p["attendance_percent"] for p in trend])
    chart.add(
        "Department mix",
        [p["mix_percent"] for p in trend],
        stroke_style={"dasharray": "10, 6", "width": 3},
        dots_size=6,
    )
    return chart


def _application_trend(report: Report, trend: list[dict], size: str):
    chart = _line("Learning applied (%)", trend, size)
    chart.add("Commitments due that were tried in time", [p["application_percent"] for p in trend])
    return chart


def _value_ticks(values: list[int | None], size: str) -> list[int]:
    """A few round ticks for the value axis: a tick every 2 runs its numbers into each other."""
    top = max([v for v in values if v] + [1])
    wanted = 4 if size == "phone" else 8
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 10**9) if top / s <= wanted)
    return list(range(0, top + step, step))


def _learnings_by_channel(report: Report, trend: list[dict], size: str):
    chart = pygal.HorizontalBar(title="Peer learnings shared, by channel", **_bar_options(size, 4))
    cells = report.by("learnings_shared", "channel")
    chart.x_labels = [c.label for c in cells]
    chart.y_labels = _value_ticks([c.numerator for c in cells], size)
    chart.add("Learnings", [c.numerator for c in cells])
    return chart


def _bar_options(size: str, rows: int) -> dict:
    options = _options(size, show_legend=False)
    options["print_values"] = True
    options["height"] = 100 + (34 if size == "print" else 46) * max(rows, 1)
    return options


def _learnings_by_department(report: Report, trend: list[dict], size: str):
    rows = report.department_rows()
    chart = pygal.HorizontalBar(title="Peer learnings shared, by department", **_bar_options(size, len(rows)))
    # A concealed cell draws no bar and says why in its label, so no length gives it away.
    chart.x_labels = [
        row["label"] if row["learnings_count"] is not None else f"{row['label']} ({row['learnings']})" for row in rows
    ]
    chart.y_labels = _value_ticks([row["learnings_count"] for row in rows], size)
    chart.add("Learnings", [row["learnings_count"] for row in rows])
    return chart


# --- heat maps ----------------------------------------------------------------------------------


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]


def heat_map_svg(matrix: dict, *, size: str = "wide") -> str:
    """A from×to matrix as a heat map: rows "from", columns "to", the count in every square.

    A hidden cell (fewer than 5 people) is hatched grey and says "fewer than 5"; it has no
    shade, so its colour gives nothing away either.
    """
    font = 14 if size != "phone" else 13
    cell_w, cell_h = (96, 50) if size != "phone" else (70, 46)
    columns, rows = matrix["columns"], matrix["rows"]
    label_chars = 18 if size != "phone" else 12
    row_labels = [_lines(r["label"], label_chars) for r in rows]
    column_labels = [_lines(c, 12 if size != "phone" else 8) for c in columns]
    label_w = 16 + int(font * 0.62 * max([len(line) for lines in row_labels for line in lines] + [6]))
    head_lines = max([len(lines) for lines in column_labels] + [1])
    top = 64 + 22 + head_lines * (font + 3) + 8
    left = 28 + label_w
    subtitle = (
        "Rows: from (where the learning came from). Columns: to (where it travelled)."
        if size != "phone"
        else "Rows: from. Columns: to."
    )
    width = max(left + cell_w * max(len(columns), 1) + 16, 24 + int(font * 0.6 * len(subtitle)), 340)
    height = top + cell_h * max(len(rows), 1) + 40
    counts = [c["count"] for r in rows for c in r["cells"] if c["count"]]
    peak = max(counts) if counts else 0
    title = matrix["title"].split(":")[0]
    out = [
        # Width and height as drawn, so the page shows it at its own size (text at 14 px), never
        # blown up to the column's width.
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'role="img" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-size="{font}" fill="{INK}">',
        f"<title>{escape(matrix['title'])}</title>",
        '<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#f1f3f5"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#adb5bd" stroke-width="3"/></pattern></defs>',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="12" y="26" font-size="{font + 3}" font-weight="bold">{escape(title)}</text>',
        '<text x="12" y="48">Rows: from (where the learning came from). Columns: to (where it travelled).</text>'
        if size != "phone"
        else '<text x="12" y="48">Rows: from. Columns: to.</text>',
        f'<text x="{left}" y="{64 + 14}" font-weight="bold">To →</text>',
        f'<text x="12" y="{top - 8}" font-weight="bold">From ↓</text>',
    ]
    if not rows:
        out.append(f'<text x="12" y="{top + 24}">No engagement crossed this boundary this month.</text>')
    for j, lines in enumerate(column_labels):
        x = left + j * cell_w + cell_w / 2
        for k, line in enumerate(lines):
            y = top - 8 - (len(lines) - 1 - k) * (font + 3)
            out.append(f'<text x="{x:.0f}" y="{y}" text-anchor="middle">{escape(line)}</text>')
    for i, (row, lines) in enumerate(zip(rows, row_labels, strict=True)):
        y0 = top + i * cell_h
        for k, line in enumerate(lines):
            y = y0 + cell_h / 2 + 5 + (k - (len(lines) - 1) / 2) * (font + 2)
            out.append(f'<text x="{left - 10}" y="{y:.0f}" text-anchor="end">{escape(line)}</text>')
        for j, cell in enumerate(row["cells"]):
            x0 = left + j * cell_w
            out.append(_heat_cell(cell, x0, y0, cell_w, cell_h, peak, font))
    out.append(
        f'<text x="12" y="{height - 14}" font-size="{font - 1}">Darker: more engagements. '
        f"Hatched: {FEWER_THAN_5} people, not shown.</text>"
        if size != "phone"
        else f'<text x="12" y="{height - 14}" font-size="{font - 1}">Hatched: {FEWER_THAN_5} people.</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def _heat_cell(cell: dict, x0: float, y0: float, w: float, h: float, peak: int, font: int) -> str:
    rect = f'<rect x="{x0 + 1}" y="{y0 + 1}" width="{w - 2}" height="{h - 2}" stroke="#adb5bd" stroke-width="1"'
    cx, cy = x0 + w / 2, y0 + h / 2
    if cell["same"]:
        return f'{rect} fill="#f8f9fa"/><text x="{cx:.0f}" y="{cy + 5:.0f}" text-anchor="middle">—</text>'
    if cell["count"] is None:
        words = cell["text"].split(" ", 1) if cell["text"] == FEWER_THAN_5 else [cell["text"]]
        texts = "".join(
            f'<text x="{cx:.0f}" y="{cy + 5 + (k - (len(words) - 1) / 2) * (font + 1):.0f}" text-anchor="middle" '
            f'font-size="{font - 1}">{escape(word)}</text>'
            for k, word in enumerate(words)
        )
        return f'{rect} fill="url(#hatch)"/>{texts}'
    count = cell["count"]
    shade = 0 if not count or not peak else min(len(HEAT) - 1, 1 + (len(HEAT) - 2) * count // peak)
    fill = "white" if not count else HEAT[shade]
    ink = "white" if shade >= 4 else INK
    return (
        f'{rect} fill="{fill}"/><text x="{cx:.0f}" y="{cy + 5:.0f}" text-anchor="middle" fill="{ink}" '
        f'font-weight="bold">{count}</text>'
    )


def boundary_chart_names() -> list[tuple[str, str]]:
    """(dimension, chart name) for the three heat maps, in the report's order."""
    by_dimension = {dimension: name for name, dimension in HEAT_MAPS.items()}
    return [(dimension, by_dimension[dimension]) for dimension, _label, _plural in BOUNDARIES]
