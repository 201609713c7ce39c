"""The officer's power tool for the shared core.

Officers are staff without superuser: they see and do what their group's permissions allow.
Records that must not be edited by hand (the audit trail, e-mails sent, job heartbeats,
imports, placements) are read-only; list pages join what their columns show, so a page
costs the same few queries however many rows it lists.

Private text: officers never see through the admin what the site hides from them. A
notification's title and body and an e-mail's subject, bodies and error quote what people
wrote for a mentor or themselves (a mentor-only reflection's title, a mentor's "ask for more
depth" note, a review comment), so for officers these admins show metadata only: who, what
kind, when, the state of delivery. The text is left out of the list, the change page, the
search (nothing searches over it) and the CSV export (`PrivateTextAdmin`). Apps with such
text use the same base (reflections' newsletter items name a reflection only while it is on
the board).

Superusers see the full text. They are the operators, who hold the database and its backups
anyway and need the text to find out why an e-mail failed; keep superuser status to them and
never give it to an officer (the user admin lets only a superuser grant it).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from . import services
from .admin_actions import export_as_csv
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
    NotificationPreference,
    OrgImport,
    OutboundEmail,
    Placement,
    Programme,
    User,
)

# Every changelist of every app can export its selected rows.
admin.site.add_action(export_as_csv, "export_as_csv")


def module_choices():
    return Module.objects.select_related("programme").order_by("programme__title", "position")


class ModuleListFilter(admin.SimpleListFilter):
    """Filter by module, labelled with the programme without a query per module."""

    title = "module"
    parameter_name = "module"

    def lookups(self, request, model_admin):
        return [(str(module.pk), str(module)) for module in module_choices()]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(module_id=int(self.value()))
        return queryset


class EnrolInModuleForm(forms.Form):
    module = forms.ModelChoiceField(
        queryset=Module.objects.none(), help_text="People already enrolled in it are left as they are."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = module_choices()


# --- people -------------------------------------------------------------------------------------


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["last_name", "first_name"]
    list_display = ["email", "first_name", "last_name", "department", "location", "job_role", "roles", "is_active"]
    list_filter = ["is_active", "is_staff", "groups", "department", "location", "job_role"]
    list_select_related = ["department", "location", "job_role"]
    search_fields = ["email", "first_name", "last_name"]
    date_hierarchy = "date_joined"
    actions = ["enrol_in_module"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "department", "location", "job_role"]}),
        ("Access", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]
    # Only a superuser may hand out superuser status or single permissions; officers work through roles.
    superuser_only_fields = ["is_superuser", "user_permissions"]
    # A move to another department, location or job role goes through person_place, which keeps the history.
    placement_fields = ["department", "location", "job_role"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += self.superuser_only_fields
        return fields

    @admin.display(description="roles")
    def roles(self, obj) -> str:
        return ", ".join(sorted(group.name for group in obj.groups.all()))

    def save_model(self, request, obj, form, change):
        """Move the person with their placement history; record a change of access in the audit trail."""
        moved = change and any(name in form.changed_data for name in self.placement_fields)
        if moved:
            # Saved as they were, then moved by the service, which closes the old placement.
            place = {name: getattr(obj, name) for name in self.placement_fields}
            for name in self.placement_fields:
                setattr(obj, f"{name}_id", form.initial.get(name))
        changed = [name for name in ("is_active", "is_staff", "is_superuser") if name in form.changed_data]
        super().save_model(request, obj, form, change)
        if moved:
            services.person_place(person=obj, **place)
        if change and changed:
            services.audit_record(
                actor=request.user,
                action="person.access_changed",
                target=obj,
                data={
                    "before": {name: form.initial.get(name) for name in changed},
                    "after": {name: getattr(obj, name) for name in changed},
                },
            )

    def save_related(self, request, form, formsets, change):
        """Record a change of roles (groups) in the audit trail, with the groups before and after."""
        person = form.instance
        before = sorted(person.groups.values_list("name", flat=True)) if change else []
        super().save_related(request, form, formsets, change)
        after = sorted(person.groups.values_list("name", flat=True))
        if before != after:
            services.audit_record(
                actor=request.user,
                action="person.roles_changed",
                target=person,
                data={"before": before, "after": after},
            )

    def has_enrol_permission(self, request) -> bool:
        return request.user.has_perm("core.add_enrolment")

    @admin.action(description="Enrol selected people in a module…", permissions=["enrol"])
    def enrol_in_module(self, request, queryset):
        """Ask for the module on an intermediate page, then enrol the active people among the selected."""
        form = EnrolInModuleForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            module = form.cleaned_data["module"]
            with transaction.atomic():
                active = list(queryset.filter(is_active=True))
                added = services.enrolment_create_many(module=module, people=active)
                services.audit_record(
                    actor=request.user,
                    action="module.people_enrolled",
                    target=module,
                    data={"selected": len(active), "enrolled": added, "already_enrolled": len(active) - added},
                )
            skipped = queryset.filter(is_active=False).count()
            self.message_user(
                request,
                f"{added} enrolled in {module}; {len(active) - added} already were"
                + (f"; {skipped} inactive left out." if skipped else "."),
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Enrol people in a module",
            "opts": self.model._meta,
            "form": form,
            "people": queryset[:20],
            "count": queryset.count(),
            "select_across": request.POST.get("select_across", "0"),
            "selected_ids": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "action": "enrol_in_module",
        }
        return TemplateResponse(request, "admin/core/user/enrol_in_module.html", context)


@admin.register(Department, Location, JobRole)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "people_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_count=Count("people"))

    @admin.display(description="people", ordering="people_count")
    def people_count(self, obj) -> int:
        return obj.people_count


class PrivateTextAdmin(admin.ModelAdmin):
    """Leaves `private_fields` out of every page, search and export for anyone but a superuser.

    `private_fields` names model fields, list columns and search fields (a search field counts
    as private when its path starts with a private name, e.g. "reflection__title" by "reflection").
    """

    private_fields: tuple[str, ...] = ()

    def shows_private_text(self, request) -> bool:
        return request.user.is_superuser

    def _is_private(self, name) -> bool:
        return isinstance(name, str) and name.lstrip("^=@").split("__")[0] in self.private_fields

    def _public(self, request, names):
        if self.shows_private_text(request):
            return names
        return type(names)(name for name in names if not self._is_private(name))

    def get_list_display(self, request):
        return self._public(request, list(super().get_list_display(request)))

    def get_search_fields(self, request):
        return self._public(request, list(super().get_search_fields(request)))

    def get_fields(self, request, obj=None):
        return self._public(request, list(super().get_fields(request, obj)))

    def get_readonly_fields(self, request, obj=None):
        return self._public(request, list(super().get_readonly_fields(request, obj)))

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not self.shows_private_text(request):
            exclude += [name for name in self.private_fields if name not in exclude]
        return exclude


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable and exportable, never added, changed or deleted from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Placement)
class PlacementAdmin(ReadOnlyAdmin):
    list_display = ["person", "department", "location", "job_role", "valid_from", "valid_to"]
    list_select_related = ["person", "department", "location", "job_role"]
    list_filter = ["department", "location", "job_role"]
    search_fields = ["person__email", "person__last_name"]
    date_hierarchy = "valid_from"
    readonly_fields = ["person", "department", "location", "job_role", "valid_from", "valid_to"]


@admin.register(MentorLink)
class MentorLinkAdmin(admin.ModelAdmin):
    list_display = ["mentor", "mentee", "is_active", "created_at"]
    list_select_related = ["mentor", "mentee"]
    list_filter = ["is_active", ("mentor", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["mentor__email", "mentor__last_name", "mentee__email", "mentee__last_name"]
    autocomplete_fields = ["mentor", "mentee"]
    date_hierarchy = "created_at"


@admin.register(ManagerScope)
class ManagerScopeAdmin(admin.ModelAdmin):
    list_display = ["manager", "department"]
    list_select_related = ["manager", "department"]
    list_filter = ["department"]
    search_fields = ["manager__email", "manager__last_name"]
    autocomplete_fields = ["manager"]


# --- training -----------------------------------------------------------------------------------


class ModuleInline(admin.TabularInline):
    model = Module
    extra = 0
    readonly_fields = ["ended_at"]
    autocomplete_fields = ["owner"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["title", "is_active", "module_count"]
    list_filter = ["is_active"]
    search_fields = ["title"]
    inlines = [ModuleInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(module_count=Count("modules"))

    @admin.display(description="modules", ordering="module_count")
    def module_count(self, obj) -> int:
        return obj.module_count


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title", "programme", "position", "starts_on", "ends_on", "is_major", "owner", "ended_at"]
    list_select_related = ["programme", "owner"]
    list_filter = ["programme", "is_major"]
    search_fields = ["title", "programme__title"]
    date_hierarchy = "ends_on"
    readonly_fields = ["ended_at"]
    # A search box, not a list of every person in the organisation.
    autocomplete_fields = ["owner"]


class EnrolmentAdminForm(forms.ModelForm):
    """Withdrawing goes through the bulk action (which keeps the time); the form offers the other states."""

    class Meta:
        model = Enrolment
        fields = ["person", "module", "status", "enrolled_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            self.fields["status"].choices = [c for c in Enrolment.Status.choices if c[0] != Enrolment.Status.WITHDRAWN]
        if "module" in self.fields:
            self.fields["module"].queryset = module_choices()


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    form = EnrolmentAdminForm
    list_display = ["person", "module", "status", "enrolled_at", "withdrawn_at"]
    list_select_related = ["person", "module", "module__programme"]
    list_filter = ["status", ModuleListFilter]
    search_fields = ["person__email", "person__last_name", "module__title"]
    autocomplete_fields = ["person"]
    date_hierarchy = "enrolled_at"
    actions = ["withdraw"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == Enrolment.Status.WITHDRAWN:
            return ["person", "module", "status", "enrolled_at", "withdrawn_at"]
        return ["withdrawn_at"]

    @admin.action(description="Withdraw selected enrolments", permissions=["change"])
    def withdraw(self, request, queryset):
        """Withdraw now (the time decides feedback-session eligibility); each withdrawal is audited."""
        withdrawn = 0
        with transaction.atomic():
            for enrolment in queryset.exclude(status=Enrolment.Status.WITHDRAWN).select_related(
                "person", "module", "module__programme"
            ):
                services.enrolment_withdraw(enrolment=enrolment)
                services.audit_record(actor=request.user, action="enrolment.withdrawn", target=enrolment)
                withdrawn += 1
        self.message_user(
            request,
            ngettext("%(n)d enrolment withdrawn.", "%(n)d enrolments withdrawn.", withdrawn) % {"n": withdrawn},
            messages.SUCCESS,
        )


# --- records nobody edits by hand ---------------------------------------------------------------


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_repr", "reason"]
    list_select_related = ["actor", "target_type"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "reason", "actor__email", "actor__last_name", "action"]
    date_hierarchy = "created_at"
    fields = ["created_at", "actor", "action", "target_type", "target_id", "target_repr", "reason", "data"]
    readonly_fields = fields


@admin.register(Notification)
class NotificationAdmin(PrivateTextAdmin, ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "read_at", "digest_pending"]
    list_select_related = ["recipient"]
    list_filter = ["kind", "digest_pending"]
    search_fields = ["recipient__email", "title", "key"]
    date_hierarchy = "created_at"
    private_fields = ("title", "body")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["person", "kind", "delivery"]
    list_select_related = ["person"]
    list_filter = ["kind", "delivery"]
    search_fields = ["person__email"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(PrivateTextAdmin, ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "kind", "subject", "status", "attempts", "sent_at"]
    list_select_related = ["recipient"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__email", "subject", "key"]
    date_hierarchy = "created_at"
    exclude = ["attachments"]
    # A sending error can quote the subject ("Header values can't contain newlines (got '…')").
    private_fields = ("subject", "body_text", "body_html", "last_error")


@admin.register(JobHeartbeat)
class JobHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["name", "last_started_at", "last_finished_at", "last_ok", "last_result"]
    list_filter = ["last_ok"]
    search_fields = ["name"]


@admin.register(OrgImport)
class OrgImportAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "filename", "uploaded_by", "dry_run", "status", "created", "updated", "unchanged"]
    list_select_related = ["uploaded_by"]
    list_filter = ["status", "dry_run"]
    search_fields = ["filename", "uploaded_by__email"]
    date_hierarchy = "created_at"
    exclude = ["content"]
