"""Admin actions any app's ModelAdmin can use; `export_as_csv` is also added to every changelist.

Usage in an app: `from saypro.core.admin_actions import export_as_csv` and list it in `actions`
(it is already offered site-wide, so listing it only matters for an admin that sets its own
`actions` and wants it first).
"""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib import admin
from django.contrib.admin.utils import label_for_field, lookup_field
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.text import capfirst

from saypro.core.spreadsheet import csv_writer


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def export_columns(modeladmin, request) -> list[str]:
    """The changelist's columns, without the selection checkbox."""
    return [name for name in modeladmin.get_list_display(request) if name != "action_checkbox"]


def _value(name: str, obj, modeladmin):
    try:
        field, _attr, value = lookup_field(name, obj, modeladmin)
    except (AttributeError, ObjectDoesNotExist):
        return None
    if field is not None and getattr(field, "flatchoices", None):
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, models.Manager):
        return ", ".join(str(item) for item in value.all())
    return value


def export_rows(modeladmin, request, queryset) -> Iterator[list[str]]:
    """The header row, then one row per object, with the changelist's joins applied."""
    columns = export_columns(modeladmin, request)
    model = queryset.model
    yield [capfirst(str(label_for_field(name, model, modeladmin))) for name in columns]
    related = modeladmin.get_list_select_related(request)
    if related is True:
        queryset = queryset.select_related()
    elif related:
        queryset = queryset.select_related(*related)
    for obj in queryset.iterator(chunk_size=2000):
        yield [_value(name, obj, modeladmin) for name in columns]


@admin.action(description="Export selected %(verbose_name_plural)s as CSV", permissions=["view"])
def export_as_csv(modeladmin, request, queryset):
    """Download the selected rows with the changelist's columns, streamed so large selections stay cheap."""
    opts = modeladmin.model._meta
    writer = csv_writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in export_rows(modeladmin, request, queryset)),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="{opts.app_label}-{opts.model_name}-{stamp}.csv"'
    return response
