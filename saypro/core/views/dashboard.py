"""The Advice Desk Officer's dashboard (the officer's home after signing in)."""

from django.utils import timezone
from django.utils.module_loading import import_string
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

# The dashboard reads every activity app, so its assembly lives in the project package;
# imported by name so that core imports no app.
DASHBOARD_HTML = "saypro.dashboard.dashboard_html"
SNAPSHOT_SECTION = "saypro.dashboard.snapshot_section"


class OfficerRequiredMixin(PermissionRequiredMixin):
    """Only officers; a signed-in person without the role gets 403, anonymous goes to sign in."""

    permission_required = "core.officer_dashboard"


class DashboardView(OfficerRequiredMixin, TemplateView):
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["dashboard"] = import_string(DASHBOARD_HTML)(request=self.request, now=timezone.now())
        return ctx


class DashboardSnapshotView(OfficerRequiredMixin, TemplateView):
    """The snapshot card alone: htmx polls it while a version is being built."""

    template_name = "core/partials/dashboard_snapshot.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["snapshot"] = import_string(SNAPSHOT_SECTION)(now=timezone.now())
        return ctx
