"""A real Learning Record Store for the xAPI tests: Ralph, started on a free 127.0.0.1 port.

Ralph lives in its own virtual environment, .ralph-venv/ (`make ralph`, from
requirements/ralph.txt). Without it the tests that need it skip on a developer's machine and
fail on CI, like every other integration test.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, skip_or_fail, stop_process

RALPH_PYTHON = REPO_ROOT / ".ralph-venv" / "bin" / "python"
RALPH_USER, RALPH_PASSWORD = "saypro", "lrs-test-secret"


@dataclass
class Ralph:
    endpoint: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 - a local http URL made here
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _ralph_env(tmp: Path, auth_file: Path) -> dict:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp),
        "RALPH_APP_DIR": str(tmp / "ralph-app"),
        "RALPH_AUTH_FILE": str(auth_file),
        "RALPH_RUNSERVER_BACKEND": "fs",
        "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(tmp / "lrs"),
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture(scope="session")
def ralph_auth_file(tmp_path_factory) -> Path:
    """Ralph's basic-auth users file with one user, made once by `ralph auth` (bcrypt takes seconds)."""
    if not RALPH_PYTHON.exists():
        skip_or_fail("needs Ralph in .ralph-venv/ (run `make ralph`)")
    tmp = tmp_path_factory.mktemp("ralph-auth")
    auth_file = tmp / "auth.json"
    subprocess.run(
        [str(RALPH_PYTHON), "-m", "ralph", "auth", "-u", RALPH_USER, "-p", RALPH_PASSWORD, "-s", "all"]
        + ["-A", "lrs", "http://127.0.0.1:8000", "-w"],
        env=_ralph_env(tmp, auth_file),
        check=True,
        capture_output=True,
        timeout=120,
    )
    return auth_file


@pytest.fixture
def ralph(ralph_auth_file, tmp_path, settings):
    """Ralph's LRS on 127.0.0.1 with basic auth, its statements in tmp_path; the settings point at it."""
    env = _ralph_env(tmp_path, ralph_auth_file)
    (tmp_path / "lrs").mkdir()
    port = _free_port()
    log_path = tmp_path / "ralph.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [str(RALPH_PYTHON), str(Path(__file__).with_name("ralph_server.py")), str(port)],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    server = Ralph(endpoint=f"http://127.0.0.1:{port}/xAPI", process=process, log_path=log_path)
    try:
        deadline = time.monotonic() + 60
        while not _answers(f"http://127.0.0.1:{port}/__heartbeat__"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Ralph did not start:\n{server.log()}")
            time.sleep(0.2)
        settings.XAPI_LRS_ENDPOINT = server.endpoint
        settings.XAPI_LRS_KEY = RALPH_USER
        settings.XAPI_LRS_SECRET = RALPH_PASSWORD
        yield server
    finally:
        stop_process(process)
