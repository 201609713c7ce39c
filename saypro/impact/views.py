"""The manager's monthly impact report: page, charts, CSV, PDF and the officer's rebuild."""

from __future__ import annotations

from datetime import date

import rules
from csp.decorators import csp_replace
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from saypro.core.fragments import VersionedCache
from saypro.core.spreadsheet import csv_writer

from . import selectors
from .charts import CHART_NAMES, SIZES, boundary_chart_names, chart_svg
from .forms import RebuildForm
from .models import ReportPdf, Snapshot
from .months import parse_month, previous_month
from .services import snapshot_pdf_request, snapshot_rebuild_request


class ReportPermissionMixin(PermissionRequiredMixin):
    permission_required = "impact.view_report"

    def month(self) -> date:
        try:
            return parse_month(self.kwargs["month"])
        except ValueError as exc:
            raise Http404(str(exc)) from exc

    def snapshot(self) -> Snapshot:
        snapshot = selectors.snapshot_get(month=self.month())
        if snapshot is None:
            raise Http404("No report for this month yet.")
        return snapshot


class ReportLatestView(PermissionRequiredMixin, View):
    permission_required = "impact.view_report"

    def get(self, request):
        latest = selectors.snapshot_latest_month()
        if latest is None:
            return render(
                request, "impact/no_report.html", {"can_rebuild": request.user.has_perm("impact.rebuild_snapshot")}
            )
        return HttpResponseRedirect(reverse("impact:report", kwargs={"month": f"{latest:%Y-%m}"}))


# A built snapshot never changes, so the report's sections drawn from it (headline, comparison,
# tables) are rendered once per snapshot, reader's scope and trend window and kept in the cache;
# the version is bumped by any save or delete of a snapshot or figure (ImpactConfig.ready), so a
# figure corrected in place is never shown stale. Never shared across scopes: the scope is in the key.
SECTIONS_CACHE = VersionedCache("impact_report", seconds=3600)
SECTIONS_READ = ["impact.Snapshot", "impact.Figure"]
# Every version of every month (the month picker, the trend's snapshots, this month's versions with
# their status and progress): bumped by any save or delete of a snapshot, and by the services'
# updates of a build's progress and failure. The requester's name comes with it, so a renamed
# requester shows under the old name for up to ten minutes.
HISTORY_CACHE = VersionedCache("impact_history", seconds=600)
# The PDF asked for, per snapshot and scope: bumped by any save or delete, and by the services'
# updates of its status.
PDF_CACHE = VersionedCache("impact_pdfs", seconds=600)


class ReportView(ReportPermissionMixin, TemplateView):
    template_name = "impact/report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # One read of every version of every month (a few rows a month) gives this month's ready
        # snapshot, the trend's and the month picker's, and this month's versions (issue 12: was
        # five queries).
        history = HISTORY_CACHE.get_or_set("all", selectors.snapshot_history)
        ready = selectors.ready_in(history)
        by_month = {s.month: s for s in ready}
        snapshot = by_month.get(self.month())
        if snapshot is None:
            raise Http404("No report for this month yet.")
        scope = selectors.scope_of(viewer=self.request.user)
        month_key = f"{snapshot.month:%Y-%m}"
        # The trend window's snapshots (this month and the eleven before it) are in the key: a
        # rebuilt earlier month changes the trend and the comparison.
        window = [s.pk for s in ready if s.month <= snapshot.month][:12]
        key = f"{selectors.scope_key(scope)}:" + "-".join(str(pk) for pk in window)
        sections = SECTIONS_CACHE.get_or_set(
            key, lambda: _render_sections(snapshot=snapshot, scope=scope, ready=ready, month_key=month_key)
        )
        ctx.update(
            snapshot=snapshot,
            sections={name: mark_safe(html) for name, html in sections.items()},  # noqa: S308 -- our own render
            chart_list=_chart_list(month_key),
            highlights=mark_safe(_highlights_html(month=snapshot.month, month_key=month_key)),  # noqa: S308
            pdf=_pdf_for(snapshot, scope),
            months=[s.month for s in ready[:36]],
            versions=[s for s in history if s.month == snapshot.month],
            # The rule alone (officers and superusers): has_perm would also ask the model backend,
            # two queries, for a permission no group or person is given in the database.
            can_rebuild=rules.has_perm("impact.rebuild_snapshot", self.request.user),
            rebuild_form=RebuildForm(),
            month_key=month_key,
        )
        return ctx


def _render_sections(*, snapshot: Snapshot, scope: set[int] | None, ready: list[Snapshot], month_key: str) -> dict:
    """The report's sections drawn from the snapshot for one scope, as HTML (two queries)."""
    report = selectors.report_for_scope(snapshot=snapshot, department_ids=scope)
    trend = selectors.trend_get(month=snapshot.month, ready=ready)
    context = {
        "report": report,
        "headlines": report.headlines(),
        # The previous month's totals are in the trend (the comparison is with the whole organisation).
        "comparison": _comparison(report, _previous_totals(trend, previous_month(snapshot.month))),
        "trend": trend,
        "department_rows": report.department_rows(),
        "matrices": _with_charts(report.matrices(), month_key),
        "transfer": report.transfer_rows(),
        "officer_counts": report.officer_counts(),
        "applied": report.applied(),
        "top_challenges": report.top_challenges(),
        "challenges_raised": report.count("challenges_raised"),
        "channels": report.by("learnings_shared", "channel"),
        "with_heat_maps": True,
    }
    return {
        "summary": str(render_to_string("impact/partials/report_summary.html", context)),
        "tables": str(render_to_string("impact/partials/report_tables.html", context)),
    }


def _highlights_html(*, month: date, month_key: str) -> str:
    """The month's highlights (live rows, not the snapshot's), rendered once per dashboard version.

    They read highlighted contributions of held sessions, featured reflections in published
    newsletter issues, delivered talks and their people: all models whose writes bump the officer
    dashboard's cache (saypro.dashboard.QUEUES_READ, and its services' bulk writes), so they share
    its version rather than keep a second list of the same writes. Two thirds of this page's time
    at 100,000 people went into their three queries.
    """
    from saypro.dashboard import QUEUES_CACHE

    def render_highlights() -> str:
        highlights = selectors.report_highlights(month=month)
        return str(render_to_string("impact/partials/highlights.html", {"highlights": highlights}))

    return QUEUES_CACHE.get_or_set(f"impact-highlights:{month_key}", render_highlights)


def _previous_totals(trend: list[dict], month: date) -> dict | None:
    """The previous month's headline totals from its trend point, None without a snapshot."""
    point = next((p for p in trend if p["month"] == month and p["has_snapshot"]), None)
    if point is None:
        return None
    return {
        "participation_percent": point["participation_percent"],
        "learnings_total": point["learnings"] or 0,
        "sessions_held": point["sessions_held"] or 0,
    }


CHART_TEXTS = {
    "participation-trend": (
        "Participation trend",
        "Line chart of the share of eligible colleagues who took part in feedback sessions, month by month; "
        "the trend table gives the figures.",
    ),
    "cohesion-trend": (
        "Peer circles trend",
        "Line chart of circle attendance and department mix, month by month; the trend table gives the figures.",
    ),
    "application-trend": (
        "Learning applied trend",
        "Line chart of the share of commitments due each month that were tried within their window; "
        "the trend table gives the figures.",
    ),
    "learnings-by-channel": (
        "Learnings by channel",
        "Bar chart of peer learnings shared by channel; the channel table gives the figures.",
    ),
    "learnings-by-department": (
        "Learnings by department",
        "Bar chart of peer learnings shared by department; the department table gives the figures.",
    ),
}


def _chart_list(month_key: str) -> list[dict]:
    return [
        {"url": reverse("impact:chart", args=[month_key, name]), "caption": caption, "alt": alt}
        for name, (caption, alt) in CHART_TEXTS.items()
    ]


def _with_charts(matrices: list[dict], month_key: str) -> list[dict]:
    charts = dict(boundary_chart_names())
    for matrix in matrices:
        matrix["chart"] = reverse("impact:chart", args=[month_key, charts[matrix["dimension"]]])
    return matrices


def _pdf_for(snapshot: Snapshot, scope: set[int] | None) -> ReportPdf | None:
    """The PDF of this snapshot for the reader's scope, if one was asked for (without its bytes)."""
    scope_key = selectors.scope_key(scope)

    def read() -> tuple[ReportPdf | None]:
        # In a tuple: "none asked for" is kept too (the cache takes None for "not kept").
        return (selectors.report_pdf_of(snapshot=snapshot, scope_key=scope_key),)

    return PDF_CACHE.get_or_set(f"{snapshot.pk}:{scope_key}", read)[0]


def _comparison(report, previous) -> list[dict]:
    """Headline figures against the previous month, with the direction of change."""
    rows = []
    for label, now, before in [
        ("Participation", report.participation_percent, previous["participation_percent"] if previous else None),
        ("Peer learnings shared", report.learnings_total, previous["learnings_total"] if previous else None),
        ("Feedback sessions held", report.sessions_held, previous["sessions_held"] if previous else None),
    ]:
        delta = None if now is None or before is None else now - before
        rows.append({"label": label, "now": now, "before": before, "delta": delta})
    return rows


@method_decorator(csp_replace({"style-src": ["'self'", "'unsafe-inline'"], "script-src": ["'none'"]}), name="get")
class ChartView(ReportPermissionMixin, View):
    """One chart as an SVG image (pygal embeds its styles; scripts are refused)."""

    def get(self, request, month: str, name: str):
        size = request.GET.get("size", "wide")
        if name not in CHART_NAMES or size not in SIZES:
            raise Http404("No such chart.")
        snapshot = self.snapshot()
        report = selectors.report_get(snapshot=snapshot, viewer=request.user)
        svg = chart_svg(name=name, report=report, trend=selectors.trend_get(month=snapshot.month), size=size)
        return HttpResponse(svg, content_type="image/svg+xml")


class ReportCsvView(ReportPermissionMixin, View):
    """One row per figure and breakdown cell the reader may see.

    A cell concealed by the small-group rule has no numerator or denominator, only why it is
    not shown; cells go through the spreadsheet-safe writer (a department named "=…" stays text).
    """

    def get(self, request, month: str):
        snapshot = self.snapshot()
        report = selectors.report_get(snapshot=snapshot, viewer=request.user)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="impact-{month}-v{snapshot.version}.csv"'
        writer = csv_writer(response)
        writer.writerow(
            ["month", "version", "figure", "dimension", "key", "label", "numerator", "denominator", "shown"]
        )
        for cell in report.visible_cells():
            concealed = report.concealed(cell)
            if concealed:
                numerator, denominator = "", ""
            else:
                numerator, denominator = cell.numerator, cell.denominator
            writer.writerow(
                [month, snapshot.version, cell.name, cell.dimension, cell.key, report.label(cell), numerator,
                 denominator, report.shown(cell)]
            )  # fmt: skip
        return response


class ReportPdfView(ReportPermissionMixin, View):
    """The PDF of the report for the reader's scope (a manager's departments, or everything).

    GET downloads it once rendered (or shows progress); POST asks for it to be rendered.
    """

    def _pdf(self, snapshot: Snapshot) -> ReportPdf | None:
        # From the database, not the page's cache: htmx polls this while the PDF is prepared.
        scope = selectors.scope_key(selectors.scope_of(viewer=self.request.user))
        return selectors.report_pdf_of(snapshot=snapshot, scope_key=scope)

    def _status(self, request, snapshot: Snapshot, pdf: ReportPdf | None, month: str, *, partial: bool):
        template = "impact/partials/pdf_status.html" if partial else "impact/pdf_status.html"
        return render(request, template, {"snapshot": snapshot, "pdf": pdf, "month_key": month})

    def get(self, request, month: str):
        snapshot = self.snapshot()
        pdf = self._pdf(snapshot)
        if pdf is not None and pdf.status == ReportPdf.Status.READY:
            data = ReportPdf.objects.values_list("pdf", flat=True).get(pk=pdf.pk)
            response = HttpResponse(bytes(data), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="impact-{month}-v{snapshot.version}.pdf"'
            return response
        return self._status(request, snapshot, pdf, month, partial=bool(request.htmx))

    def post(self, request, month: str):
        snapshot = self.snapshot()
        pdf = snapshot_pdf_request(snapshot=snapshot, department_ids=selectors.scope_of(viewer=request.user))
        if request.htmx:
            return self._status(request, snapshot, pdf, month, partial=True)
        return HttpResponseRedirect(reverse("impact:report-pdf", args=[month]))


class RebuildView(PermissionRequiredMixin, View):
    permission_required = "impact.rebuild_snapshot"

    def post(self, request, month: str):
        try:
            target = parse_month(month)
        except ValueError as exc:
            raise Http404(str(exc)) from exc
        form = RebuildForm(request.POST)
        if not form.is_valid():
            messages.error(request, "The rebuild needs a reason: " + " ".join(form.errors.get("reason", [])))
            return HttpResponseRedirect(reverse("impact:report", args=[month]) + "#rebuild")
        asked = snapshot_rebuild_request(
            month=target,
            by=request.user,
            reason=form.cleaned_data["reason"],
            submission_token=form.cleaned_data["submission_token"],
        )
        if asked:
            messages.success(request, "Rebuild requested. The new version appears below when it is ready.")
        else:
            messages.info(
                request, "This rebuild was already requested; the new version appears below when it is ready."
            )
        return HttpResponseRedirect(reverse("impact:report", args=[month]) + "#versions")
