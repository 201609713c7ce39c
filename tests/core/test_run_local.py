"""`make run`: the web server, worker and beat agree on the address e-mails link to."""

import os
from unittest import mock

import pytest
from django.core.management import call_command

from saypro.core.management.commands.run_local import site_url_for


@pytest.mark.parametrize(
    ("addrport", "environ", "expected"),
    [
        ("127.0.0.1:8011", {}, "http://127.0.0.1:8011"),
        ("8011", {}, "http://127.0.0.1:8011"),
        ("0.0.0.0:8011", {}, "http://127.0.0.1:8011"),
        ("localhost:8002", {}, "http://localhost:8002"),
        ("127.0.0.1:8011", {"SITE_URL": "https://learning.example.org/"}, "https://learning.example.org"),
        ("127.0.0.1:8011", {"SITE_URL": ""}, "http://127.0.0.1:8011"),
    ],
)
def test_site_url_comes_from_addrport_unless_set(addrport, environ, expected):
    assert site_url_for(addrport, environ) == expected


def test_run_local_gives_every_process_the_site_url_of_its_addrport(monkeypatch):
    """The worker renders most e-mails, so it must know the web server's port too."""
    monkeypatch.delenv("SITE_URL", raising=False)
    started = []

    class Exited:
        """A process that has already stopped, so run_local returns at once."""

        returncode = 0

        def __init__(self, argv, env):
            started.append((argv, env))

        def poll(self):
            return 0

        def terminate(self):
            pass

        def wait(self, timeout=None):
            return 0

    with mock.patch("subprocess.Popen", Exited):
        call_command("run_local", addrport="127.0.0.1:8011", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert [env["SITE_URL"] for _argv, env in started] == ["http://127.0.0.1:8011"] * 3
    programs = [next(word for word in argv if word in {"worker", "beat", "runserver"}) for argv, _env in started]
    assert sorted(programs) == ["beat", "runserver", "worker"]
