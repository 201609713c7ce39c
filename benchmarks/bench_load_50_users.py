"""Fifty people using the platform at once for a minute, then a check that the database agrees.

Run from the repository root::

    .venv/bin/python benchmarks/bench_load_50_users.py
    BENCH_SECONDS=20 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro_bench_load \
        .venv/bin/python benchmarks/bench_load_50_users.py

PostgreSQL only (the database named by BENCH_DATABASE_URL must contain "bench": it is dropped
and created). When PostgreSQL cannot be reached the benchmark says so and exits 0.

Fifty employees, each in a thread with its own test client and database connection, repeat
for BENCH_SECONDS (default 60) a mix of what people do: read Home, comment on a colleague's
board reflection (every fifth comment double-submitted with the same one-time token, as a
double click does), say "I'm going" to or cancel for a café of 20 seats, and propose a talk.
Printed: requests per kind with their median and 95th-percentile milliseconds, and errors.

Then the database check (issue 18): rows equal successes — one comment per successful
comment token, one proposal per successful proposal, never more people going than seats,
every e-mail owed at most once per person and reason, and no server error. The broker is
kombu's in-memory transport: the outbox rows, not a worker, are what is counted. Exits 1
when a check fails.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("CELERY_BROKER_URL", "memory://")

from large_org import open_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/saypro_bench_load"
PEOPLE = 50
SEATS = 20


class Tally:
    """What the threads did, shared under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.comment_tokens: set[str] = set()
        self.proposal_tokens: set[str] = set()

    def record(self, kind: str, ms: float, status: int, *, ok: tuple[int, ...] = (200, 302)) -> bool:
        with self.lock:
            self.times[kind].append(ms)
            if status not in ok:
                self.errors.append(f"{kind}: HTTP {status}")
                return False
        return True


def seed():
    from reflections.models import Reflection
    from saypro.core import roles
    from tests.factories import UserFactory
    from tests.factories.cafes import CafeFactory
    from tests.factories.reflections import ReflectionFactory, ReflectionTemplateFactory

    people = [UserFactory(roles=[roles.EMPLOYEE]) for _ in range(PEOPLE)]
    template = ReflectionTemplateFactory()
    board = ReflectionFactory(
        author=UserFactory(roles=[roles.EMPLOYEE]),
        template=template,
        state=Reflection.State.VALIDATED,
        visibility="colleagues",
    )
    cafe = CafeFactory(capacity=SEATS)
    return people, board, cafe


def person_loop(person, board, cafe, deadline: float, tally: Tally, seed_value: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    rng = random.Random(seed_value)
    client = Client()
    client.force_login(person)
    comment_url = reverse("reflections:comment-add", args=[board.pk, "board"])
    rsvp_url = reverse("cafes:rsvp", args=[cafe.pk])
    propose_url = reverse("cafes:proposal-create")
    n = 0
    try:
        while time.monotonic() < deadline:
            n += 1
            kind = rng.choices(["home", "comment", "rsvp", "propose"], weights=[4, 3, 2, 1])[0]
            started = time.perf_counter()
            if kind == "home":
                status = client.get("/").status_code
                tally.record(kind, (time.perf_counter() - started) * 1000, status)
            elif kind == "comment":
                token = str(uuid.uuid4())
                data = {"body": f"Tried it in my team, week {n}.", "submission_token": token}
                copies = 2 if n % 5 == 0 else 1
                statuses = [client.post(comment_url, data).status_code for _ in range(copies)]
                ok = all(tally.record(kind, (time.perf_counter() - started) * 1000, s) for s in statuses)
                if ok:
                    with tally.lock:
                        tally.comment_tokens.add(token)
            elif kind == "rsvp":
                action = rng.choice(["going", "cancel"])
                status = client.post(rsvp_url, {"action": action}).status_code
                tally.record(kind, (time.perf_counter() - started) * 1000, status)
            else:
                token = str(uuid.uuid4())
                data = {
                    "cafe": cafe.pk,
                    "title": f"Talk {n} by {person.pk}",
                    "idea": "Wait five seconds after asking a question.",
                    "why_it_matters": "It gives quieter people room.",
                    "audience_can_try": "Count to five before speaking.",
                    "duration_minutes": "5",
                    "submission_token": token,
                }
                status = client.post(propose_url, data).status_code
                if tally.record(kind, (time.perf_counter() - started) * 1000, status, ok=(302,)):
                    with tally.lock:
                        tally.proposal_tokens.add(token)
    except Exception as exc:  # noqa: BLE001 -- a crash of one simulated person is an error to report
        with tally.lock:
            tally.errors.append(f"{person.email}: {type(exc).__name__}: {exc}")
    finally:
        connection.close()


def check_database(board, cafe, tally: Tally) -> list[str]:
    from django.db.models import Count

    from cafes.models import Rsvp, TalkProposal
    from reflections.models import Comment
    from saypro.core.models import OutboundEmail, SubmissionToken

    problems = []
    comments = Comment.objects.filter(reflection=board).count()
    if comments != len(tally.comment_tokens):
        problems.append(f"{comments} comments saved for {len(tally.comment_tokens)} successful comment tokens")
    proposals = TalkProposal.objects.count()
    if proposals != len(tally.proposal_tokens):
        problems.append(f"{proposals} proposals saved for {len(tally.proposal_tokens)} successful proposals")
    tokens = SubmissionToken.objects.count()
    if tokens != len(tally.comment_tokens) + len(tally.proposal_tokens):
        problems.append(f"{tokens} submission tokens for {len(tally.comment_tokens) + len(tally.proposal_tokens)}")
    going = Rsvp.objects.filter(cafe=cafe, status=Rsvp.Status.GOING).count()
    if going > SEATS:
        problems.append(f"{going} people going to a café of {SEATS} seats")
    twice = OutboundEmail.objects.values("recipient", "kind", "key").annotate(n=Count("id")).filter(n__gt=1).count()
    if twice:
        problems.append(f"{twice} e-mails owed twice for the same reason")
    if tally.errors:
        problems.append(f"{len(tally.errors)} errors, e.g. {tally.errors[:3]}")
    print(
        f"Database: {comments} comments, {proposals} proposals, {going} of {SEATS} seats taken, "
        f"{OutboundEmail.objects.count()} e-mails owed, {tokens} submission tokens"
    )
    return problems


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if open_database(url, benchmark="50-user load", example="saypro_bench_load") is None:
        return 0
    seconds = float(os.environ.get("BENCH_SECONDS", "60"))
    people, board, cafe = seed()
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=person_loop, args=(person, board, cafe, deadline, tally, i))
        for i, person in enumerate(people)
    ]
    print(f"{PEOPLE} people for {seconds:.0f} s ...", flush=True)
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"{'kind':<10} {'requests':>9} {'median ms':>10} {'p95 ms':>8}")
    for kind, times in sorted(tally.times.items()):
        p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
        print(f"{kind:<10} {len(times):>9} {statistics.median(times):>10.0f} {p95:>8.0f}")
    total = sum(len(t) for t in tally.times.values())
    print(f"{total} requests in {seconds:.0f} s: {total / seconds:.1f} per second, {len(tally.errors)} errors")
    problems = check_database(board, cafe, tally)
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    if not problems:
        print("Database check: rows equal successes, nothing saved or owed twice.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
