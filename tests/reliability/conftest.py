"""Faults a test owns: its own redis-server it can stop and start, and a worker it can kill.

The shared Redis (6379) and PostgreSQL are never touched: a test that needs the broker to
fail points this process and its worker at a redis-server it started itself on a free port
in 6390-6399, and stops that one.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import skip_or_fail, stop_process

OWN_REDIS_PORTS = range(6390, 6400)


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@dataclass
class OwnRedis:
    """A redis-server of this test alone; `stop()` is a real broker outage."""

    port: int
    directory: Path
    process: subprocess.Popen | None = field(default=None)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.directory),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while _port_free(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                pytest.fail(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        """Kill the server (SIGKILL: no goodbye to clients); messages it held are gone with it."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def _use_broker(url: str) -> None:
    """Point this process's Celery app at `url`, dropping connections pooled for the old one."""
    from kombu import pools

    from saypro.celery import app

    pools.reset()  # kombu keeps pools per URL for the whole process; none may outlive its server
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url


@pytest.fixture
def own_redis(tmp_path, monkeypatch):
    """A redis-server on a free port in 6390-6399, used as the broker by this process and its worker."""
    if not shutil.which("redis-server"):
        skip_or_fail("needs redis-server to own a broker it can stop")
    if not os.environ.get("CELERY_BROKER_URL", "").startswith("redis"):
        skip_or_fail("needs CELERY_BROKER_URL=redis://... (the Redis transport options are the ones under test)")
    port = next((p for p in OWN_REDIS_PORTS if _port_free(p)), None)
    if port is None:
        skip_or_fail("no free port in 6390-6399 for an own redis-server")
    directory = tmp_path / "redis"
    directory.mkdir()
    server = OwnRedis(port=port, directory=directory)
    server.start()
    previous = os.environ["CELERY_BROKER_URL"]
    monkeypatch.setenv("CELERY_BROKER_URL", server.url)  # the live worker reads it
    _use_broker(server.url)
    try:
        yield server
    finally:
        _use_broker(previous)
        server.stop()


def mail_count(mail_dir: Path) -> dict[tuple[str, str], int]:
    """Count the e-mails a file-backend worker wrote, per (recipient, subject)."""
    import email
    from email.header import decode_header, make_header

    counts: dict[tuple[str, str], int] = {}
    for path in sorted(mail_dir.iterdir()):
        # The file backend appends every message of a connection to one file, separated by a line of dashes.
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if not chunk.strip():
                continue
            message = email.message_from_string(chunk.lstrip("\n"))
            key = (message["To"], str(make_header(decode_header(message["Subject"]))))
            counts[key] = counts.get(key, 0) + 1
    return counts


@pytest.fixture
def worker_killer():
    """`kill(worker)`: SIGKILL a live worker mid-task and start a fresh one with the same command and environment.

    The replacement takes the dead one's place in `worker`; this fixture stops every
    replacement at teardown (live_worker's own teardown only knows the process it started).
    """
    started: list[subprocess.Popen] = []

    def kill(worker) -> int:
        environ = Path(f"/proc/{worker.process.pid}/environ").read_bytes()
        env = dict(item.split("=", 1) for item in environ.decode(errors="replace").split("\0") if "=" in item)
        killed = worker.process.pid
        worker.process.send_signal(signal.SIGKILL)
        worker.process.wait(timeout=10)
        with worker.log_path.open("ab") as log_file:
            log_file.write(b"\n--- worker SIGKILLed by the test; a new one starts ---\n")
            worker.process = subprocess.Popen(
                worker.process.args, cwd=Path(__file__).resolve().parents[2], env=env, stdout=log_file,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        started.append(worker.process)
        return killed

    yield kill
    for process in started:
        stop_process(process)
