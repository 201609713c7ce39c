"""The manager's monthly impact report: page, charts, CSV, PDF and the officer's rebuild."""

from __future__ import annotations

import csv
from datetime import date

from csp.decorators import csp_replace
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from . import selectors
from .charts import CHART_NAMES, chart_svg, transfer_matrix_rows
from .forms import RebuildForm
from .models import Snapshot
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


class ReportView(ReportPermissionMixin, TemplateView):
    template_name = "impact/report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        snapshot = self.snapshot()
        report = selectors.report_get(snapshot=snapshot, viewer=self.request.user)
        previous_snapshot = selectors.snapshot_get(month=previous_month(snapshot.month))
        previous = selectors.report_get(snapshot=previous_snapshot) if previous_snapshot else None
        trend = selectors.trend_get(month=snapshot.month)
        month_key = f"{snapshot.month:%Y-%m}"
        ctx.update(
            snapshot=snapshot,
            report=report,
            headlines=report.headlines(),
            comparison=_comparison(report, previous),
            trend=trend,
            department_rows=report.department_rows(),
            matrix=transfer_matrix_rows(report),
            transfer=report.transfer_rows(),
            highlights=selectors.report_highlights(month=snapshot.month),
            officer_counts=report.officer_counts(),
            channels=report.by("learnings_shared", "channel"),
            charts={name.replace("-", "_"): reverse("impact:chart", args=[month_key, name]) for name in CHART_NAMES},
            months=[s.month for s in selectors.snapshot_ready_list()[:36]],
            versions=selectors.snapshot_versions(month=snapshot.month),
            can_rebuild=self.request.user.has_perm("impact.rebuild_snapshot"),
            rebuild_form=RebuildForm(),
            month_key=month_key,
        )
        return ctx


def _comparison(report, previous) -> list[dict]:
    """Headline figures against the previous month, with the direction of change."""
    rows = []
    for label, now, before in [
        ("Participation", report.participation_percent, previous.participation_percent if previous else None),
        ("Peer learnings shared", report.learnings_total, previous.learnings_total if previous else None),
        ("Feedback sessions held", report.sessions_held, previous.sessions_held if previous else None),
    ]:
        delta = None if now is None or before is None else now - before
        rows.append({"label": label, "now": now, "before": before, "delta": delta})
    return rows


@method_decorator(csp_replace({"style-src": ["'self'", "'unsafe-inline'"], "script-src": ["'none'"]}), name="get")
class ChartView(ReportPermissionMixin, View):
    """One chart as an SVG image (pygal embeds its styles; scripts are refused)."""

    def get(self, request, month: str, name: str):
        if name not in CHART_NAMES:
            raise Http404("No such chart.")
        snapshot = self.snapshot()
        report = selectors.report_get(snapshot=snapshot, viewer=request.user)
        svg = chart_svg(name=name, report=report, trend=selectors.trend_get(month=snapshot.month))
        return HttpResponse(svg, content_type="image/svg+xml")


class ReportCsvView(ReportPermissionMixin, View):
    """One row per figure and breakdown cell."""

    def get(self, request, month: str):
        snapshot = self.snapshot()
        report = selectors.report_get(snapshot=snapshot, viewer=request.user)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="impact-{month}-v{snapshot.version}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            ["month", "version", "figure", "dimension", "key", "label", "numerator", "denominator", "shown"]
        )
        for (name, dimension), _cells in sorted(report.cells.items()):
            for cell in report.by(name, dimension):
                shown = selectors.rate_text(cell) if cell.denominator is not None else str(cell.numerator)
                writer.writerow(
                    [month, snapshot.version, name, dimension, cell.key, cell.label, cell.numerator,
                     "" if cell.denominator is None else cell.denominator, shown]
                )  # fmt: skip
        return response


class ReportPdfView(ReportPermissionMixin, View):
    """GET downloads the PDF once rendered (or shows progress); POST asks for it to be rendered."""

    def get(self, request, month: str):
        snapshot = self.snapshot()
        if snapshot.pdf_status == "ready":
            pdf = Snapshot.objects.values_list("pdf", flat=True).get(pk=snapshot.pk)
            response = HttpResponse(bytes(pdf), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="impact-{month}-v{snapshot.version}.pdf"'
            return response
        template = "impact/partials/pdf_status.html" if request.htmx else "impact/pdf_status.html"
        return render(request, template, {"snapshot": snapshot, "month_key": month})

    def post(self, request, month: str):
        snapshot = self.snapshot()
        snapshot_pdf_request(snapshot=snapshot)
        snapshot.refresh_from_db(fields=["pdf_status", "pdf_error"])
        if request.htmx:
            return render(request, "impact/partials/pdf_status.html", {"snapshot": snapshot, "month_key": month})
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
