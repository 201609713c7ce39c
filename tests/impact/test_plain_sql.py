"""Every stored figure equals an independent plain SQL query over the same rows (PostgreSQL).

The SQL here is written from DESIGN.md's definitions, not from the application's queries.
"""

from datetime import date

import pytest
from django.db import connection

from saypro.impact.months import month_bounds
from saypro.impact.services import snapshot_build

pytestmark = pytest.mark.integration

JUNE = date(2026, 6, 1)


def _built_june() -> dict:
    if connection.vendor != "postgresql":
        pytest.skip("plain SQL checks are written for PostgreSQL")
    snapshot, _ = snapshot_build(month=JUNE)
    return {(f.name, f.dimension, f.key): f for f in snapshot.figures.all()}


@pytest.fixture
def stored(june):
    return _built_june()


def sql(query: str) -> list[tuple]:
    start, end = month_bounds(JUNE)
    with connection.cursor() as cursor:
        cursor.execute(query, {"start": start, "end": end})
        return cursor.fetchall()


HELD = "s.state = 'held' AND s.starts_at >= %(start)s AND s.starts_at < %(end)s"
ELIGIBLE = f"""
    SELECT DISTINCT s.id AS session_id, e.person_id
    FROM feedback_feedbacksession s JOIN core_enrolment e ON e.module_id = s.module_id
    WHERE {HELD} AND (e.withdrawn_at IS NULL OR e.withdrawn_at >= s.starts_at)
"""
VISIBLE_CONTRIBUTION = "c.hidden_at IS NULL AND c.withdrawn_at IS NULL"


def test_sessions_held_matches_sql(stored):
    assert (
        stored[("sessions_held", "", "")].numerator
        == sql(f"SELECT COUNT(*) FROM feedback_feedbacksession s WHERE {HELD}")[0][0]
    )


def test_participation_matches_sql(stored):
    eligible, active = sql(f"""
        SELECT COUNT(DISTINCT el.person_id),
               COUNT(DISTINCT el.person_id) FILTER (WHERE EXISTS (
                   SELECT 1 FROM feedback_contribution c
                   WHERE c.session_id = el.session_id AND c.author_id = el.person_id AND {VISIBLE_CONTRIBUTION}))
        FROM ({ELIGIBLE}) el
    """)[0]
    cell = stored[("participation", "", "")]
    assert (cell.numerator, cell.denominator) == (active, eligible) == (4, 5)


def test_participation_by_department_at_the_time_matches_sql(stored):
    rows = sql(f"""
        SELECT p.department_id, COUNT(DISTINCT el.person_id)
        FROM ({ELIGIBLE}) el
        JOIN feedback_feedbacksession s ON s.id = el.session_id
        JOIN core_placement p ON p.person_id = el.person_id
             AND p.valid_from <= s.starts_at AND (p.valid_to IS NULL OR p.valid_to > s.starts_at)
        GROUP BY p.department_id
    """)
    for department_id, eligible in rows:
        assert stored[("participation", "department", str(department_id))].denominator == eligible


def test_learnings_shared_matches_sql(stored):
    feedback = sql(f"""
        SELECT COUNT(*) FROM feedback_contribution c JOIN feedback_feedbacksession s ON s.id = c.session_id
        WHERE {HELD} AND {VISIBLE_CONTRIBUTION} AND c.kind IN ('insight', 'success_story')
    """)[0][0]
    board = sql("""
        SELECT COUNT(*) FROM reflections_reflection r
        WHERE r.visibility = 'colleagues' AND NOT r.is_hidden AND r.state <> 'draft'
          AND r.first_shared_at >= %(start)s AND r.first_shared_at < %(end)s
    """)[0][0]
    circles = sql("""
        SELECT COUNT(*) FROM circles_learning l
        WHERE NOT l.is_hidden AND l.created_at >= %(start)s AND l.created_at < %(end)s
    """)[0][0]
    cafes = sql("""
        SELECT COUNT(*) FROM cafes_talkproposal t JOIN cafes_cafe k ON k.id = t.cafe_id
        WHERE t.state = 'delivered' AND k.state = 'held' AND k.starts_at >= %(start)s AND k.starts_at < %(end)s
    """)[0][0]
    for channel, expected in (("feedback", feedback), ("board", board), ("circles", circles), ("cafes", cafes)):
        assert stored[("learnings_shared", "channel", channel)].numerator == expected, channel
    assert stored[("learnings_shared", "", "")].numerator == feedback + board + circles + cafes


ENGAGEMENTS = """
    SELECT r.id AS reflection_id, r.author_id, r.department_id AS author_department_id,
           r.location_id AS author_location_id, r.job_role_id AS author_job_role_id,
           x.person_id, x.department_id, x.location_id, x.job_role_id
    FROM (
        SELECT reflection_id, author_id AS person_id, department_id, location_id, job_role_id, created_at
        FROM reflections_comment
        WHERE channel = 'board' AND NOT is_hidden
        UNION ALL
        SELECT reflection_id, person_id, department_id, location_id, job_role_id, created_at
        FROM reflections_adoption
    ) x JOIN reflections_reflection r ON r.id = x.reflection_id
    WHERE r.visibility = 'colleagues' AND NOT r.is_hidden AND r.state <> 'draft'
      AND x.created_at >= %(start)s AND x.created_at < %(end)s
"""


def test_cross_department_transfer_matches_sql(stored):
    reflections, engagements, pairs = sql(f"""
        SELECT COUNT(DISTINCT reflection_id), COUNT(*),
               COUNT(DISTINCT (author_department_id, department_id))
        FROM ({ENGAGEMENTS}) e
        WHERE e.department_id <> e.author_department_id AND e.person_id <> e.author_id
    """)[0]
    assert stored[("cross_department_reflections", "", "")].numerator == reflections
    assert stored[("cross_department_engagements", "", "")].numerator == engagements
    assert stored[("cross_department_pairs", "", "")].numerator == pairs
    matrix = sql(f"""
        SELECT author_department_id, department_id, COUNT(*) FROM ({ENGAGEMENTS}) e
        WHERE e.department_id <> e.author_department_id AND e.person_id <> e.author_id
        GROUP BY 1, 2
    """)
    for source, target, n in matrix:
        assert stored[("transfer_matrix", "department_pair", f"{source}>{target}")].numerator == n


@pytest.mark.parametrize("boundary", ["department", "location", "job_role"])
def test_every_boundary_matrix_matches_sql(stored, boundary):
    """The from×to matrix of each boundary, with the distinct people of each cell."""
    rows = sql(f"""
        SELECT author_{boundary}_id, {boundary}_id, COUNT(*), COUNT(DISTINCT person_id) FROM ({ENGAGEMENTS}) e
        WHERE e.{boundary}_id <> e.author_{boundary}_id AND e.person_id <> e.author_id
        GROUP BY 1, 2
    """)
    assert rows
    stored_matrix = {k[2]: f for k, f in stored.items() if k[:2] == ("transfer_matrix", f"{boundary}_pair")}
    assert {f"{s}>{t}": (n, people) for s, t, n, people in rows} == {
        key: (f.numerator, f.people) for key, f in stored_matrix.items()
    }
    (reflections,) = sql(f"""
        SELECT COUNT(DISTINCT reflection_id) FROM ({ENGAGEMENTS}) e
        WHERE e.{boundary}_id <> e.author_{boundary}_id AND e.person_id <> e.author_id
    """)[0]
    assert stored[(f"cross_{boundary}_reflections", "", "")].numerator == reflections


def test_circle_cohesion_matches_sql(stored):
    memberships, attended = sql("""
        SELECT COUNT(*), COUNT(*) FILTER (WHERE m.attended)
        FROM circles_membership m JOIN circles_circle c ON c.id = m.circle_id JOIN circles_round r ON r.id = c.round_id
        WHERE r.state = 'published' AND r.meets_at >= %(start)s AND r.meets_at < %(end)s AND m.left_at IS NULL
    """)[0]
    cell = stored[("circle_attendance", "", "")]
    assert (cell.numerator, cell.denominator) == (attended, memberships)
    (mix,) = sql("""
        SELECT AVG(ratio) FROM (
            SELECT COUNT(DISTINCT m.department_id)::numeric / COUNT(*) AS ratio
            FROM circles_membership m
            JOIN circles_circle c ON c.id = m.circle_id JOIN circles_round r ON r.id = c.round_id
            WHERE r.state = 'published' AND r.meets_at >= %(start)s AND r.meets_at < %(end)s AND m.left_at IS NULL
            GROUP BY c.id) per_circle
    """)[0]
    cell = stored[("circle_mix_index", "", "")]
    assert round(cell.numerator / cell.denominator, 10) == round(float(mix), 10)


# --- learning applied (docs/metrics.md) -------------------------------------------------------------

# A commitment: an "I'll try this" with a due date on a reflection on the board now.
COMMITMENT = """
    FROM reflections_adoption a JOIN reflections_reflection r ON r.id = a.reflection_id
    WHERE a.kind = 'will_try' AND a.commitment_due IS NOT NULL
      AND r.visibility = 'colleagues' AND NOT r.is_hidden AND r.state <> 'draft'
"""
DUE_IN_JUNE = "a.commitment_due BETWEEN DATE '2026-06-01' AND DATE '2026-06-30'"
IN_WINDOW = "a.outcome = 'tried' AND (a.outcome_at AT TIME ZONE 'Africa/Johannesburg')::date <= a.commitment_due"


@pytest.fixture
def stored_applied(june_applied):
    return _built_june()


def test_commitments_made_matches_sql(stored_applied):
    made = sql(f"SELECT COUNT(*) {COMMITMENT} AND a.created_at >= %(start)s AND a.created_at < %(end)s")[0][0]
    assert stored_applied[("commitments_made", "", "")].numerator == made == 5


def test_commitments_due_tried_and_application_rate_match_sql(stored_applied):
    due, tried = sql(f"SELECT COUNT(*), COUNT(*) FILTER (WHERE {IN_WINDOW}) {COMMITMENT} AND {DUE_IN_JUNE}")[0]
    rate = stored_applied[("application_rate", "", "")]
    assert stored_applied[("commitments_due", "", "")].numerator == due == 4
    assert stored_applied[("commitments_tried_in_window", "", "")].numerator == tried == 2
    assert (rate.numerator, rate.denominator) == (tried, due)


@pytest.mark.parametrize("boundary", ["department", "location", "job_role"])
def test_applied_across_each_boundary_matches_sql(stored_applied, boundary):
    crossed = sql(f"""
        SELECT COUNT(*) {COMMITMENT} AND {DUE_IN_JUNE} AND {IN_WINDOW}
          AND a.{boundary}_id IS NOT NULL AND r.{boundary}_id IS NOT NULL AND a.{boundary}_id <> r.{boundary}_id
    """)[0][0]
    assert stored_applied[(f"applied_cross_{boundary}", "", "")].numerator == crossed


def test_application_rate_by_department_matches_sql(stored_applied):
    rows = sql(f"""
        SELECT a.department_id, COUNT(*) FILTER (WHERE {IN_WINDOW}), COUNT(*), COUNT(DISTINCT a.person_id)
        {COMMITMENT} AND {DUE_IN_JUNE} GROUP BY a.department_id
    """)
    stored = {
        int(key): (f.numerator, f.denominator, f.people)
        for (name, dimension, key), f in stored_applied.items()
        if (name, dimension) == ("application_rate", "department")
    }
    assert stored == {department: (tried, due, people) for department, tried, due, people in rows}
    assert len(stored) == 4
