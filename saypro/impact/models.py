"""The monthly impact snapshot: stored figures, versioned, never silently changed."""

from __future__ import annotations

from fractions import Fraction

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# Below this many people a breakdown cell is stored but shown as "fewer than 5".
SMALL_GROUP_THRESHOLD = 5


class Snapshot(models.Model):
    """One build of one month's figures. A rebuild adds a version; old versions stay."""

    class Status(models.TextChoices):
        BUILDING = "building", "Building"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    month = models.DateField(help_text="First day of the month, in the organisation's time zone.")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BUILDING)
    progress = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why a rebuild was asked for.")
    time_zone = models.CharField(max_length=64)
    started_at = models.DateTimeField(default=timezone.now)
    built_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # A lease: a build that dies stops renewing it and the sweep takes the job over.
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="When its build last reported progress.")

    class Meta:
        ordering = ["-month", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["month", "version"], name="snapshot_month_version_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="snapshot_month_first_day"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="snapshot_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%B %Y} v{self.version}"


class Figure(models.Model):
    """One stored figure of a snapshot: a count, or an exact fraction numerator/denominator.

    `dimension` says what the figure is broken down by ("" for the organisation total) and
    `key` which cell (a department id, a channel name, "3>5" for a from→to pair). `people`
    is how many people the cell is built from, for the small-group rule.
    """

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="figures")
    name = models.CharField(max_length=60)
    dimension = models.CharField(max_length=30, blank=True)
    key = models.CharField(max_length=60, blank=True)
    label = models.CharField(max_length=255, blank=True)
    numerator = models.BigIntegerField()
    denominator = models.BigIntegerField(null=True, blank=True)
    people = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name", "dimension", "label"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "name", "dimension", "key"], name="figure_unique_cell"),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0), name="figure_denominator_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["name", "dimension"])]

    def __str__(self) -> str:
        return f"{self.name}[{self.dimension}:{self.key}]"

    @property
    def value(self) -> Fraction | int | None:
        if self.denominator is None:
            return self.numerator
        if self.denominator == 0:
            return None
        return Fraction(self.numerator, self.denominator)

    @property
    def is_small_group(self) -> bool:
        return self.people is not None and self.people < SMALL_GROUP_THRESHOLD


class ReportPdf(models.Model):
    """The PDF of one snapshot version for one reader scope, rendered once and kept.

    A manager scoped to some departments must get a PDF of those departments only, so the
    cache is keyed by the scope ("all", or the sorted department ids) as well as the version.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RENDERING = "rendering", "Rendering"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="pdfs")
    scope = models.CharField(max_length=500, help_text='"all", or the sorted ids of the departments it covers.')
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    requested_at = models.DateTimeField(default=timezone.now)
    # A lease: a rendering whose worker dies is taken over by the sweep after PDF_LEASE.
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When it was last queued or taken.")
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True, help_text="Why the last rendering failed.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "scope"], name="report_pdf_one_per_scope"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} PDF ({self.scope})"
