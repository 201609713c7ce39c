"""The shared core: people, the organisation, training, and cross-cutting records."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class NamedOrgUnit(models.Model):
    name = models.CharField(max_length=120)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Department(NamedOrgUnit):
    class Meta(NamedOrgUnit.Meta):
        constraints = [models.UniqueConstraint(Lower("name"), name="department_name_unique_ci")]


class Location(NamedOrgUnit):
    class Meta(NamedOrgUnit.Meta):
        constraints = [models.UniqueConstraint(Lower("name"), name="location_name_unique_ci")]


class JobRole(NamedOrgUnit):
    class Meta(NamedOrgUnit.Meta):
        verbose_name = "job role"
        constraints = [models.UniqueConstraint(Lower("name"), name="job_role_name_unique_ci")]


# Where a person taken from the cache carries the session check's HMAC of their password
# (person_cache.signed_in_person; see User.get_session_auth_hash).
CACHED_SESSION_HASH = "_session_auth_hash"


class User(AbstractBaseUser, PermissionsMixin):
    """A person of the organisation; signs in with their e-mail address."""

    email = models.EmailField("e-mail address", max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    job_role = models.ForeignKey(JobRole, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May sign in to the admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            # Stored lowercase, so the unique field is unique without regard to case.
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lowercase"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    @property
    def full_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def get_session_auth_hash(self) -> str:
        # A person taken from the cache (person_cache.signed_in_person) comes without their
        # password's hash and with the session check's HMAC of it; once the password is loaded or
        # set on the object, it is the record again.
        if "password" not in self.__dict__ and CACHED_SESSION_HASH in self.__dict__:
            return self.__dict__[CACHED_SESSION_HASH]
        return super().get_session_auth_hash()

    def has_group(self, name: str) -> bool:
        """Group membership, from the person's cache entry (person_cache.group_names): kept on this
        object for the request and in the cache between requests, so a page's role checks usually
        cost no query, and a change of roles is seen at once."""
        from .person_cache import group_names

        return name in group_names(person=self)


class Placement(models.Model):
    """Where a person was in the organisation over a span of time.

    The monthly report counts people in the department, location and job role they had at
    the time of an activity; these rows keep that history. The open row (valid_to null) is
    the current placement.
    """

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="placements")
    department = models.ForeignKey(Department, null=True, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, null=True, on_delete=models.PROTECT, related_name="+")
    job_role = models.ForeignKey(JobRole, null=True, on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["person_id", "valid_from"]
        indexes = [models.Index(fields=["person", "valid_from"])]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(valid_to__isnull=True), name="placement_one_open"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")), name="placement_span_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.department} from {self.valid_from:%Y-%m-%d}"


class PlacementSnapshot(models.Model):
    """The department, location and job role a person had when an activity record was written.

    Activity records (a contribution, a circle membership, an RSVP, …) copy them from the person
    instead of reading them through the person, because the monthly report counts by where people
    were at the time and people move.
    """

    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    job_role = models.ForeignKey(JobRole, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    # For `save(update_fields=...)` after `snapshot_placement_of`.
    PLACEMENT_FIELDS = ("department", "location", "job_role")

    class Meta:
        abstract = True

    @staticmethod
    def placement_of(person: User) -> dict[str, int | None]:
        """The person's placement now, as keyword arguments for a new record."""
        return {
            "department_id": person.department_id,
            "location_id": person.location_id,
            "job_role_id": person.job_role_id,
        }

    def snapshot_placement_of(self, person: User) -> None:
        """Copy the person's placement now onto this record (the caller saves it)."""
        for name, value in self.placement_of(person).items():
            setattr(self, name, value)


class MentorLink(models.Model):
    """A mentor→mentee assignment; inactive links keep the history of former mentors."""

    mentor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mentee_links")
    mentee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mentor_links")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "mentor link"
        constraints = [
            models.UniqueConstraint(fields=["mentor", "mentee"], name="mentor_link_unique"),
            models.CheckConstraint(condition=~Q(mentor=F("mentee")), name="mentor_link_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} mentors {self.mentee}"


class ManagerScope(models.Model):
    """The departments a manager reads reports for; no department means the whole organisation."""

    manager = models.ForeignKey(User, on_delete=models.CASCADE, related_name="manager_scopes")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["manager", "department"], name="manager_scope_unique"),
            models.UniqueConstraint(
                fields=["manager"], condition=Q(department__isnull=True), name="manager_scope_one_whole_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manager}: {self.department or 'whole organisation'}"


class Programme(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(Lower("title"), name="programme_title_unique_ci")]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    starts_on = models.DateField()
    ends_on = models.DateField()
    is_major = models.BooleanField(default=False, help_text="A feedback session follows a major module.")
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Set by the daily job once the end date passed.")
    owner = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_modules",
        help_text="The person who answers for the module's content; they read what participants raised about it.",
    )

    class Meta:
        ordering = ["programme_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "position"], name="module_position_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="module_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.programme}: {self.title}"

    @property
    def has_ended(self) -> bool:
        return self.ended_at is not None


class Enrolment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", "Enrolled"
        COMPLETED = "completed", "Completed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolments")
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="enrolments")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ENROLLED)
    enrolled_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "module"], name="enrolment_unique"),
            models.CheckConstraint(
                condition=(Q(status="withdrawn") & Q(withdrawn_at__isnull=False))
                | (~Q(status="withdrawn") & Q(withdrawn_at__isnull=True)),
                name="enrolment_withdrawn_has_time",
            ),
        ]
        indexes = [models.Index(fields=["module", "status"])]

    def __str__(self) -> str:
        return f"{self.person} in {self.module} ({self.get_status_display()})"


class AuditEntry(models.Model):
    """A facilitator action that changed what others see or get. Written once, never edited."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=80)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    target_id = models.CharField(max_length=64, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(max_length=255, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "audit entry"
        verbose_name_plural = "audit trail"
        indexes = [models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor}: {self.action} {self.target_repr}"

    @property
    def action_text(self) -> str:
        """The action as an officer says it ("Hid a contribution"), not its code."""
        from .audit_words import audit_action_text

        return audit_action_text(self.action)


class NotificationKind(models.TextChoices):
    """The categories a person chooses e-mail delivery for on the preferences page.

    Apps notify with fine-grained kinds ("session_reminder", "reflection_prompt"); `of` maps
    such a kind to its category. A kind no category claims is always e-mailed at once.
    """

    REMINDERS = "reminders", "Reminders before sessions, circles and cafés"
    REFLECTION_PROMPTS = "reflection_prompts", "Invitations to write a reflection"
    MENTOR_FEEDBACK = "mentor_feedback", "Mentor reviews of reflections"
    BOARD = "board", "Comments and “I'll try this” on your shared reflections"
    TALK_FEEDBACK = "talk_feedback", "Feedback on your lightning talks"
    ACTIVITY = "activity", "News about your sessions, circles and cafés"
    NEWSLETTER = "newsletter", "The monthly newsletter"
    REPORTS = "reports", "Monthly impact reports"

    @classmethod
    def of(cls, kind: str) -> NotificationKind | None:
        """The preference category of a notification kind, or None when no category claims it."""
        if kind in cls.values:
            return cls(kind)
        if kind in NOTIFICATION_KIND_CATEGORY:
            return NOTIFICATION_KIND_CATEGORY[kind]
        if kind.endswith("_reminder"):
            return cls.REMINDERS
        return None


# The fine-grained kinds the apps notify with, by category. Kinds ending in "_reminder" are
# reminders without being listed. Moderation notices ("moderation", "contribution_hidden") are
# left out on purpose: they are always e-mailed at once.
NOTIFICATION_KIND_CATEGORY: dict[str, NotificationKind] = {
    "reflection_prompt": NotificationKind.REFLECTION_PROMPTS,
    "reflection_invite": NotificationKind.REFLECTION_PROMPTS,
    "reflection_review": NotificationKind.MENTOR_FEEDBACK,
    "reflection_submitted": NotificationKind.MENTOR_FEEDBACK,
    "reflection_validated": NotificationKind.MENTOR_FEEDBACK,
    "reflection_changes_requested": NotificationKind.MENTOR_FEEDBACK,
    "mentor_comment": NotificationKind.MENTOR_FEEDBACK,
    "reflection_comment": NotificationKind.BOARD,
    "reflection_adoption": NotificationKind.BOARD,
    "board_comment": NotificationKind.BOARD,
    "board_try": NotificationKind.BOARD,
    "board_tried": NotificationKind.BOARD,
    "talk_feedback_received": NotificationKind.TALK_FEEDBACK,
    "talk_accepted": NotificationKind.ACTIVITY,
    "talk_declined": NotificationKind.ACTIVITY,
    "talk_kept": NotificationKind.ACTIVITY,
    "challenge_suggestion": NotificationKind.ACTIVITY,
    "session_proposed": NotificationKind.ACTIVITY,
    "session_scheduled": NotificationKind.ACTIVITY,
    "session_changed": NotificationKind.ACTIVITY,
    "session_cancelled": NotificationKind.ACTIVITY,
    "session_summary": NotificationKind.ACTIVITY,
    "circle_assigned": NotificationKind.ACTIVITY,
    "circle_published": NotificationKind.ACTIVITY,
    "circle_host": NotificationKind.ACTIVITY,
    "circle_member_left": NotificationKind.ACTIVITY,
    "circle_round_not_formed": NotificationKind.ACTIVITY,
    "circle_changed": NotificationKind.ACTIVITY,
    "circle_cancelled": NotificationKind.ACTIVITY,
    "cafe_agenda": NotificationKind.ACTIVITY,
    "cafe_drafted": NotificationKind.ACTIVITY,
    "cafe_proposal": NotificationKind.ACTIVITY,
    "cafe_rsvp_going": NotificationKind.ACTIVITY,
    "cafe_rsvp_promoted": NotificationKind.ACTIVITY,
    "cafe_changed": NotificationKind.ACTIVITY,
    "cafe_cancelled": NotificationKind.ACTIVITY,
    "newsletter_issue": NotificationKind.NEWSLETTER,
    "snapshot_built": NotificationKind.REPORTS,
    "impact_report": NotificationKind.REPORTS,
}


class NotificationPreference(models.Model):
    """How a person wants the e-mails of one category: now, in a daily digest, or not at all.

    No row means "e-mail now". Security e-mails (sign-in, password, address changes) are sent
    by allauth and never pass through preferences.
    """

    class Delivery(models.TextChoices):
        EMAIL = "email", "E-mail now"
        DIGEST = "digest", "Daily digest"
        IN_APP = "in_app", "In the app only"

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.EMAIL)

    class Meta:
        verbose_name = "notification preference"
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="notification_preference_once"),
            models.CheckConstraint(
                condition=Q(delivery__in=["email", "digest", "in_app"]), name="notification_preference_delivery_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.kind} by {self.delivery}"


class Notification(models.Model):
    """An in-app notification (the bell).

    `key` names the reason (with `kind`), so a reason reaches a person at most once even when
    no e-mail goes with it. `digest_pending` marks one whose e-mail waits for the daily digest.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    digest_pending = models.BooleanField(default=False, help_text="Its e-mail waits for the daily digest.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["recipient", "created_at"], condition=Q(digest_pending=True), name="notification_digest_due"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"], condition=~Q(key=""), name="notification_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        # Metadata only: the admin shows it to officers, who must not read the title (core/admin.py).
        return f"{self.kind} for {self.recipient} #{self.pk}"


class OutboundEmail(models.Model):
    """An e-mail the platform owes someone, recorded in the same transaction as its reason.

    The (recipient, kind, key) constraint is what makes reminders and announcements
    at-most-once per person and reason, however often a job runs; a pending row left by
    a broker outage is picked up again by the sweeper task.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="outbound_emails")
    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=200, help_text="What the e-mail is about, unique per recipient and kind.")
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    attachments = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When a worker last started sending it.")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "outbound e-mail"
        constraints = [models.UniqueConstraint(fields=["recipient", "kind", "key"], name="outbound_email_once")]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        # Metadata only: the admin shows it to officers, who must not read the subject (core/admin.py).
        return f"{self.kind} to {self.recipient_id} #{self.pk}"


class JobHeartbeat(models.Model):
    """The last time a scheduled job (or the worker itself) ran, and how it ended."""

    name = models.CharField(max_length=120, unique=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_ok = models.BooleanField(default=True)
    last_error = models.TextField(blank=True)
    last_result = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgImport(models.Model):
    """One upload of HR's org chart: its progress while it runs and its report afterwards."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Imported"
        REFUSED = "refused", "Refused"

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    content = models.BinaryField(editable=False)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease of the worker running it: a worker that dies stops renewing it, and the sweep
    # (or a redelivered message) may take the import over once it has expired.
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a worker (or the sweep, re-queuing it) last took it."
    )
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="When its worker last reported progress.")
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "org import"

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 0 if self.status in {self.Status.QUEUED, self.Status.RUNNING} else 100
        return min(100, round(100 * self.rows_done / self.rows_total))


class CalendarFeed(models.Model):
    """A person's private calendar subscription: a secret address their calendar program polls.

    Only a hash of the secret is kept, like a password: the address is shown once, when it is
    made, and a person who lost it makes a new one (which ends the old one).
    """

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the secret in the address.")
    created_at = models.DateTimeField(default=timezone.now)
    last_read_at = models.DateTimeField(null=True, blank=True, help_text="When a calendar program last read it.")

    class Meta:
        verbose_name = "calendar subscription"

    def __str__(self) -> str:
        return f"Calendar subscription of {self.person_id}"


class SubmissionToken(models.Model):
    """One submit of a form that creates something: the same token twice saves once.

    The form carries a fresh token in a hidden field; the service records it in the same
    transaction as what it creates. A double click or a retried request finds the token
    taken (the unique constraint makes a simultaneous second submit wait for the first and
    then fail) and gets the first result instead of a copy with its own e-mails.
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.UUIDField()
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "token"], name="submission_token_once")]

    def __str__(self) -> str:
        return f"{self.token} by {self.person_id}"
