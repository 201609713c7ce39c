"""Learning reflections: templates of guiding questions, reflections, mentor review, the board, newsletters."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from saypro.core.models import PlacementSnapshot


class ContextKind(models.TextChoices):
    """What a reflection (and its template) is about."""

    FEEDBACK_SESSION = "feedback_session", "Feedback session"
    CIRCLE = "circle", "Peer sharing circle"
    CAFE = "cafe", "Knowledge café"
    MODULE = "module", "Module"
    GENERAL = "general", "General"


class ReflectionTemplate(models.Model):
    """One version of a template of guiding questions.

    Versions of the same template share a `lineage`; only the newest (`is_current`) is offered
    for new reflections. Editing a template that reflections already answered makes a new
    version, so old reflections keep the questions they answered.
    """

    lineage = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=True, help_text="The newest version of this template.")
    name = models.CharField(max_length=120)
    intro = models.TextField(blank=True, help_text="Shown above the questions. Markdown.")
    applies_to = models.CharField(max_length=20, choices=ContextKind.choices, default=ContextKind.GENERAL)
    is_active = models.BooleanField(default=True, help_text="Retired templates are not offered for new reflections.")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = "reflection template"
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="reflection_template_version_unique"),
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(is_current=True), name="reflection_template_one_current"
            ),
        ]
        indexes = [models.Index(fields=["applies_to", "is_current", "is_active"])]

    def __str__(self) -> str:
        return f"{self.name} (v{self.version})"


class GuidingQuestion(models.Model):
    template = models.ForeignKey(ReflectionTemplate, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    word_limit = models.PositiveSmallIntegerField(default=200)

    class Meta:
        ordering = ["template_id", "position"]
        verbose_name = "guiding question"
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="guiding_question_position_unique"),
            models.CheckConstraint(condition=Q(word_limit__gte=10), name="guiding_question_word_limit_min"),
        ]

    def __str__(self) -> str:
        return self.text


class Reflection(PlacementSnapshot):
    """A short learning summary written by one person."""

    class Visibility(models.TextChoices):
        PRIVATE = "private", "Private — only me"
        MENTOR = "mentor", "My mentor — me and my active mentors"
        COLLEAGUES = "colleagues", "Colleagues — everyone, on the learning board"

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        CHANGES_REQUESTED = "changes_requested", "More depth requested"
        RESUBMITTED = "resubmitted", "Resubmitted"
        VALIDATED = "validated", "Validated"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections")
    template = models.ForeignKey(ReflectionTemplate, on_delete=models.PROTECT, related_name="reflections")
    title = models.CharField(max_length=200, blank=True)
    key_takeaway = models.CharField("key takeaway", max_length=280, blank=True)
    visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.MENTOR)
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    may_be_featured = models.BooleanField(
        default=False, help_text="The author agrees to the reflection being featured in a newsletter or huddle card."
    )

    # What the reflection is about: a feedback session, circle, café or module, through contenttypes
    # so that this app imports none of them. The label is copied so lists need not load the object.
    context_kind = models.CharField(max_length=20, choices=ContextKind.choices, default=ContextKind.GENERAL)
    context_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    context_id = models.PositiveBigIntegerField(null=True, blank=True)
    context = GenericForeignKey("context_type", "context_id")
    context_label = models.CharField(max_length=255, blank=True)

    # The writing page opened without a saved reflection carries this key: its first autosave or
    # submit creates the draft, and every later autosave, beacon or second submit with the same
    # key finds it instead of making another (a GET never writes; see ReflectionWriteView).
    start_key = models.UUIDField(null=True, blank=True, editable=False)

    # Plain text of all answers, kept for search; rendered HTML lives on each answer.
    search_text = models.TextField(blank=True, editable=False)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True, help_text="The latest (re)submission.")
    validated_at = models.DateTimeField(null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    depth = models.PositiveSmallIntegerField(null=True, blank=True, help_text="The latest mentor depth rating, 1–4.")

    # The first time the reflection reached the board; the placement fields (PlacementSnapshot)
    # say where its author was then: the monthly report counts shared learnings and
    # cross-boundary engagement by these.
    first_shared_at = models.DateTimeField(null=True, blank=True)

    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.TextField(blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(depth__isnull=True) | Q(depth__range=(1, 4)), name="reflection_depth"),
            models.CheckConstraint(
                condition=~Q(state="validated") | Q(validated_at__isnull=False), name="reflection_validated_has_time"
            ),
            models.CheckConstraint(
                condition=Q(context_type__isnull=True, context_id__isnull=True)
                | Q(context_type__isnull=False, context_id__isnull=False),
                name="reflection_context_complete",
            ),
            models.CheckConstraint(
                condition=Q(first_shared_at__isnull=True) | Q(first_submitted_at__isnull=False),
                name="reflection_shared_after_submitted",
            ),
            # One reflection per person and activity: opening an invitation twice (or twice at once)
            # leads to the same reflection.
            models.UniqueConstraint(
                fields=["author", "context_type", "context_id"],
                condition=Q(context_type__isnull=False),
                name="reflection_one_per_context",
            ),
            models.UniqueConstraint(
                fields=["author", "start_key"],
                condition=Q(start_key__isnull=False),
                name="reflection_one_per_start_key",
            ),
        ]
        indexes = [
            models.Index(fields=["author", "state"]),
            models.Index(fields=["visibility", "is_hidden", "first_shared_at"]),
            models.Index(fields=["state", "submitted_at"]),
            models.Index(fields=["context_type", "context_id"]),
            # The board's rows alone, newest first: its page count is an index-only scan
            # (benchmarks/bench_pages.py: 60 ms -> 14 ms on 150,000 board reflections).
            models.Index(
                fields=["first_shared_at", "id"],
                condition=Q(visibility="colleagues", is_hidden=False) & ~Q(state="draft"),
                name="reflection_on_board",
            ),
            # Reflections waiting for a mentor, oldest first: the officer's dashboard reads the
            # oldest few hundred in this order to find the mentees who waited longest, and counts
            # the waiting mentees from the index alone on PostgreSQL (visibility is its last column,
            # not an INCLUDE, which SQLite would warn about): 76 -> 25 ms for 92,000 waiting
            # reflections (benchmarks/bench_pages.py).
            models.Index(
                fields=["submitted_at", "author", "visibility"],
                condition=Q(state__in=["submitted", "resubmitted"]),
                name="reflection_awaiting_review",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"Untitled reflection #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("reflections:detail", kwargs={"pk": self.pk})

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_validated(self) -> bool:
        return self.state == self.State.VALIDATED

    @property
    def is_editable(self) -> bool:
        """The author may change the text only while it is not with the mentor."""
        return self.state in {self.State.DRAFT, self.State.CHANGES_REQUESTED}

    @property
    def is_awaiting_review(self) -> bool:
        return self.state in {self.State.SUBMITTED, self.State.RESUBMITTED}

    @property
    def is_shared_with_mentor(self) -> bool:
        return self.state != self.State.DRAFT and self.visibility in {
            self.Visibility.MENTOR,
            self.Visibility.COLLEAGUES,
        }

    @property
    def is_shared_with_colleagues(self) -> bool:
        return self.state != self.State.DRAFT and self.visibility == self.Visibility.COLLEAGUES

    @property
    def is_on_board(self) -> bool:
        return self.is_shared_with_colleagues and not self.is_hidden


class Answer(models.Model):
    """The author's answer to one guiding question, with its sanitised HTML rendered on save."""

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(GuidingQuestion, on_delete=models.PROTECT, related_name="answers")
    text = models.TextField(blank=True)
    html = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["reflection_id", "question__position"]
        constraints = [models.UniqueConstraint(fields=["reflection", "question"], name="answer_one_per_question")]

    def __str__(self) -> str:
        return f"Answer to {self.question_id} in reflection {self.reflection_id}"


class ReflectionEvent(models.Model):
    """A state change or other notable step in a reflection's life: who, when, from and to."""

    class Action(models.TextChoices):
        CREATED = "created", "Started"
        SUBMITTED = "submitted", "Submitted"
        RESUBMITTED = "resubmitted", "Resubmitted"
        WITHDRAWN = "withdrawn", "Withdrawn to draft"
        CHANGES_REQUESTED = "changes_requested", "More depth requested"
        VALIDATED = "validated", "Validated"
        VISIBILITY_CHANGED = "visibility_changed", "Visibility changed"
        HIDDEN = "hidden", "Hidden by a moderator"
        UNHIDDEN = "unhidden", "Shown again by a moderator"

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "reflection event"
        indexes = [models.Index(fields=["reflection", "created_at"]), models.Index(fields=["action", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_id} at {self.created_at:%Y-%m-%d %H:%M}"


class MentorReview(models.Model):
    """A mentor's decision on a submitted reflection, with a depth rating."""

    class Depth(models.IntegerChoices):
        DESCRIBES = 1, "1 — describes what happened"
        EXPLAINS = 2, "2 — explains why it matters"
        CONNECTS = 3, "3 — connects to own practice"
        COMMITS = 4, "4 — commits to a concrete change"

    class Decision(models.TextChoices):
        VALIDATED = "validated", "Validate"
        CHANGES_REQUESTED = "changes_requested", "Ask for more depth"

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="reviews")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    depth = models.PositiveSmallIntegerField(choices=Depth.choices)
    decision = models.CharField(max_length=20, choices=Decision.choices)
    note = models.TextField(blank=True)
    note_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "mentor review"
        constraints = [models.CheckConstraint(condition=Q(depth__range=(1, 4)), name="mentor_review_depth")]
        indexes = [models.Index(fields=["reflection", "created_at"]), models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} (depth {self.depth}) on “{self.reflection}”"


class Comment(PlacementSnapshot):
    """A comment on a reflection.

    Two channels: the private review thread between the author and their mentors, and the
    public discussion on the learning board. Board comments keep the commenter's department,
    location and job role at the time, because the monthly report counts engagement by them.
    """

    class Channel(models.TextChoices):
        REVIEW = "review", "Review thread (author and mentors)"
        BOARD = "board", "Learning board"

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflection_comments")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    body = models.TextField()
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.TextField(blank=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["reflection", "channel", "created_at"]),
            models.Index(fields=["channel", "created_at"]),
        ]
        constraints = [models.CheckConstraint(condition=~Q(parent=F("id")), name="comment_not_own_parent")]

    def __str__(self) -> str:
        return f"Comment by {self.author} on “{self.reflection}”"


class Adoption(PlacementSnapshot):
    """A colleague's "I'll try this" or, later, "I tried it" on a board reflection.

    The trace of a practice moving between departments, locations and roles: who, when, and
    where they were at that moment.
    """

    class Kind(models.TextChoices):
        WILL_TRY = "will_try", "I'll try this"
        TRIED = "tried", "I tried it"

    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="adoptions")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflection_adoptions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.TextField(blank=True, help_text="How it went (for “I tried it”).")
    created_at = models.DateTimeField(default=timezone.now)

    # An "I'll try this" is a small commitment (issue 16): what the person will try and by when.
    # The due date is a date in the organisation's time zone; a nudge asks "Did you try it?" on
    # that day, once (`nudged_at`). "Not yet" moves the date once (`snoozed_once`); the answer
    # closes the commitment (`outcome`, `outcome_text`, `outcome_at`). Older "I'll try this"
    # records, made before commitments, have no due date and are never nudged.
    class Outcome(models.TextChoices):
        TRIED = "tried", "Tried it"
        NOT_YET = "not_yet", "Not yet"
        WONT = "wont", "Won't"

    commitment_text = models.CharField(max_length=200, blank=True, help_text="What the person will try.")
    commitment_due = models.DateField(null=True, blank=True)
    nudged_at = models.DateTimeField(null=True, blank=True)
    snoozed_once = models.BooleanField(default=False)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    outcome_text = models.CharField(max_length=200, blank=True)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reflection", "person", "kind"], name="adoption_once_per_kind"),
            # Only an "I'll try this" carries a commitment.
            models.CheckConstraint(
                condition=Q(kind="will_try")
                | Q(commitment_text="", commitment_due__isnull=True, outcome="", nudged_at__isnull=True),
                name="adoption_commitment_only_will_try",
            ),
            # An outcome and the time it was given come together.
            models.CheckConstraint(
                condition=Q(outcome="", outcome_at__isnull=True) | (~Q(outcome="") & Q(outcome_at__isnull=False)),
                name="adoption_outcome_with_time",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["", "tried", "not_yet", "wont"]), name="adoption_outcome_known"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "created_at"]),
            models.Index(fields=["commitment_due"], name="adoption_commitment_due"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.person} on “{self.reflection}”"

    @property
    def commitment_asks(self) -> bool:
        """Whether "Did you try it?" is asked now: an open commitment that is due or was nudged."""
        return (
            self.commitment_due is not None
            and not self.outcome
            and (self.nudged_at is not None or self.commitment_due <= timezone.localdate())
        )


class NewsletterIssue(models.Model):
    """A monthly newsletter of reflections from the board, built and published by an officer."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    month = models.DateField(unique=True, help_text="The first day of the month the issue belongs to.")
    title = models.CharField(max_length=200)
    intro = models.TextField(blank=True, help_text="Markdown.")
    intro_html = models.TextField(blank=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipients_queued = models.PositiveIntegerField(default=0, help_text="People the e-mail has been queued for.")
    sending_finished_at = models.DateTimeField(null=True, blank=True)
    # Where the batched sending has got to, so a chain of batches lost to a broker outage or a
    # worker crash is resumed from there by the scheduled sweep (and not restarted).
    sending_after_id = models.PositiveBigIntegerField(default=0, editable=False)
    sending_touched_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-month"]
        verbose_name = "newsletter issue"
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False), name="newsletter_published_has_time"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="newsletter_month_first_day"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("reflections:newsletter-detail", kwargs={"pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class NewsletterItem(models.Model):
    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="items")
    reflection = models.ForeignKey(Reflection, on_delete=models.CASCADE, related_name="newsletter_items")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["issue_id", "position", "id"]
        verbose_name = "newsletter item"
        constraints = [
            models.UniqueConstraint(fields=["issue", "reflection"], name="newsletter_item_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.issue_id} #{self.position}: {self.reflection_id}"


class Report(models.Model):
    """A colleague's report that a board reflection or a board comment breaks the rules.

    Open until an officer resolves it by hiding what was reported or dismissing the report;
    one resolution closes every open report of the same reflection or comment. A person has at
    most one open report per reflection or comment (a second report updates its reason).
    """

    class Resolution(models.TextChoices):
        HIDDEN = "hidden", "Hidden"
        DISMISSED = "dismissed", "Dismissed"

    reflection = models.ForeignKey(Reflection, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    comment = models.ForeignKey(Comment, null=True, blank=True, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflection_reports")
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(reflection__isnull=False, comment__isnull=True)
                | Q(reflection__isnull=True, comment__isnull=False),
                name="report_one_target",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True, resolution="")
                | (Q(resolved_at__isnull=False) & ~Q(resolution="")),
                name="report_resolved_has_resolution",
            ),
            models.UniqueConstraint(
                fields=["reporter", "reflection"],
                condition=Q(resolved_at__isnull=True, reflection__isnull=False),
                name="report_open_once_per_reflection",
            ),
            models.UniqueConstraint(
                fields=["reporter", "comment"],
                condition=Q(resolved_at__isnull=True, comment__isnull=False),
                name="report_open_once_per_comment",
            ),
        ]
        indexes = [
            models.Index(fields=["created_at", "id"], condition=Q(resolved_at__isnull=True), name="report_open"),
        ]

    def __str__(self) -> str:
        target = f"“{self.reflection}”" if self.reflection_id else str(self.comment)
        return f"Report by {self.reporter} on {target}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def target_key(self) -> tuple[int | None, int | None]:
        """What the report is about, as (reflection id, comment id); one of them is None."""
        return self.reflection_id, self.comment_id

    @property
    def on_reflection(self) -> Reflection:
        """The reported reflection, or the reflection of the reported comment."""
        return self.reflection if self.reflection_id else self.comment.reflection
