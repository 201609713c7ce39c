"""Reads of the impact report: snapshots, their figures, headlines and trends."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from django.db.models import Max, OuterRef, QuerySet, Subquery

from saypro.core import roles
from saypro.core.models import User
from saypro.core.selectors import manager_department_ids

from .models import SMALL_GROUP_THRESHOLD, Figure, Snapshot
from .months import previous_month

TREND_FIGURES = ("participation", "learnings_shared", "circle_attendance", "circle_mix_index")


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
        .defer("pdf")
        .order_by("-month")
    )


def snapshot_get(*, month: date) -> Snapshot | None:
    return snapshot_ready_list().filter(month=month).first()


def snapshot_versions(*, month: date) -> QuerySet[Snapshot]:
    return Snapshot.objects.filter(month=month).select_related("requested_by").defer("pdf").order_by("-version")


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


@dataclass
class Report:
    """A snapshot's figures, indexed for the report page, the CSV and the PDF."""

    snapshot: Snapshot
    cells: dict[tuple[str, str], list[Figure]] = field(default_factory=lambda: defaultdict(list))
    department_ids: set[int] | None = None  # None: the whole organisation is visible

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

    def transfer_rows(self) -> list[dict]:
        return [
            {
                "label": label,
                "reflections": self.count(f"cross_{dim}_reflections"),
                "engagements": self.count(f"cross_{dim}_engagements"),
                "pairs": self.count(f"cross_{dim}_pairs"),
            }
            for dim, label in (("department", "Department"), ("location", "Location"), ("job_role", "Job role"))
        ]

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

    def department_rows(self) -> list[dict]:
        """One row per department: participation, learnings shared, small-group flags."""
        participation = {c.key: c for c in self.by("participation", "department")}
        learnings = {c.key: c for c in self.by("learnings_shared", "department")}
        rows = []
        for key in sorted(
            set(participation) | set(learnings), key=lambda k: (participation.get(k) or learnings[k]).label
        ):
            p, s = participation.get(key), learnings.get(key)
            label = (p or learnings[key]).label
            rows.append(
                {
                    "label": label,
                    "eligible": p.denominator if p else 0,
                    "active": p.numerator if p else 0,
                    "percent": rate_text(p),
                    "learnings": s.numerator if s else 0,
                }
            )
        return rows


def rate_text(figure: Figure | None) -> str:
    """A rate as the report shows it, hiding cells built from fewer than five people."""
    if figure is None or not figure.denominator:
        return "—"
    if figure.people is not None and figure.people < SMALL_GROUP_THRESHOLD:
        return "fewer than 5"
    return f"{whole_percent(Fraction(figure.numerator, figure.denominator))}%"


def report_get(*, snapshot: Snapshot, viewer: User | None = None) -> Report:
    """All figures of a snapshot in one query, limited to the departments the viewer may read."""
    report = Report(snapshot=snapshot)
    if viewer is not None and not roles.is_officer.test(viewer):
        report.department_ids = manager_department_ids(manager=viewer)
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
                "attendance_percent": _percent_or_none(values.get("circle_attendance")),
                "mix_percent": _percent_or_none(values.get("circle_mix_index")),
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
