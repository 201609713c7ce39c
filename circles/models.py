"""Weekly peer sharing circles: topics, rounds, sign-ups, circles, memberships and learnings."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from saypro.core.models import PlacementSnapshot

# Circle sizes of the design: target 5, never under 3 or over 6.
TARGET_SIZE = 5
MIN_SIZE = 3
MAX_SIZE = 6


class Topic(models.Model):
    """A core topic a circle talks about; retired topics stay for history but are no longer offered."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    prompts = models.TextField(blank=True, help_text="Discussion prompts, one per line.")
    is_active = models.BooleanField("active", default=True, help_text="Retired topics are no longer offered.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="circles_topic_name_unique_ci",
                violation_error_message="A topic with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def prompt_list(self) -> list[str]:
        return [line.strip() for line in self.prompts.splitlines() if line.strip()]


class Round(models.Model):
    """One week's circles: the topics offered, the sign-up deadline and the meeting slot."""

    class State(models.TextChoices):
        OPEN = "open", "Open for sign-up"
        FORMED = "formed", "Formed, awaiting review"
        PUBLISHED = "published", "Published"
        NO_CIRCLES = "no_circles", "No circles this week"

    week_starts_on = models.DateField(unique=True, help_text="The Monday of the week the circles meet.")
    topics = models.ManyToManyField(Topic, related_name="rounds", verbose_name="offered topics")
    signup_deadline = models.DateTimeField()
    meets_at = models.DateTimeField(help_text="The default meeting slot of every circle this week.")
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    place = models.CharField(max_length=200, default="Online — the link is in the calendar invite")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    formation_seed = models.PositiveIntegerField(null=True, blank=True)
    formation_reason = models.TextField(blank=True)
    formed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(
        null=True, blank=True, help_text="When every member had been told about their circle."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-week_starts_on"]
        indexes = [models.Index(fields=["state", "signup_deadline"]), models.Index(fields=["meets_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(meets_at__gt=F("signup_deadline")), name="circles_round_meets_after_deadline"
            ),
            models.CheckConstraint(condition=Q(duration_minutes__gte=15), name="circles_round_duration_min"),
        ]

    def __str__(self) -> str:
        return f"Circles for the week of {self.week_starts_on:%d %b %Y}"

    @property
    def ends_at(self) -> datetime:
        return self.meets_at + timedelta(minutes=self.duration_minutes)

    def accepts_signups(self, *, now: datetime | None = None) -> bool:
        return self.state == self.State.OPEN and (now or timezone.now()) < self.signup_deadline


class Signup(models.Model):
    """A person's sign-up for one round, with ranked topic preferences (or "not this week")."""

    class Source(models.TextChoices):
        PERSON = "person", "Signed up"
        STANDING = "standing", "Standing opt-in"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="signups")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_signups")
    not_this_week = models.BooleanField(default=False)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.PERSON)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round_id", "person_id"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="circles_signup_once_per_round")]

    def __str__(self) -> str:
        return f"{self.person} for {self.round}"


class SignupChoice(models.Model):
    """One ranked topic preference of a sign-up (rank 1 is the first choice)."""

    signup = models.ForeignKey(Signup, on_delete=models.CASCADE, related_name="choices")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["signup_id", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["signup", "rank"], name="circles_choice_rank_once"),
            models.UniqueConstraint(fields=["signup", "topic"], name="circles_choice_topic_once"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="circles_choice_rank_positive"),
        ]
        indexes = [models.Index(fields=["topic", "rank"])]

    def __str__(self) -> str:
        return f"{self.rank}. {self.topic_id}"


class StandingSignup(models.Model):
    """ "Sign me up every week with these preferences", with an optional pause until a date."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_standing")
    topic_ids = models.JSONField(default=list, blank=True, help_text="Ranked topic ids, first choice first.")
    is_active = models.BooleanField(default=True)
    paused_until = models.DateField(
        null=True, blank=True, help_text="No sign-up for weeks starting on or before this day."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "standing opt-in"

    def __str__(self) -> str:
        return f"Standing opt-in of {self.person}"

    def applies_to_week(self, week_starts_on) -> bool:
        return self.is_active and (self.paused_until is None or self.paused_until < week_starts_on)


class NeverWith(models.Model):
    """A colleague a person must never share a circle with (a hard rule, private to the person)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_never_with")
    other = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "never-with rule"
        constraints = [
            models.UniqueConstraint(fields=["person", "other"], name="circles_never_with_once"),
            models.CheckConstraint(condition=~Q(person=F("other")), name="circles_never_with_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.person} never with {self.other}"


class Circle(models.Model):
    """A group of three to six people meeting on one topic in one round."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="circles")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="circles")
    number = models.PositiveSmallIntegerField(help_text="Its place in the round, for people to refer to it.")
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="hosted_circles"
    )
    is_locked = models.BooleanField("locked", default=False, help_text="A re-run keeps a locked circle as it is.")
    explanation = models.JSONField(default=dict, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["round_id", "number"]
        constraints = [models.UniqueConstraint(fields=["round", "number"], name="circles_circle_number_once")]

    def __str__(self) -> str:
        return f"Circle {self.number} ({self.topic}), week of {self.round.week_starts_on:%d %b %Y}"

    @property
    def meets_at(self) -> datetime:
        return self.round.meets_at

    @property
    def ends_at(self) -> datetime:
        return self.round.ends_at


class Membership(PlacementSnapshot):
    """A person's place in a circle, with their department, location and job role at the time."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    # Repeats the circle's round so the database itself keeps a person in one circle per round.
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="circle_memberships")
    attended = models.BooleanField(null=True, blank=True, help_text="Recorded by the host after the meeting.")
    left_at = models.DateTimeField(null=True, blank=True)
    left_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["circle_id", "person__last_name", "person__first_name", "person_id"]
        constraints = [models.UniqueConstraint(fields=["round", "person"], name="circles_membership_one_per_round")]
        indexes = [models.Index(fields=["person", "round"])]

    def __str__(self) -> str:
        return f"{self.person} in {self.circle}"

    @property
    def has_left(self) -> bool:
        return self.left_at is not None


class Learning(PlacementSnapshot):
    """A short note of what the circle learned, recorded by a member; counts as a peer learning shared."""

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="learnings")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="circle_learnings")
    body = models.TextField(help_text="Markdown, as typed.")
    body_html = models.TextField(editable=False, help_text="Sanitised HTML rendered once from the Markdown.")
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "circle learning"
        constraints = [
            models.CheckConstraint(
                condition=Q(is_hidden=False) | ~Q(hidden_reason=""), name="circles_learning_hidden_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"Learning by {self.author} in {self.circle}"
