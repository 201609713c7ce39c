"""Every figure of the monthly snapshot, computed in the database from the apps' selectors.

Each function returns figure cells (dicts for `Figure(**cell)`) for one month [start, end)
given as aware datetimes at the organisation's local midnight. DESIGN.md's "monthly impact
snapshot" section is the definition; the selectors named below quote it where they apply.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from datetime import datetime, timedelta
from fractions import Fraction

from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from cafes.selectors import cafe_attendance_in, cafe_talks_delivered_in
from circles.selectors import circle_cohesion_in, circle_learnings_shared_in
from feedback.heard.selectors import challenge_themes_raised_in, challenges_raised_in
from feedback.selectors import eligibility_rows, feedback_learnings_shared_in, feedback_sessions_held_in
from reflections.selectors import (
    reflection_board_shared_in,
    reflection_commitments_due_in,
    reflection_commitments_made_in,
    reflection_engagements_in,
    reflection_mentor_response_days,
    reflection_submitted_in,
    reflection_validated_in,
)
from saypro.core.models import Department, JobRole, Location, Module, OutboundEmail

from .selectors import THEME_LABEL_SEPARATOR

Cell = dict
CHANNELS = (("feedback", "Feedback sessions"), ("board", "Learning board"), ("circles", "Peer circles"),
            ("cafes", "Knowledge cafés"))  # fmt: skip
BOUNDARIES = (("department", Department), ("location", Location), ("job_role", JobRole))
PARTICIPATION_DIMENSIONS = (("department", Department), ("location", Location), ("module", Module))


def collect_figures(
    *, start: datetime, end: datetime, progress: Callable[[int, str], None] | None = None
) -> list[Cell]:
    """All cells of one month's snapshot."""
    steps: list[tuple[str, Callable[..., list[Cell]]]] = [
        ("participation in feedback sessions", participation_cells),
        ("peer learnings shared", learnings_cells),
        ("cross-boundary transfer", transfer_cells),
        ("circle cohesion", cohesion_cells),
        ("reflections, talks and newsletter", activity_cells),
        ("learning applied", applied_cells),
        ("recurring challenges", challenge_cells),
    ]
    cells: list[Cell] = []
    for index, (label, step) in enumerate(steps):
        if progress:
            progress(int(100 * index / len(steps)), label)
        cells.extend(step(start=start, end=end))
    return cells


def _cell(name: str, numerator: int, *, denominator: int | None = None, dimension: str = "", key: str = "",
          label: str = "", people: int | None = None) -> Cell:  # fmt: skip
    return {
        "name": name,
        "dimension": dimension,
        "key": key,
        "label": label,
        "numerator": numerator,
        "denominator": denominator,
        "people": people,
    }


def _names(model, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    return dict(model.objects.filter(pk__in=ids).values_list("pk", model_name_field(model))) if ids else {}


def model_name_field(model) -> str:
    return "title" if model is Module else "name"


def _label(names: dict[int, str], key: int | None) -> str:
    return "Not recorded" if key is None else names.get(key, f"#{key}")


# --- participation ------------------------------------------------------------------------------


def participation_cells(*, start: datetime, end: datetime) -> list[Cell]:
    """Sessions held, and eligible/active people overall and per department, location and module.

    A person counts in the department (location, module) they were in at the session's start;
    someone who moved between two sessions of the month counts once in each department.
    """
    sessions = feedback_sessions_held_in(start=start, end=end)
    rows = eligibility_rows(sessions=sessions).order_by()
    # The total and every breakdown in one statement: the eligibility rows (a placement lookup
    # per person and session) are computed once instead of once per breakdown.
    counts = "COUNT(DISTINCT person_id), COUNT(DISTINCT CASE WHEN is_active THEN person_id END)"
    parts = {"": (f"NULL, {counts}", "", "")}
    for dimension, _model in PARTICIPATION_DIMENSIONS:
        parts[dimension] = (f"{dimension}_id, {counts}", "", f"{dimension}_id")
    results = _aggregate_parts(rows, parts)
    (_, eligible, active) = results[""][0]
    cells = [
        _cell("sessions_held", sessions.count()),
        _cell("participation", active, denominator=eligible, people=eligible),
    ]
    for dimension, model in PARTICIPATION_DIMENSIONS:
        grouped = results[dimension]
        names = _names(model, [key for key, _, _ in grouped])
        cells.extend(
            _cell(
                "participation",
                active,
                denominator=eligible,
                dimension=dimension,
                key="" if key is None else str(key),
                label=_label(names, key),
                people=eligible,
            )
            for key, eligible, active in grouped
        )
    return cells


# --- peer learnings shared ----------------------------------------------------------------------


def _learning_sources(start: datetime, end: datetime) -> dict[str, QuerySet]:
    """Per channel, (department_id, person_id, learning id) rows of the learnings shared in M."""
    return {
        "feedback": feedback_learnings_shared_in(start=start, end=end).values("department_id", "author_id", "id"),
        "board": reflection_board_shared_in(start=start, end=end).values("department_id", "author_id", "id"),
        "circles": circle_learnings_shared_in(start=start, end=end).values("department_id", "author_id", "id"),
        "cafes": cafe_talks_delivered_in(start=start, end=end).values("department_id", "speaker_id", "id"),
    }


def learnings_cells(*, start: datetime, end: datetime) -> list[Cell]:
    """Learnings shared: total, per channel and per sharer's department (with distinct sharers)."""
    sources = _learning_sources(start, end)
    cells: list[Cell] = []
    total = 0
    per_department: dict[int | None, int] = {}
    for channel, label in CHANNELS:
        qs = sources[channel].order_by()
        count = qs.count()
        total += count
        cells.append(_cell("learnings_shared", count, dimension="channel", key=channel, label=label))
        for row in qs.values("department_id").annotate(n=Count("id")):
            per_department[row["department_id"]] = per_department.get(row["department_id"], 0) + row["n"]
    cells.append(_cell("learnings_shared", total))
    sharers = _distinct_people_per_department(list(sources.values()))
    names = _names(Department, per_department)
    cells.extend(
        _cell(
            "learnings_shared",
            n,
            dimension="department",
            key="" if dept is None else str(dept),
            label=_label(names, dept),
            people=sharers.get(dept, 0),
        )
        for dept, n in per_department.items()
    )
    return cells


def _distinct_people_per_department(querysets: list[QuerySet]) -> dict[int | None, int]:
    """Distinct sharers per department across every channel, counted by the database.

    Each queryset selects (department_id, person id, learning id) in that order; a UNION ALL
    takes its column names from the first, so the outer query can group by them.
    """
    parts, params = [], []
    for qs in querysets:
        sql, qs_params = qs.order_by().query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS part")  # noqa: S608 -- ORM SQL, parameters bound
        params.extend(qs_params)
    union = " UNION ALL ".join(parts)
    query = f"SELECT department_id, COUNT(DISTINCT author_id) FROM ({union}) AS u GROUP BY department_id"  # noqa: S608 -- ORM SQL
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return dict(cursor.fetchall())


def _aggregate_parts(qs: QuerySet, parts: dict[str, tuple[str, str, str]]) -> dict[str, list[tuple]]:
    """Several aggregates over one selector's rows, in one statement that evaluates its query once.

    `parts` maps a label to (select, where, group_by) written over the selector's columns; every
    select of one call has the same number of expressions, so the parts can be one UNION ALL. The selector's query (one
    the ORM cannot wrap, such as a UNION) is a common table expression, which PostgreSQL
    materialises once when several parts read it. Returns each label's rows.
    """
    sql, params = qs.query.sql_with_params()
    selects = []
    for select, where, group_by in parts.values():
        part = f"SELECT %s, {select} FROM e"  # noqa: S608 -- constant SQL fragments, the label is bound
        if where:
            part += f" WHERE {where}"
        if group_by:
            part += f" GROUP BY {group_by}"
        selects.append(part)
    query = f"WITH e AS ({sql}) " + " UNION ALL ".join(selects)
    results: dict[str, list[tuple]] = {label: [] for label in parts}
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *parts])
        for label, *row in cursor.fetchall():
            results[label].append(tuple(row))
    return results


# --- cross-boundary transfer --------------------------------------------------------------------


def transfer_cells(*, start: datetime, end: datetime) -> list[Cell]:
    """Engagements on board reflections crossing a department, location or job-role boundary.

    Cross-department: the engaging person's department at the time differs from the author's
    department when the reflection was first shared; an author engaging with their own
    reflection is not a transfer and an unknown department crosses nothing. Likewise for
    locations and job roles. Each boundary's from×to matrix is stored with, per cell, how many
    distinct people engaged (the small-group rule hides cells built from fewer than five).
    """
    engagements = reflection_engagements_in(start=start, end=end)
    parts = {}
    for dimension, _model in BOUNDARIES:
        mine, theirs = f"{dimension}_id", f"author_{dimension}_id"
        crossing = (
            f"{mine} IS NOT NULL AND {theirs} IS NOT NULL AND {mine} <> {theirs} "
            "AND engaging_person_id <> reflection_author_id"
        )
        parts[dimension] = ("COUNT(DISTINCT reflection_id), COUNT(*), NULL, NULL", crossing, "")
        parts[f"{dimension}_pairs"] = (
            f"{theirs}, {mine}, COUNT(*), COUNT(DISTINCT engaging_person_id)",
            crossing,
            f"{theirs}, {mine}",
        )
    # All six aggregates in one statement: the engagements are read once, not six times.
    results = _aggregate_parts(engagements, parts)
    cells: list[Cell] = []
    for dimension, model in BOUNDARIES:
        reflections, count, _, _ = results[dimension][0]
        pairs = results[f"{dimension}_pairs"]
        cells += [
            _cell(f"cross_{dimension}_reflections", reflections),
            _cell(f"cross_{dimension}_engagements", count),
            _cell(f"cross_{dimension}_pairs", len(pairs)),
        ]
        names = _names(model, [p[0] for p in pairs] + [p[1] for p in pairs])
        # Rows "from" (the author's side), columns "to" (the engaging person's side).
        cells.extend(
            _cell(
                "transfer_matrix",
                n,
                dimension=f"{dimension}_pair",
                key=f"{source}>{target}",
                label=f"{_label(names, source)} → {_label(names, target)}",
                people=people,
            )
            for source, target, n, people in pairs
        )
    return cells


# --- circles ------------------------------------------------------------------------------------


def cohesion_cells(*, start: datetime, end: datetime) -> list[Cell]:
    """Attendance rate and mix index of the circles that met in M (exact fractions)."""
    cohesion = circle_cohesion_in(start=start, end=end)
    ratios = [Fraction(departments, members) for _pk, members, departments in cohesion.per_circle if members]
    mix = sum(ratios, Fraction(0)) / len(ratios) if ratios else None
    return [
        _cell("circles_met", cohesion.circles),
        _cell("circle_attendance", cohesion.attended, denominator=cohesion.memberships),
        _cell(
            "circle_mix_index",
            mix.numerator if mix is not None else 0,
            denominator=mix.denominator if mix is not None else 0,
        ),
    ]


# --- counts the officer needs -------------------------------------------------------------------


def activity_cells(*, start: datetime, end: datetime) -> list[Cell]:
    response_days = [row["days"] for row in reflection_mentor_response_days(start=start, end=end)]
    median_seconds = round(statistics.median(response_days) * 86400) if response_days else 0
    return [
        _cell("reflections_submitted", reflection_submitted_in(start=start, end=end).count()),
        _cell("reflections_validated", reflection_validated_in(start=start, end=end).count()),
        _cell("mentor_response_days", median_seconds, denominator=86400 if response_days else 0),
        _cell("talks_given", cafe_talks_delivered_in(start=start, end=end).count()),
        _cell("cafe_attendance", cafe_attendance_in(start=start, end=end).count()),
        _cell(
            "newsletter_reach",
            OutboundEmail.objects.filter(
                kind="newsletter", status=OutboundEmail.Status.SENT, sent_at__gte=start, sent_at__lt=end
            ).count(),
        ),
    ]


# --- learning applied (docs/metrics.md) ---------------------------------------------------------


def applied_cells(*, start: datetime, end: datetime) -> list[Cell]:
    """Commitments made and due in M, tried within their window, the application rate, across boundaries.

    The application rate is also broken down by the committer's department when they committed,
    with the distinct committers of each cell (the small-group rule hides cells under five).
    """
    first_day = timezone.localtime(start).date()
    last_day = timezone.localtime(end).date() - timedelta(days=1)
    due = reflection_commitments_due_in(first_day=first_day, last_day=last_day)
    tried = Q(tried_in_window=True)
    crossing = {
        f"applied_cross_{dimension}": Count(
            "pk",
            filter=tried
            & Q(**{f"{dimension}_id__isnull": False, f"reflection__{dimension}_id__isnull": False})
            & ~Q(**{f"{dimension}_id": F(f"reflection__{dimension}_id")}),
        )
        for dimension, _model in BOUNDARIES
    }
    totals = due.aggregate(due=Count("pk"), tried=Count("pk", filter=tried), **crossing)
    cells = [
        _cell("commitments_made", reflection_commitments_made_in(start=start, end=end).count()),
        _cell("commitments_due", totals["due"]),
        _cell("commitments_tried_in_window", totals["tried"]),
        _cell("application_rate", totals["tried"], denominator=totals["due"]),
        *(_cell(name, totals[name]) for name in crossing),
    ]
    per_department = list(
        due.values("department_id").annotate(
            due=Count("pk"), tried=Count("pk", filter=tried), people=Count("person_id", distinct=True)
        )
    )
    names = _names(Department, [row["department_id"] for row in per_department])
    cells.extend(
        _cell(
            "application_rate",
            row["tried"],
            denominator=row["due"],
            dimension="department",
            key="" if row["department_id"] is None else str(row["department_id"]),
            label=_label(names, row["department_id"]),
            people=row["people"],
        )
        for row in per_department
    )
    return cells


# --- challenges heard ---------------------------------------------------------------------------


def challenge_cells(*, start: datetime, end: datetime) -> list[Cell]:
    """Challenges raised in sessions held in M: the total, and per "What we heard" theme.

    A theme cell counts the month's visible challenges in it, with the distinct people who
    raised them for the small-group rule; its label keeps the module and the theme's name as
    they were when the snapshot was built. Challenges not grouped yet count in the total only.
    """
    cells = [_cell("challenges_raised", challenges_raised_in(start=start, end=end).count())]
    for row in challenge_themes_raised_in(start=start, end=end):
        module = row["theme__module__title"].replace(THEME_LABEL_SEPARATOR, " > ")
        cells.append(
            _cell(
                "challenges_raised",
                row["challenges"],
                dimension="theme",
                key=str(row["theme_id"]),
                label=f"{module}{THEME_LABEL_SEPARATOR}{row['theme__name']}"[:255],
                people=row["people"],
            )
        )
    return cells
