"""The officer's power tool for feedback sessions; the console is where sessions are run."""

from django.contrib import admin

from .models import Contribution, FeedbackSession, Invitation, Suggestion


class InvitationInline(admin.TabularInline):
    model = Invitation
    extra = 0
    fields = ["person", "attendance", "notified_sequence", "invited_at"]
    readonly_fields = ["person", "notified_sequence", "invited_at"]
    show_change_link = False


@admin.register(FeedbackSession)
class FeedbackSessionAdmin(admin.ModelAdmin):
    list_display = ["module", "state", "starts_at", "facilitator", "place", "held_at"]
    list_filter = ["state", "module__programme"]
    list_select_related = ["module", "facilitator"]
    search_fields = ["module__title", "place"]
    date_hierarchy = "starts_at"
    readonly_fields = [
        "sequence",
        "created_by",
        "created_at",
        "scheduled_at",
        "opened_at",
        "held_at",
        "cancelled_at",
        "follow_up_sent_at",
    ]
    raw_id_fields = ["facilitator"]
    inlines = [InvitationInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["session", "person", "attendance", "notified_sequence", "invited_at"]
    list_filter = ["attendance", "session__state"]
    list_select_related = ["session__module", "person"]
    search_fields = ["person__email", "person__last_name", "session__module__title"]
    date_hierarchy = "invited_at"
    readonly_fields = ["session", "person", "invited_at", "notified_sequence"]


class SuggestionInline(admin.TabularInline):
    model = Suggestion
    fk_name = "contribution"
    extra = 0
    fields = ["author", "text", "hidden_at", "hidden_reason", "created_at"]
    readonly_fields = ["author", "text", "hidden_at", "hidden_reason", "created_at"]


@admin.register(Contribution)
class ContributionAdmin(admin.ModelAdmin):
    list_display = ["kind", "author", "session", "recorded_by", "highlighted", "discussed", "hidden_at", "created_at"]
    list_filter = ["kind", "highlighted", "discussed", "session__state", "department"]
    list_select_related = ["author", "recorded_by", "session__module"]
    search_fields = ["text", "author__email", "author__last_name", "session__module__title"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "session",
        "author",
        "recorded_by",
        "text",
        "text_html",
        "submission_token",
        "department",
        "location",
        "job_role",
        "hidden_at",
        "hidden_by",
        "hidden_reason",
        "withdrawn_at",
        "created_at",
        "updated_at",
    ]
    inlines = [SuggestionInline]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["author", "contribution", "hidden_at", "created_at"]
    list_filter = ["hidden_at"]
    list_select_related = ["author", "contribution"]
    search_fields = ["text", "author__email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "contribution",
        "author",
        "text",
        "text_html",
        "submission_token",
        "hidden_at",
        "hidden_by",
        "created_at",
    ]
