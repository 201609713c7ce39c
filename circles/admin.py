from django.contrib import admin

from .models import Circle, Learning, Membership, NeverWith, Round, Signup, SignupChoice, StandingSignup, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    date_hierarchy = "created_at"


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["week_starts_on", "state", "signup_deadline", "meets_at", "place"]
    list_filter = ["state"]
    date_hierarchy = "meets_at"
    filter_horizontal = ["topics"]
    readonly_fields = ["state", "formation_seed", "formation_reason", "formed_at", "published_at", "created_at"]


class SignupChoiceInline(admin.TabularInline):
    model = SignupChoice
    extra = 0


@admin.register(Signup)
class SignupAdmin(admin.ModelAdmin):
    list_display = ["person", "round", "not_this_week", "source", "updated_at"]
    list_filter = ["not_this_week", "source"]
    search_fields = ["person__email", "person__last_name"]
    list_select_related = ["person", "round"]
    date_hierarchy = "created_at"
    raw_id_fields = ["person", "round"]
    inlines = [SignupChoiceInline]


@admin.register(SignupChoice)
class SignupChoiceAdmin(admin.ModelAdmin):
    list_display = ["signup", "rank", "topic"]
    list_filter = ["rank", "topic"]
    search_fields = ["signup__person__email"]
    list_select_related = ["signup__person", "signup__round", "topic"]
    raw_id_fields = ["signup"]


@admin.register(StandingSignup)
class StandingSignupAdmin(admin.ModelAdmin):
    list_display = ["person", "is_active", "paused_until", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["person__email", "person__last_name"]
    list_select_related = ["person"]
    date_hierarchy = "updated_at"
    raw_id_fields = ["person"]


@admin.register(NeverWith)
class NeverWithAdmin(admin.ModelAdmin):
    list_display = ["person", "other", "created_at"]
    search_fields = ["person__email", "other__email"]
    list_select_related = ["person", "other"]
    date_hierarchy = "created_at"
    raw_id_fields = ["person", "other"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["person"]
    readonly_fields = ["round", "department", "location", "job_role", "left_at", "left_reason", "created_at"]


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["__str__", "round", "topic", "host", "is_locked", "attendance_recorded_at"]
    list_filter = ["is_locked", "round__state", "topic"]
    search_fields = ["host__email", "topic__name"]
    list_select_related = ["round", "topic", "host"]
    date_hierarchy = "created_at"
    raw_id_fields = ["round", "host"]
    readonly_fields = ["explanation", "attendance_recorded_at", "created_at"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["person", "circle", "department", "location", "job_role", "attended", "left_at"]
    list_filter = ["attended", "round__state"]
    search_fields = ["person__email", "person__last_name"]
    list_select_related = ["person", "circle__topic", "circle__round", "department", "location", "job_role"]
    date_hierarchy = "created_at"
    raw_id_fields = ["person", "circle", "round"]
    readonly_fields = ["department", "location", "job_role", "left_at", "created_at"]


@admin.register(Learning)
class LearningAdmin(admin.ModelAdmin):
    list_display = ["author", "circle", "department", "is_hidden", "created_at"]
    list_filter = ["is_hidden"]
    search_fields = ["author__email", "body"]
    list_select_related = ["author", "circle__topic", "circle__round", "department"]
    date_hierarchy = "created_at"
    raw_id_fields = ["author", "circle"]
    readonly_fields = ["author", "department", "location", "job_role", "body_html", "created_at"]
