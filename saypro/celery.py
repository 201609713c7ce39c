"""The Celery application, configured from Django settings (`CELERY_*`)."""

import logging
import os
from pathlib import Path

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "saypro.settings.local")

app = Celery("saypro")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

FILESYSTEM_FOLDER_OPTIONS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def create_filesystem_broker_folders(sender: Celery, **kwargs) -> None:
    """Create the folders of kombu's filesystem transport (the broker of `make run`).

    kombu lists and writes them without creating them, so a worker, beat or web process that
    starts first on a fresh checkout would otherwise fail. Runs in every process, once, when the
    configuration is first read.
    """
    if not str(sender.conf.broker_url or "").startswith("filesystem://"):
        return
    options = sender.conf.broker_transport_options or {}
    for key in FILESYSTEM_FOLDER_OPTIONS:
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


# The heartbeat task's name: the officer's dashboard reads its last run to know a worker is alive.
HEARTBEAT_TASK = "core.heartbeat_task"


@worker_ready.connect
def record_worker_started(sender=None, **kwargs) -> None:
    """Record a heartbeat as soon as a worker is ready.

    Beat's first heartbeat comes up to five minutes after a start, and until then the
    dashboard would warn that no worker was seen while one is running. A database that cannot
    be reached must not stop the worker, so a failure is only logged.
    """
    from django.db import connection

    from saypro.core.services import heartbeat_finish, heartbeat_start

    try:
        heartbeat_start(name=HEARTBEAT_TASK)
        heartbeat_finish(name=HEARTBEAT_TASK, ok=True, result="worker started")
    except Exception:  # logged, not raised: the worker keeps running and the next heartbeat retries
        logging.getLogger(__name__).warning("Could not record the worker's start", exc_info=True)
    finally:
        # Pool processes forked later must not share this process's database connection.
        if not connection.in_atomic_block:
            connection.close()
