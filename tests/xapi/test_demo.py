"""The seeded demo fills the outbox (no LRS configured), once."""

from collections import Counter

import pytest
from django.core.management import call_command

from saypro.xapi.models import Statement
from saypro.xapi.services import statements_send_batch

pytestmark = pytest.mark.django_db


def test_the_demo_produces_statements_that_wait_without_an_lrs(settings):
    settings.XAPI_LRS_ENDPOINT = ""
    call_command("seed_demo", people=10, verbosity=0)
    events = Counter(Statement.objects.values_list("event", flat=True))

    call_command("seed_demo", people=10, verbosity=0)

    assert Counter(Statement.objects.values_list("event", flat=True)) == events
    assert {"reflection_submitted", "reflection_validated", "session_attended", "circle_attended"} <= set(events)
    assert statements_send_batch()["configured"] is False
    assert not Statement.objects.filter(sent_at__isnull=False).exists()
    assert "@" not in str(list(Statement.objects.values_list("payload", flat=True)))


def test_the_job_runs_every_two_minutes_and_the_stack_passes_the_lrs_settings():
    import yaml
    from django.conf import settings

    from tests.test_deployment import REPO_ROOT

    entry = settings.CELERY_BEAT_SCHEDULE["xapi-statements-sync"]
    assert entry["task"] == "xapi.statements_send_task"
    assert entry["schedule"]._orig_minute == "*/2"
    env = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["x-app"]["environment"]
    assert {k: env[k] for k in ("XAPI_LRS_ENDPOINT", "XAPI_LRS_KEY", "XAPI_LRS_SECRET")} == {
        "XAPI_LRS_ENDPOINT": "${XAPI_LRS_ENDPOINT:-}",
        "XAPI_LRS_KEY": "${XAPI_LRS_KEY:-}",
        "XAPI_LRS_SECRET": "${XAPI_LRS_SECRET:-}",
    }
