"""Time the key pages on an organisation of 100,000 people and millions of records.

Run from the repository root::

    .venv/bin/python benchmarks/bench_pages.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro_bench_pages \
        .venv/bin/python benchmarks/bench_pages.py
    BENCH_KEEP=1 .venv/bin/python benchmarks/bench_pages.py   # reuse a database an earlier run seeded
    BENCH_PAGES=home,impact ...                               # only pages whose label contains one of these

PostgreSQL only. The database named by BENCH_DATABASE_URL (its name must contain "bench", since
it is dropped) is dropped, created, migrated and seeded by benchmarks/large_org.py: the
organisation of the snapshot benchmark (seed_organisation) plus what the pages show
(seed_for_pages: roles, mentor links, invitations, a busy employee, a board reflection with 400
comments, a session with 200 participants, a café with 20 talks and 420 RSVPs, two rounds of
2,000 sign-ups, 500,000 notifications, the March and April snapshots). With BENCH_KEEP=1 a
database an earlier run seeded is only migrated, so an index added in a new migration can be
measured before and after on the same data. When PostgreSQL cannot be reached the benchmark
says so and exits 0, so `make bench` still completes.

Each page is requested through Django's test client, logged in (force_login) as the person who
uses it, through the whole middleware stack and template rendering: one warm-up request, then
5 timed. Printed per page: URL, role, status code, SQL queries (CaptureQueriesContext), median
and best milliseconds of the 5, the milliseconds the best run spent in SQL, and the response
size. A page slower than 300 ms (median) is marked SLOW and its three slowest queries are
printed; with BENCH_EXPLAIN=1 the slowest one is also run under EXPLAIN (ANALYZE, BUFFERS).
Connections are kept between requests (CONN_MAX_AGE=600, as in production behind a pool) so a
figure is the page, not a new connection.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from large_org import LargeOrg, give_second_factor, open_page_organisation

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/saypro_bench_pages"
WARM_UP = 1
RUNS = 5
SLOW_MS = 300
IMPACT_MONTH = "2026-04"


@dataclass(frozen=True)
class Page:
    label: str
    url: str
    role: str
    person_id: int


@dataclass(frozen=True)
class Timing:
    page: Page
    status: int
    queries: int
    median_ms: float
    best_ms: float
    size: int
    sql_ms: float  # the time the best run spent in the database
    slowest: list[tuple[float, str]]


def key_pages(org: LargeOrg) -> list[Page]:
    from django.urls import reverse

    board = reverse("reflections:board")
    return [
        Page("learning board", board, "employee", org.employee_id),
        Page("learning board, search", f"{board}?q=delegation", "employee", org.employee_id),
        Page("learning board, department", f"{board}?department={org.department_id}", "employee", org.employee_id),
        Page("reflection, 400 comments", reverse("reflections:detail", args=[org.reflection_id]), "colleague",
             org.colleague_id),
        Page("reflection, 400 comments", reverse("reflections:detail", args=[org.reflection_id]), "author",
             org.author_id),
        Page("mentor queue", reverse("reflections:mentor-queue"), "mentor", org.mentor_id),
        Page("learning log", reverse("reflections:log"), "employee", org.employee_id),
        Page("learning log CSV", reverse("reflections:log-csv"), "employee", org.employee_id),
        Page("my circles, 12 weeks", reverse("circles:mine"), "employee", org.circle_person_id),
        Page("round, open, 2,000 sign-ups", reverse("circles:round-detail", args=[org.open_round_id]), "officer",
             org.officer_id),
        Page("round, formed, 2,000 sign-ups", reverse("circles:round-detail", args=[org.formed_round_id]),
             "officer", org.officer_id),
        Page("café, 20 talks, 420 RSVPs", reverse("cafes:cafe-detail", args=[org.cafe_id]), "employee",
             org.employee_id),
        Page("café, 20 talks, 420 RSVPs", reverse("cafes:cafe-detail", args=[org.cafe_id]), "officer",
             org.officer_id),
        Page("café agenda", reverse("cafes:agenda", args=[org.cafe_id]), "officer", org.officer_id),
        Page("feedback console, 200 people", reverse("feedback:console", args=[org.session_id]), "officer",
             org.officer_id),
        Page("officer dashboard", reverse("core:dashboard"), "officer", org.officer_id),
        Page("impact report", reverse("impact:report", kwargs={"month": IMPACT_MONTH}), "manager", org.manager_id),
        Page("home", reverse("core:home"), "employee", org.employee_id),
        Page("home", reverse("core:home"), "mentor", org.mentor_id),
        Page("home", reverse("core:home"), "officer", org.officer_id),
        Page("home", reverse("core:home"), "manager", org.manager_id),
        Page("notifications", reverse("core:notification-list"), "employee", org.employee_id),
    ]  # fmt: skip


def time_page(client, page: Page) -> Timing:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARM_UP):
        client.get(page.url)
    times, captured = [], []
    response = None
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as context:
            started = time.perf_counter()
            response = client.get(page.url)
            content = b"".join(response) if response.streaming else response.content
            times.append((time.perf_counter() - started) * 1000)
        captured.append(context.captured_queries)
    queries = captured[times.index(min(times))]
    by_time = sorted(((float(q["time"]) * 1000, q["sql"]) for q in queries), reverse=True)
    return Timing(
        page=page,
        status=response.status_code,
        queries=len(queries),
        median_ms=statistics.median(times),
        best_ms=min(times),
        size=len(content),
        sql_ms=sum(ms for ms, _ in by_time),
        slowest=by_time[:3],
    )


def explain(sql: str) -> list[str]:
    """The plan of a captured query (its parameters already in the text, so none are passed)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        return [row[0] for row in cursor.fetchall()]


def measure(org: LargeOrg) -> list[Timing]:
    from django.test import Client

    from saypro.core.models import User

    clients: dict[int, Client] = {}
    timings = []
    print(f"\nPages, best of {RUNS} after {WARM_UP} warm-up (SLOW: median over {SLOW_MS} ms):")
    print(
        f"{'page':<31} {'role':<9} {'status':>6} {'queries':>7} {'median ms':>9} {'best ms':>8} {'SQL ms':>7} "
        f"{'size':>9}  URL"
    )
    pages = key_pages(org)
    wanted = [w.strip() for w in os.environ.get("BENCH_PAGES", "").split(",") if w.strip()]
    if wanted:  # as in bench_throughput.py: only the pages whose label contains one of these
        pages = [p for p in pages if any(w in p.label for w in wanted)]
    for page in pages:
        if page.person_id not in clients:
            person = User.objects.get(pk=page.person_id)
            give_second_factor(person)
            clients[page.person_id] = Client()
            clients[page.person_id].force_login(person)
        timing = time_page(clients[page.person_id], page)
        timings.append(timing)
        flag = "  SLOW" if timing.median_ms > SLOW_MS else ""
        print(
            f"{page.label:<31} {page.role:<9} {timing.status:>6} {timing.queries:>7} {timing.median_ms:>9.1f} "
            f"{timing.best_ms:>8.1f} {timing.sql_ms:>7.1f} {timing.size:>9,}  {page.url}{flag}",
            flush=True,
        )
    slow = [t for t in timings if t.median_ms > SLOW_MS]
    for timing in slow:
        print(f"\nSLOW {timing.page.label} ({timing.page.role}), slowest queries of the best run:")
        for ms, sql in timing.slowest:
            print(f"  {ms:7.1f} ms  {sql[:400]}")
        if os.environ.get("BENCH_EXPLAIN") and timing.slowest:
            print("  EXPLAIN (ANALYZE, BUFFERS) of the slowest:")
            for line in explain(timing.slowest[0][1]):
                print(f"    {line}")
    print(f"\n{len(timings)} pages; {len(slow)} over {SLOW_MS} ms; statuses {sorted({t.status for t in timings})}")
    return timings


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    # Kept connections, as in production; and no broker: a notification's e-mail task stays in memory.
    os.environ.setdefault("CONN_MAX_AGE", "600")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://localhost/")
    # The benchmark serves no static files; whitenoise's warning about the missing folder is noise here.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    org = open_page_organisation(url, benchmark="page", keep=bool(os.environ.get("BENCH_KEEP")))
    if org is None:
        return 0
    measure(org)
    return 0


if __name__ == "__main__":
    sys.exit(main())
