"""Feedback sessions held at the end of major modules, and what participants contribute to them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from saypro.core.models import Module, PlacementSnapshot

CONTRIBUTION_MAX_CHARS = 1500
SUGGESTION_MAX_CHARS = 800


class FeedbackSession(models.Model):
    """One feedback session for one module: proposed, scheduled, open (running), held, or cancelled."""

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        SCHEDULED = "scheduled", "Scheduled"
        OPEN = "open", "Open"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    # States in which participants may add, edit or withdraw contributions.
    CONTRIBUTING_STATES = (State.SCHEDULED, State.OPEN)
    # States in which the officer may still change the date, time and place.
    EDITABLE_STATES = (State.PROPOSED, State.SCHEDULED, State.OPEN)

    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="feedback_sessions")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    starts_at = models.DateTimeField(help_text="The scheduled start; it decides which month the session counts in.")
    ends_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True, help_text="A room or address.")
    online_url = models.URLField("online link", max_length=500, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="facilitated_feedback_sessions",
        help_text="The Advice Desk Officer who runs the session.",
    )
    prompts = models.TextField(blank=True, help_text="Optional questions shown to participants, one per line.")
    sequence = models.PositiveIntegerField(
        default=0, help_text="Calendar invite version; raised on every change participants must hear about."
    )
    cancel_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    follow_up_sent_at = models.DateTimeField(
        null=True, blank=True, help_text="When attendees were sent the summary and the reflection prompt."
    )

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "feedback session"
        constraints = [
            # A module has at most one live session; a cancelled one may be replaced.
            models.UniqueConstraint(
                fields=["module"], condition=~Q(state="cancelled"), name="feedback_session_one_live_per_module"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="feedback_session_ends_after_start"),
            models.CheckConstraint(
                condition=Q(state__in=["proposed", "cancelled"]) | ~Q(place="") | ~Q(online_url=""),
                name="feedback_session_has_place_or_link",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["proposed", "cancelled"]) | Q(facilitator__isnull=False),
                name="feedback_session_has_facilitator",
            ),
        ]
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self) -> str:
        return f"Feedback session: {self.module.title} ({self.starts_at:%Y-%m-%d})"

    @property
    def accepts_contributions(self) -> bool:
        return self.state in self.CONTRIBUTING_STATES

    @property
    def is_live(self) -> bool:
        return self.state != self.State.CANCELLED

    @property
    def prompt_list(self) -> list[str]:
        return [line.strip() for line in self.prompts.splitlines() if line.strip()]

    @property
    def where(self) -> str:
        """Place and link in one line, for e-mails and calendar invites."""
        return " · ".join(part for part in (self.place, self.online_url) if part)


class Invitation(models.Model):
    """A participant invited to a session, and whether they came."""

    class Attendance(models.TextChoices):
        UNKNOWN = "", "Not recorded"
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        ABSENT = "absent", "Absent"

    ATTENDED = (Attendance.PRESENT, Attendance.LATE)

    session = models.ForeignKey(FeedbackSession, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_invitations")
    attendance = models.CharField(max_length=10, choices=Attendance.choices, blank=True, default=Attendance.UNKNOWN)
    invited_at = models.DateTimeField(default=timezone.now)
    notified_sequence = models.IntegerField(
        default=-1, help_text="The session's invite version this person was e-mailed; lower means one is owed."
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="feedback_invitation_once"),
            models.CheckConstraint(
                condition=Q(attendance__in=["", "present", "late", "absent"]), name="feedback_invitation_attendance"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} invited to {self.session}"

    @property
    def attended(self) -> bool:
        return self.attendance in self.ATTENDED


class Contribution(PlacementSnapshot):
    """An insight, challenge or success story a participant brings to a session.

    `author` is the participant it counts for, also when the officer recorded it on their
    behalf (`recorded_by`). Department, location and job role are the author's at the time.
    """

    class Kind(models.TextChoices):
        INSIGHT = "insight", "Insight"
        CHALLENGE = "challenge", "Challenge"
        SUCCESS_STORY = "success_story", "Success story"

    session = models.ForeignKey(FeedbackSession, on_delete=models.CASCADE, related_name="contributions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_contributions"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The officer who recorded it on the author's behalf.",
    )
    kind = models.CharField(max_length=15, choices=Kind.choices)
    text = models.TextField(max_length=CONTRIBUTION_MAX_CHARS)
    text_html = models.TextField(editable=False, help_text="`text` rendered as sanitised Markdown.")
    # Repeating a submission with the same token (a double click, a retried request) finds the
    # first contribution instead of writing a second one.
    submission_token = models.UUIDField(default=uuid.uuid4, editable=False)
    anonymous = models.BooleanField(
        "name not shown to colleagues",
        default=False,
        help_text="A challenge whose author colleagues do not see; the officer does.",
    )
    discussed = models.BooleanField(default=False)
    highlighted = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "submission_token"], name="feedback_contribution_submit_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["insight", "challenge", "success_story"]), name="feedback_contribution_kind"
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="feedback_contribution_hidden_reason"
            ),
            # Only a challenge asks something one may not want one's name on; what is shared is shared by name.
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(kind="challenge"), name="feedback_contribution_anonymous_challenge"
            ),
        ]
        indexes = [models.Index(fields=["session", "kind"]), models.Index(fields=["author", "session"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.author} in the feedback session on {self.session.module.title}"

    @property
    def is_visible(self) -> bool:
        """Not hidden by moderation and not withdrawn by its author."""
        return self.hidden_at is None and self.withdrawn_at is None

    @property
    def name_for_colleagues(self) -> str:
        """Who shared it, as colleagues read it (the summary e-mail): an anonymous challenge names nobody."""
        return "a colleague" if self.anonymous else self.author.full_name


class Suggestion(models.Model):
    """A peer's answer to a challenge."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="suggestions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_suggestions")
    text = models.TextField(max_length=SUGGESTION_MAX_CHARS)
    text_html = models.TextField(editable=False)
    submission_token = models.UUIDField(default=uuid.uuid4, editable=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["author", "submission_token"], name="feedback_suggestion_submit_once"),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="feedback_suggestion_hidden_reason"
            ),
        ]

    def __str__(self) -> str:
        contribution = self.contribution
        return f"Suggestion by {self.author} on the {contribution.get_kind_display().lower()} by {contribution.author}"

    @property
    def is_visible(self) -> bool:
        return self.hidden_at is None


THEME_NAME_MAX_CHARS = 120
THEME_NOTE_MAX_CHARS = 500


class ChallengeTheme(models.Model):
    """A group of similar challenges raised about one module, for the people who improve it.

    Grouping adds new challenges to themes; it never changes what an officer decided: a theme's
    name once renamed, whether it is addressed, and which theme another was merged into.
    A merged theme keeps its row (for the audit trail) but no members.
    """

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="challenge_themes")
    name = models.CharField(max_length=THEME_NAME_MAX_CHARS)
    renamed = models.BooleanField(default=False, help_text="Named by an officer rather than from a challenge.")
    # The challenge whose opening words name the theme until an officer renames it. Once that
    # challenge is hidden, withdrawn or erased, the theme takes its name from a visible one, so
    # no page, export or report keeps words that are no longer shown.
    named_from = models.ForeignKey(Contribution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    addressed = models.BooleanField("addressed in the next run", default=False)
    addressed_note = models.TextField(max_length=THEME_NOTE_MAX_CHARS, blank=True)
    addressed_at = models.DateTimeField(null=True, blank=True)
    addressed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["module_id", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(addressed=False) | Q(addressed_at__isnull=False), name="challenge_theme_addressed_when"
            ),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("pk")), name="challenge_theme_not_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return f"Challenge theme “{self.name}” ({self.module.title})"


class ChallengeThemeMember(models.Model):
    """One challenge in one theme; a challenge is in at most one theme."""

    theme = models.ForeignKey(ChallengeTheme, on_delete=models.CASCADE, related_name="members")
    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["contribution"], name="challenge_theme_member_once"),
        ]

    def __str__(self) -> str:
        return f"Challenge {self.contribution_id} in theme {self.theme_id}"
