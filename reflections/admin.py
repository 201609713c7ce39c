"""Admin for reflections. Officers get templates and newsletters; reflection content stays with superusers.

Privacy is a promise: officers hold no admin permission on reflections, answers, comments or
reviews (they moderate the board in the app), so the admin never opens a private reflection to them.
A newsletter item names its reflection to an officer only while the officer may read it on the
site (the same filter as every list); items are chosen in the app's newsletter editor, which
checks consent, so only a superuser adds one here (see saypro/core/admin.py on private text).
"""

from django.contrib import admin
from django.db.models import BooleanField, Exists, OuterRef, Value

from saypro.core.admin import PrivateTextAdmin

from .models import (
    Adoption,
    Answer,
    Comment,
    GuidingQuestion,
    MentorReview,
    NewsletterIssue,
    NewsletterItem,
    Reflection,
    ReflectionEvent,
    ReflectionTemplate,
    Report,
)
from .selectors.visibility import reflection_visible_q


class GuidingQuestionInline(admin.TabularInline):
    model = GuidingQuestion
    extra = 0
    fields = ["position", "text", "help_text", "word_limit"]


@admin.register(ReflectionTemplate)
class ReflectionTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "applies_to", "is_current", "is_active", "created_at"]
    list_filter = ["applies_to", "is_current", "is_active"]
    search_fields = ["name"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]
    readonly_fields = ["lineage", "version", "is_current", "created_at", "created_by"]
    inlines = [GuidingQuestionInline]


@admin.register(GuidingQuestion)
class GuidingQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "template", "position", "word_limit"]
    list_filter = ["template__applies_to"]
    list_select_related = ["template"]
    search_fields = ["text"]


class AnswerInline(admin.StackedInline):
    model = Answer
    extra = 0
    fields = ["question", "text"]
    readonly_fields = ["question", "text"]
    can_delete = False


class ReflectionEventInline(admin.TabularInline):
    model = ReflectionEvent
    extra = 0
    fields = ["created_at", "actor", "action", "from_state", "to_state", "note"]
    readonly_fields = fields
    can_delete = False


@admin.register(Reflection)
class ReflectionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "state", "visibility", "is_hidden", "context_kind", "first_shared_at"]
    list_filter = ["state", "visibility", "is_hidden", "context_kind", "department"]
    list_select_related = ["author", "department"]
    search_fields = ["title", "author__email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "author",
        "template",
        "state",
        "context_kind",
        "context_type",
        "context_id",
        "context_label",
        "created_at",
        "updated_at",
        "first_submitted_at",
        "submitted_at",
        "validated_at",
        "validated_by",
        "depth",
        "first_shared_at",
        "department",
        "location",
        "job_role",
        "hidden_at",
        "hidden_by",
    ]
    exclude = ["search_text"]
    inlines = [AnswerInline, ReflectionEventInline]


@admin.register(ReflectionEvent)
class ReflectionEventAdmin(admin.ModelAdmin):
    list_display = ["reflection", "action", "actor", "from_state", "to_state", "created_at"]
    list_filter = ["action"]
    list_select_related = ["reflection", "actor"]
    search_fields = ["reflection__title", "actor__email"]
    date_hierarchy = "created_at"
    readonly_fields = ["reflection", "actor", "action", "from_state", "to_state", "note", "data", "created_at"]


@admin.register(MentorReview)
class MentorReviewAdmin(admin.ModelAdmin):
    list_display = ["reflection", "mentor", "decision", "depth", "created_at"]
    list_filter = ["decision", "depth"]
    list_select_related = ["reflection", "mentor"]
    search_fields = ["reflection__title", "mentor__email"]
    date_hierarchy = "created_at"
    readonly_fields = ["reflection", "mentor", "decision", "depth", "note", "created_at"]
    exclude = ["note_html"]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "author", "channel", "is_hidden", "created_at"]
    list_filter = ["channel", "is_hidden", "department"]
    list_select_related = ["author", "reflection"]
    search_fields = ["body", "author__email"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "reflection",
        "author",
        "channel",
        "parent",
        "body",
        "created_at",
        "department",
        "location",
        "job_role",
        "hidden_at",
        "hidden_by",
    ]
    exclude = ["body_html"]


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ["reflection", "person", "kind", "department", "location", "job_role", "created_at"]
    list_filter = ["kind", "department", "location"]
    list_select_related = ["reflection", "person", "department", "location", "job_role"]
    search_fields = ["person__email", "reflection__title"]
    date_hierarchy = "created_at"
    readonly_fields = ["reflection", "person", "kind", "created_at", "department", "location", "job_role"]


class NewsletterItemPrivacy:
    """What a newsletter item's admin shows of its reflection: its title only to who may read it."""

    def with_readable(self, request, queryset):
        if request.user.is_superuser:
            return queryset.annotate(reflection_readable=Value(True, output_field=BooleanField()))
        readable = Reflection.objects.filter(reflection_visible_q(viewer=request.user), pk=OuterRef("reflection_id"))
        return queryset.annotate(reflection_readable=Exists(readable))

    @admin.display(description="reflection")
    def reflection_label(self, obj) -> str:
        if getattr(obj, "reflection_readable", False):
            return str(obj.reflection)
        return f"Reflection #{obj.reflection_id} (not shared with you)"

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_superuser and super().has_add_permission(request, *args)


class NewsletterItemInline(NewsletterItemPrivacy, admin.TabularInline):
    model = NewsletterItem
    extra = 0
    raw_id_fields = ["reflection"]

    def get_queryset(self, request):
        return self.with_readable(request, super().get_queryset(request).select_related("reflection"))

    def get_fields(self, request, obj=None):
        return ["position", "reflection"] if request.user.is_superuser else ["position", "reflection_label"]

    def get_readonly_fields(self, request, obj=None):
        return [] if request.user.is_superuser else ["reflection_label"]


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(admin.ModelAdmin):
    list_display = ["title", "month", "state", "published_at", "recipients_queued", "sending_finished_at"]
    list_filter = ["state"]
    search_fields = ["title"]
    date_hierarchy = "month"
    list_select_related = ["published_by"]
    readonly_fields = [
        "intro",
        "state",
        "published_at",
        "published_by",
        "recipients_queued",
        "sending_finished_at",
        "created_at",
        "created_by",
    ]
    exclude = ["intro_html"]
    inlines = [NewsletterItemInline]


@admin.register(NewsletterItem)
class NewsletterItemAdmin(NewsletterItemPrivacy, PrivateTextAdmin):
    list_display = ["issue", "position", "reflection_label"]
    list_select_related = ["issue", "reflection"]
    list_filter = ["issue"]
    search_fields = ["issue__title", "reflection__title"]
    raw_id_fields = ["reflection"]
    private_fields = ("reflection",)

    def get_queryset(self, request):
        return self.with_readable(request, super().get_queryset(request))

    def get_readonly_fields(self, request, obj=None):
        return [
            *super().get_readonly_fields(request, obj),
            *([] if self.shows_private_text(request) else ["reflection_label"]),
        ]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Reports are resolved on the moderation page (with the hide service, the audit and the notices)."""

    list_display = ["__str__", "reporter", "created_at", "resolution", "resolved_at", "resolved_by"]
    list_filter = ["resolution", ("resolved_at", admin.EmptyFieldListFilter)]
    list_select_related = ["reporter", "resolved_by"]
    search_fields = ["reason", "reporter__email", "reporter__last_name"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "reflection",
        "comment",
        "reporter",
        "reason",
        "created_at",
        "updated_at",
        "resolved_at",
        "resolved_by",
        "resolution",
        "resolution_note",
    ]
