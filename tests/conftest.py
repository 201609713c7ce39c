"""Fixtures shared by every app.

One person per role, a logged-in client per role, a real Celery worker, a real browser and an
accessibility check.
"""

import os
import shutil
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Group

from saypro.core import roles
from tests.factories import MentorLinkFactory, UserFactory

# Playwright drives the browser from a thread with a running event loop; Django refuses sync
# ORM calls there unless told this is intended (the live server runs in another thread).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a fragment cached for one test's rows (the learning
    board's) must not be served to the next test, whose rows were rolled back and re-made."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def broker_pause_forgotten():
    """A failed publish pauses the broker for the whole process; no test inherits another's pause."""
    from saypro.core.services import broker_pause_reset

    broker_pause_reset()
    yield
    broker_pause_reset()


@pytest.fixture
def employee(db):
    return UserFactory(roles=[roles.EMPLOYEE])


@pytest.fixture
def other_employee(db):
    return UserFactory(roles=[roles.EMPLOYEE])


@pytest.fixture
def mentor(db, employee):
    """The active mentor of `employee`."""
    person = UserFactory(roles=[roles.EMPLOYEE, roles.MENTOR])
    MentorLinkFactory(mentor=person, mentee=employee)
    return person


@pytest.fixture
def other_mentor(db):
    """A mentor, but not of `employee`."""
    return UserFactory(roles=[roles.EMPLOYEE, roles.MENTOR])


@pytest.fixture
def officer(db):
    person = UserFactory(roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=True)
    return person


@pytest.fixture
def manager(db):
    from saypro.core.models import ManagerScope

    person = UserFactory(roles=[roles.EMPLOYEE, roles.MANAGER])
    ManagerScope.objects.create(manager=person, department=None)
    return person


@pytest.fixture
def client_for(client):
    """Return a function that logs a person in on the test client and returns it."""

    def login(person):
        if person is not None:
            client.force_login(person)
        return client

    return login


@pytest.fixture
def groups_exist(db):
    return set(Group.objects.values_list("name", flat=True))


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


# --- CI: integration and browser tests must run, never silently skip ---------------------------


def in_ci() -> bool:
    """True on the CI machine (`.ci/run` runs with CI=true), where nothing may be skipped quietly."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def skip_or_fail(reason: str) -> None:
    """Skip on a developer's machine that lacks a service; fail on CI, where every service must exist."""
    if in_ci():
        pytest.fail(f"{reason} — CI is set, so this test must run instead of being skipped.", pytrace=False)
    pytest.skip(reason)


TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "live_worker", "browser_page", "phone_page", "chromium"}


def pytest_collection_modifyitems(config, items):
    """Give every transactional test a serialized rollback.

    A transactional test ends with a flush; without serialized rollback the flush re-creates
    content types and permissions through post_migrate, and the next test that restores its
    serialized rows then collides with them. With every such test restoring the rows that
    data migrations made (role groups, default templates, topics), the order never matters.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        if kwargs.get("transaction") or TRANSACTIONAL_FIXTURES & set(getattr(item, "fixturenames", ())):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On CI, an integration or browser test that skipped (by any route) counts as a failure."""
    outcome = yield
    report = outcome.get_result()
    if not (report.skipped and in_ci() and not hasattr(report, "wasxfail")):
        return
    if item.get_closest_marker("integration") or item.get_closest_marker("browser"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid} was skipped on CI ({reason}); integration and browser tests must run."


# --- a real Celery worker against the test database ----------------------------------------------

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class LiveWorker:
    """A Celery worker process consuming from the real broker and writing to the test database."""

    process: subprocess.Popen
    log_path: Path
    mail_dir: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, check, *, timeout: float = 30.0, what: str = "the worker's effect"):
        """Poll `check()` until it returns something truthy; fail with the worker's log otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            if self.process.poll() is not None:
                pytest.fail(f"The worker exited ({self.process.returncode}) before {what}:\n{self.log()}")
            time.sleep(0.2)
        pytest.fail(f"Timed out after {timeout:.0f} s waiting for {what}. Worker log:\n{self.log()}")


def database_url_for(settings_dict: dict) -> str:
    """The URL of the database a connection uses (the test database inside a test)."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def stop_process(process: subprocess.Popen) -> None:
    """Ask a process started by a fixture to stop; kill it if it is still there after 15 s."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def live_worker(transactional_db, django_db_serialized_rollback, tmp_path):
    """Start `celery worker` in a subprocess on the test database and the broker in CELERY_BROKER_URL.

    Needs DATABASE_URL=postgres://... (SQLite's test database lives in memory, which another
    process cannot open) and CELERY_BROKER_URL. The worker sends e-mail to files in
    `live_worker.mail_dir`. Data a test writes must be committed (transactional_db) to be seen.
    Serialized rollback brings back what data migrations made (the role groups), which the
    flush after a transactional test removes.
    """
    from django.db import connection

    from saypro.celery import app as celery_app

    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        skip_or_fail("needs DATABASE_URL=postgres://... so that a worker process can share the test database")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not broker_url:
        skip_or_fail("needs CELERY_BROKER_URL (a Redis URL) for a real worker")

    # Messages a previous run left behind would be consumed against a database that no longer has their rows.
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=3)
        celery_app.control.purge(connection=conn)

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "saypro.settings.test",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "saypro",
        "worker",
        "--pool=solo",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"pytest-{uuid.uuid4().hex[:8]}@%h",
    ]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    worker = LiveWorker(process=process, log_path=log_path, mail_dir=mail_dir)
    try:
        worker.wait_for(lambda: " ready." in worker.log(), timeout=60, what="the worker to be ready")
        yield worker
    finally:
        stop_process(process)


# --- a real browser (Debian's Chromium through Playwright) ---------------------------------------

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def chromium(live_server, transactional_db, django_db_serialized_rollback):
    """A Chromium for one test, started after the test database is ready.

    While Playwright's sync API is active, an asyncio loop runs in this thread, and Django hands
    ORM calls made here separate connection objects. So the database fixtures (serialized
    rollback, which restores what data migrations made, and the flush) must run before the
    browser starts and after it stops; test code may still use the ORM on committed data.
    Starting Playwright and Chromium takes well under a second.
    """
    executable = chromium_path()
    if executable is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        # Close the connections opened while the loop ran, or the test database cannot be dropped.
        connections.close_all()
        playwright.stop()


def _page(browser, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="en-GB", timezone_id="Africa/Johannesburg")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    return context, page


@pytest.fixture
def browser_page(chromium):
    """A fresh desktop-sized page (1280x800) beside `live_server`; `page.js_errors` lists uncaught script errors."""
    context, page = _page(chromium, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium):
    """A fresh phone-sized page (360x740) beside `live_server`."""
    context, page = _page(chromium, PHONE)
    yield page
    context.close()


def submit(page, field: str, value: str) -> None:
    """Fill one field of the page's form and submit it, waiting for the answer to load."""
    page.fill(f"input[name='{field}']", value)
    with page.expect_navigation():
        page.locator(f"form:has(input[name='{field}']) [type='submit']").first.click()


def enter_totp_code(page, live_server, secret: str) -> None:
    """Answer allauth's second-factor step with a code of the person's authenticator app.

    A code is accepted once, and the codes of the neighbouring 30-second periods are accepted
    too (MFA_TOTP_TOLERANCE), so a person signing in again within the period (an earlier step
    of the same test) enters the next period's code instead of waiting for it.
    """
    from tests.factories.core import totp_code

    for offset in (0, 1, -1):
        submit(page, "code", totp_code(secret, at=time.time() + 30 * offset))
        if not page.url.startswith(f"{live_server.url}/accounts/2fa/authenticate/"):
            return


def enrol_totp(page, live_server, password: str) -> str:
    """Set up an authenticator app through the real pages, as an officer sent there must; returns its secret."""
    from tests.factories.core import totp_code

    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    if page.url.startswith(f"{live_server.url}/accounts/reauthenticate/"):
        submit(page, "password", password)
    secret = page.input_value("#authenticator_secret")
    submit(page, "code", totp_code(secret))
    # Signed in, the login page forwards to the person's landing page (the dashboard for an officer).
    page.goto(f"{live_server.url}/accounts/login/")
    return secret


@pytest.fixture
def live_login():
    """Return `login(page, live_server, email, password)`: sign in through the real login page.

    Officers, staff and superusers have a second factor (the factories give them an
    authenticator app with TOTP_SECRET): when asked, a real code is computed and entered. One
    who has none yet (the demo officer) is sent to set one up, and does, with the secret the
    page shows; it is remembered for the next sign-in in the same test. Waits until the
    person's landing page has loaded (the home page; the dashboard for an officer; the impact
    report for a manager), and fails with the page's text when sign-in did not work.
    """

    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    from tests.factories.core import TOTP_SECRET

    secrets: dict[str, str] = {}

    def login(page, live_server, email: str, password: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name='login']", email)
        submit(page, "password", password)
        if page.url.startswith(f"{live_server.url}/accounts/2fa/authenticate/"):
            enter_totp_code(page, live_server, secrets.get(email.lower(), TOTP_SECRET))
        if page.url == f"{live_server.url}/accounts/2fa/":
            secrets[email.lower()] = enrol_totp(page, live_server, password)
        try:
            page.wait_for_url(
                lambda url: (
                    url in {f"{live_server.url}/", f"{live_server.url}/dashboard/"}
                    or url.startswith(f"{live_server.url}/impact/")
                ),  # managers land on the impact report
                timeout=15_000,
            )
        except PlaywrightTimeoutError:
            pytest.fail(f"Sign-in as {email} did not reach a landing page; it shows:\n{page.inner_text('body')}")
        return page

    return login


# --- accessibility (axe-core) -------------------------------------------------------------------

AXE_FAILING_IMPACTS = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page and return its serious and critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    # Colours read in the middle of a CSS transition (a button just focused by Tab fades to its
    # focus colours over 0.15 s) are neither state's: axe would measure a contrast no one sees.
    # (Polled with evaluate: wait_for_function evaluates a string, which the site's CSP refuses.)
    for _ in range(50):
        if page.evaluate("() => document.getAnimations().every(a => a.playState !== 'running')"):
            break
        page.wait_for_timeout(20)
    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in AXE_FAILING_IMPACTS]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}: {node.get('failureSummary', '').strip()}")
            lines.append(f"       {node.get('html', '')[:200]}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


@pytest.fixture
def axe_check():
    """Return `check(page)`, which fails the test on any serious or critical axe-core violation."""

    def check(page):
        violations = axe_violations(page)
        if violations:
            pytest.fail(f"Accessibility violations on {page.url}:\n{format_violations(violations)}", pytrace=False)

    return check
