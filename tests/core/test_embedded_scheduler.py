"""`make run` really runs scheduled jobs: beat and a worker on the filesystem broker and SQLite.

No service is needed: the test migrates a throwaway SQLite file, gives beat a one-second job and
waits until a worker has run it, exactly with the commands `run_local` starts.
"""

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from saypro.core.management.commands.run_local import beat_command, worker_command

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
WAIT_SECONDS = 40

CREATE_ONE_SECOND_JOB = """
from django_celery_beat.models import IntervalSchedule, PeriodicTask
every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
PeriodicTask.objects.update_or_create(
    name="test: heartbeat every second", defaults={"task": "core.heartbeat_task", "interval": every_second}
)
"""


@pytest.fixture
def local_env(tmp_path):
    """The environment of `make run` on a fresh checkout, pointed at a temporary folder."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "CACHE_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="saypro.settings.local",
        SAYPRO_VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env: dict, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def heartbeat_finished_at(db_path: Path) -> str | None:
    """When the heartbeat task last ran from the schedule.

    The worker records a heartbeat of its own as it starts (result "worker started"); that one
    says nothing about beat, so it is not counted.
    """
    try:
        with sqlite3.connect(db_path, timeout=5) as conn:
            row = conn.execute(
                "SELECT last_finished_at FROM core_jobheartbeat WHERE name = ? AND last_result != ?",
                ("core.heartbeat_task", "worker started"),
            ).fetchone()
    except sqlite3.OperationalError:  # locked by beat or the worker for a moment
        return None
    return row[0] if row else None


def test_beat_and_worker_on_filesystem_broker_run_a_scheduled_job(local_env, tmp_path):
    manage(local_env, "migrate", "--noinput")
    manage(local_env, "shell", "-c", CREATE_ONE_SECOND_JOB)
    logs = {name: tmp_path / f"{name}.log" for name in ("beat", "worker")}
    commands = {"beat": beat_command(var_dir=tmp_path / "var"), "worker": worker_command()}
    processes = {}
    try:
        for name, command in commands.items():
            with logs[name].open("wb") as log:
                processes[name] = subprocess.Popen(
                    command, cwd=REPO_ROOT, env=local_env, stdout=log, stderr=subprocess.STDOUT
                )
        deadline = time.monotonic() + WAIT_SECONDS
        finished_at = None
        while finished_at is None and time.monotonic() < deadline:
            exited = [name for name, process in processes.items() if process.poll() is not None]
            assert not exited, f"{exited} exited early:\n" + "\n".join(logs[n].read_text() for n in exited)
            time.sleep(0.5)
            finished_at = heartbeat_finished_at(tmp_path / "db.sqlite3")
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    beat_log, worker_log = logs["beat"].read_text(), logs["worker"].read_text()
    assert finished_at is not None, f"No heartbeat after {WAIT_SECONDS} s.\nbeat:\n{beat_log}\nworker:\n{worker_log}"
    assert "Sending due task test: heartbeat every second (core.heartbeat_task)" in beat_log
    assert "Task core.heartbeat_task[" in worker_log
    assert "Traceback" not in worker_log
    assert sorted(path.name for path in (tmp_path / "var").iterdir() if path.name.startswith("celery-")) == [
        "celery-control",
        "celery-processed",
        "celery-queue",
    ]
