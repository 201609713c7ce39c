"""Charts a person can read (issue 13 item 6): gaps for months without data, whole labels,
and series told apart by people with colour-blindness and in greyscale print."""

import re
from datetime import date

import pytest

from saypro.impact.charts import HEAT, PALETTE, SIZES, _cohesion_trend, _participation_trend

MONTHS = [(3, 50, 20), (4, None, None), (5, 60, 30), (6, 70, 40)]  # April has no figures


def _trend():
    return [
        {"month": date(2026, m, 1), "participation_percent": p, "attendance_percent": p, "mix_percent": mix}
        for m, p, mix in MONTHS
    ]


def _luminance(hex_colour: str) -> float:
    """WCAG relative luminance: what a colour becomes in greyscale."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _series_line_points(svg: str) -> list[int]:
    """How many points each drawn line of the data series joins ("M x y L x y x y…"; pygal's
    axis lines are "M x y v h" and join none)."""
    paths = [d for d in re.findall(r'<path d="(M[^"]*)" class="line reactive', svg) if " L" in d]
    return [len(re.findall(r"-?\d+(?:\.\d+)?", d)) // 2 for d in paths]


@pytest.mark.parametrize("size", list(SIZES))
def test_a_month_without_figures_is_a_gap_not_a_line_across_it(size):
    svg = _participation_trend(None, _trend(), size).render(is_unicode=True)
    # March stands alone (a dot); May to June is the only line: nothing joins March to May.
    assert _series_line_points(svg) == [2]


def test_month_labels_are_whole():
    svg = _participation_trend(None, _trend(), "wide").render(is_unicode=True)
    for label in ("Mar 2026", "Apr 2026", "May 2026", "Jun 2026"):
        assert f">{label}</text>" in svg
    assert "…" not in svg
    assert ">Eligible colleagues who took part</text>" in svg  # the legend, not cut either


def test_two_series_differ_by_dash_as_well_as_colour():
    svg = _cohesion_trend(None, _trend(), "wide").render(is_unicode=True)
    assert "dasharray:10,6" in svg.replace(" ", "")


def test_first_series_colours_stay_apart_in_greyscale():
    first, second = (_luminance(colour) for colour in PALETTE[:2])
    assert abs(first - second) >= 0.2


def test_heat_map_shades_darken_in_greyscale_too():
    shades = [_luminance(colour) for colour in HEAT]
    assert shades == sorted(shades, reverse=True)
    assert len(set(shades)) == len(shades)
