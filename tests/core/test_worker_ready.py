"""A worker that starts records a heartbeat at once (Celery's worker_ready signal)."""

import pytest
from celery.signals import worker_ready
from django.utils import timezone

from saypro import dashboard
from saypro.core.models import JobHeartbeat


@pytest.mark.django_db
def test_worker_ready_signal_records_the_heartbeat_and_the_dashboard_stops_warning():
    assert dashboard.job_health(now=timezone.now())["worker_stale"] is True

    worker_ready.send(sender=None)

    beat = JobHeartbeat.objects.get(name="core.heartbeat_task")
    assert (beat.last_ok, beat.last_result) == (True, "worker started")
    assert dashboard.job_health(now=timezone.now())["worker_stale"] is False


@pytest.mark.django_db
def test_worker_ready_survives_a_database_error(monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database unavailable")

    monkeypatch.setattr("saypro.core.services.heartbeat_start", broken)

    worker_ready.send(sender=None)

    assert "Could not record the worker's start" in caplog.text
    assert not JobHeartbeat.objects.exists()
