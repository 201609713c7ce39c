"""A real OpenID Connect provider for the company sign-in tests, in a process of its own.

The provider is a small Django project (this directory) on django-oauth-toolkit: its own
SQLite database, an RSA key generated here for signing ID tokens, and a claims file the tests
rewrite to decide what it says about the person signing in (e-mail, email_verified, amr, acr).
It runs on a free port of 127.0.0.1 for the whole test session.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

HERE = Path(__file__).resolve().parent
CLIENT_ID = "saypro-share-learnings"
CLIENT_SECRET = "test-client-secret-not-secret"
PASSWORD = "provider-password"
# The provider's people, by username; each test sets what the provider says about them.
PEOPLE = ("pat", "sam")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OidcProvider:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = _free_port()
        self.origin = f"http://127.0.0.1:{self.port}"
        self.issuer = f"{self.origin}/o"
        self.claims_file = workdir / "claims.json"
        self.process: subprocess.Popen | None = None
        self.log = workdir / "provider.log"

    # --- what the provider says --------------------------------------------------------------

    def set_claims(self, username: str = "pat", **claims) -> None:
        """Make the provider assert these claims (besides sub) for `username` from now on."""
        current = json.loads(self.claims_file.read_text())
        current[username] = claims
        self.claims_file.write_text(json.dumps(current))

    def reset(self) -> None:
        self.claims_file.write_text(json.dumps({name: {} for name in PEOPLE}))

    # --- the process ---------------------------------------------------------------------------

    def _env(self) -> dict:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
        env.update(
            DJANGO_SETTINGS_MODULE="idp_settings",
            IDP_DATABASE=str(self.workdir / "provider.sqlite3"),
            IDP_CLAIMS_FILE=str(self.claims_file),
            IDP_RSA_PRIVATE_KEY=pem,
            PYTHONPATH=str(HERE),
        )
        return env

    def start(self, timeout: float = 60) -> None:
        self.reset()
        env = self._env()
        manage = [sys.executable, str(HERE / "manage.py")]
        for args in (
            ["migrate", "--noinput", "-v", "0"],
            ["idp_setup", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET, "--password", PASSWORD],
        ):
            subprocess.run([*manage, *args], cwd=HERE, env=env, check=True, timeout=120)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [*manage, "runserver", f"127.0.0.1:{self.port}", "--noreload"],
                cwd=HERE,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the test OpenID Connect provider did not start:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    # --- a person at the provider (for tests without a browser) ------------------------------

    def authorize(self, authorize_url: str, username: str = "pat") -> str:
        """Sign in at the provider as `username` and follow its redirects until they leave it.

        Returns where the provider sends the browser back to (the site's callback, with the
        code and state), as a browser would follow it.
        """
        assert authorize_url.startswith(self.issuer), authorize_url
        browser = requests.Session()
        answer = browser.get(authorize_url, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text[:500]
        login_url = urljoin(self.origin, answer.headers["Location"])
        page = browser.get(login_url, timeout=10)
        answer = browser.post(
            login_url,
            data={
                "username": username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies["idp_csrftoken"],
                "next": urlsplit(authorize_url)._replace(scheme="", netloc="").geturl(),
            },
            headers={"Referer": page.url},
            allow_redirects=False,
            timeout=10,
        )
        while answer.status_code == 302:
            target = urljoin(answer.url, answer.headers["Location"])
            if not target.startswith(self.origin):
                return target
            answer = browser.get(target, allow_redirects=False, timeout=10)
        raise AssertionError(f"the provider answered {answer.status_code}: {answer.text[:500]}")
