"""Benchmark the org chart import on a generated 20,000-row file and print the figures.

Run from the repository root::

    python benchmarks/bench_org_import.py            # SQLite (a fresh temporary file)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro_orgimport python benchmarks/bench_org_import.py

SQLite always runs, in a temporary database file (never the developer's db.sqlite3). When
DATABASE_URL names PostgreSQL, the same runs follow on a fresh test database created next to
it (``test_<name>``) and dropped afterwards. Each database runs in its own process, since
Django is configured once per process.

Three imports of the same people: the first (everyone created), the same file again
(everyone unchanged) and a file where one person in ten moved department (placements closed
and opened). The data comes from ``random.Random(2026)``: 12 departments, 6 locations,
8 job roles, one person in ten a mentor (mentors listed after their mentees), officers and
managers with department scopes.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROWS = 20_000
DEPARTMENTS = [f"Department {n}" for n in range(1, 13)]
LOCATIONS = ["Johannesburg", "Cape Town", "Durban", "Pretoria", "Gqeberha", "Polokwane"]
JOB_ROLES = ["Analyst", "Coordinator", "Specialist", "Team Lead", "Officer", "Manager", "Facilitator", "Intern"]
HEADER = "email,first_name,last_name,department,location,job_role,mentor_emails,roles,manager_departments"


def make_csv(rows: int, *, seed: int, moved_share: float = 0.0) -> bytes:
    """An org chart of `rows` people; `moved_share` of them in another department than usual."""
    rng, move_rng = random.Random(seed), random.Random(seed + 1)
    lines = [HEADER]
    people = list(range(rows))
    mentors = people[::10]
    mentee_rows, mentor_rows = [], []
    for n in people:
        department = DEPARTMENTS[n % len(DEPARTMENTS)]
        if moved_share and move_rng.random() < moved_share:
            department = DEPARTMENTS[(n + 1) % len(DEPARTMENTS)]
        roles, scopes = [], ""
        if n % 10 == 0:
            roles.append("mentor")
        if n % 500 == 1:
            roles.append("officer")
        if n % 250 == 2:
            roles.append("manager")
            scopes = "*" if n % 1000 == 2 else f"{department}|{DEPARTMENTS[(n + 3) % len(DEPARTMENTS)]}"
        chosen = {rng.choice(mentors) for _ in range(rng.choice((0, 1, 1, 2)))} - {n}
        line = ",".join(
            [
                f"person{n}@example.org",
                f"Zoë{n}",
                "Ndlovu-Müller",
                department,
                LOCATIONS[n % len(LOCATIONS)],
                JOB_ROLES[n % len(JOB_ROLES)],
                "|".join(f"person{m}@example.org" for m in sorted(chosen)),
                "|".join(roles),
                scopes,
            ]
        )
        # Mentors come last, so every mentor link points further down the file.
        (mentor_rows if n % 10 == 0 else mentee_rows).append(line)
    return "\n".join(lines + mentee_rows + mentor_rows).encode()


def run_one(label: str) -> None:
    """Import into the database this process is configured for and print the figures."""
    import django
    from django.conf import settings
    from django.db import connection

    django.setup()
    from saypro.core.models import MentorLink, Placement, User
    from saypro.core.org_import import org_import_apply, org_import_parse

    if connection.vendor == "sqlite":
        # A fresh temporary file named by the parent process: migrate it like a new install.
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        old_name = None
    else:
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        first = make_csv(ROWS, seed=2026)
        moved = make_csv(ROWS, seed=2026, moved_share=0.1)
        print(f"{label} ({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}), {ROWS} rows:")
        for name, content in (("first import", first), ("re-import (unchanged)", first), ("10% moved", moved)):
            started = time.perf_counter()
            parsed = org_import_parse(content=content)
            parsed_at = time.perf_counter()
            summary = org_import_apply(parsed=parsed, by=None, dry_run=False)
            seconds = time.perf_counter() - started
            assert not summary.errors, summary.errors[:5]
            print(
                f"  {name:<22} {seconds:6.2f} s  {ROWS / seconds:8.0f} rows/s  "
                f"(parse {parsed_at - started:.2f} s)  {summary.counts()}"
            )
        print(
            f"  database now: {User.objects.count()} people, {Placement.objects.count()} placements, "
            f"{MentorLink.objects.count()} mentor links"
        )
    finally:
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child)
        return 0

    base_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "saypro.settings.test"}
    databases = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_file = Path(tmp) / "bench.sqlite3"
        databases.append(("sqlite", {**base_env, "DATABASE_URL": f"sqlite:///{sqlite_file}"}))
        if os.environ.get("DATABASE_URL", "").startswith("postgres"):
            databases.append(("postgresql", base_env))
        status = 0
        for label, env in databases:
            result = subprocess.run(  # noqa: S603 -- runs this very script with a fixed argument list
                [sys.executable, __file__, "--child", label], env=env, cwd=ROOT, check=False
            )
            status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
