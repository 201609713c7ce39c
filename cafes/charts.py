"""The speaker's growth chart, drawn as server-side SVG (no script, so the CSP stays strict).

The geometry is computed here; the template only places the shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import timezone

from .models import RATING_QUESTIONS
from .selectors import GrowthRow

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 48, 16, 56


@dataclass(frozen=True)
class Marker:
    x: float
    y: float
    value: str
    label: str


@dataclass
class Series:
    field: str
    question: str
    css: str
    points: str = ""
    markers: list[Marker] = field(default_factory=list)


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


def _y(value: float) -> float:
    plot = HEIGHT - TOP - BOTTOM
    return round(TOP + plot * (5 - value) / 4, 1)


def growth_chart(rows: list[GrowthRow]) -> dict | None:
    """Lines of the three average ratings across talks with enough answers; None when there are none."""
    shown = [row for row in rows if row.shows_averages]
    if not shown:
        return None
    plot_w = WIDTH - LEFT - RIGHT
    step = plot_w / (len(shown) - 1) if len(shown) > 1 else 0
    xs = [round(LEFT + (i * step if len(shown) > 1 else plot_w / 2), 1) for i in range(len(shown))]
    series = []
    for index, (name, question) in enumerate(RATING_QUESTIONS.items()):
        line = Series(field=name, question=question, css=f"growth-line-{index + 1}")
        for x, row in zip(xs, shown, strict=True):
            value = row.averages[name]
            line.markers.append(Marker(x=x, y=_y(float(value)), value=str(value), label=row.talk.title))
        line.points = " ".join(f"{m.x},{m.y}" for m in line.markers)
        series.append(line)
    x_ticks = [
        Tick(x=x, y=HEIGHT - BOTTOM + 20, label=f"{timezone.localtime(row.talk.cafe.starts_at):%b %Y}")
        for x, row in zip(xs, shown, strict=True)
    ]
    y_ticks = [Tick(x=LEFT - 10, y=_y(v), label=str(v)) for v in range(1, 6)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "top": TOP,
        "series": series,
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "legend_y": HEIGHT - 12,
    }
