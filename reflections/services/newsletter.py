"""The monthly newsletter: drafting, picking, publishing, and sending in batches (each person once)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from saypro.core.markdown import render_markdown
from saypro.core.models import User
from saypro.core.services import audit_record, notify, task_enqueue
from saypro.core.text import text_clean

from ..models import NewsletterIssue, NewsletterItem, Reflection
from ..selectors import newsletter_candidates, newsletter_items_for_email
from .common import _require_officer


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _previous_month(month: date) -> date:
    return (month - timedelta(days=1)).replace(day=1)


@transaction.atomic
def newsletter_create(*, month: date, by: User | None, title: str = "") -> tuple[NewsletterIssue, bool]:
    """Start the issue for a month, or return the one that exists; returns (issue, created)."""
    month = _first_of_month(month)
    issue, created = NewsletterIssue.objects.get_or_create(
        month=month,
        defaults={"title": title.strip()[:200] or f"Learnings of {month:%B %Y}", "created_by": by},
    )
    if created and by is not None:
        audit_record(actor=by, action="reflections.newsletter_create", target=issue)
    return issue, created


@transaction.atomic
def newsletter_draft_for_month(*, today: date | None = None, picks: int = 5) -> NewsletterIssue | None:
    """The monthly job: start this month's issue with last month's featured-consenting board reflections.

    Pre-picks up to `picks` reflections first shared last month whose authors agreed to be
    featured and validated by a mentor. Idempotent: returns None when the month's issue exists.
    """
    month = _first_of_month(today or timezone.localdate())
    issue, created = newsletter_create(month=month, by=None)
    if not created:
        return None
    start = timezone.make_aware(datetime.combine(_previous_month(month), datetime.min.time()))
    end = timezone.make_aware(datetime.combine(month, datetime.min.time()))
    chosen = list(
        newsletter_candidates()
        .filter(first_shared_at__gte=start, first_shared_at__lt=end, state=Reflection.State.VALIDATED)
        .order_by("-validated_at", "-first_shared_at")
        .values_list("pk", flat=True)[:picks]
    )
    NewsletterItem.objects.bulk_create(
        [NewsletterItem(issue=issue, reflection_id=pk, position=i) for i, pk in enumerate(chosen, start=1)]
    )
    return issue


@transaction.atomic
def newsletter_update(
    *, issue: NewsletterIssue, by: User, title: str, intro: str, reflection_ids: list[int]
) -> NewsletterIssue:
    """The officer sets the title, intro and the ordered reflections of a draft issue.

    Only board reflections whose authors agreed to be featured can be picked. Side effect: audit entry.
    """
    _require_officer(by)
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.is_published:
        raise ValidationError("A published issue cannot be changed.")
    errors: dict[str, list[str]] = {}
    title = text_clean(title, field="title", max_chars=200, single_line=True, label="the title", errors=errors)
    intro = text_clean(intro, field="intro", max_chars=5_000, label="the introduction", errors=errors)
    if not title:
        errors["title"] = ["Give the issue a title."]
    ids = list(dict.fromkeys(reflection_ids))
    eligible = set(newsletter_candidates().filter(pk__in=ids).values_list("pk", flat=True))
    if set(ids) - eligible:
        errors["reflections"] = [
            "Some picked reflections are no longer on the board or their authors did not agree to be featured."
        ]
    if errors:
        raise ValidationError(errors)
    issue.title, issue.intro, issue.intro_html = title, intro, render_markdown(intro)
    issue.save(update_fields=["title", "intro", "intro_html"])
    issue.items.all().delete()
    NewsletterItem.objects.bulk_create(
        [NewsletterItem(issue=issue, reflection_id=pk, position=i) for i, pk in enumerate(ids, start=1)]
    )
    audit_record(actor=by, action="reflections.newsletter_update", target=issue, data={"reflections": ids})
    return issue


@transaction.atomic
def newsletter_publish(*, issue: NewsletterIssue, by: User) -> NewsletterIssue:
    """Publish a draft issue: its archive page goes live and the e-mail goes to everyone.

    Side effects: audit entry; after commit, the sending job is queued (in batches, each person once).
    """
    from ..tasks import newsletter_send_batch_task

    _require_officer(by)
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.is_published:
        raise ValidationError("This issue is already published.")
    if not issue.items.exists():
        raise ValidationError("Pick at least one reflection before publishing.")
    issue.state, issue.published_at, issue.published_by = NewsletterIssue.State.PUBLISHED, timezone.now(), by
    issue.save(update_fields=["state", "published_at", "published_by"])
    audit_record(actor=by, action="reflections.newsletter_publish", target=issue)
    issue_id = issue.pk
    # A broker outage only delays the e-mail: newsletter_sending_resume picks the issue up.
    transaction.on_commit(lambda: task_enqueue(newsletter_send_batch_task, issue_id=issue_id, after_id=0))
    return issue


def newsletter_send_batch(*, issue_id: int, after_id: int = 0, batch_size: int = 200) -> int | None:
    """Queue the newsletter e-mail for the next batch of people with an id above `after_id`.

    Returns the last person id handled, or None when everyone has been reached. Each person
    gets the issue once, however often a batch is retried: `notify` is at most once per
    (person, "newsletter", f"newsletter:{issue.pk}").
    """
    issue = NewsletterIssue.objects.filter(pk=issue_id, state=NewsletterIssue.State.PUBLISHED).first()
    if issue is None:
        return None
    people = list(User.objects.filter(is_active=True, pk__gt=after_id).order_by("pk")[:batch_size])
    if not people:
        NewsletterIssue.objects.filter(pk=issue_id, sending_finished_at__isnull=True).update(
            sending_finished_at=timezone.now()
        )
        return None
    items = newsletter_items_for_email(issue=issue)
    queued = 0
    with transaction.atomic():
        for person in people:
            queued += notify(
                recipient=person,
                kind="newsletter",
                key=f"newsletter:{issue.pk}",
                title=issue.title,
                body=f"{len(items)} learnings from colleagues this month.",
                url=issue.get_absolute_url(),
                email_template="reflections/email/newsletter",
                context={"issue": issue, "items": items},
            )
        NewsletterIssue.objects.filter(pk=issue_id).update(
            recipients_queued=models.F("recipients_queued") + queued,
            sending_after_id=people[-1].pk,
            sending_touched_at=timezone.now(),
        )
    return people[-1].pk


def newsletter_sending_resume(*, stalled_minutes: int = 15) -> list[int]:
    """Resume the sending of published issues whose batches stopped; return their ids.

    An issue counts as stalled when it is published, not finished, and neither published nor
    advanced by a batch for `stalled_minutes`. Sending resumes after the last person reached;
    a batch that did run twice costs nothing, since each person gets an issue once.
    """
    from ..tasks import newsletter_send_batch_task

    cutoff = timezone.now() - timedelta(minutes=stalled_minutes)
    stalled = list(
        NewsletterIssue.objects.filter(
            state=NewsletterIssue.State.PUBLISHED, sending_finished_at__isnull=True, published_at__lt=cutoff
        )
        .filter(Q(sending_touched_at__isnull=True) | Q(sending_touched_at__lt=cutoff))
        .values_list("pk", "sending_after_id")
    )
    for issue_id, after_id in stalled:
        task_enqueue(newsletter_send_batch_task, issue_id=issue_id, after_id=after_id)
    return [issue_id for issue_id, _ in stalled]
