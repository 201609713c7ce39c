"""Benchmark the monthly impact snapshot on an organisation of 100,000 people.

Run from the repository root::

    .venv/bin/python benchmarks/bench_impact_snapshot.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro_bench \
        .venv/bin/python benchmarks/bench_impact_snapshot.py

PostgreSQL only (the size this is about is a production size). The database named by
BENCH_DATABASE_URL (its name must contain "bench", since it is dropped) is dropped, created and
migrated; when PostgreSQL cannot be reached the benchmark says so and exits 0, so `make bench`
still completes.

The organisation and its 2.2 million activity records over January–June 2026 are seeded by
benchmarks/large_org.py (seed_organisation; its docstring tells what is in it). The seed time
printed includes building the indexes after the load and checking every foreign key.

Printed: seeding time per table, then `snapshot_build(month=April 2026)` best of 3 (each a
real rebuild, with a reason), the time of each step of the best build, the figures stored, the
rows of the month per channel, and one plain-SQL GROUP BY over the same rows (participation
per department and learnings per channel, checked against the stored figures) with the ratio
of the two times. When the server has JIT compilation on, the same is measured again with
`SET jit = off`: JIT compiles the large-estimate queries for longer than they run.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from large_org import open_database, run_sql, seed_organisation

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/saypro_bench"
MONTH = date(2026, 4, 1)  # the month timed: data on both sides of it
CHANNELS = ("feedback", "board", "circles", "cafes")
RUNS = 3


# --- measuring ------------------------------------------------------------------------------------


def plain_sql() -> str:
    """Participation per department and learnings per channel, written from DESIGN.md by hand."""
    return """
    WITH held AS (
        SELECT id, module_id, starts_at FROM feedback_feedbacksession
        WHERE state = 'held' AND starts_at >= %(start)s AND starts_at < %(end)s
    ), eligible AS (
        SELECT h.id AS session_id, e.person_id, pl.department_id,
               EXISTS (SELECT 1 FROM feedback_contribution c
                       WHERE c.session_id = h.id AND c.author_id = e.person_id
                         AND c.hidden_at IS NULL AND c.withdrawn_at IS NULL) AS active
        FROM held h
        JOIN core_enrolment e ON e.module_id = h.module_id AND (e.withdrawn_at IS NULL OR e.withdrawn_at >= h.starts_at)
        LEFT JOIN core_placement pl ON pl.person_id = e.person_id AND pl.valid_from <= h.starts_at
             AND (pl.valid_to IS NULL OR pl.valid_to > h.starts_at)
    )
    SELECT 'participation' AS figure, department_id::text AS key,
           COUNT(DISTINCT person_id) FILTER (WHERE active) AS numerator, COUNT(DISTINCT person_id) AS denominator
    FROM eligible GROUP BY department_id
    UNION ALL
    SELECT 'learnings_shared', channel, COUNT(*), NULL FROM (
        SELECT 'feedback' AS channel FROM feedback_contribution c JOIN held h ON h.id = c.session_id
        WHERE c.kind IN ('insight', 'success_story') AND c.hidden_at IS NULL AND c.withdrawn_at IS NULL
        UNION ALL
        SELECT 'board' FROM reflections_reflection r
        WHERE r.visibility = 'colleagues' AND NOT r.is_hidden AND r.state <> 'draft'
          AND r.first_shared_at >= %(start)s AND r.first_shared_at < %(end)s
        UNION ALL
        SELECT 'circles' FROM circles_learning l
        WHERE NOT l.is_hidden AND l.created_at >= %(start)s AND l.created_at < %(end)s
        UNION ALL
        SELECT 'cafes' FROM cafes_talkproposal t JOIN cafes_cafe k ON k.id = t.cafe_id
        WHERE t.state = 'delivered' AND k.state = 'held' AND k.starts_at >= %(start)s AND k.starts_at < %(end)s
    ) learnings GROUP BY channel
    """


def build_best_of(runs: int, label: str):
    """Rebuild the month `runs` times; return the best time, its steps and the last snapshot."""
    from saypro.impact.services import snapshot_build

    timings: list[tuple[float, list[tuple[str, float]]]] = []
    snapshot = None
    for run in range(1, runs + 1):
        marks: list[tuple[str, float]] = []

        def progress(percent: int, step: str, marks=marks) -> None:
            marks.append((step, time.perf_counter()))

        started = time.perf_counter()
        snapshot, built = snapshot_build(month=MONTH, rebuild=True, reason=f"Benchmark, {label}, run {run}",
                                         progress=progress)  # fmt: skip
        total = time.perf_counter() - started
        assert built and snapshot.status == "ready", snapshot.error
        timings.append((total, [(marks[i][0], marks[i + 1][1] - marks[i][1]) for i in range(len(marks) - 1)]))
    best, steps = min(timings, key=lambda t: t[0])
    return best, steps, [t for t, _ in timings], snapshot


def plain_best_of(runs: int, start: datetime, end: datetime) -> tuple[float, list[tuple]]:
    query, times, rows = plain_sql(), [], []
    for _ in range(runs):
        started = time.perf_counter()
        rows = run_sql(query, {"start": start, "end": end})
        times.append(time.perf_counter() - started)
    return min(times), rows


def measure() -> None:
    from saypro.impact.models import Figure
    from saypro.impact.months import month_bounds

    start, end = month_bounds(MONTH)
    jit = run_sql("SHOW jit")[0][0]
    settings = [f"server settings (jit={jit})"] + (["jit=off for the session"] if jit == "on" else [])
    for index, label in enumerate(settings):
        if index:
            run_sql("SET jit = off")
        best, steps, runs, snapshot = build_best_of(RUNS, label)
        plain, rows = plain_best_of(RUNS, start, end)
        figures = {(f.name, f.dimension, f.key): f for f in Figure.objects.filter(snapshot=snapshot)}
        print(f"\nWith {label}:")
        print(
            f"snapshot_build(month={MONTH:%Y-%m}), best of {RUNS}: {best:.2f} s "
            f"(runs {' '.join(f'{t:.2f}' for t in runs)}); {len(figures)} figures stored"
        )
        for step, seconds in steps:
            print(f"  {step:<36} {seconds:6.2f} s")
        channel = {key: figures[("learnings_shared", "channel", key)].numerator for key in CHANNELS}
        if not index:
            participation = figures[("participation", "", "")]
            print(f"Rows in {MONTH:%B %Y}:")
            print(
                f"  feedback sessions held {figures[('sessions_held', '', '')].numerator}, "
                f"eligible people {participation.denominator:,}, active {participation.numerator:,}"
            )
            print("  learnings shared per channel: " + ", ".join(f"{k} {v:,}" for k, v in channel.items()))
            print(
                f"  engagements crossing departments {figures[('cross_department_engagements', '', '')].numerator:,}, "
                f"circles met {figures[('circles_met', '', '')].numerator:,}, "
                f"café attendances {figures[('cafe_attendance', '', '')].numerator:,}"
            )
        mismatches = []
        for figure, key, numerator, denominator in rows:
            if figure == "participation":
                cell = figures.get(("participation", "department", key or ""))
                found = (cell.numerator, cell.denominator) if cell else None
                if found != (numerator, denominator):
                    mismatches.append(f"participation[{key}] {found} != {(numerator, denominator)}")
            elif channel[key] != numerator:
                mismatches.append(f"learnings[{key}] {channel[key]} != {numerator}")
        print(
            f"Plain SQL GROUP BY (participation per department + learnings per channel), best of {RUNS}: {plain:.2f} s"
        )
        print(f"  same numbers as the snapshot: {'yes' if not mismatches else 'NO: ' + '; '.join(mismatches)}")
        print(f"Ratio build / plain query: {best / plain:.1f}")
    run_sql("RESET jit")


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if open_database(url, benchmark="snapshot") is None:
        return 0
    seed_organisation()
    measure()
    return 0


if __name__ == "__main__":
    sys.exit(main())
