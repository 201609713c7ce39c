"""Each figure of the snapshot pinned on the hand-computed June of tests/impact/conftest.py."""

from datetime import date

import pytest

from saypro.impact.figures import collect_figures
from saypro.impact.months import month_bounds
from saypro.impact.services import snapshot_build

from .conftest import EXPECTED, EXPECTED_APPLIED

JUNE = date(2026, 6, 1)


def cells_by_key(cells):
    return {(c["name"], c["dimension"], c["key"]): c for c in cells}


@pytest.fixture
def cells(june):
    start, end = month_bounds(JUNE)
    return cells_by_key(collect_figures(start=start, end=end))


def value(cells, name, dimension="", key=""):
    cell = cells[(name, dimension, key)]
    return cell["numerator"] if cell["denominator"] is None else (cell["numerator"], cell["denominator"])


def test_sessions_held_counts_held_sessions_by_local_start(cells):
    assert value(cells, "sessions_held") == EXPECTED["sessions_held"]


def test_participation_counts_eligible_and_active_people(cells):
    assert value(cells, "participation") == EXPECTED["participation"]


def test_participation_counts_a_mover_in_the_department_at_the_session(cells, june):
    hr, it = str(june.departments["HR"].pk), str(june.departments["IT"].pk)
    assert value(cells, "participation", "department", hr) == (1, 1)
    # IT: p2 (hidden only), p4, p5, p6 eligible; p4, p5, p6 active.
    assert value(cells, "participation", "department", it) == (3, 4)
    assert ("participation", "department", str(june.departments["Finance"].pk)) not in cells
    assert cells[("participation", "department", hr)]["people"] == 1


def test_participation_per_module(cells, june):
    module_a = june.objects["s1"].module_id
    assert value(cells, "participation", "module", str(module_a)) == (3, 4)


def test_learnings_shared_by_channel_and_total(cells):
    for channel, expected in EXPECTED["channel"].items():
        assert value(cells, "learnings_shared", "channel", channel) == expected, channel
    assert value(cells, "learnings_shared") == EXPECTED["learnings_shared"]


def test_learnings_shared_by_sharer_department(cells, june):
    dep = {name: str(d.pk) for name, d in june.departments.items()}
    # HR: p1's insight (moved). IT: p3, p4, p6. Finance: r1, circle m1. Sales: talk s1.
    assert value(cells, "learnings_shared", "department", dep["HR"]) == 1
    assert value(cells, "learnings_shared", "department", dep["IT"]) == 3
    assert value(cells, "learnings_shared", "department", dep["Finance"]) == 2
    assert value(cells, "learnings_shared", "department", dep["Sales"]) == 1
    assert cells[("learnings_shared", "department", dep["IT"])]["people"] == 3


def test_cross_department_transfer(cells, june):
    for name in ("cross_department_reflections", "cross_department_engagements", "cross_department_pairs"):
        assert value(cells, name) == EXPECTED[name], name
    dep = {name: str(d.pk) for name, d in june.departments.items()}
    assert value(cells, "transfer_matrix", "department_pair", f"{dep['Finance']}>{dep['IT']}") == 2
    assert value(cells, "transfer_matrix", "department_pair", f"{dep['HR']}>{dep['Sales']}") == 1
    assert len([k for k in cells if k[:2] == ("transfer_matrix", "department_pair")]) == 2
    # Each cell knows how many distinct people engaged: e1 twice on Finance → IT, e3 once.
    assert cells[("transfer_matrix", "department_pair", f"{dep['Finance']}>{dep['IT']}")]["people"] == 1
    assert cells[("transfer_matrix", "department_pair", f"{dep['HR']}>{dep['Sales']}")]["people"] == 1


@pytest.mark.parametrize("boundary", ["department", "location", "job_role"])
def test_every_boundary_stores_its_matrix(cells, boundary):
    """Location and job role have a from×to matrix like department: cells add up to the totals."""
    matrix = {k: c for k, c in cells.items() if k[:2] == ("transfer_matrix", f"{boundary}_pair")}
    assert matrix, boundary
    assert sum(c["numerator"] for c in matrix.values()) == value(cells, f"cross_{boundary}_engagements")
    assert len(matrix) == value(cells, f"cross_{boundary}_pairs")
    assert all(" → " in c["label"] and c["people"] >= 1 for c in matrix.values())


def test_circle_cohesion(cells):
    assert value(cells, "circle_attendance") == EXPECTED["circle_attendance"]
    assert value(cells, "circle_mix_index") == EXPECTED["circle_mix_index"]
    assert value(cells, "circles_met") == EXPECTED["circles_met"]


def test_talks_and_cafe_attendance(cells):
    assert value(cells, "talks_given") == EXPECTED["talks_given"]
    assert value(cells, "cafe_attendance") == EXPECTED["cafe_attendance"]


def test_empty_month_has_no_sessions_and_zero_counts(db):
    start, end = month_bounds(date(2026, 2, 1))
    cells = cells_by_key(collect_figures(start=start, end=end))
    assert value(cells, "sessions_held") == 0
    assert value(cells, "participation") == (0, 0)
    assert value(cells, "learnings_shared") == 0


def test_snapshot_headline_reads_from_the_stored_figures(june):
    snapshot, built = snapshot_build(month=JUNE)
    from saypro.impact.selectors import report_get

    report = report_get(snapshot=snapshot)
    assert built is True
    assert report.headlines() == [
        "80% of training participants actively participated in feedback sessions this month",
        "7 peer learnings shared across departments via digital discussion boards and team meetings",
    ]


# --- learning applied (docs/metrics.md) -----------------------------------------------------------


@pytest.fixture
def applied_cells(june_applied):
    start, end = month_bounds(JUNE)
    return cells_by_key(collect_figures(start=start, end=end))


@pytest.mark.parametrize(
    "name",
    [
        "commitments_made",
        "commitments_due",
        "commitments_tried_in_window",
        "application_rate",
        "applied_cross_department",
        "applied_cross_location",
        "applied_cross_job_role",
    ],
)
def test_learning_applied_totals(applied_cells, name):
    assert value(applied_cells, name) == EXPECTED_APPLIED[name]


def test_application_rate_by_the_committers_department_keeps_its_people(applied_cells, june_applied):
    found = {
        cell["label"]: (cell["numerator"], cell["denominator"], cell["people"])
        for (name, dimension, _key), cell in applied_cells.items()
        if (name, dimension) == ("application_rate", "department")
    }
    assert found == EXPECTED_APPLIED["by_department"]


def test_learning_applied_in_a_month_without_commitments_is_zero_over_zero(db):
    start, end = month_bounds(date(2026, 2, 1))
    cells = cells_by_key(collect_figures(start=start, end=end))

    assert [value(cells, n) for n in ("commitments_made", "commitments_due", "application_rate")] == [0, 0, (0, 0)]
