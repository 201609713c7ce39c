"""Snapshots are read-only in the admin: figures are never edited by hand."""

from django.contrib import admin

from saypro.core.admin import ReadOnlyAdmin

from .models import Figure, Snapshot


class DimensionFilter(admin.AllValuesFieldListFilter):
    """The dimension filter, where the organisation totals (dimension "") get a name: an empty link
    is one a screen reader cannot name."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": "organisation total"} if choice["display"] == "" else choice


class FigureInline(admin.TabularInline):
    model = Figure
    extra = 0
    can_delete = False
    fields = ["name", "dimension", "key", "label", "numerator", "denominator", "people"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["month", "version", "status", "progress", "requested_by", "reason", "built_at"]
    list_select_related = ["requested_by"]
    list_filter = ["status"]
    date_hierarchy = "month"
    readonly_fields = [
        "month", "version", "status", "progress", "requested_by", "reason", "time_zone",
        "started_at", "built_at", "error",
    ]  # fmt: skip
    inlines = [FigureInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Figure)
class FigureAdmin(ReadOnlyAdmin):
    list_display = ["snapshot", "name", "dimension", "label", "numerator", "denominator", "people"]
    list_select_related = ["snapshot"]
    list_filter = ["name", ("dimension", DimensionFilter)]
    search_fields = ["label", "name"]
