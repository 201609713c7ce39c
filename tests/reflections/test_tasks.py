import pytest
from django.conf import settings
from django.utils import timezone

from reflections import tasks
from reflections.models import NewsletterIssue
from saypro.core.models import JobHeartbeat, OutboundEmail, User
from tests.factories import UserFactory
from tests.factories.reflections import NewsletterIssueFactory, ReflectionFactory

pytestmark = pytest.mark.django_db


def test_newsletter_send_batch_task_chains_batches_until_everyone_reached(monkeypatch, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    UserFactory.create_batch(4)
    reflection = ReflectionFactory(state="validated", visibility="colleagues", may_be_featured=True)
    issue = NewsletterIssueFactory(state="published", published_at=timezone.now())
    issue.items.create(reflection=reflection, position=1)
    from reflections import services

    original = services.newsletter_send_batch
    monkeypatch.setattr(services, "newsletter_send_batch", lambda **kw: original(**{**kw, "batch_size": 2}))

    tasks.newsletter_send_batch_task.delay(issue_id=issue.pk, after_id=0)
    tasks.newsletter_send_batch_task.delay(issue_id=issue.pk, after_id=0)

    people = User.objects.filter(is_active=True).count()
    assert OutboundEmail.objects.filter(kind="newsletter").count() == people
    issue.refresh_from_db()
    assert issue.recipients_queued == people
    assert issue.sending_finished_at is not None


def test_newsletter_draft_for_month_task_is_idempotent_and_recorded():
    first = tasks.newsletter_draft_for_month_task()
    second = tasks.newsletter_draft_for_month_task()

    issue = NewsletterIssue.objects.get()
    assert (first, second) == (issue.pk, None)
    assert issue.month == timezone.localdate().replace(day=1)
    assert JobHeartbeat.objects.get(name="reflections.newsletter_draft_for_month_task").last_ok is True


def test_beat_runs_newsletter_draft_on_the_first_of_the_month():
    entry = settings.CELERY_BEAT_SCHEDULE["reflections-newsletter-draft"]

    assert entry["task"] == tasks.newsletter_draft_for_month_task.name
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == ({1}, {6}, {0})


def test_beat_asks_did_you_try_it_every_day_at_nine():
    entry = settings.CELERY_BEAT_SCHEDULE["reflections-commitment-nudges"]

    assert entry["task"] == tasks.commitment_nudges_send_task.name
    schedule = entry["schedule"]
    assert (schedule.day_of_month, schedule.hour, schedule.minute) == (set(range(1, 32)), {9}, {0})
