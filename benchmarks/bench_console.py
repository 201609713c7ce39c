"""The officer's facilitation console for a session of 200 people: time, size and queries.

Run from the repository root::

    .venv/bin/python benchmarks/bench_console.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro_console_bench \
        .venv/bin/python benchmarks/bench_console.py
    BENCH_WRK=1 BENCH_PORT=8170 .venv/bin/python benchmarks/bench_console.py   # also load it with wrk

PostgreSQL only; the database named by BENCH_DATABASE_URL (its name must contain "bench") is
dropped, created and migrated, then seeded with one scheduled session: 200 invited people across
six departments and four locations (some sharing a name), one contribution each (every third a
challenge with a suggestion, every seventh hidden).

Through Django's test client, logged in as the officer: one warm-up request, then 20 timed, for
the console, its board (what htmx polls) and the attendance list's next page. Printed per page:
status, SQL queries, median and best milliseconds, the median CPU milliseconds this process spent
(rendering, not waiting for PostgreSQL: steadier than wall time on a busy machine), response size.

With BENCH_WRK=1, gunicorn (3 sync workers, the test settings: DEBUG off) is started on
127.0.0.1:BENCH_PORT; after a short warm-up of both pages, wrk drives the console with 16
connections for 6 s, then the site's sign-in page (no query, a small template) for the same time
as the near-trivial comparison:
requests per second, p50 latency, and the ratio between the two are printed.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from large_org import open_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/saypro_console_bench"
PEOPLE = 200
WARM_UP = 1
RUNS = 20
# Every request as htmx sends it: the attendance list answers it with its page alone; the others ignore it.
HTMX = {"HX-Request": "true"}
REPO_ROOT = Path(__file__).resolve().parent.parent


def seed() -> tuple[int, int]:
    """One scheduled session of PEOPLE invited people; returns (session id, officer id)."""
    import datetime as dt

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from feedback.models import Contribution, FeedbackSession, Invitation, Suggestion
    from saypro.core import roles
    from saypro.core.markdown import render_markdown
    from saypro.core.models import Department, Enrolment, Location, Module, Programme, User

    departments = [Department.objects.create(name=f"Department {i}") for i in range(6)]
    locations = [Location.objects.create(name=f"Location {i}") for i in range(4)]
    officer = User.objects.create_user(email="officer@bench.test", first_name="Olu", last_name="Officer")
    for name in (roles.EMPLOYEE, roles.OFFICER):
        officer.groups.add(Group.objects.get_or_create(name=name)[0])
    programme = Programme.objects.create(title="Leadership")
    module = Module.objects.create(
        programme=programme, title="Delegation", position=1, is_major=True,
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 2, 1),
    )  # fmt: skip
    people = User.objects.bulk_create(
        User(
            email=f"person{i}@bench.test",
            first_name=f"First{i % 150}",  # fifty pairs share a name, told apart by department and location
            last_name="Person",
            department=departments[i % 6],
            location=locations[i % 4],
        )
        for i in range(PEOPLE)
    )
    Enrolment.objects.bulk_create(Enrolment(person=p, module=module) for p in people)
    starts = timezone.now() + dt.timedelta(minutes=30)
    session = FeedbackSession.objects.create(
        module=module, state="scheduled", starts_at=starts, ends_at=starts + dt.timedelta(minutes=90),
        place="Room 1", facilitator=officer,
    )  # fmt: skip
    Invitation.objects.bulk_create(Invitation(session=session, person=p) for p in people)
    text = "Asking *what would you do?* before giving my answer made the team bring their own ideas."
    kinds = ["insight", "success_story", "challenge"]
    contributions = Contribution.objects.bulk_create(
        Contribution(
            session=session, author=p, kind=kinds[i % 3], text=text, text_html=render_markdown(text),
            department_id=p.department_id, location_id=p.location_id,
            **({"hidden_at": starts, "hidden_reason": "Off topic"} if i % 7 == 0 else {}),
        )
        for i, p in enumerate(people)
    )  # fmt: skip
    suggestion = "Agree the decision rights at the start, in writing."
    Suggestion.objects.bulk_create(
        Suggestion(contribution=c, author=people[i - 1], text=suggestion, text_html=render_markdown(suggestion))
        for i, c in enumerate(contributions)
        if c.kind == "challenge"
    )
    return session.pk, officer.pk


def time_pages(session_id: int, officer_id: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from saypro.core.models import User

    client = Client()
    client.force_login(User.objects.get(pk=officer_id))
    console = reverse("feedback:console", kwargs={"pk": session_id})
    attendance = reverse("feedback:attendance-list", kwargs={"pk": session_id})
    pages = [
        ("console", console),
        ("console board (polled)", reverse("feedback:console-board", kwargs={"pk": session_id})),
        ("attendance, page 2", f"{attendance}?page=2"),
        ("attendance, search", f"{attendance}?q=department+3"),
    ]
    print(f"{'page':<26} {'status':>6} {'queries':>7} {'median':>8} {'best':>8} {'cpu':>8} {'size':>10}")
    for label, url in pages:
        for _ in range(WARM_UP):
            client.get(url, headers=HTMX)
        timings, cpu = [], []
        for _ in range(RUNS):
            with CaptureQueriesContext(connection) as queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(url, headers=HTMX)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
        print(
            f"{label:<26} {response.status_code:>6} {len(queries):>7} {statistics.median(timings):>6.1f}ms "
            f"{min(timings):>6.1f}ms {statistics.median(cpu):>6.1f}ms {len(response.content):>8,} B"
        )


def wrk(url: str, cookie: str, port: int, seconds: int = 6) -> tuple[float, str]:
    out = subprocess.run(  # noqa: S603 -- fixed arguments, our own URL
        ["wrk", "-t2", "-c16", f"-d{seconds}s", "--timeout", "10s", "--latency", "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{port}{url}"],  # noqa: S607 -- wrk from Debian's package, found on PATH
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if not rate:
        print(f"  {url}: wrk completed no request:\n{out}")
    p50 = re.search(r"50%\s+(\S+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        print(f"  {url}: {non2xx.group(1)} non-2xx responses")
    return rate, p50


def wait_until_up(port: int, seconds: float = 60) -> None:
    """Wait until gunicorn answers (its workers import Django first), or give up after `seconds`."""
    import urllib.error
    import urllib.request

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5)
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer on port {port} within {seconds:.0f} s")


def load(session_id: int, officer_id: int) -> None:
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.urls import reverse

    from saypro.core.models import User

    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk); the load run is skipped.")
        return
    port = int(os.environ.get("BENCH_PORT", "8170"))
    officer = User.objects.get(pk=officer_id)
    store = SessionStore()
    store[SESSION_KEY] = str(officer.pk)
    store[BACKEND_SESSION_KEY] = "saypro.core.auth_backends.ModelBackend"
    store[HASH_SESSION_KEY] = officer.get_session_auth_hash()
    store.create()
    cookie = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "saypro.settings.test", "CONN_MAX_AGE": "600"}
    log = tempfile.NamedTemporaryFile(prefix="bench-console-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115 -- kept open for the server's lifetime
    server = subprocess.Popen(  # noqa: S603 -- our own server
        [sys.executable, "-m", "gunicorn", "saypro.wsgi", "-w", "3", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning"],
        cwd=REPO_ROOT, env=env, stdout=log, stderr=log,
    )  # fmt: skip
    try:
        wait_until_up(port)
        console = reverse("feedback:console", kwargs={"pk": session_id})
        # Each worker's first requests import and compile templates (seconds on a busy machine): warm up first.
        wrk(console, cookie, port, seconds=3)
        wrk("/accounts/login/", "", port, seconds=2)
        rate, p50 = wrk(console, cookie, port)
        base_rate, base_p50 = wrk("/accounts/login/", "", port)
        print(f"wrk, 16 connections, 6 s, gunicorn -w 3 on :{port}:")
        print(f"  console, {PEOPLE} people: {rate:8.1f} req/s, p50 {p50}")
        print(f"  sign-in page:           {base_rate:8.1f} req/s, p50 {base_p50}")
        print(f"  ratio: {rate / base_rate:.3f}" if base_rate else "  ratio: (the sign-in page answered nothing)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if open_database(url, benchmark="console", example="saypro_console_bench") is None:
        return 0
    session_id, officer_id = seed()
    time_pages(session_id, officer_id)
    if os.environ.get("BENCH_WRK"):
        load(session_id, officer_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
