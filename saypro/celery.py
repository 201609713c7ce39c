"""The Celery application, configured from Django settings (`CELERY_*`)."""

import os
from pathlib import Path

from celery import Celery

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
