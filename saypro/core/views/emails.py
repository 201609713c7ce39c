"""The officer's list of e-mails that failed to send, each with a resend button."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import ListView
from rules.contrib.views import PermissionRequiredMixin

from saypro.core import selectors
from saypro.core.services import EMAIL_MAX_ATTEMPTS, email_resend


class FailedEmailListView(PermissionRequiredMixin, ListView):
    """Officers only: every failed e-mail, who it was for, why it failed, and whether it is still retried."""

    permission_required = "core.email_resend"
    template_name = "core/email_failed_list.html"
    context_object_name = "emails"
    paginate_by = 50

    def get_queryset(self):
        return selectors.outbound_email_failed_list()

    def get_context_data(self, **kwargs):
        return super().get_context_data(max_attempts=EMAIL_MAX_ATTEMPTS, **kwargs)


class EmailResendView(PermissionRequiredMixin, View):
    """POST: send one failed e-mail again (audited)."""

    permission_required = "core.email_resend"

    def post(self, request, pk: int):
        email = get_object_or_404(selectors.outbound_email_failed_list(), pk=pk)
        if email_resend(email=email, by=request.user):
            messages.success(request, f"The e-mail to {email.recipient.full_name} is being sent again.")
        return HttpResponseRedirect(reverse("core:email-failed"))
