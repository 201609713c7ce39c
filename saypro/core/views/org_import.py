"""The officer's org chart import: upload HR's CSV file, watch it run, read its report."""

from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View
from django.views.generic import DetailView, FormView
from rules.contrib.views import PermissionRequiredMixin

from saypro.core import selectors
from saypro.core.forms import OrgImportForm
from saypro.core.models import OrgImport
from saypro.core.org_import import SYNC_ROW_LIMIT, org_import_queue, org_import_retry

# What each column of the file holds, shown next to the upload form.
COLUMN_HELP = [
    ("email", "The person's e-mail address; how people are matched (capitals do not matter). Required."),
    ("first_name, last_name", "The person's name."),
    ("department, location, job_role", "Where the person works; new names are created on first sight."),
    (
        "mentor_emails",
        "The person's mentors' e-mail addresses, separated by |. A mentor no longer listed becomes a former mentor.",
    ),
    ("roles", "Any of officer, mentor, manager, separated by |. Everyone is an employee; a role left out is removed."),
    (
        "manager_departments",
        "For managers: the departments whose reports they read, separated by |, or * for the whole organisation.",
    ),
    (
        "owned_modules (optional)",
        "The modules the person owns (reads “What we heard” about), by title, separated by |; write "
        "“Programme: Module” when two programmes share a title. Without the column, owners stay as they are.",
    ),
]


class OrgImportPermissionMixin(PermissionRequiredMixin):
    """Officers only: another signed-in person gets 403, an anonymous visitor is sent to sign in."""

    permission_required = "core.org_import"

    def get_permission_object(self):
        # The permission is about the role, not one import: no need to load the row twice.
        return None


class OrgImportView(OrgImportPermissionMixin, FormView):
    """The upload form, what the file must hold, and every past import."""

    template_name = "core/org_import.html"
    form_class = OrgImportForm
    history_per_page = 20

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        page = Paginator(selectors.org_import_list(), self.history_per_page).get_page(self.request.GET.get("page"))
        ctx.update(
            imports=page.object_list,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            column_help=COLUMN_HELP,
            sync_row_limit=SYNC_ROW_LIMIT,
        )
        return ctx

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        org_import = org_import_queue(
            by=self.request.user,
            filename=upload.name,
            content=upload.read(),
            dry_run=form.cleaned_data["dry_run"],
        )
        return HttpResponseRedirect(reverse("core:org-import-detail", args=[org_import.pk]))


class OrgImportDetailView(OrgImportPermissionMixin, DetailView):
    """One import: its progress while it runs (htmx polls the partial), then its summary or report."""

    context_object_name = "org_import"
    template_name = "core/org_import_detail.html"
    partial_template_name = "core/partials/org_import_progress.html"

    def get_queryset(self):
        return selectors.org_import_list()

    def get_template_names(self):
        return [self.partial_template_name if self.request.htmx else self.template_name]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org_import = self.object
        pending = org_import.status in {OrgImport.Status.QUEUED, OrgImport.Status.RUNNING}
        ctx.update(
            pending=pending,
            phase=self._phase(org_import) if pending else "",
            percent=org_import.progress_percent,
            problem_rows=len({error.get("row") for error in org_import.errors}),
            # Problems with no row (the worker was lost, the organisation changed meanwhile)
            # are not in the file: running the same file again can succeed.
            retryable=org_import.status == OrgImport.Status.REFUSED
            and all(not error.get("row") for error in org_import.errors),
        )
        return ctx

    @staticmethod
    def _phase(org_import: OrgImport) -> str:
        """Where a pending import is: only the checking of rows has a measurable share done.

        The writing happens in one transaction, whose progress no other connection can see,
        so it shows as an indeterminate bar.
        """
        if org_import.status == OrgImport.Status.QUEUED:
            return "waiting"
        if not org_import.rows_total:
            return "reading"
        if org_import.rows_done < org_import.rows_total:
            return "checking"
        return "saving"

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        patch_vary_headers(response, ["HX-Request"])
        return response


class OrgImportRetryView(OrgImportPermissionMixin, View):
    """POST: run a refused import again from its stored file (the "Run it again" button)."""

    def post(self, request, pk: int):
        org_import = get_object_or_404(selectors.org_import_list(), pk=pk)
        org_import_retry(org_import=org_import, by=request.user)
        return HttpResponseRedirect(reverse("core:org-import-detail", args=[org_import.pk]))
