"""The Advice Desk Officer's dashboard (the officer's home)."""

from datetime import timedelta

from django.utils import timezone
from django.views.generic import TemplateView
from rules.contrib.views import PermissionRequiredMixin

from saypro.core import selectors
from saypro.core.models import JobHeartbeat, OutboundEmail


class OfficerRequiredMixin(PermissionRequiredMixin):
    """Only officers; a signed-in person without the role gets 403, anonymous goes to sign in."""

    permission_required = "core.officer_dashboard"


class DashboardView(OfficerRequiredMixin, TemplateView):
    template_name = "core/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        now = timezone.now()
        heartbeats = list(JobHeartbeat.objects.exclude(name__startswith="ping:"))
        worker_seen = max((h.last_finished_at for h in heartbeats if h.last_finished_at), default=None)
        ctx.update(
            heartbeats=heartbeats,
            worker_stale=worker_seen is None or now - worker_seen > timedelta(minutes=15),
            worker_seen=worker_seen,
            emails_sent_today=OutboundEmail.objects.filter(
                status=OutboundEmail.Status.SENT, sent_at__date=timezone.localdate()
            ).count(),
            org_imports=selectors.org_import_list()[:5],
            audit_entries=selectors.audit_entry_list()[:10],
        )
        return ctx
