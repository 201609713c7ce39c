"""Throughput of the key pages under concurrent load, as a ratio to a trivial view on the same server.

Run from the repository root (`make bench` runs it after bench_pages.py)::

    .venv/bin/python benchmarks/bench_throughput.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro_bench_pages \
    BENCH_CACHE_URL=redis://127.0.0.1:6379/1 BENCH_PORT=8160 BENCH_SECONDS=5 \
        .venv/bin/python benchmarks/bench_throughput.py
    BENCH_PAGES=home,board .venv/bin/python benchmarks/bench_throughput.py   # only pages whose label matches
    BENCH_MIXED=0 ...                                                       # skip the mixed scenario
    BENCH_KEEP_STATIC=1 ...                          # static files already collected: skip collectstatic

PostgreSQL only, on the database benchmarks/bench_pages.py seeds (100,000 people): reused when a
previous run seeded it, seeded otherwise (its name must contain "bench"). It starts gunicorn the
way docker-compose.yml does — production settings, 3 sync workers, --no-control-socket, kept
database connections with health checks, the Redis cache when BENCH_CACHE_URL (or CACHE_URL)
names one — with benchmarks/throughput/settings.py adding a trivial `HttpResponse("ok")` view
at /bench/ok/ and a header counting each response's SQL queries.

First two reference pages (benchmarks/throughput/urls.py), printed but not held to the targets:
the signed-in floor (the base template around one line, through every middleware: no key page can
be faster) and a naive signed-in page (one list query, a small crispy form). Then per key page,
wrk (Debian's `wrk`) drives first the trivial view and then the page with 16
connections for BENCH_SECONDS each, so each page is divided by the trivial view measured right
before it: on a shared machine the absolute requests per second drift with the neighbours' load,
the ratio much less. Printed and written as JSON under benchmarks/results/ (ignored by git):
req/s, ratio, p50/p90/p99 latency, non-2xx responses, response size and SQL queries (of a warm
request), then the targets of issue 12 (every page >= 0.10x, median >= 0.15x, p90 < 250 ms,
<= 12 queries).

Then the mixed scenario (benchmarks/throughput/mixed_locust.py, locust headless): 100 simulated
people for 60 s (BENCH_MIXED_USERS, BENCH_MIXED_SECONDS) browsing the board, writing and
submitting reflections, signing up for circles, RSVPing to the café and reading the impact
report. It passes when no response was a server error and the reflections submitted in the
database equal the successful submits locust saw; the web workers' peak memory (VmHWM) is printed.
Exits non-zero when the mixed scenario fails; page targets missed are reported, not fatal.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent
REPO_ROOT = BENCHMARKS.parent
sys.path.insert(0, str(BENCHMARKS))

from bench_pages import DEFAULT_URL, IMPACT_MONTH, Page, key_pages  # noqa: E402 -- after the path is set
from large_org import give_second_factor, open_page_organisation  # noqa: E402

RESULTS = BENCHMARKS / "results"
CONNECTIONS = 16
WORKERS = 3
TRIVIAL_PATH = "/bench/ok/"
TARGET_EVERY = 0.10
TARGET_MEDIAN = 0.15
TARGET_P90_MS = 250
TARGET_QUERIES = 12

# wrk calls response() for every response; done() sums the threads' counts and prints exact
# percentiles, so the figures do not depend on parsing wrk's rounded human-readable summary.
WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  io.write(string.format("BENCH requests=%d duration_us=%d non2xx=%d socket_errors=%d ",
    summary.requests, summary.duration, bad, e.connect + e.read + e.write + e.timeout))
  io.write(string.format("p50_us=%d p90_us=%d p99_us=%d\\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


@dataclass
class Load:
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non2xx: int
    socket_errors: int


@dataclass
class PageResult:
    label: str
    role: str
    url: str
    status: int
    queries: int
    size: int
    trivial_rps: float
    rps: float
    ratio: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non2xx: int


def session_cookies(person_ids: set[int]) -> dict[int, str]:
    """A signed-in session per person, written where the server reads sessions, as sign-in writes it
    (with the second factor noted, for the roles that need one)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from saypro.core import second_factor
    from saypro.core.models import User

    store = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = {}
    for person in User.objects.filter(pk__in=person_ids):
        session = store()
        session[SESSION_KEY] = str(person.pk)
        session[BACKEND_SESSION_KEY] = "saypro.core.auth_backends.ModelBackend"
        session[HASH_SESSION_KEY] = person.get_session_auth_hash()
        give_second_factor(person)
        session[second_factor.SESSION_KEY] = second_factor.has_second_factor(person)
        session.save()
        cookies[person.pk] = session.session_key
    return cookies


class Server:
    """gunicorn as docker-compose.yml runs it, on the benchmark database."""

    def __init__(self, *, database_url: str, port: int, secret_key: str):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        cache_url = os.environ.get("BENCH_CACHE_URL") or os.environ.get("CACHE_URL", "")
        self.cache = cache_url or "local memory (set BENCH_CACHE_URL=redis://... for production's Redis cache)"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "benchmarks.throughput.settings",
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret_key,
            "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "600"),
            "CONN_HEALTH_CHECKS": "true",
            # Pages enqueue nothing; the mixed scenario's notifications stay in the worker's memory.
            "CELERY_BROKER_URL": "memory://localhost/",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
            "PYTHONPATH": str(REPO_ROOT),
        }
        self.env.pop("CACHE_URL", None)
        if cache_url:
            self.env["CACHE_URL"] = cache_url
        self.process: subprocess.Popen | None = None

    def collect_static(self) -> None:
        # Production's manifest storage needs collected static files to render any page.
        if os.environ.get("BENCH_KEEP_STATIC") and (REPO_ROOT / "staticfiles" / "staticfiles.json").exists():
            return
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO_ROOT, env=self.env, check=True
        )

    def clear_cache(self) -> None:
        """Start from an empty cache, so a run never reads fragments an older code version wrote."""
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", "from django.core.cache import cache; cache.clear()"],
            cwd=REPO_ROOT,
            env=self.env,
            check=True,
        )

    def start(self) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "saypro.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(WORKERS), "--worker-class", "sync",
            "--no-control-socket", "--log-level", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env)  # noqa: S603 -- our command
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}")
            try:
                if fetch(self.base + TRIVIAL_PATH, None)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not answer within 60 s")

    def worker_peak_memory_kb(self) -> list[int]:
        """VmHWM (peak resident memory) of each web worker, read from /proc."""
        import psutil

        peaks = []
        for child in psutil.Process(self.process.pid).children():
            status = Path(f"/proc/{child.pid}/status").read_text()
            peaks += [int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")]
        return peaks

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, session_key: str | None) -> tuple[int, bytes, dict[str, str]]:
    """One GET without following redirects: status, body, headers."""
    request = urllib.request.Request(url)  # noqa: S310 -- our own server over http
    if session_key:
        request.add_header("Cookie", f"sessionid={session_key}")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def wrk(url: str, session_key: str | None, seconds: int, script: Path) -> Load:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    if session_key:
        command += ["-H", f"Cookie: sessionid={session_key}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    values = dict(part.split("=") for part in line.split()[1:])
    duration = int(values["duration_us"]) / 1e6
    return Load(
        rps=int(values["requests"]) / duration,
        p50_ms=int(values["p50_us"]) / 1000,
        p90_ms=int(values["p90_us"]) / 1000,
        p99_ms=int(values["p99_us"]) / 1000,
        non2xx=int(values["non2xx"]),
        socket_errors=int(values["socket_errors"]),
    )


def measure_page(server: Server, page: Page, session_key: str, seconds: int, script: Path) -> PageResult:
    url = server.base + page.url
    for _ in range(WORKERS + 1):  # every worker warm (imports, caches), then the counted request
        status, body, headers = fetch(url, session_key)
    trivial = wrk(server.base + TRIVIAL_PATH, None, seconds, script)
    load = wrk(url, session_key, seconds, script)
    return PageResult(
        label=page.label,
        role=page.role,
        url=page.url,
        status=status,
        queries=int(headers.get("X-Bench-Queries", "-1")),
        size=len(body),
        trivial_rps=round(trivial.rps, 1),
        rps=round(load.rps, 1),
        ratio=round(load.rps / trivial.rps, 4) if trivial.rps else 0.0,
        p50_ms=load.p50_ms,
        p90_ms=load.p90_ms,
        p99_ms=load.p99_ms,
        non2xx=load.non2xx + load.socket_errors,
    )


def print_row(r: PageResult) -> None:
    print(
        f"{r.label:<31} {r.role:<9} {r.status:>4} {r.queries:>4} {r.size:>9,} {r.trivial_rps:>8.0f} {r.rps:>7.1f} "
        f"{r.ratio:>6.3f} {r.p50_ms:>7.0f} {r.p90_ms:>7.0f} {r.p99_ms:>7.0f} {r.non2xx:>6}",
        flush=True,
    )


def targets(results: list[PageResult]) -> dict:
    ratios = [r.ratio for r in results]
    return {
        "median_ratio": round(statistics.median(ratios), 4),
        "min_ratio": min(ratios),
        "below_every": [f"{r.label} ({r.role}) {r.ratio:.3f}" for r in results if r.ratio < TARGET_EVERY],
        "p90_over": [f"{r.label} ({r.role}) {r.p90_ms:.0f} ms" for r in results if r.p90_ms >= TARGET_P90_MS],
        "queries_over": [f"{r.label} ({r.role}) {r.queries}" for r in results if r.queries > TARGET_QUERIES],
        "non_200": [f"{r.label} ({r.role}) {r.status}" for r in results if r.status != 200],
    }


def reference_pages(org) -> list[Page]:
    """What a key page is compared with besides the trivial view (benchmarks/throughput/urls.py):
    the signed-in floor no page can beat, and a naive signed-in page."""
    return [
        Page("reference: signed-in floor", "/bench/signed-in/", "employee", org.employee_id),
        Page("reference: naive page", "/bench/naive/", "employee", org.employee_id),
    ]


def measure_pages(
    server: Server, pages: list[Page], cookies: dict[int, str], seconds: int, references: list[Page]
) -> tuple[list[PageResult], list[PageResult]]:
    print(
        f"\n{CONNECTIONS} connections, {seconds} s per page, each after {seconds} s of the trivial view "
        f"({TRIVIAL_PATH}); latency in ms; queries and size of one warm request"
    )
    print(
        f"{'page':<31} {'role':<9} {'code':>4} {'SQL':>4} {'bytes':>9} {'ok req/s':>8} {'req/s':>7} {'ratio':>6} "
        f"{'p50':>7} {'p90':>7} {'p99':>7} {'non2xx':>6}"
    )
    results = []
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(WRK_SCRIPT)
    script = Path(handle.name)
    measured_references = []
    try:
        for page in references:
            result = measure_page(server, page, cookies[page.person_id], seconds, script)
            measured_references.append(result)
            print_row(result)
        for page in pages:
            result = measure_page(server, page, cookies[page.person_id], seconds, script)
            results.append(result)
            print_row(result)
    finally:
        script.unlink()
    summary = targets(results)
    print(
        f"\nmedian ratio {summary['median_ratio']:.3f} (target >= {TARGET_MEDIAN}); lowest {summary['min_ratio']:.3f} "
        f"(target every page >= {TARGET_EVERY})"
    )
    for key, label in [
        ("below_every", f"below {TARGET_EVERY}x"),
        ("p90_over", f"p90 >= {TARGET_P90_MS} ms"),
        ("queries_over", f"> {TARGET_QUERIES} queries"),
        ("non_200", "not 200"),
    ]:
        print(f"{label}: {', '.join(summary[key]) if summary[key] else 'none'}")
    return results, measured_references


# --- the mixed scenario -----------------------------------------------------------------------------


def mixed_people(count: int) -> list[int]:
    """Plain employees (no other role) spread over the organisation, who act in the mixed scenario."""
    from saypro.core import roles
    from saypro.core.models import User

    others = [roles.OFFICER, roles.MENTOR, roles.MANAGER]
    people = list(
        User.objects.filter(is_active=True).exclude(groups__name__in=others).order_by("pk").values_list("pk", flat=True)
    )
    return people[:: max(1, len(people) // count)][:count]


def mixed_counts(people: list[int]) -> dict[str, int]:
    from cafes.models import Rsvp
    from circles.models import Signup
    from reflections.models import Reflection

    return {
        "reflections_submitted": Reflection.objects.filter(author__in=people)
        .exclude(state=Reflection.State.DRAFT)
        .count(),
        "signups": Signup.objects.filter(person__in=people).count(),
        "rsvps": Rsvp.objects.filter(person__in=people).count(),
    }


def run_mixed(server: Server, org) -> dict:
    from django.urls import reverse

    users = int(os.environ.get("BENCH_MIXED_USERS", "100"))
    seconds = int(os.environ.get("BENCH_MIXED_SECONDS", "60"))
    if shutil.which("locust") is None and not (Path(sys.executable).parent / "locust").exists():
        print("\nlocust is not installed (requirements/dev.txt); the mixed scenario is skipped.")
        return {"skipped": "locust not installed"}
    people = [pk for pk in mixed_people(users) if pk not in {org.officer_id, org.manager_id}]
    cookies = session_cookies({*people, org.manager_id})
    before = mixed_counts(people)
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "config.json"
        outcome = Path(folder) / "outcome.json"
        config.write_text(
            json.dumps(
                {
                    "sessions": [cookies[pk] for pk in people],
                    "manager_session": cookies[org.manager_id],
                    "report_url": reverse("impact:report", kwargs={"month": IMPACT_MONTH}),
                    "cafe_id": org.cafe_id,
                    "outcome": str(outcome),
                }
            )
        )
        locust = Path(sys.executable).parent / "locust"
        command = [
            str(locust) if locust.exists() else "locust", "-f", str(BENCHMARKS / "throughput" / "mixed_locust.py"),
            "--headless", "--users", str(users), "--spawn-rate", "20", "--run-time", f"{seconds}s",
            "--host", server.base, "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "120",
        ]  # fmt: skip
        print(f"\nMixed scenario: {users} simulated people for {seconds} s (locust headless)", flush=True)
        subprocess.run(command, cwd=REPO_ROOT, env={**os.environ, "BENCH_MIXED_CONFIG": str(config)}, check=False)  # noqa: S603
        seen = json.loads(outcome.read_text())
    after = mixed_counts(people)
    created = {key: after[key] - before[key] for key in after}
    peaks = server.worker_peak_memory_kb()
    # A run that submitted nothing proves nothing about lost or doubled writes: it fails too.
    passed = (
        seen["server_errors"] == 0 and seen["submits_ok"] > 0 and created["reflections_submitted"] == seen["submits_ok"]
    )
    print(
        f"requests {seen['requests']:,}, server errors (5xx or no answer) {seen['server_errors']}, "
        f"other failures {seen['failures'] - seen['server_errors']}"
    )
    print(
        f"reflections submitted: {seen['submits_ok']} successful submits, {created['reflections_submitted']} "
        f"new rows; circle sign-ups saved {seen['signups_ok']} ({created['signups']} new rows, a second "
        f"sign-up by the same person updates its row); RSVPs {seen['rsvps_ok']} ({created['rsvps']} new rows)"
    )
    print(f"web workers' peak memory (VmHWM): {', '.join(f'{kb / 1024:.0f} MB' for kb in peaks)}")
    print(f"mixed scenario: {'PASS' if passed else 'FAIL'}")
    return {"users": users, "seconds": seconds, **seen, "created": created, "worker_peak_kb": peaks, "passed": passed}


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk); the throughput benchmark is skipped.")
        return 0
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    org = open_page_organisation(url, benchmark="throughput", keep=True)
    if org is None:
        return 0
    from django.conf import settings
    from django.db import connection

    pages = key_pages(org)
    wanted = [w.strip() for w in os.environ.get("BENCH_PAGES", "").split(",") if w.strip()]
    if wanted:
        pages = [p for p in pages if any(w in p.label for w in wanted)]
    references = reference_pages(org)
    cookies = session_cookies({p.person_id for p in [*pages, *references]})
    connection.close()  # the parent holds no connection while the server works
    server = Server(database_url=url, port=int(os.environ.get("BENCH_PORT", "8160")), secret_key=settings.SECRET_KEY)
    server.collect_static()
    server.clear_cache()
    print(f"gunicorn: {WORKERS} sync workers, production settings, cache: {server.cache}")
    server.start()
    try:
        seconds = int(os.environ.get("BENCH_SECONDS", "5"))
        results, measured_references = measure_pages(server, pages, cookies, seconds, references)
        mixed = run_mixed(server, org) if os.environ.get("BENCH_MIXED", "1") != "0" else {"skipped": "BENCH_MIXED=0"}
    finally:
        server.stop()
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"throughput-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "when": stamp,
                "database": url.rsplit("/", 1)[-1],
                "connections": CONNECTIONS,
                "seconds_per_page": seconds,
                "workers": WORKERS,
                "cache": server.cache,
                "pages": [asdict(r) for r in results],
                "references": [asdict(r) for r in measured_references],
                "targets": targets(results),
                "mixed": mixed,
            },
            indent=2,
        )
    )
    print(f"\nwritten {out.relative_to(REPO_ROOT)}")
    if any(r.status != 200 for r in [*results, *measured_references]):
        # A page that answered a redirect or an error was not measured at all: its figures time
        # the redirect, so the run is a failure, whatever the ratios say.
        print("FAILED: a page did not answer 200 (see 'not 200' above)")
        return 1
    return 0 if mixed.get("passed", True) else 1


if __name__ == "__main__":
    sys.exit(main())
