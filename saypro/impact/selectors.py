"""Reads of the impact report: snapshots, their figures, headlines and trends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from django.db.models import Max, OuterRef, QuerySet, Subquery

from saypro.core import roles
from saypro.core.models import Department, User
from saypro.core.selectors import manager_department_ids

from .models import Figure, ReportPdf, Snapshot
from .months import previous_month

TREND_FIGURES = (
    "participation",
    "learnings_shared",
    "circle_attendance",
    "circle_mix_index",
    "commitments_due",
    "application_rate",
)
# How many challenge themes the report lists as the month's top recurring challenges.
TOP_CHALLENGES = 5
# Between a module's title and a theme's name in a theme cell's label (a title's own is replaced
# where the cell is made, saypro.impact.figures).
THEME_LABEL_SEPARATOR = " › "
SMALL_THEME = "a theme raised by fewer than 5 people"


def snapshot_ready_list() -> QuerySet[Snapshot]:
    """The newest ready version of every month, newest month first."""
    newest = (
        Snapshot.objects.filter(month=OuterRef("month"), status=Snapshot.Status.READY)
        .order_by("-version")
        .values("version")[:1]
    )
    return (
        Snapshot.objects.filter(status=Snapshot.Status.READY, version=Subquery(newest))
        .select_related("requested_by")
        .order_by("-month")
    )


def snapshot_get(*, month: date) -> Snapshot | None:
    return snapshot_ready_list().filter(month=month).first()


def snapshot_history() -> list[Snapshot]:
    """Every version of every month, newest month and version first, in one query (a few rows a month)."""
    return list(Snapshot.objects.select_related("requested_by").order_by("-month", "-version"))


def ready_in(history: list[Snapshot]) -> list[Snapshot]:
    """The newest ready version of every month in `history` (snapshot_ready_list() without a query)."""
    ready: dict[date, Snapshot] = {}
    for snapshot in history:
        if snapshot.status == Snapshot.Status.READY and snapshot.month not in ready:
            ready[snapshot.month] = snapshot
    return sorted(ready.values(), key=lambda s: s.month, reverse=True)


def snapshot_versions(*, month: date) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(month=month).select_related("requested_by").order_by("-version")


def snapshot_latest_month() -> date | None:
    return Snapshot.objects.filter(status=Snapshot.Status.READY).aggregate(m=Max("month"))["m"]


def whole_percent(value: Fraction) -> int:
    """A fraction as a whole percent, halves rounded up (82.5% → 83%)."""
    scaled = value * 100
    return int(scaled + Fraction(1, 2)) if scaled >= 0 else -int(-scaled + Fraction(1, 2))


def approx_count(n: int) -> str:
    """How the headline says a count: exact below 20, else rounded down to tens with "+"."""
    if n < 20 or n % 10 == 0:
        return str(n)
    return f"{n - n % 10}+"


FEWER_THAN_5 = "fewer than 5"
# A second cell hidden so that the one small cell cannot be worked back out from a shown total.
WITHHELD = "withheld"
BOUNDARIES = (("department", "Department", "departments"), ("location", "Location", "locations"),
              ("job_role", "Job role", "job roles"))  # fmt: skip


@dataclass
class Report:
    """A snapshot's figures, indexed for the report page, the CSV and the PDF.

    Small groups (DESIGN.md): a breakdown cell built from fewer than five people is shown as
    "fewer than 5" everywhere, without its numbers. When exactly one cell of a breakdown is
    small, the smallest other cell is withheld as well, because the breakdown's shown total
    minus the shown cells would give the small one back. This is decided over the whole
    organisation's cells, before a manager's scope narrows them, so a scope cannot undo it.
    """

    snapshot: Snapshot
    cells: dict[tuple[str, str], list[Figure]] = field(default_factory=lambda: defaultdict(list))
    department_ids: set[int] | None = None  # None: the whole organisation is visible
    department_names: list[str] = field(default_factory=list)  # the scope's departments, for footers
    _concealed: dict[int, str] | None = None

    def total(self, name: str) -> Figure | None:
        cells = self.cells.get((name, ""), [])
        return cells[0] if cells else None

    def count(self, name: str) -> int:
        figure = self.total(name)
        return figure.numerator if figure else 0

    def by(self, name: str, dimension: str) -> list[Figure]:
        cells = self.cells.get((name, dimension), [])
        if dimension == "department" and self.department_ids is not None:
            cells = [c for c in cells if c.key.isdigit() and int(c.key) in self.department_ids]
        if dimension == "department_pair" and self.department_ids is not None:
            cells = [c for c in cells if any(int(k) in self.department_ids for k in c.key.split(">"))]
        return cells

    def visible_cells(self) -> list[Figure]:
        """Every cell this viewer may read, in a stable order (the CSV's rows)."""
        return [cell for (name, dimension) in sorted(self.cells) for cell in self.by(name, dimension)]

    @property
    def scope_label(self) -> str:
        if self.department_ids is None:
            return "Whole organisation"
        if not self.department_names:
            return "No departments"
        return "Departments: " + ", ".join(self.department_names)

    # --- small groups ---------------------------------------------------------------------------

    def concealed(self, cell: Figure) -> str | None:
        """ "fewer than 5" or "withheld" when the cell's numbers must not be shown, else None."""
        if self._concealed is None:
            self._concealed = {}
            for (_name, dimension), cells in self.cells.items():
                if not dimension or all(c.people is None for c in cells):
                    continue
                small = [c for c in cells if c.is_small_group]
                for c in small:
                    self._concealed[c.pk] = FEWER_THAN_5
                others = sorted((c for c in cells if not c.is_small_group), key=lambda c: (c.numerator, c.label))
                if len(small) == 1 and others:
                    self._concealed[others[0].pk] = WITHHELD
        return self._concealed.get(cell.pk)

    def shown(self, cell: Figure | None) -> str:
        """A cell as a reader sees it: a count, a whole percent, or why it is not shown."""
        if cell is None:
            return "—"
        hidden = self.concealed(cell)
        if hidden:
            return hidden
        if cell.denominator is None:
            return str(cell.numerator)
        if not cell.denominator:
            return "—"
        return f"{whole_percent(Fraction(cell.numerator, cell.denominator))}%"

    # --- headline -------------------------------------------------------------------------------

    @property
    def sessions_held(self) -> int:
        return self.count("sessions_held")

    @property
    def participation(self) -> Figure | None:
        return self.total("participation")

    @property
    def participation_percent(self) -> int | None:
        figure = self.participation
        if not self.sessions_held or figure is None or not figure.denominator:
            return None
        return whole_percent(Fraction(figure.numerator, figure.denominator))

    @property
    def learnings_total(self) -> int:
        return self.count("learnings_shared")

    def headlines(self) -> list[str]:
        percent = self.participation_percent
        if percent is None:
            first = "No feedback sessions were held this month, so there is no participation rate."
        else:
            first = f"{percent}% of training participants actively participated in feedback sessions this month"
        second = (
            f"{approx_count(self.learnings_total)} peer learnings shared across departments "
            "via digital discussion boards and team meetings"
        )
        return [first, second]

    # --- transfer -------------------------------------------------------------------------------

    def transfer_rows(self) -> list[dict]:
        return [
            {
                "label": label,
                "reflections": self.count(f"cross_{dim}_reflections"),
                "engagements": self.count(f"cross_{dim}_engagements"),
                "pairs": self.count(f"cross_{dim}_pairs"),
            }
            for dim, label, _plural in BOUNDARIES
        ]

    def matrices(self) -> list[dict]:
        """The three from×to matrices (department, location, job role)."""
        return [self.matrix(dimension) for dimension, _label, _plural in BOUNDARIES]

    def matrix(self, dimension: str) -> dict:
        """One boundary's from×to matrix: rows "from" (the author's side), columns "to".

        Each cell is {"count": int or None, "text": what is shown}; a hidden cell has no count.
        """
        plural = next(p for d, _l, p in BOUNDARIES if d == dimension)
        names: dict[str, str] = {}
        found: dict[tuple[str, str], Figure] = {}
        sources: set[str] = set()
        targets: set[str] = set()
        for cell in self.by("transfer_matrix", f"{dimension}_pair"):
            source, target = cell.key.split(">")
            names[source], names[target] = cell.label.split(" → ", 1)
            sources.add(source)
            targets.add(target)
            found[(source, target)] = cell
        rows_keys = sorted(sources, key=lambda k: names[k])
        column_keys = sorted(targets, key=lambda k: names[k])
        rows = []
        for s in rows_keys:
            cells = []
            for t in column_keys:
                figure = found.get((s, t))
                hidden = self.concealed(figure) if figure else None
                count = None if hidden else (figure.numerator if figure else 0)
                cells.append({"count": count, "text": hidden or str(count), "same": s == t})
            rows.append({"label": names[s], "cells": cells})
        return {
            "dimension": dimension,
            "plural": plural,
            "title": f"Engagements across {plural}: from (rows, where the learning came from) "
            "to (columns, where it travelled)",
            "columns": [names[k] for k in column_keys],
            "rows": rows,
        }

    # --- other tables ---------------------------------------------------------------------------

    def officer_counts(self) -> list[dict]:
        median = self.total("mentor_response_days")
        return [
            {"label": "Circles that met", "value": self.count("circles_met")},
            {"label": "Circle attendance", "value": rate_text(self.total("circle_attendance"))},
            {"label": "Department mix in circles", "value": rate_text(self.total("circle_mix_index"))},
            {"label": "Reflections submitted", "value": self.count("reflections_submitted")},
            {"label": "Reflections validated", "value": self.count("reflections_validated")},
            {
                "label": "Mentor response time (median days to first review)",
                "value": "—"
                if median is None or not median.denominator
                else f"{median.numerator / median.denominator:.1f}",
            },
            {"label": "Lightning talks given", "value": self.count("talks_given")},
            {"label": "Café attendance", "value": self.count("cafe_attendance")},
            {"label": "Newsletter reach (e-mails sent)", "value": self.count("newsletter_reach")},
        ]

    def applied(self) -> dict:
        """Learning applied (docs/metrics.md): the month's commitments, the rate, boundaries, departments.

        The whole-organisation figures are always shown; the by-department rates go through the
        small-group rule (a concealed row shows neither its commitments due nor those tried).
        """
        rate = self.total("application_rate")
        rows = []
        for cell in sorted(self.by("application_rate", "department"), key=lambda c: c.label):
            hidden = self.concealed(cell)
            rows.append(
                {
                    "label": cell.label,
                    "due": hidden or str(cell.denominator),
                    "tried": hidden or str(cell.numerator),
                    "rate": self.shown(cell),
                }
            )
        return {
            "made": self.count("commitments_made"),
            "due": self.count("commitments_due"),
            "tried": self.count("commitments_tried_in_window"),
            "rate": "no commitments due" if rate is None or not rate.denominator else rate_text(rate),
            "across": [
                {"label": label, "value": self.count(f"applied_cross_{dim}")} for dim, label, _plural in BOUNDARIES
            ],
            "departments": rows,
        }

    def top_challenges(self, limit: int = TOP_CHALLENGES) -> list[dict]:
        """The month's most raised challenge themes across modules: counts only, small groups concealed.

        Themes whose count may be shown come first, most raised first; concealed ones follow by
        name, so their place in the list says nothing about their size.
        """
        cells = self.by("challenges_raised", "theme")
        shown = sorted((c for c in cells if not self.concealed(c)), key=lambda c: (-c.numerator, c.label))
        hidden = sorted((c for c in cells if self.concealed(c)), key=lambda c: (self.label(c), c.key))
        rows = []
        for cell in (shown + hidden)[:limit]:
            module, _, theme = self.label(cell).partition(THEME_LABEL_SEPARATOR)
            rows.append({"module": module, "theme": theme or module, "shown": self.shown(cell)})
        return rows

    def label(self, cell: Figure) -> str:
        """The cell's label as a reader may see it.

        A theme is named from the words of a challenge; a theme raised by fewer than 5 people
        would put those few people's words in front of every manager, so only its module is named.
        """
        if cell.dimension == "theme" and self.concealed(cell) == FEWER_THAN_5:
            module, _, _theme = cell.label.partition(THEME_LABEL_SEPARATOR)
            return f"{module}{THEME_LABEL_SEPARATOR}{SMALL_THEME}"
        return cell.label

    def department_rows(self) -> list[dict]:
        """One row per department: participation and learnings shared, small groups concealed.

        A concealed participation cell shows neither its eligible nor its active count, only
        why; a concealed learnings cell likewise.
        """
        participation = {c.key: c for c in self.by("participation", "department")}
        learnings = {c.key: c for c in self.by("learnings_shared", "department")}
        rows = []
        for key in sorted(
            set(participation) | set(learnings), key=lambda k: (participation.get(k) or learnings[k]).label
        ):
            p, s = participation.get(key), learnings.get(key)
            p_hidden = self.concealed(p) if p else None
            rows.append(
                {
                    "label": (p or learnings[key]).label,
                    "eligible": "—" if p is None else p_hidden or str(p.denominator),
                    "active": "—" if p is None else p_hidden or str(p.numerator),
                    "percent": self.shown(p),
                    "learnings": self.shown(s) if s else "0",
                    "learnings_count": None if s is None or self.concealed(s) else s.numerator,
                }
            )
        return rows


def rate_text(figure: Figure | None) -> str:
    """A whole-organisation rate as the report shows it (breakdown cells go through Report.shown)."""
    if figure is None or not figure.denominator:
        return "—"
    return f"{whole_percent(Fraction(figure.numerator, figure.denominator))}%"


def scope_of(*, viewer: User | None) -> set[int] | None:
    """The departments a viewer reads the report for; None for the whole organisation."""
    if viewer is None or roles.is_officer.test(viewer):
        return None
    return manager_department_ids(manager=viewer)


def scope_key(department_ids: set[int] | None) -> str:
    """A scope as text, for a cache key: "all" or the sorted department ids ("3,7")."""
    return "all" if department_ids is None else ",".join(str(i) for i in sorted(department_ids))


def report_pdf_of(*, snapshot: Snapshot, scope_key: str) -> ReportPdf | None:
    """The PDF of a snapshot asked for a scope (see scope_key), without its bytes; None if none was."""
    return ReportPdf.objects.defer("pdf").filter(snapshot=snapshot, scope=scope_key).first()


def scope_from_key(key: str) -> set[int] | None:
    if key == "all":
        return None
    return {int(part) for part in key.split(",") if part}


def report_get(*, snapshot: Snapshot, viewer: User | None = None) -> Report:
    """All figures of a snapshot, limited to the departments the viewer may read."""
    return report_for_scope(snapshot=snapshot, department_ids=scope_of(viewer=viewer))


def report_for_scope(*, snapshot: Snapshot, department_ids: set[int] | None) -> Report:
    """All figures of a snapshot in one query (two with a department scope, for its names)."""
    report = Report(snapshot=snapshot, department_ids=department_ids)
    if department_ids:
        report.department_names = list(
            Department.objects.filter(pk__in=department_ids).order_by("name").values_list("name", flat=True)
        )
    for figure in Figure.objects.filter(snapshot=snapshot).order_by("name", "dimension", "label"):
        report.cells[(figure.name, figure.dimension)].append(figure)
    return report


def snapshot_headlines(*, snapshot: Snapshot) -> list[str]:
    return report_get(snapshot=snapshot).headlines()


def trend_get(*, month: date, months: int = 12, ready: list[Snapshot] | None = None) -> list[dict]:
    """The trend figures of the newest version of each of the `months` months up to `month`.

    `ready`, when the caller already read snapshot_ready_list(), saves reading it again.
    """
    wanted = [month]
    for _ in range(months - 1):
        wanted.append(previous_month(wanted[-1]))
    if ready is None:
        ready = list(snapshot_ready_list().filter(month__in=wanted))
    snapshots = {s.month: s for s in ready if s.month in wanted}
    figures = Figure.objects.filter(snapshot__in=list(snapshots.values()), name__in=TREND_FIGURES + ("sessions_held",))
    totals: dict[int, dict[str, Figure]] = defaultdict(dict)
    for figure in figures.filter(dimension=""):
        totals[figure.snapshot_id][figure.name] = figure
    points = []
    for m in reversed(wanted):
        snap = snapshots.get(m)
        values = totals.get(snap.pk, {}) if snap else {}
        participation = values.get("participation")
        held = values.get("sessions_held")
        points.append(
            {
                "month": m,
                "has_snapshot": snap is not None,
                "participation_percent": (
                    whole_percent(Fraction(participation.numerator, participation.denominator))
                    if participation and participation.denominator and held and held.numerator
                    else None
                ),
                "learnings": values["learnings_shared"].numerator if "learnings_shared" in values else None,
                "sessions_held": held.numerator if held else None,
                "attendance_percent": _percent_or_none(values.get("circle_attendance")),
                "mix_percent": _percent_or_none(values.get("circle_mix_index")),
                "commitments_due": values["commitments_due"].numerator if "commitments_due" in values else None,
                "application_percent": _percent_or_none(values.get("application_rate")),
            }
        )
    return points


def _percent_or_none(figure: Figure | None) -> int | None:
    if figure is None or not figure.denominator:
        return None
    return whole_percent(Fraction(figure.numerator, figure.denominator))


def report_highlights(*, month: date) -> dict[str, list]:
    """The month's highlights: highlighted contributions, featured reflections and talks given.

    Only what is already public inside the organisation: highlighted contributions of held
    sessions, board reflections whose authors agreed to be featured in that month's newsletter,
    and talks delivered at cafés. Three queries.
    """
    from cafes.selectors import cafe_talks_delivered_in
    from feedback.selectors import feedback_newsletter_candidates
    from reflections.selectors import newsletter_candidates

    from .months import month_bounds

    start, end = month_bounds(month)
    featured = (
        newsletter_candidates()
        .filter(newsletter_items__issue__month=month, newsletter_items__issue__state="published")
        .select_related("author")
        .order_by("newsletter_items__position")
    )
    return {
        "contributions": list(feedback_newsletter_candidates(start=start, end=end)[:5]),
        "reflections": list(featured[:5]),
        "talks": list(cafe_talks_delivered_in(start=start, end=end)[:5]),
    }
