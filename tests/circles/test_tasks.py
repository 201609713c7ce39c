import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from circles import tasks
from circles.models import Round
from saypro.core.models import JobHeartbeat, OutboundEmail
from tests.circles.conftest import published_circle
from tests.factories import UserFactory
from tests.factories.circles import SignupFactory

pytestmark = pytest.mark.django_db


def test_beat_schedule_registers_circle_jobs():
    schedule = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("circles-")}
    assert {k: v["task"] for k, v in schedule.items()} == {
        "circles-round-open-next": "circles.circle_round_open_next_task",
        "circles-rounds-form-due": "circles.circle_rounds_form_due_task",
        "circles-reminders-send": "circles.circle_reminders_send_task",
        "circles-rounds-announce-pending": "circles.circle_rounds_announce_pending_task",
    }
    weekly = schedule["circles-round-open-next"]["schedule"]
    assert (weekly.minute, weekly.hour, weekly.day_of_week) == ({0}, {6}, {1})
    assert schedule["circles-rounds-form-due"]["schedule"].minute == {0, 15, 30, 45}
    assert schedule["circles-reminders-send"]["schedule"].minute == {5, 15, 25, 35, 45, 55}
    assert schedule["circles-rounds-announce-pending"]["schedule"].minute == {5, 20, 35, 50}


def test_open_next_task_is_idempotent_and_recorded():
    assert tasks.circle_round_open_next_task().startswith("opened round ")
    assert tasks.circle_round_open_next_task() == "already open"
    assert Round.objects.count() == 1
    assert JobHeartbeat.objects.get(name="circles.circle_round_open_next_task").last_ok is True


def test_form_due_task_forms_past_deadline(open_round, topics):
    for person in UserFactory.create_batch(3):
        SignupFactory(round=open_round, person=person, choices=[topics[0]])
    Round.objects.filter(pk=open_round.pk).update(signup_deadline=timezone.now() - dt.timedelta(minutes=1))
    assert tasks.circle_rounds_form_due_task() == 1
    assert tasks.circle_rounds_form_due_task() == 0
    open_round.refresh_from_db()
    assert open_round.state == Round.State.FORMED


def test_reminders_task_twice_sends_once(employee, colleagues):
    published_circle(people=[employee, *colleagues], meets_in=dt.timedelta(hours=3))
    assert tasks.circle_reminders_send_task() == 4
    assert tasks.circle_reminders_send_task() == 0
    assert OutboundEmail.objects.filter(kind="circle_reminder").count() == 4
