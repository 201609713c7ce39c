"""The audit trail for officers: browse and filter, never edit or delete."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.views.generic import ListView
from rules.contrib.views import PermissionRequiredMixin

from saypro.core import selectors
from saypro.core.audit_words import audit_action_text
from saypro.core.models import AuditEntry


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(required=False)
    actor = forms.CharField(required=False, max_length=150, help_text="Name or e-mail address, or part of it.")
    date_from = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.CharField(required=False, max_length=200, label="Object", help_text="Words of the object's name.")

    def __init__(self, *args, actions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        choices = sorted(((a, audit_action_text(a)) for a in actions), key=lambda choice: choice[1])
        self.fields["action"].choices = [("", "Any action"), *choices]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = True
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Row(
                Column("action", css_class="col-md-3"),
                Column("actor", css_class="col-md-3"),
                Column("date_from", css_class="col-md-2"),
                Column("date_to", css_class="col-md-2"),
                Column("target", css_class="col-md-2"),
            ),
            # A plain button: crispy's Submit needs a name, and an empty one is invalid HTML (name="").
            HTML('<button type="submit" class="btn btn-primary">Filter</button>'),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned


# Read in this order when present; PostgreSQL's jsonb does not keep the order keys were written in.
DETAIL_ORDER = ("before", "after")


def detail_rows(data: dict) -> list[tuple[str, str]]:
    """An entry's data as (name, text) pairs for reading: lists joined, nothing shown as "none"."""
    rows = []
    keys = sorted(data, key=lambda k: (DETAIL_ORDER.index(k) if k in DETAIL_ORDER else len(DETAIL_ORDER), k))
    for key in keys:
        value = data[key]
        if isinstance(value, list | tuple):
            text = ", ".join(str(v) for v in value) or "none"
        elif isinstance(value, dict):
            text = "; ".join(f"{k}: {v}" for k, v in value.items()) or "none"
        else:
            text = "none" if value in (None, "") else str(value)
        rows.append((key.replace("_", " "), text))
    return rows


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entry_filter(
    entries: QuerySet[AuditEntry],
    *,
    action: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    target: str = "",
) -> QuerySet[AuditEntry]:
    """Narrow the audit trail; dates are whole days in the organisation's time zone, both ends included."""
    if action:
        entries = entries.filter(action=action)
    for word in actor.split():
        entries = entries.filter(
            Q(actor__email__icontains=word) | Q(actor__first_name__icontains=word) | Q(actor__last_name__icontains=word)
        )
    if date_from:
        entries = entries.filter(created_at__gte=_day_start(date_from))
    if date_to:
        entries = entries.filter(created_at__lt=_day_start(date_to + timedelta(days=1)))
    for word in target.split():
        entries = entries.filter(target_repr__icontains=word)
    return entries


class AuditListView(PermissionRequiredMixin, ListView):
    """Read-only: GET only, so a POST or DELETE is refused with 405 and changes nothing."""

    permission_required = "core.audit_browse"
    template_name = "core/audit_list.html"
    context_object_name = "entries"
    paginate_by = 50
    http_method_names = ["get", "head", "options"]

    def get_form(self) -> AuditFilterForm:
        if not hasattr(self, "_form"):
            actions = list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
            self._form = AuditFilterForm(self.request.GET or None, actions=actions)
        return self._form

    def get_queryset(self):
        entries = selectors.audit_entry_list()
        form = self.get_form()
        if not form.is_bound:
            return entries
        if not form.is_valid():
            # A filter that cannot be read shows nothing rather than everything.
            return entries.none()
        return audit_entry_filter(entries, **form.cleaned_data)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        for entry in ctx["entries"]:
            entry.details = detail_rows(entry.data or {})
        form = self.get_form()
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx.update(form=form, filtered=form.is_bound and form.is_valid() and any(form.cleaned_data.values()))
        ctx["querystring_base"] = query.urlencode()
        return ctx
