"""Database connections dropped under a running web server: the next request reconnects.

Issue 18 ("database connections dropped"). In production gunicorn's workers keep their
database connection between requests (CONN_MAX_AGE). When PostgreSQL drops it (a restart, a
failover, an idle timeout in a proxy), a worker reusing the dead connection answered the next
request with a server error. The health check (CONN_HEALTH_CHECKS, on by default) finds the dead
connection before the request uses it and opens a new one. The fault is real: the test
database's server ends every connection but the test's own (pg_terminate_backend) between two
requests to a real gunicorn. The same run with the check switched off answers 500, which shows
the drop reaches the worker.

Celery workers need no check: Celery closes a task's database connection when the task ends
(CELERY_DB_REUSE_MAX is not set), so each job opens its own.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from saypro.core.services import calendar_feed_create
from tests.conftest import database_url_for, skip_or_fail, stop_process
from tests.factories import UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REPO_ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=20) as response:  # noqa: S310 -- our own local server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def _drop_every_other_connection() -> int:
    """End every connection to the test database but this test's own, as a database restart would."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.fixture
def gunicorn_for(tmp_path):
    """`start(health_checks=...)`: one sync gunicorn worker on the test database, keeping its connection."""
    if connection.vendor != "postgresql":
        skip_or_fail("needs DATABASE_URL=postgres://... so that gunicorn shares the test database")
    started: list[subprocess.Popen] = []

    def start(*, health_checks: bool) -> str:
        port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "saypro.settings.test",
            "DATABASE_URL": database_url_for(connection.settings_dict),
            "CONN_MAX_AGE": "600",
            "CONN_HEALTH_CHECKS": "true" if health_checks else "false",
        }
        command = [
            sys.executable, "-m", "gunicorn", "saypro.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", "1", "--no-control-socket", "--log-level", "warning",
        ]  # fmt: skip
        with (tmp_path / f"gunicorn-{port}.log").open("wb") as log:
            process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append(process)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                _status(f"{base}/accounts/login/")
                return base
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("gunicorn did not start:\n" + (tmp_path / f"gunicorn-{port}.log").read_text())
                time.sleep(0.2)

    yield start
    for process in started:
        stop_process(process)


@pytest.mark.parametrize(("health_checks", "after_the_drop"), [(True, 200), (False, 500)])
def test_request_after_the_database_dropped_its_connections(gunicorn_for, health_checks, after_the_drop):
    feed_url = f"/calendar/{calendar_feed_create(person=UserFactory())}.ics"
    base = gunicorn_for(health_checks=health_checks)

    assert _status(base + feed_url) == 200
    assert _drop_every_other_connection() >= 1, "gunicorn kept no connection to drop"

    assert _status(base + feed_url) == after_the_drop
    assert _status(base + feed_url) == 200  # a failed connection is closed, so the one after always recovers
