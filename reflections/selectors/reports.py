"""Reads of the reports colleagues make about the learning board, for the officer."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from ..models import Comment, Reflection, Report
from .visibility import DRAFT

# The moderation page shows the open reports of at most this many reflections and comments.
REPORTED_PAGE_SIZE = 100


def _target_shared_q() -> Q:
    """The reported reflection or comment is still shared with colleagues (hidden or not).

    A reflection its author made private (or withdrew to a draft) since it was reported is no
    longer the officer's to read; its reports wait until it is shared again.
    """
    reflection_shared = Q(reflection__visibility=Reflection.Visibility.COLLEAGUES) & ~Q(reflection__state=DRAFT)
    comment_shared = Q(
        comment__channel=Comment.Channel.BOARD, comment__reflection__visibility=Reflection.Visibility.COLLEAGUES
    ) & ~Q(comment__reflection__state=DRAFT)
    return reflection_shared | comment_shared


def report_open_list() -> QuerySet[Report]:
    """Open reports on what is still shared with colleagues, oldest first (nothing joined: for counts)."""
    return Report.objects.filter(_target_shared_q(), resolved_at__isnull=True).order_by("created_at", "id")


@dataclass
class ReportedItem:
    """One reported reflection or comment with its open reports, oldest first."""

    reflection: Reflection | None
    comment: Comment | None
    reports: list[Report] = field(default_factory=list)

    @property
    def key(self) -> tuple[int | None, int | None]:
        return self.reports[0].target_key

    @property
    def first(self) -> Report:
        """The report that names the item in URLs (resolving it resolves them all)."""
        return min(self.reports, key=lambda report: report.pk)

    @property
    def oldest(self):
        return self.reports[0].created_at

    @property
    def is_hidden(self) -> bool:
        target = self.reflection or self.comment
        return bool(target and target.is_hidden)


def reported_list() -> list[ReportedItem]:
    """Reflections and comments with open reports, the longest waiting first, each with its reports.

    One query: the oldest open reports with their reporter and target, grouped here. At most
    REPORTED_PAGE_SIZE items.
    """
    # Enough rows for REPORTED_PAGE_SIZE items unless one item has been reported hundreds of times.
    reports = report_open_list().select_related(
        "reporter", "reflection__author", "comment__author", "comment__reflection"
    )[: REPORTED_PAGE_SIZE * 10]
    items: dict[tuple[int | None, int | None], ReportedItem] = {}
    for report in reports:
        key = (report.reflection_id, report.comment_id)
        if key not in items:
            if len(items) == REPORTED_PAGE_SIZE:
                continue
            items[key] = ReportedItem(reflection=report.reflection, comment=report.comment)
        items[key].reports.append(report)
    return list(items.values())


def report_get(*, pk: int) -> Report | None:
    """One report, open or not, with what it is about."""
    return Report.objects.select_related("reflection", "comment", "comment__reflection").filter(pk=pk).first()
