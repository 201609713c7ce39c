"""The officer's power tool for the shared core."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    AuditEntry,
    Department,
    Enrolment,
    JobHeartbeat,
    JobRole,
    Location,
    ManagerScope,
    MentorLink,
    Module,
    Notification,
    OrgImport,
    OutboundEmail,
    Placement,
    Programme,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "department", "location", "job_role", "is_active"]
    list_filter = ["is_active", "groups", "department", "location", "job_role"]
    list_select_related = ["department", "location", "job_role"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "department", "location", "job_role"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]


@admin.register(Department, Location, JobRole)
class OrgUnitAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Placement)
class PlacementAdmin(admin.ModelAdmin):
    list_display = ["person", "department", "location", "job_role", "valid_from", "valid_to"]
    list_select_related = ["person", "department", "location", "job_role"]
    list_filter = ["department", "location"]
    search_fields = ["person__email"]
    date_hierarchy = "valid_from"
    readonly_fields = ["person", "department", "location", "job_role", "valid_from", "valid_to"]


@admin.register(MentorLink)
class MentorLinkAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "is_active", "created_at"]
    list_select_related = ["mentor", "mentee"]
    list_filter = ["is_active"]
    search_fields = ["mentor__email", "mentee__email"]
    autocomplete_fields = ["mentor", "mentee"]


@admin.register(ManagerScope)
class ManagerScopeAdmin(admin.ModelAdmin):
    list_display = ["manager", "department"]
    list_select_related = ["manager", "department"]
    autocomplete_fields = ["manager"]


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active"]
    search_fields = ["title"]
    inlines = [ModuleInline]


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "position", "starts_on", "ends_on", "is_major", "ended_at"]
    list_select_related = ["programme"]
    list_filter = ["programme", "is_major"]
    search_fields = ["title"]
    date_hierarchy = "ends_on"
    readonly_fields = ["ended_at"]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["person", "module", "status", "enrolled_at", "withdrawn_at"]
    list_select_related = ["person", "module", "module__programme"]
    list_filter = ["status", "module"]
    search_fields = ["person__email", "person__last_name"]
    autocomplete_fields = ["person"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_repr", "reason"]
    list_select_related = ["actor"]
    list_filter = ["action"]
    search_fields = ["target_repr", "reason", "actor__email"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at"]
    list_select_related = ["recipient"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "title"]
    date_hierarchy = "created_at"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "subject", "status", "attempts", "sent_at"]
    list_select_related = ["recipient"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__email", "subject", "key"]
    date_hierarchy = "created_at"
    exclude = ["attachments"]


@admin.register(JobHeartbeat)
class JobHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_started_at", "last_finished_at", "last_ok", "last_result"]


@admin.register(OrgImport)
class OrgImportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "filename", "uploaded_by", "status", "created", "updated", "unchanged"]
    list_select_related = ["uploaded_by"]
    list_filter = ["status"]
    exclude = ["content"]
