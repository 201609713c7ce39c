"""Knowledge cafés: the monthly event, the lightning talks proposed for it, RSVPs and feedback to speakers."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from saypro.core.models import PlacementSnapshot

# The three rating questions, shown next to every answer wherever a rating appears.
RATING_QUESTIONS = {
    "clarity": "How clear was the one idea?",
    "usefulness": "How useful is it for your own work?",
    "delivery": "How well was it delivered (pace, voice, timing)?",
}
RATING_SCALE = "1 = not yet, 5 = excellent"
WORKED_QUESTION = "One thing that worked"
TRY_NEXT_QUESTION = "One thing to try next time"
# Averages are shown to a speaker only from this many answers on, so no one is identifiable.
AVERAGES_FROM = 3


class TalkFormat(models.IntegerChoices):
    """How long a talk runs; five minutes is the lightning talk the design asks for."""

    LIGHTNING = 5, "Lightning talk — 5 minutes"
    SHORT = 7, "Short talk — 7 minutes"
    DEMO = 10, "Talk with a demo — 10 minutes"


class Cafe(models.Model):
    """One knowledge café: a monthly, informal event of lightning talks."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for proposals"
        PUBLISHED = "published", "Agenda published"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    title = models.CharField(max_length=200)
    theme = models.CharField(max_length=200, blank=True, help_text="What this café's talks gather around.")
    starts_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    place = models.CharField(max_length=200, blank=True, help_text="Room and building, if people meet in person.")
    online_url = models.URLField("online link", blank=True)
    capacity = models.PositiveIntegerField(default=30, help_text="Seats for the audience (speakers not counted).")
    opening_minutes = models.PositiveSmallIntegerField(
        default=10, help_text="Welcome before the first talk, in minutes."
    )
    changeover_minutes = models.PositiveSmallIntegerField(default=2, help_text="Between two talks, in minutes.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    # The calendar invite's SEQUENCE: raised by every change sent after the agenda was published.
    sequence = models.PositiveIntegerField(default=0)
    agenda_published_at = models.DateTimeField(null=True, blank=True)
    agenda_changed = models.BooleanField(
        default=False, help_text="The agenda changed after publishing and the update is not sent yet."
    )
    cancel_reason = models.TextField(blank=True)
    held_at = models.DateTimeField(null=True, blank=True)
    # Set only on the café the monthly job drafted, so the job never drafts a month twice.
    drafted_for_month = models.DateField(null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = "café"
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="cafe_capacity_positive"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=15), name="cafe_duration_at_least_15"),
        ]
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({timezone.localtime(self.starts_at):%d %b %Y})"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_upcoming(self) -> bool:
        return self.state in {self.State.OPEN, self.State.PUBLISHED} and self.starts_at > timezone.now()

    @property
    def where(self) -> str:
        """Place and online link in one line, for invites and e-mails."""
        return " · ".join(part for part in (self.place, self.online_url) if part)


class TalkProposal(PlacementSnapshot):
    """A lightning talk proposed by an employee; once accepted it is a talk on a café's agenda.

    Its placement is the speaker's when the talk was accepted and again when it was delivered.
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        KEPT = "kept", "Kept for a later café"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        DELIVERED = "delivered", "Delivered"

    # Colleagues see these; a declined or withdrawn proposal stays between the speaker and the officer.
    PUBLIC_STATES = (State.PROPOSED, State.ACCEPTED, State.KEPT, State.DELIVERED)

    speaker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cafe_talks")
    cafe = models.ForeignKey(Cafe, null=True, blank=True, on_delete=models.PROTECT, related_name="talks")
    title = models.CharField(max_length=120)
    idea = models.TextField("the one idea", max_length=600)
    why_it_matters = models.TextField(max_length=600)
    audience_can_try = models.TextField("what the audience can try", max_length=600)
    reflection_url = models.CharField(
        "link to one of your reflections", max_length=300, blank=True, help_text="Optional, e.g. /reflections/12/"
    )
    duration_minutes = models.PositiveSmallIntegerField(
        "format", choices=TalkFormat.choices, default=TalkFormat.LIGHTNING
    )
    first_talk = models.BooleanField(default=False, editable=False, help_text="The speaker had given no talk before.")
    wants_practice_buddy = models.BooleanField("I'd like a practice buddy", default=False)
    practice_buddy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Someone who has spoken before and listens to a run-through.",
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.PROPOSED)
    decision_note = models.TextField(blank=True, help_text="The officer's note to the speaker.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Slot on the agenda, from 1.")
    delivered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "talk proposal"
        constraints = [
            models.CheckConstraint(
                condition=~Q(state__in=["accepted", "delivered"]) | Q(cafe__isnull=False),
                name="talk_accepted_has_cafe",
            ),
            models.UniqueConstraint(
                fields=["cafe", "position"], condition=Q(position__isnull=False), name="talk_slot_unique"
            ),
        ]
        indexes = [models.Index(fields=["state", "created_at"]), models.Index(fields=["cafe", "state"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_public(self) -> bool:
        return self.state in self.PUBLIC_STATES


class TalkInterest(models.Model):
    """A colleague's "I'd like to hear this" on a proposal; the officer weighs it."""

    talk = models.ForeignKey(TalkProposal, on_delete=models.CASCADE, related_name="interests")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["talk", "person"], name="talk_interest_once")]

    def __str__(self) -> str:
        return f"{self.person} would like to hear “{self.talk}”"


class Rsvp(PlacementSnapshot):
    """A person's answer to a café: going, on the waitlist, or no longer coming."""

    class Status(models.TextChoices):
        GOING = "going", "Going"
        WAITLIST = "waitlist", "On the waitlist"
        CANCELLED = "cancelled", "Not coming"

    cafe = models.ForeignKey(Cafe, on_delete=models.CASCADE, related_name="rsvps")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cafe_rsvps")
    status = models.CharField(max_length=10, choices=Status.choices)
    attended = models.BooleanField(default=False, help_text="Recorded when the café is marked held.")
    # Waitlist order: the earliest answer is promoted first.
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "RSVP"
        ordering = ["answered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["cafe", "person"], name="rsvp_once_per_cafe")]
        indexes = [models.Index(fields=["cafe", "status", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.person} → {self.cafe}: {self.get_status_display().lower()}"


class TalkFeedback(models.Model):
    """Structured, kind feedback from one attendee to one talk. Anonymous to the speaker."""

    talk = models.ForeignKey(TalkProposal, on_delete=models.CASCADE, related_name="feedback")
    giver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    clarity = models.PositiveSmallIntegerField(RATING_QUESTIONS["clarity"])
    usefulness = models.PositiveSmallIntegerField(RATING_QUESTIONS["usefulness"])
    delivery = models.PositiveSmallIntegerField(RATING_QUESTIONS["delivery"])
    worked = models.TextField(WORKED_QUESTION, max_length=1000)
    try_next = models.TextField(TRY_NEXT_QUESTION, max_length=1000)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "talk feedback"
        verbose_name_plural = "talk feedback"
        ordering = ["talk_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["talk", "giver"], name="talk_feedback_once_per_person"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{f}__gte": 1}) & Q(**{f"{f}__lte": 5}), name=f"feedback_{f}_1_5"
                )
                for f in RATING_QUESTIONS
            ],
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True) | ~Q(hidden_reason=""), name="feedback_hidden_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"Feedback on the talk “{self.talk}”"


class SpeakerPreference(models.Model):
    """What a speaker chose about the feedback they receive."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notify_new_feedback = models.BooleanField("Tell me when new feedback arrives", default=False)
    share_with_mentor = models.BooleanField("My mentor may read my talk feedback and growth", default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "speaker preference"

    def __str__(self) -> str:
        return f"Speaker preferences of {self.person_id}"
