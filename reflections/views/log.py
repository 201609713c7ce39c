"""The learning log: one timeline per person from every app, with CSV and xAPI exports; own-data export."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views import View
from django.views.generic import TemplateView

from reflections import personal_data, selectors
from reflections.forms import LogFilterForm
from saypro.core import fragments
from saypro.core.learning_log import LOG_CACHE, LogEntry, learning_log_kept
from saypro.core.spreadsheet import csv_writer
from saypro.xapi.statements import log_entry_statement

KIND_LABELS = dict(LogFilterForm.KINDS)


def _filtered_entries(request) -> tuple[LogFilterForm, list[LogEntry]]:
    form = LogFilterForm(request.GET or None)
    month, kind = None, ""
    if form.is_valid():
        month, kind = form.cleaned_data["month"], form.cleaned_data["kind"]
    start, end = selectors.month_span(month) if month else (None, None)
    entries = learning_log_kept(person=request.user, start=start, end=end)
    if kind:
        entries = [e for e in entries if e.kind == kind]
    return form, entries


def _month_choices(today: date, count: int = 12) -> list[tuple[str, str]]:
    months, current = [], today.replace(day=1)
    for _ in range(count):
        months.append((f"{current:%Y-%m}", f"{current:%B %Y}"))
        current = (current - timedelta(days=1)).replace(day=1)
    return months


def learning_log_body_html(request) -> SafeString:
    """The log page below its title: filters, month links, a page of entries, pagination.

    Kept per person and query string with the log itself (LOG_CACHE), so that a kept page costs
    neither a query nor a rendering; stale with the log, and when the month turns. The form is a
    GET form (no CSRF token) and everything else comes from the query string and the log.
    """

    def render():
        form, entries = _filtered_entries(request)
        page = Paginator(entries, 50).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        today = timezone.localdate()
        html = render_to_string(
            "reflections/partials/learning_log_body.html",
            {
                "form": form,
                "page_obj": page,
                "entries": [(e, KIND_LABELS.get(e.kind, e.kind)) for e in page.object_list],
                "is_paginated": page.has_other_pages(),
                "querystring_base": params.urlencode(),
                "export_query": params.urlencode(),
                "months": _month_choices(today),
            },
        )
        # The month links start at this month: they change when it ends.
        return str(html), selectors.month_span(today)[1]

    html = LOG_CACHE.get_or_set(person_id=request.user.pk, part=f"page:{fragments.query_part(request)}", compute=render)
    return mark_safe(html)  # noqa: S308 -- our own template


class LearningLogView(LoginRequiredMixin, TemplateView):
    template_name = "reflections/learning_log.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(log_html=learning_log_body_html(self.request), **kwargs)


def learning_log_csv_text(request) -> str:
    """The log (filtered by the query string) as CSV text, kept per person and query string with the
    log itself (LOG_CACHE): stale with it."""

    def write():
        _, entries = _filtered_entries(request)
        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(["when", "type", "title", "detail", "link"])
        for entry in entries:
            writer.writerow(
                [
                    timezone.localtime(entry.when).isoformat(),
                    entry.kind,
                    entry.title,
                    entry.detail,
                    f"{settings.SITE_URL}{entry.url}" if entry.url else "",
                ]
            )
        return out.getvalue(), None

    return LOG_CACHE.get_or_set(person_id=request.user.pk, part=f"csv:{fragments.query_part(request)}", compute=write)


class LearningLogCsvView(LoginRequiredMixin, View):
    def get(self, request):
        response = HttpResponse(learning_log_csv_text(request), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="learning-log-{timezone.localdate():%Y-%m-%d}.csv"'
        return response


class LearningLogXapiView(LoginRequiredMixin, View):
    def get(self, request):
        _, entries = _filtered_entries(request)
        statements = [log_entry_statement(person_id=request.user.pk, entry=e) for e in entries]
        response = JsonResponse(statements, safe=False, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = (
            f'attachment; filename="learning-log-{timezone.localdate():%Y-%m-%d}.xapi.json"'
        )
        return response


class OwnDataExportView(LoginRequiredMixin, View):
    """Everything the reflections app keeps that this person wrote or did, as JSON.

    The same section as in the whole-platform export (reflections.personal_data), on its own.
    """

    def get(self, request):
        data = personal_data.export(person=request.user)
        response = HttpResponse(
            json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="my-reflections.json"'
        return response
