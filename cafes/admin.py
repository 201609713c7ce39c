"""The officer's power tools for cafés. Feedback givers never show here (see the moderation page)."""

from django.contrib import admin

from .models import Cafe, Rsvp, SpeakerPreference, TalkFeedback, TalkInterest, TalkProposal


@admin.register(Cafe)
class CafeAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "state", "capacity", "place", "sequence"]
    list_filter = ["state"]
    search_fields = ["title", "theme", "place"]
    date_hierarchy = "starts_at"
    list_select_related = ["created_by"]
    readonly_fields = ["sequence", "agenda_published_at", "held_at", "drafted_for_month", "created_by", "created_at"]


@admin.register(TalkProposal)
class TalkProposalAdmin(admin.ModelAdmin):
    list_display = ["title", "speaker", "cafe", "state", "position", "duration_minutes", "wants_practice_buddy"]
    list_filter = ["state", "wants_practice_buddy", "first_talk", "duration_minutes"]
    search_fields = ["title", "idea", "speaker__email", "speaker__last_name"]
    list_select_related = ["speaker", "cafe"]
    date_hierarchy = "created_at"
    raw_id_fields = ["speaker", "cafe", "decided_by"]
    readonly_fields = ["first_talk", "decided_by", "decided_at", "delivered_at", "department", "location", "job_role"]


@admin.register(TalkInterest)
class TalkInterestAdmin(admin.ModelAdmin):
    list_display = ["talk", "person", "created_at"]
    list_select_related = ["talk", "person"]
    search_fields = ["talk__title", "person__email"]
    date_hierarchy = "created_at"
    raw_id_fields = ["talk", "person"]


@admin.register(Rsvp)
class RsvpAdmin(admin.ModelAdmin):
    list_display = ["cafe", "person", "status", "attended", "answered_at"]
    list_filter = ["status", "attended"]
    list_select_related = ["cafe", "person"]
    search_fields = ["person__email", "cafe__title"]
    date_hierarchy = "answered_at"
    raw_id_fields = ["cafe", "person"]
    readonly_fields = ["department", "location", "job_role"]


@admin.register(TalkFeedback)
class TalkFeedbackAdmin(admin.ModelAdmin):
    """Without the giver: who wrote what is shown only on the audited moderation page."""

    list_display = ["talk", "clarity", "usefulness", "delivery", "hidden_at", "created_at"]
    list_filter = ["hidden_at"]
    list_select_related = ["talk"]
    search_fields = ["talk__title"]
    date_hierarchy = "created_at"
    exclude = ["giver"]
    readonly_fields = ["talk", "clarity", "usefulness", "delivery", "worked", "try_next", "created_at", "updated_at"]

    def has_add_permission(self, request):
        return False


@admin.register(SpeakerPreference)
class SpeakerPreferenceAdmin(admin.ModelAdmin):
    list_display = ["person", "notify_new_feedback", "share_with_mentor", "updated_at"]
    list_filter = ["notify_new_feedback", "share_with_mentor"]
    list_select_related = ["person"]
    search_fields = ["person__email"]
    date_hierarchy = "updated_at"
    raw_id_fields = ["person"]
