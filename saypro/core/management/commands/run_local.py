"""Run the whole site on one machine: the web server, a Celery worker and beat.

The worker and beat use the broker from settings (kombu's filesystem transport when
CELERY_BROKER_URL is unset), so scheduled jobs really run, as in production.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand


def celery_command(python: str, *args: str) -> list[str]:
    """The `celery` command line of this project's app, with `args` after it."""
    return [python, "-m", "celery", "-A", "saypro", *args]


def worker_command(*, python: str = sys.executable) -> list[str]:
    """The Celery worker of `make run` (a thread pool: light, and fine for SQLite's file locks)."""
    return celery_command(
        python,
        "worker",
        "--pool=threads",
        "--concurrency=4",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
    )


def beat_command(*, var_dir: Path, python: str = sys.executable) -> list[str]:
    """Celery beat of `make run`; the schedule lives in the database (django-celery-beat)."""
    return celery_command(python, "beat", "--loglevel=INFO", "--schedule", str(Path(var_dir, "celerybeat-schedule")))


def site_url_for(addrport: str, environ: dict[str, str] | os._Environ[str]) -> str:
    """The address e-mails link to: SITE_URL when set, otherwise the one runserver listens on.

    runserver takes "8011", "127.0.0.1:8011" or "0.0.0.0:8011"; a wildcard host is reached
    from this machine as 127.0.0.1, which ALLOWED_HOSTS accepts.
    """
    if environ.get("SITE_URL"):
        return environ["SITE_URL"].rstrip("/")
    host, _, port = addrport.rpartition(":")
    if host in ("", "0.0.0.0", "0", "[::]", "::"):  # noqa: S104 -- compared, not bound
        host = "127.0.0.1"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Serve the site on 127.0.0.1:8000 with a Celery worker and beat running beside it."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        commands = {
            "worker": worker_command(),
            "beat": beat_command(var_dir=settings.VAR_DIR),
            "web": [sys.executable, "manage.py", "runserver", addrport],
        }
        # Every process renders e-mail links (the worker most of them), so all three get it.
        site_url = site_url_for(addrport, os.environ)
        env = {**os.environ, "SITE_URL": site_url}
        processes = {
            name: subprocess.Popen(cmd, env=env)  # noqa: S603 -- fixed argv
            for name, cmd in commands.items()
        }
        self.stdout.write(
            self.style.SUCCESS(
                f"Site on {site_url}/ — worker and beat running. Ctrl-C stops all. E-mails link to {site_url}."
            )
        )

        def stop(*_):
            for proc in processes.values():
                if proc.poll() is None:
                    proc.terminate()

        signal.signal(signal.SIGTERM, stop)
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            stop()
            for proc in processes.values():
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
        failed = [name for name, p in processes.items() if p.returncode not in (0, -signal.SIGTERM, None)]
        if failed:
            self.stderr.write(f"Stopped because {', '.join(failed)} exited.")
