"""Reports of what breaks the rules on the learning board, and the officer's resolution of them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from saypro.core import fragments
from saypro.core.models import User
from saypro.core.services import audit_record, notify

from ..models import Comment, Reflection, Report
from .board import comment_hide, reflection_hide
from .common import REASON_MAX_CHARS, _clean_reason, _require_officer

REPORT_REASON_MAX_CHARS = 500


def _clean_report_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": ["Say in a few words what breaks the rules."]})
    if len(reason) > REPORT_REASON_MAX_CHARS:
        raise ValidationError(
            {"reason": [f"Keep the reason to {REPORT_REASON_MAX_CHARS} characters (it has {len(reason)})."]}
        )
    return reason


def _report(*, by: User, reason: str, target: dict) -> Report:
    """The reporter's open report on the target, created or with its reason replaced."""
    now = timezone.now()
    open_report = Report.objects.select_for_update().filter(reporter=by, resolved_at__isnull=True, **target)
    report = open_report.first()
    if report is None:
        try:
            with transaction.atomic():
                return Report.objects.create(reporter=by, reason=reason, created_at=now, updated_at=now, **target)
        except IntegrityError:
            # The same person reported twice at once: the other request made the open report.
            report = open_report.get()
    report.reason, report.updated_at = reason, now
    report.save(update_fields=["reason", "updated_at"])
    return report


@transaction.atomic
def reflection_report(*, reflection: Reflection, by: User, reason: str) -> Report:
    """A colleague reports a board reflection to the Advice Desk, with a short reason.

    One open report per person and reflection: reporting again replaces the reason. The author
    may not report their own reflection. Side effects: none beyond the report (the officer's
    dashboard and moderation page list it).
    """
    reason = _clean_report_reason(reason)
    if not by.has_perm("reflections.report_reflection", reflection):
        raise PermissionDenied("You can report a reflection of someone else on the learning board.")
    return _report(by=by, reason=reason, target={"reflection": reflection})


@transaction.atomic
def comment_report(*, comment: Comment, by: User, reason: str) -> Report:
    """A colleague reports a board comment to the Advice Desk, with a short reason.

    One open report per person and comment: reporting again replaces the reason. Nobody reports
    their own comment. Side effects: none beyond the report.
    """
    reason = _clean_report_reason(reason)
    if not by.has_perm("reflections.report_comment", comment):
        raise PermissionDenied("You can report a comment of someone else on the learning board.")
    return _report(by=by, reason=reason, target={"comment": comment})


def _open_reports_of(report: Report):
    target = Q(reflection_id=report.reflection_id) if report.reflection_id else Q(comment_id=report.comment_id)
    return Report.objects.select_for_update().filter(target, resolved_at__isnull=True).select_related("reporter")


def _outcome_for_reporter(*, report: Report, resolution: str, note: str) -> tuple[str, str, str]:
    """Title, body and link of the reporter's notice; it never names the officer."""
    if report.reflection is not None:
        what = f"the reflection “{report.reflection}”"
        page = report.reflection.get_absolute_url()
    else:
        if report.comment is None:
            raise ValueError("A report names a reflection or a comment (a database constraint).")
        what = f"a comment on “{report.comment.reflection}”"
        page = f"{report.comment.reflection.get_absolute_url()}#comment-{report.comment_id}"
    if resolution == Report.Resolution.HIDDEN:
        title = f"The Advice Desk took {what} off the learning board"
        body = f"Thank you for reporting it. Reason: {note}"
        # A hidden reflection is no longer the reporter's to open; a comment's reflection still is.
        url = reverse("reflections:board") if report.reflection_id else page
    else:
        title = f"The Advice Desk looked at {what} and left it on the learning board"
        body = "Thank you for reporting it." + (f" Note from the Advice Desk: {note}" if note else "")
        url = page
    return title, body, url


@transaction.atomic
def report_resolve(*, report: Report, by: User, resolution: str, note: str = "") -> int:
    """An officer resolves every open report of the reflection or comment that `report` is about.

    "hidden" hides it with the note as the reason (required, the author sees it); "dismissed"
    leaves it on the board (the note is optional). Returns how many reports were resolved; 0 when
    another officer resolved them first.

    Side effects: the hide (with its own audit entry and the author's notice), one audit entry
    for the resolution, and each reporter is notified of the outcome (kind "moderation"),
    without the officer's name.
    """
    _require_officer(by)
    if resolution == Report.Resolution.HIDDEN:
        try:
            note = _clean_reason(note)
        except ValidationError as exc:
            raise ValidationError({"note": exc.message_dict["reason"]}) from exc
    elif resolution == Report.Resolution.DISMISSED:
        note = (note or "").strip()
        if len(note) > REASON_MAX_CHARS:
            raise ValidationError({"note": [f"Keep the note to {REASON_MAX_CHARS} characters."]})
    else:
        raise ValidationError({"resolution": ["Hide it or dismiss the reports."]})
    reports = list(_open_reports_of(report))
    if not reports:
        return 0
    target = report.reflection or report.comment
    if target is None:
        raise ValueError("A report names a reflection or a comment (a database constraint).")
    if resolution == Report.Resolution.HIDDEN:
        if isinstance(target, Reflection):
            reflection_hide(reflection=target, by=by, reason=note)
        else:
            comment_hide(comment=target, by=by, reason=note)
    now = timezone.now()
    fragments.changed("dashboard")  # the reports to resolve; update() sends no signal
    Report.objects.filter(pk__in=[r.pk for r in reports]).update(
        resolved_at=now, resolved_by=by, resolution=resolution, resolution_note=note
    )
    audit_record(
        actor=by,
        action=f"reflections.report_{'hide' if resolution == Report.Resolution.HIDDEN else 'dismiss'}",
        target=target,
        reason=note,
        data={"reports": len(reports), "resolution": resolution},
    )
    title, body, url = _outcome_for_reporter(report=report, resolution=resolution, note=note)
    for resolved in reports:
        notify(
            recipient=resolved.reporter,
            kind="moderation",
            key=f"report:{resolved.pk}:resolved",
            title=title,
            body=body,
            url=url,
            email_template="email/notification",
        )
    return len(reports)
