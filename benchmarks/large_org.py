"""A large organisation on PostgreSQL for the benchmarks: a fresh database, seeded in seconds.

Used by benchmarks/bench_impact_snapshot.py and benchmarks/bench_pages.py::

    from large_org import open_database, seed_organisation, seed_for_pages

`open_database(url, ...)` drops, creates and migrates the database named by the URL (its name
must contain "bench", since it is dropped), or says why it cannot and returns None (not
PostgreSQL, or PostgreSQL not reachable) so a benchmark can exit 0 and `make bench` completes.
With `keep=True` an already seeded database is kept and only migrated: new migrations (an index
being tried) are applied to the data already there.

`seed_organisation()` loads the organisation: 100,000 people in 12 departments, 6 locations and
8 job roles, a placement per person and about one in twenty with a second placement after a
move during the six months January–June 2026 (Johannesburg time). About 2.2 million activity
records over those months, seeded with INSERT ... SELECT over generate_series and a
deterministic hash (no random state): enrolments (some withdrawn before, some after their
session), 600 feedback sessions (one in twenty cancelled) with contributions (some hidden,
withdrawn or recorded on behalf), reflections (many shared with colleagues, some made private
again or hidden) with mentor reviews, board comments and "I'll try this" / "I tried it", weekly
circle rounds with circles, memberships and learnings, and cafés with delivered talks and RSVPs.
Reflections are titled and written from two dozen learning phrases, so a board search finds some.
Non-unique indexes are built after the load; as a superuser the load skips the foreign-key
triggers and then checks every foreign key with one query each. The seed time printed
includes both.

`seed_for_pages()` adds what the pages need on top and returns a LargeOrg of handy ids (kept in
the table bench_handy, so a kept database gives them back with `handy_ids()`): roles (everyone
an employee, officers, a whole-organisation manager, 5,000 mentors with about 20 mentees each and
one busy mentor with about 350), feedback invitations with attendance for every held session,
a busy employee (200 reflections with answers and reviews, practices tried, sessions, circles,
cafés, 400 notifications), a board reflection with 400 comments and 380 reactions, a feedback
session held yesterday with 200 participants, an upcoming café with 20 talks and 420 RSVPs, a
person with 12 weeks of circles, two rounds of 2,000 sign-ups each (one open, one formed by the
officer), 500,000 notifications in all, and the impact snapshots of March and April 2026.
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

JHB = ZoneInfo("Africa/Johannesburg")
WINDOW_START = datetime(2026, 1, 1, tzinfo=JHB)
WINDOW_DAYS = 181  # January to June 2026

PEOPLE = 100_000
MOVED_SHARE = 0.05
OFFICERS = 10  # people 1..10 facilitate sessions and record contributions on others' behalf
SESSIONS = 600  # one major module each; one in twenty cancelled
REFLECTIONS = 300_000
BOARD_COMMENTS = 300_000
REVIEW_COMMENTS = 20_000
WILL_TRY = 150_000
CIRCLES_PER_ROUND = 2_000
CAFES_PER_MONTH = 10
TALKS_PER_CAFE = 8
RSVPS_PER_CAFE = 300

# What people write about, so a board search finds some reflections and not others.
LEARNING_PHRASES = [
    "Delegation starts with agreeing what done looks like",
    "Ask an open question before giving advice",
    "Name the conflict early and kindly",
    "Feedback lands when it is specific and timely",
    "Protect one hour a day for deep work",
    "Coaching means listening more than talking",
    "Change sticks when people shape it",
    "Say the one idea first",
    "Write the decision down before the meeting ends",
    "A checklist beats memory on busy days",
    "Celebrate small wins in the team huddle",
    "Pair a new colleague with a buddy for the first month",
    "Summarise what you heard before you answer",
    "Delegation of decisions, not only tasks, builds trust",
    "Plan the week on Friday afternoon",
    "Ask the client what success means to them",
    "Share the why before the how",
    "Use silence to let people think",
    "Turn complaints into requests",
    "Review mistakes without blame",
    "Keep meetings short and standing",
    "Write for the reader who is in a hurry",
    "Thank people for bad news early",
    "Try one new habit for two weeks",
]


# --- the database ---------------------------------------------------------------------------------


def recreate_database(url: str) -> None:
    """Drop and create the benchmark database; raises psycopg2.OperationalError when unreachable."""
    import dj_database_url
    import psycopg2
    from psycopg2 import sql

    config = dj_database_url.parse(url)
    name = config["NAME"]
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop database {name!r}: a benchmark database name must contain 'bench'.")
    admin = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        connect_timeout=5,
    )
    try:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        admin.close()


def run_sql(query: str, params: dict | None = None) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params or {})
        return cursor.fetchall() if cursor.description else []


def insert_select(model, values: dict[str, str], source: str, params: dict | None = None, suffix: str = "") -> int:
    """INSERT INTO the model's table SELECT `values` FROM `source`; return the rows written.

    Columns not given take the model field's default (evaluated once), NULL when nullable, or
    '' for text, so a field added later with a default does not break the benchmark.
    """
    from django.db import connection

    params = dict(params or {})
    columns, expressions = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in values:
            continue
        columns.append(field.column)
        if field.column in values:
            expressions.append(values[field.column])
        elif field.has_default():
            key = f"default_{field.column}"
            params[key] = field.get_db_prep_save(field.get_default(), connection)
            expressions.append(f"%({key})s::{field.db_type(connection)}")
        elif field.null:
            expressions.append("NULL")
        elif field.empty_strings_allowed:
            expressions.append("''")
        else:
            raise ValueError(f"{model.__name__}.{field.name} needs a value in the benchmark's seed")
    unknown = set(values) - set(columns)
    if unknown:
        raise ValueError(f"{model.__name__} has no columns {sorted(unknown)}")
    query = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 -- constant SQL fragments
        f"SELECT {', '.join(expressions)} FROM {source} {suffix}"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.rowcount


class Insert(NamedTuple):
    """The arguments of one insert_select call, for insert_all."""

    model: Any
    values: dict[str, str]
    source: str
    params: dict | None = None
    suffix: str = ""


def insert_all(*inserts: Insert) -> int:
    """Run insert_select for each of `inserts` in turn; return the rows written by all of them."""
    return sum(insert_select(*insert) for insert in inserts)


# --- seeding --------------------------------------------------------------------------------------

# A deterministic uniform number in [0, 1) from an integer and a salt (PostgreSQL's own hash).
RANDOM_FUNCTION = """
CREATE OR REPLACE FUNCTION bench_r(n bigint, salt bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT (hashint8extended(n, salt) & 4294967295)::double precision / 4294967296.0 $$
"""


def at_place(alias: str, when: str, what: str) -> str:
    """SQL for a person's department (location, job role) at a moment, from the seed's person table."""
    if what == "job_role":
        return f"{alias}.job_role"
    moved_later = f"{alias}.move_at IS NOT NULL AND {when} < {alias}.move_at"
    return f"CASE WHEN {moved_later} THEN {alias}.old_{what} ELSE {alias}.{what} END"


def placed(alias: str, when: str) -> dict[str, str]:
    return {
        "department_id": at_place(alias, when, "department"),
        "location_id": at_place(alias, when, "location"),
        "job_role_id": at_place(alias, when, "job_role"),
    }


def seeded_models() -> list:
    from cafes.models import Cafe, Rsvp, TalkProposal
    from circles.models import Circle, Learning, Membership, Round
    from feedback.models import Contribution, FeedbackSession
    from reflections.models import Adoption, Comment, MentorReview, Reflection
    from saypro.core.models import Enrolment, Module, Placement, User

    return [User, Placement, Module, FeedbackSession, Enrolment, Contribution, Reflection, MentorReview, Comment,
            Adoption, Round, Circle, Membership, Learning, Cafe, TalkProposal, Rsvp]  # fmt: skip


def check_foreign_keys(models: list) -> int:
    """Fail when a seeded row points at no row: one anti-join per foreign key column."""
    checked = 0
    for model in models:
        for field in model._meta.concrete_fields:
            if not field.is_relation:
                continue
            target = field.target_field
            (missing,) = run_sql(
                f"SELECT COUNT(*) FROM {model._meta.db_table} t "  # noqa: S608 -- names from the models
                f"WHERE t.{field.column} IS NOT NULL AND NOT EXISTS ("
                f"SELECT 1 FROM {target.model._meta.db_table} x WHERE x.{target.column} = t.{field.column})"
            )[0]
            if missing:
                raise SystemExit(f"Seed error: {missing} rows of {model.__name__}.{field.name} point at no row")
            checked += 1
    return checked


class Seeder:
    def __init__(self) -> None:
        self.rows: list[tuple[str, int, float]] = []
        self.params = {"w0": WINDOW_START, "days": WINDOW_DAYS}

    def step(self, label: str, write) -> None:
        started = time.perf_counter()
        count = write()
        elapsed = time.perf_counter() - started
        self.rows.append((label, count, elapsed))
        print(f"  {label:<34} {count:>10,} rows  {elapsed:6.1f} s", flush=True)

    def insert(self, label: str, *inserts: Insert) -> None:
        """One timed step that writes `inserts` in turn."""
        self.step(label, lambda: insert_all(*inserts))

    def run(self) -> None:
        from django.db import DatabaseError, transaction

        run_sql(RANDOM_FUNCTION)
        tables = [model._meta.db_table for model in seeded_models()]
        # Loading first and indexing after is several times faster than keeping a dozen indexes
        # per table up to date row by row; unique indexes stay, they are part of the data's rules.
        definitions = run_sql(
            """SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
               WHERE indrelid = ANY(%(tables)s::text[]::regclass[]) AND NOT indisunique AND NOT indisprimary""",
            {"tables": tables},
        )
        for name, _definition in definitions:
            run_sql(f"DROP INDEX {name}")
        # Foreign keys are checked at commit, one row at a time; a superuser can skip those
        # triggers for the load and check every foreign key afterwards with one join each.
        try:
            run_sql("SET session_replication_role = replica")
            triggers_skipped = True
        except DatabaseError:
            triggers_skipped = False
        try:
            with transaction.atomic():
                self.organisation()
                self.feedback()
                self.reflections()
                self.circles()
                self.cafes()
        finally:
            if triggers_skipped:
                run_sql("RESET session_replication_role")
        self.reset_sequences()
        started = time.perf_counter()
        for _name, definition in definitions:
            run_sql(definition)
        print(f"  {len(definitions)} indexes built after the load in {time.perf_counter() - started:.1f} s")
        if triggers_skipped:
            started = time.perf_counter()
            checked = check_foreign_keys(seeded_models())
            print(f"  {checked} foreign keys checked in {time.perf_counter() - started:.1f} s")

    # People and where they were.
    def organisation(self) -> None:
        from saypro.core.models import Department, JobRole, Location, Placement, User

        names = {
            Department: [f"Department {n:02d}" for n in range(1, 13)],
            Location: ["Johannesburg", "Cape Town", "Durban", "Pretoria", "Gqeberha", "Polokwane"],
            JobRole: [
                "Analyst",
                "Coordinator",
                "Specialist",
                "Team Lead",
                "Officer",
                "Manager",
                "Facilitator",
                "Intern",
            ],
        }
        ids = {}
        for model, labels in names.items():
            ids[model] = [o.pk for o in model.objects.bulk_create(model(name=label) for label in labels)]
        p = self.params
        p.update(depts=ids[Department], locs=ids[Location], roles=ids[JobRole], moved=MOVED_SHARE)
        # The seed's own table of each person's place: current, before a move, and when they moved.
        run_sql(
            """
            CREATE TEMP TABLE bench_person AS
            SELECT g AS id,
                   (%(depts)s::bigint[])[1 + floor(bench_r(g, 1) * 12)::int] AS department,
                   (%(locs)s::bigint[])[1 + floor(bench_r(g, 2) * 6)::int] AS location,
                   (%(roles)s::bigint[])[1 + floor(bench_r(g, 3) * 8)::int] AS job_role,
                   (%(depts)s::bigint[])[1 + mod(floor(bench_r(g, 1) * 12)::int + 1
                                                  + floor(bench_r(g, 4) * 11)::int, 12)] AS old_department,
                   (%(locs)s::bigint[])[1 + mod(floor(bench_r(g, 2) * 6)::int + 1
                                                 + floor(bench_r(g, 4) * 5)::int, 6)] AS old_location,
                   CASE WHEN bench_r(g, 5) < %(moved)s
                        THEN %(w0)s::timestamptz + bench_r(g, 6) * %(days)s * interval '1 day' END AS move_at
            FROM generate_series(1, %(people)s) g;
            ALTER TABLE bench_person ADD PRIMARY KEY (id);
            """,
            {**p, "people": PEOPLE},
        )
        self.step(
            "people",
            lambda: insert_select(
                User,
                {
                    "id": "bp.id",
                    "password": "'!bench'",
                    "email": "'person' || bp.id || '@bench.example'",
                    "first_name": "'Person'",
                    "last_name": "bp.id::text",
                    "department_id": "bp.department",
                    "location_id": "bp.location",
                    "job_role_id": "bp.job_role",
                    "is_active": "true",
                    "is_staff": "bp.id <= 10",
                    "is_superuser": "false",
                    "date_joined": "timestamptz '2024-01-01 09:00+02'",
                },
                "bench_person bp",
            ),
        )

        self.insert(
            "placements",
            Insert(
                Placement,
                {
                    "person_id": "bp.id",
                    "department_id": "bp.old_department",
                    "location_id": "bp.old_location",
                    "job_role_id": "bp.job_role",
                    "valid_from": "timestamptz '2024-01-01 09:00+02'",
                    "valid_to": "bp.move_at",
                },
                "bench_person bp WHERE bp.move_at IS NOT NULL",
            ),
            Insert(
                Placement,
                {
                    "person_id": "bp.id",
                    "department_id": "bp.department",
                    "location_id": "bp.location",
                    "job_role_id": "bp.job_role",
                    "valid_from": "COALESCE(bp.move_at, timestamptz '2024-01-01 09:00+02')",
                    "valid_to": "NULL",
                },
                "bench_person bp",
            ),
        )

    # Feedback sessions after major modules: enrolments and contributions.
    def feedback(self) -> None:
        from feedback.models import Contribution, FeedbackSession
        from saypro.core.models import Enrolment, Module, Programme

        programmes = Programme.objects.bulk_create(Programme(title=f"Programme {n:02d}") for n in range(1, 21))
        modules, sessions = [], []
        for i in range(SESSIONS):
            start = (WINDOW_START + timedelta(days=i * WINDOW_DAYS // SESSIONS)).replace(hour=10)
            modules.append(
                Module(
                    programme=programmes[i % 20],
                    position=i // 20 + 1,
                    title=f"Module {i + 1}",
                    starts_on=start.date() - timedelta(days=31),
                    ends_on=start.date() - timedelta(days=1),
                    is_major=True,
                    ended_at=start - timedelta(days=1),
                )
            )
        Module.objects.bulk_create(modules)
        for i, module in enumerate(modules):
            start = (WINDOW_START + timedelta(days=i * WINDOW_DAYS // SESSIONS)).replace(hour=10)
            cancelled = i % 20 == 7
            sessions.append(
                FeedbackSession(
                    module=module,
                    state=FeedbackSession.State.CANCELLED if cancelled else FeedbackSession.State.HELD,
                    starts_at=start,
                    ends_at=start + timedelta(hours=1),
                    place=f"Room {i % 9 + 1}",
                    facilitator_id=None if cancelled else 1 + i % OFFICERS,
                    cancel_reason="Trainer ill" if cancelled else "",
                    held_at=None if cancelled else start + timedelta(hours=1),
                )
            )
        self.step("modules and feedback sessions", lambda: len(FeedbackSession.objects.bulk_create(sessions)))
        p = self.params
        # 500-899 people per module; k * 13 over 100,000 people never repeats a person in a module.
        self.step(
            "enrolments",
            lambda: insert_select(
                Enrolment,
                {
                    "person_id": "v.person",
                    "module_id": "s.module_id",
                    "status": "CASE WHEN v.x < 0.06 THEN 'withdrawn' WHEN v.x < 0.7 THEN 'completed' "
                    "ELSE 'enrolled' END",
                    "enrolled_at": "s.starts_at - interval '40 days'",
                    "withdrawn_at": "CASE WHEN v.x < 0.03 THEN s.starts_at - interval '5 days' "
                    "WHEN v.x < 0.06 THEN s.starts_at + interval '2 days' END",
                },
                """feedback_feedbacksession s
                CROSS JOIN LATERAL generate_series(0, 499 + mod(s.module_id * 37, 400)) k
                CROSS JOIN LATERAL (SELECT 1 + mod(s.module_id * 7919 + k * 13, %(people)s) AS person,
                                           bench_r(s.module_id * 1000 + k, 7) AS x) v""",
                {"people": PEOPLE},
            ),
        )
        # None, one, two or three contributions per enrolment in a held session, before or during it;
        # a few from people who had withdrawn before (shared, but not eligible).
        self.step(
            "contributions",
            lambda: insert_select(
                Contribution,
                {
                    "session_id": "v.session_id",
                    "author_id": "v.person_id",
                    "recorded_by_id": f"CASE WHEN v.y < 0.05 THEN 1 + mod(v.n, {OFFICERS}) END",
                    "kind": "CASE WHEN v.z < 0.45 THEN 'insight' WHEN v.z < 0.75 THEN 'challenge' "
                    "ELSE 'success_story' END",
                    "text": "'What I learned, number ' || v.n",
                    "text_html": "'<p>What I learned, number ' || v.n || '</p>'",
                    "submission_token": "gen_random_uuid()",
                    **placed("bp", "v.at"),
                    "discussed": "v.y > 0.5",
                    "highlighted": "v.y > 0.95",
                    "hidden_at": "CASE WHEN v.y BETWEEN 0.05 AND 0.08 THEN v.at + interval '1 hour' END",
                    "hidden_by_id": "CASE WHEN v.y BETWEEN 0.05 AND 0.08 THEN 1 END",
                    "hidden_reason": "CASE WHEN v.y BETWEEN 0.05 AND 0.08 THEN 'Breaks the rules' ELSE '' END",
                    "withdrawn_at": "CASE WHEN v.y BETWEEN 0.08 AND 0.10 THEN v.at + interval '5 minutes' END",
                    "created_at": "v.at",
                    "updated_at": "v.at",
                },
                """(SELECT s.id AS session_id, e.person_id, e.id * 4 + n AS n,
                           bench_r(e.id * 4 + n, 9) AS y, bench_r(e.id * 4 + n, 10) AS z,
                           s.starts_at - interval '2 days' + bench_r(e.id * 4 + n, 11) * interval '49 hours' AS at
                    FROM core_enrolment e
                    JOIN feedback_feedbacksession s ON s.module_id = e.module_id AND s.state = 'held'
                    CROSS JOIN LATERAL generate_series(1, CASE WHEN bench_r(e.id, 8) < 0.1 THEN 3
                                                              WHEN bench_r(e.id, 8) < 0.3 THEN 2
                                                              WHEN bench_r(e.id, 8) < 0.6 THEN 1 ELSE 0 END) n
                ) v JOIN bench_person bp ON bp.id = v.person_id""",
                p,
            ),
        )

    # Reflections, mentor reviews, the board's comments and adoptions.
    def reflections(self) -> None:
        from reflections.models import Adoption, Comment, MentorReview, Reflection, ReflectionTemplate

        p = {**self.params, "template": ReflectionTemplate.objects.order_by("pk").values_list("pk", flat=True)[0]}
        p.update(n=REFLECTIONS, people=PEOPLE, phrases=LEARNING_PHRASES, k=len(LEARNING_PHRASES))
        phrase = "(%(phrases)s::text[])[1 + floor(bench_r(v.g, {salt}) * %(k)s)::int]"
        # state: 10% draft, 35% submitted, 10% more depth asked, 45% validated; visibility: 60%
        # colleagues (5% of those private again, 2% hidden), 30% mentor, 10% private.
        self.step(
            "reflections",
            lambda: insert_select(
                Reflection,
                {
                    "id": "v.g",
                    "author_id": "v.author",
                    "template_id": "%(template)s",
                    "title": phrase.format(salt=80),
                    "search_text": phrase.format(salt=81) + " || '. ' || " + phrase.format(salt=82),
                    "key_takeaway": "'Try it once this week'",
                    "visibility": "CASE WHEN v.vis = 'colleagues' AND v.x < 0.05 THEN 'private' ELSE v.vis END",
                    "state": "v.state",
                    "may_be_featured": "v.x > 0.5",
                    "context_kind": "'general'",
                    "created_at": "v.created",
                    "updated_at": "v.created",
                    "first_submitted_at": "v.submitted",
                    "submitted_at": "v.submitted",
                    "validated_at": "CASE WHEN v.state = 'validated' THEN v.submitted + v.y * interval '6 days' END",
                    "validated_by_id": "CASE WHEN v.state = 'validated' THEN 1 + mod(v.author + 17, %(people)s) END",
                    "depth": "CASE WHEN v.state = 'validated' THEN 1 + floor(v.y * 4)::int END",
                    "first_shared_at": "CASE WHEN v.vis = 'colleagues' THEN v.submitted END",
                    **placed("bp", "COALESCE(v.submitted, v.created)"),
                    "is_hidden": "v.vis = 'colleagues' AND v.x BETWEEN 0.05 AND 0.07",
                    "hidden_reason": "CASE WHEN v.vis = 'colleagues' AND v.x BETWEEN 0.05 AND 0.07 "
                    "THEN 'Names a client' ELSE '' END",
                    "hidden_at": "CASE WHEN v.vis = 'colleagues' AND v.x BETWEEN 0.05 AND 0.07 "
                    "THEN v.submitted + interval '1 day' END",
                },
                """(SELECT g, author, created, state, x, y,
                           CASE WHEN state <> 'draft' THEN created + interval '2 hours' END AS submitted,
                           CASE WHEN state = 'draft' THEN 'private' ELSE vis END AS vis
                    FROM (SELECT g, 1 + floor(bench_r(g, 20) * %(people)s)::int AS author,
                                 %(w0)s::timestamptz - interval '7 days'
                                     + bench_r(g, 21) * (%(days)s + 7) * interval '1 day' AS created,
                                 CASE WHEN bench_r(g, 22) < 0.10 THEN 'draft'
                                      WHEN bench_r(g, 22) < 0.45 THEN 'submitted'
                                      WHEN bench_r(g, 22) < 0.55 THEN 'changes_requested' ELSE 'validated' END AS state,
                                 CASE WHEN bench_r(g, 23) < 0.6 THEN 'colleagues'
                                      WHEN bench_r(g, 23) < 0.9 THEN 'mentor' ELSE 'private' END AS vis,
                                 bench_r(g, 24) AS x, bench_r(g, 25) AS y
                          FROM generate_series(1, %(n)s) g) raw
                ) v JOIN bench_person bp ON bp.id = v.author""",
                p,
            ),
        )
        self.step(
            "mentor reviews",
            lambda: insert_select(
                MentorReview,
                {
                    "reflection_id": "r.id",
                    "mentor_id": "1 + mod(r.author_id + 17, %(people)s)",
                    "depth": "COALESCE(r.depth, 2)",
                    "decision": "CASE WHEN r.state = 'validated' THEN 'validated' ELSE 'changes_requested' END",
                    "created_at": "COALESCE(r.validated_at, "
                    "r.first_submitted_at + bench_r(r.id, 26) * interval '4 days')",
                },
                "reflections_reflection r WHERE r.state IN ('validated', 'changes_requested')",
                p,
            ),
        )
        # Every reflection that ever reached the board, numbered, so engagements can pick one by number.
        run_sql("""
            CREATE TEMP TABLE bench_board AS
            SELECT row_number() OVER (ORDER BY id) AS rn, id, author_id, first_shared_at
            FROM reflections_reflection WHERE first_shared_at IS NOT NULL;
            ALTER TABLE bench_board ADD PRIMARY KEY (rn);
        """)
        p["board"] = run_sql("SELECT COUNT(*) FROM bench_board")[0][0]

        def engagement_source(count: int, salt: int) -> str:
            return f"""(SELECT g, b.id AS reflection_id,
                           CASE WHEN bench_r(g, {salt} + 2) < 0.05 THEN b.author_id
                                ELSE 1 + floor(bench_r(g, {salt} + 1) * %(people)s)::int END AS person,
                           b.first_shared_at + bench_r(g, {salt} + 3) * interval '25 days' AS at,
                           bench_r(g, {salt} + 4) AS x
                    FROM generate_series(1, {count}) g
                    JOIN bench_board b ON b.rn = 1 + floor(bench_r(g, {salt}) * %(board)s)::int
                ) v JOIN bench_person bp ON bp.id = v.person"""  # noqa: S608 -- this script's integers; the rest bound

        self.insert(
            "comments (board and review)",
            Insert(
                Comment,
                {
                    "reflection_id": "v.reflection_id",
                    "author_id": "v.person",
                    "channel": "'board'",
                    "body": "'Thank you, I recognise this ' || v.g",
                    "body_html": "'<p>Thank you, I recognise this ' || v.g || '</p>'",
                    "created_at": "v.at",
                    **placed("bp", "v.at"),
                    "is_hidden": "v.x < 0.03",
                    "hidden_reason": "CASE WHEN v.x < 0.03 THEN 'Rude' ELSE '' END",
                    "hidden_at": "CASE WHEN v.x < 0.03 THEN v.at + interval '1 hour' END",
                },
                engagement_source(BOARD_COMMENTS, 30),
                p,
            ),
            Insert(
                Comment,
                {
                    "reflection_id": "m.reflection_id",
                    "author_id": "m.mentor_id",
                    "channel": "'review'",
                    "body": "'Could you say what you will do differently?'",
                    "body_html": "'<p>Could you say what you will do differently?</p>'",
                    "created_at": "m.created_at",
                    "is_hidden": "false",
                },
                f"reflections_mentorreview m WHERE m.id <= {REVIEW_COMMENTS}",
            ),
        )

        self.insert(
            "adoptions (will try, tried)",
            Insert(
                Adoption,
                {
                    "reflection_id": "v.reflection_id",
                    "person_id": "v.person",
                    "kind": "'will_try'",
                    "created_at": "v.at",
                    **placed("bp", "v.at"),
                },
                engagement_source(WILL_TRY, 40),
                p,
                suffix="ON CONFLICT DO NOTHING",
            ),
            Insert(
                Adoption,
                {
                    "reflection_id": "a.reflection_id",
                    "person_id": "a.person_id",
                    "kind": "'tried'",
                    "note": "'It worked in my team meeting.'",
                    "created_at": "a.created_at + interval '10 days'",
                    **placed("bp", "a.created_at + interval '10 days'"),
                },
                "reflections_adoption a JOIN bench_person bp ON bp.id = a.person_id WHERE bench_r(a.id, 45) < 0.35",
            ),
        )

    # Weekly circle rounds: circles of 3-6, memberships, learnings.
    def circles(self) -> None:
        from circles.models import Circle, Learning, Membership, Round, Topic

        rounds = []
        monday = date(2026, 1, 5)
        while True:
            meets = datetime(monday.year, monday.month, monday.day, 12, tzinfo=JHB) + timedelta(days=2)
            if meets >= WINDOW_START + timedelta(days=WINDOW_DAYS):
                break
            rounds.append(
                Round(
                    week_starts_on=monday,
                    signup_deadline=meets - timedelta(days=2, hours=3),
                    meets_at=meets,
                    state=Round.State.PUBLISHED,
                    formed_at=meets - timedelta(days=2),
                    published_at=meets - timedelta(days=2),
                )
            )
            monday += timedelta(days=7)
        Round.objects.bulk_create(rounds)
        p = {
            **self.params,
            "rounds": [r.pk for r in rounds],
            "topics": list(Topic.objects.order_by("pk").values_list("pk", flat=True)),
            "per_round": CIRCLES_PER_ROUND,
            "people": PEOPLE,
        }
        if not p["topics"]:
            p["topics"] = [Topic.objects.create(name="Delegation").pk]
        # Circle c of round w: size 3-6; member s is person 1 + (w * 10007 + c * 6 + s) mod 100,000.
        members = """(SELECT ci.id AS circle_id, ci.round_id, r.meets_at, s,
                             1 + mod(((ci.id - 1) / %(per_round)s) * 10007 + mod(ci.id - 1, %(per_round)s) * 6 + s,
                                     %(people)s) AS person
                      FROM circles_circle ci JOIN circles_round r ON r.id = ci.round_id
                      CROSS JOIN LATERAL generate_series(0, 2 + floor(bench_r(ci.id, 50) * 4)::int) s) m
                     JOIN bench_person bp ON bp.id = m.person"""
        self.step(
            "circles",
            lambda: insert_select(
                Circle,
                {
                    "id": "g + 1",
                    "round_id": "(%(rounds)s::bigint[])[1 + g / %(per_round)s]",
                    "topic_id": "(%(topics)s::bigint[])[1 + mod(g, cardinality(%(topics)s::bigint[]))]",
                    "number": "1 + mod(g, %(per_round)s)",
                    "host_id": "1 + mod((g / %(per_round)s) * 10007 + mod(g, %(per_round)s) * 6, %(people)s)",
                    "attendance_recorded_at": "(%(rounds_meet)s::timestamptz[])[1 + g / %(per_round)s] "
                    "+ interval '2 hours'",
                    "created_at": "(%(rounds_meet)s::timestamptz[])[1 + g / %(per_round)s] - interval '2 days'",
                },
                "generate_series(0, %(total)s - 1) g",
                {**p, "total": len(rounds) * CIRCLES_PER_ROUND, "rounds_meet": [r.meets_at for r in rounds]},
            ),
        )
        self.step(
            "circle memberships",
            lambda: insert_select(
                Membership,
                {
                    "circle_id": "m.circle_id",
                    "round_id": "m.round_id",
                    "person_id": "m.person",
                    **placed("bp", "m.meets_at"),
                    "attended": "CASE WHEN bench_r(m.circle_id * 8 + m.s, 51) < 0.8 THEN true "
                    "WHEN bench_r(m.circle_id * 8 + m.s, 51) < 0.9 THEN false END",
                    "left_at": "CASE WHEN bench_r(m.circle_id * 8 + m.s, 52) < 0.03 "
                    "THEN m.meets_at - interval '1 day' END",
                    "left_reason": "CASE WHEN bench_r(m.circle_id * 8 + m.s, 52) < 0.03 THEN 'On leave' ELSE '' END",
                    "created_at": "m.meets_at - interval '2 days'",
                },
                members,
                p,
            ),
        )
        # One or two learnings per circle, by its first members; 3% hidden.
        self.step(
            "circle learnings",
            lambda: insert_select(
                Learning,
                {
                    "circle_id": "m.circle_id",
                    "author_id": "m.person",
                    **placed("bp", "m.meets_at + interval '2 hours'"),
                    "body": "'Ask before you assume.'",
                    "body_html": "'<p>Ask before you assume.</p>'",
                    "is_hidden": "bench_r(m.circle_id * 8 + m.s, 54) < 0.03",
                    "hidden_reason": "CASE WHEN bench_r(m.circle_id * 8 + m.s, 54) < 0.03 "
                    "THEN 'Names a client' ELSE '' END",
                    "created_at": "m.meets_at + interval '2 hours'",
                },
                members + " WHERE m.s = 0 OR (m.s = 1 AND bench_r(m.circle_id, 53) < 0.5)",
                p,
            ),
        )

    # Monthly cafés: talks delivered, declined proposals, RSVPs.
    def cafes(self) -> None:
        from cafes.models import Cafe, Rsvp, TalkProposal

        cafes = []
        for month in range(1, 7):
            for n in range(CAFES_PER_MONTH):
                starts = datetime(2026, month, 10 + n, 15, tzinfo=JHB)
                held = n != CAFES_PER_MONTH - 1
                cafes.append(
                    Cafe(
                        title=f"Knowledge café {month}-{n + 1}",
                        starts_at=starts,
                        place=f"Hall {n + 1}",
                        capacity=RSVPS_PER_CAFE,
                        state=Cafe.State.HELD if held else Cafe.State.CANCELLED,
                        held_at=starts + timedelta(hours=1) if held else None,
                        cancel_reason="" if held else "Venue flooded",
                        agenda_published_at=starts - timedelta(days=7),
                    )
                )
        self.step("cafés", lambda: len(Cafe.objects.bulk_create(cafes)))
        p = {**self.params, "people": PEOPLE, "talks": TALKS_PER_CAFE + 2, "delivered": TALKS_PER_CAFE}
        self.step(
            "talks (delivered and declined)",
            lambda: insert_select(
                TalkProposal,
                {
                    "speaker_id": "v.person",
                    "cafe_id": "CASE WHEN v.k < %(delivered)s THEN v.cafe_id END",
                    "title": "'The one idea ' || v.k",
                    "idea": "'Say the one idea first.'",
                    "why_it_matters": "'People remember the first minute.'",
                    "audience_can_try": "'Open your next meeting with it.'",
                    "state": "CASE WHEN v.k >= %(delivered)s THEN 'declined' "
                    "WHEN v.cafe_state = 'held' THEN 'delivered' ELSE 'accepted' END",
                    "position": "CASE WHEN v.k < %(delivered)s THEN v.k + 1 END",
                    "delivered_at": "CASE WHEN v.k < %(delivered)s AND v.cafe_state = 'held' THEN v.starts_at END",
                    **placed("bp", "v.starts_at"),
                    "created_at": "v.starts_at - interval '20 days'",
                    "updated_at": "v.starts_at",
                },
                """(SELECT c.id AS cafe_id, c.state AS cafe_state, c.starts_at, k,
                           1 + mod(c.id * 4999 + k * 11, %(people)s) AS person
                    FROM cafes_cafe c CROSS JOIN generate_series(0, %(talks)s - 1) k) v
                   JOIN bench_person bp ON bp.id = v.person""",
                p,
            ),
        )
        self.step(
            "café RSVPs",
            lambda: insert_select(
                Rsvp,
                {
                    "cafe_id": "v.cafe_id",
                    "person_id": "v.person",
                    "status": "CASE WHEN v.x < 0.9 THEN 'going' WHEN v.x < 0.95 THEN 'waitlist' ELSE 'cancelled' END",
                    "attended": "v.cafe_state = 'held' AND v.x < 0.9 * 0.85",
                    "answered_at": "v.starts_at - interval '5 days'",
                    **placed("bp", "v.starts_at - interval '5 days'"),
                },
                """(SELECT c.id AS cafe_id, c.state AS cafe_state, c.starts_at,
                           1 + mod(c.id * 3001 + k * 7, %(people)s) AS person, bench_r(c.id * 1000 + k, 60) AS x
                    FROM cafes_cafe c CROSS JOIN generate_series(0, %(rsvps)s - 1) k) v
                   JOIN bench_person bp ON bp.id = v.person""",
                {**p, "rsvps": RSVPS_PER_CAFE},
            ),
        )

    def reset_sequences(self) -> None:
        from django.apps import apps
        from django.core.management.color import no_style
        from django.db import connection

        statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


# --- opening the database -------------------------------------------------------------------------


def _is_seeded(url: str) -> bool:
    """The database exists and a previous run finished seeding it for the pages (bench_handy filled)."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    try:
        connection = psycopg2.connect(
            dbname=config["NAME"],
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        if "does not exist" in str(exc):
            return False
        raise
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_handy') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return False
            cursor.execute("SELECT COUNT(*) FROM bench_handy")
            return cursor.fetchone()[0] > 0
    finally:
        connection.close()


def open_database(url: str, *, benchmark: str, keep: bool = False, example: str = "saypro_bench") -> str | None:
    """Make the benchmark database ready and set Django up on it; None when it cannot be reached.

    Fresh (dropped, created, migrated) unless `keep` and a previous run left it seeded, in
    which case it is only migrated. Returns "fresh" or "kept"; None after saying why not
    (not PostgreSQL, or PostgreSQL not reachable), so the benchmark can exit 0.
    """
    import dj_database_url
    import psycopg2

    if not url.startswith("postgres"):
        print(f"The {benchmark} benchmark needs PostgreSQL; BENCH_DATABASE_URL is {url!r}. Skipped.")
        return None
    name = dj_database_url.parse(url)["NAME"]
    if "bench" not in name:
        raise SystemExit(f"Refusing to use database {name!r}: a benchmark database name must contain 'bench'.")
    try:
        kept = keep and _is_seeded(url)
        if not kept:
            recreate_database(url)
    except psycopg2.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"PostgreSQL is not reachable ({reason}); the {benchmark} benchmark is skipped.")
        print(f"Start PostgreSQL or set BENCH_DATABASE_URL=postgres://user@host:port/{example} to run it.")
        return None
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "saypro.settings.test"
    os.environ.setdefault("CONN_MAX_AGE", "0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    print(f"Database {connection.settings_dict['NAME']} on PostgreSQL {connection.cursor().connection.server_version}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if kept:
        print(f"Kept the database seeded by an earlier run; migrated in {time.perf_counter() - started:.1f} s")
        return "kept"
    print(f"Migrated a fresh database in {time.perf_counter() - started:.1f} s")
    return "fresh"


def seed_organisation() -> Seeder:
    """Seed the organisation (see the module docstring), then VACUUM ANALYZE; prints as it goes."""
    print(f"Seeding {PEOPLE:,} people and their activity, January-June 2026:")
    seeder = Seeder()
    started = time.perf_counter()
    seeder.run()
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    run_sql("VACUUM ANALYZE")
    analysed = time.perf_counter() - started
    activity = sum(count for label, count, _ in seeder.rows if label not in {"people", "placements"})
    print(f"Seeded {activity:,} activity records in {seeded:.1f} s (then VACUUM ANALYZE {analysed:.1f} s)")
    return seeder


# --- what the pages need --------------------------------------------------------------------------

OFFICER_ID = 1  # people 1..10 are officers (they facilitate the seeded sessions)
MANAGER_ID = 11  # reads reports for the whole organisation
EMPLOYEE_ID = 12  # busy: many reflections, sessions, circles, cafés and notifications
CIRCLE_PERSON_ID = 14  # in a circle every week for the last 12 weeks of rounds
AUTHOR_ID = 15  # wrote the board reflection with many comments
COLLEAGUE_ID = 16  # reads it
MENTOR_EVERY = 20  # people 20, 40, ... 100,000 are the mentors, about 20 mentees each
MENTOR_ID = 20  # and this one has about 350
EMPLOYEE_REFLECTIONS = 200
POPULAR_COMMENTS, POPULAR_REPLIES = 320, 80
SESSION_PARTICIPANTS = 200
CAFE_TALKS, CAFE_RSVPS, CAFE_CAPACITY = 20, 420, 300
ROUND_SIGNUPS = 2_000
BACKGROUND_NOTIFICATIONS = 500_000
EMPLOYEE_NOTIFICATIONS = 400
SNAPSHOT_MONTHS = (date(2026, 3, 1), date(2026, 4, 1))


@dataclass(frozen=True)
class LargeOrg:
    """Ids in the seeded organisation: whom to log in as and which page to open."""

    officer_id: int
    manager_id: int
    mentor_id: int  # a mentor with many mentees
    employee_id: int  # an employee with many reflections (and a busy learning log)
    colleague_id: int  # an employee reading someone else's board reflection
    circle_person_id: int  # a person with 12 weeks of circles
    reflection_id: int  # a board reflection with many comments and reactions
    author_id: int  # its author
    session_id: int  # a feedback session held yesterday with many participants
    cafe_id: int  # an upcoming café with many RSVPs and 20 talks
    open_round_id: int  # a circle round open for sign-up, 2,000 sign-ups
    formed_round_id: int  # a circle round formed from 2,000 sign-ups, awaiting the officer's review
    department_id: int  # a department to filter the board by


def handy_ids() -> LargeOrg:
    """The ids seed_for_pages stored in bench_handy."""
    stored = dict(run_sql("SELECT name, value FROM bench_handy"))
    return LargeOrg(**{f.name: stored[f.name] for f in fields(LargeOrg)})


def open_page_organisation(url: str, *, benchmark: str, keep: bool) -> LargeOrg | None:
    """The organisation the page benchmarks use: seeded now, or kept from an earlier run when
    `keep` and one is there; None when PostgreSQL cannot be reached (see open_database)."""
    state = open_database(url, benchmark=benchmark, keep=keep, example="saypro_bench_pages")
    if state is None:
        return None
    if state == "fresh":
        seed_organisation()
        return seed_for_pages()
    return handy_ids()


def give_second_factor(person) -> bool:
    """Set up an authenticator app for a person whose role needs one and has none; whether one was added.

    Officers work with a second factor; without one every officer page is a redirect to the 2FA
    page, and a benchmark would time that redirect instead of the page."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from saypro.core.second_factor import has_second_factor, second_factor_required

    if second_factor_required(person) and not has_second_factor(person):
        TOTP.activate(person, generate_totp_secret())
        return True
    return False


def mentor_of(person_id: int) -> int:
    """The ordinary mentor the seed gives a person (see PageSeeder.roles)."""
    return MENTOR_EVERY * (1 + (person_id * 7919) % (PEOPLE // MENTOR_EVERY))


def seed_for_pages() -> LargeOrg:
    """Add what the page benchmark needs to a seeded organisation (see the module docstring)."""
    from django.db import DatabaseError, transaction

    print("Seeding what the pages show:")
    seeder = PageSeeder()
    started = time.perf_counter()
    run_sql(RANDOM_FUNCTION)
    # As for the organisation: a superuser skips the foreign-key triggers and checks them after.
    try:
        run_sql("SET session_replication_role = replica")
        triggers_skipped = True
    except DatabaseError:
        triggers_skipped = False
    try:
        with transaction.atomic():
            seeder.load()
    finally:
        if triggers_skipped:
            run_sql("RESET session_replication_role")
    if triggers_skipped:
        checked = check_foreign_keys(page_models())
        print(f"  {checked} foreign keys checked")
    seeder.form_round()
    seeder.snapshots()
    org = seeder.store_handy()
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    run_sql("VACUUM ANALYZE")
    print(
        f"Seeded {sum(count for _, count, _ in seeder.rows):,} more rows in {seeded:.1f} s "
        f"(then VACUUM ANALYZE {time.perf_counter() - started:.1f} s)"
    )
    return org


def page_models() -> list:
    """The models seed_for_pages writes to."""
    from cafes.models import Cafe, Rsvp, TalkInterest, TalkProposal
    from circles.models import Learning, Membership, Round, Signup, SignupChoice
    from feedback.models import Contribution, FeedbackSession, Invitation, Suggestion
    from reflections.models import Adoption, Answer, Comment, MentorReview, Reflection
    from saypro.core.models import Enrolment, ManagerScope, MentorLink, Module, Notification, User

    return [User.groups.through, ManagerScope, MentorLink, Module, FeedbackSession, Enrolment, Invitation,
            Contribution, Suggestion, Reflection, Answer, MentorReview, Comment, Adoption, Round, Signup,
            SignupChoice, Membership, Learning, Cafe, TalkProposal, TalkInterest, Rsvp, Notification]  # fmt: skip


def _rebuilt_indexes(table: str, write) -> int:
    """Run `write` with the table's non-unique indexes dropped, then build them again."""
    definitions = run_sql(
        """SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
           WHERE indrelid = %(table)s::regclass AND NOT indisunique AND NOT indisprimary""",
        {"table": table},
    )
    for name, _definition in definitions:
        run_sql(f"DROP INDEX {name}")
    count = write()
    # Foreign keys checked at commit would keep the table busy: check them now (none while skipped).
    run_sql("SET CONSTRAINTS ALL IMMEDIATE")
    for _name, definition in definitions:
        run_sql(definition)
    run_sql("SET CONSTRAINTS ALL DEFERRED")
    return count


def _user(alias: str = "u") -> dict[str, str]:
    """A person's current department, location and job role (the seed's moves were all before June)."""
    return {
        "department_id": f"{alias}.department_id",
        "location_id": f"{alias}.location_id",
        "job_role_id": f"{alias}.job_role_id",
    }


class PageSeeder:
    step = Seeder.step
    insert = Seeder.insert

    def __init__(self) -> None:
        from django.utils import timezone

        self.rows: list[tuple[str, int, float]] = []
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.params = {"w0": WINDOW_START, "days": WINDOW_DAYS, "people": PEOPLE, "phrases": LEARNING_PHRASES}
        self.ids: dict[str, int] = {}

    def load(self) -> None:
        self.roles()
        self.busy_employee()
        self.popular_reflection()
        self.busy_session()
        self.invitations()
        self.circle_regular()
        self.cafe()
        self.rounds()
        self.notifications()

    def template_id(self) -> int:
        from reflections.models import ReflectionTemplate

        return ReflectionTemplate.objects.order_by("pk").values_list("pk", flat=True)[0]

    # Everyone is an employee; officers, one manager, mentors and their mentees.
    def roles(self) -> None:
        from django.contrib.auth.models import Group

        from saypro.core import roles
        from saypro.core.models import ManagerScope, MentorLink, User

        group = dict(Group.objects.values_list("name", "pk"))
        through = User.groups.through

        def memberships() -> int:
            written = 0
            for name, where in (
                (roles.EMPLOYEE, "true"),
                (roles.OFFICER, f"u.id <= {OFFICERS}"),
                (roles.MANAGER, f"u.id = {MANAGER_ID}"),
                (roles.MENTOR, f"mod(u.id, {MENTOR_EVERY}) = 0"),
            ):
                written += insert_select(
                    through,
                    {"user_id": "u.id", "group_id": "%(group)s"},
                    f"core_user u WHERE {where}",
                    {"group": group[name]},
                )
            ManagerScope.objects.create(manager_id=MANAGER_ID, department=None)
            return written

        self.step("role memberships", memberships)
        p = {**self.params, "mentors": PEOPLE // MENTOR_EVERY, "every": MENTOR_EVERY, "busy": MENTOR_ID}
        since = "timestamptz '2025-06-01 09:00+02'"

        self.insert(
            "mentor links",
            Insert(
                MentorLink,
                {"mentor_id": "m.mentor", "mentee_id": "m.mentee", "is_active": "true", "created_at": since},
                """(SELECT g AS mentee, %(every)s * (1 + mod(g * 7919, %(mentors)s)) AS mentor
                FROM generate_series(1, %(people)s) g) m WHERE m.mentor <> m.mentee""",
                p,
            ),
            Insert(
                MentorLink,
                {"mentor_id": "%(busy)s", "mentee_id": "g", "is_active": "true", "created_at": since},
                "generate_series(1, %(people)s) g WHERE mod(g, 300) = 7",
                p,
                suffix="ON CONFLICT DO NOTHING",
            ),
        )

    # One employee who does everything: the learning log and its export have much to show.
    def busy_employee(self) -> None:
        from cafes.models import Rsvp, TalkProposal
        from circles.models import Learning, Membership
        from feedback.models import Contribution
        from reflections.models import Adoption, MentorReview, Reflection
        from saypro.core.models import Enrolment

        p = {
            **self.params,
            "person": EMPLOYEE_ID,
            "mentor": mentor_of(EMPLOYEE_ID),
            "n": EMPLOYEE_REFLECTIONS,
            "template": self.template_id(),
            "k": len(LEARNING_PHRASES),
        }
        self.step(
            "busy employee: reflections",
            lambda: insert_select(
                Reflection,
                {
                    "author_id": "u.id",
                    "template_id": "%(template)s",
                    "title": "(%(phrases)s::text[])[1 + mod(v.g * 7, %(k)s)]",
                    "key_takeaway": "'Try it once this week'",
                    "visibility": "v.vis",
                    "state": "v.state",
                    "may_be_featured": "true",
                    "context_kind": "'general'",
                    "search_text": "(%(phrases)s::text[])[1 + mod(v.g * 11, %(k)s)]",
                    "created_at": "v.created",
                    "updated_at": "v.created",
                    "first_submitted_at": "v.submitted",
                    "submitted_at": "v.submitted",
                    "validated_at": "CASE WHEN v.state = 'validated' THEN v.submitted + interval '3 days' END",
                    "validated_by_id": "CASE WHEN v.state = 'validated' THEN %(mentor)s END",
                    "depth": "CASE WHEN v.state = 'validated' THEN 3 END",
                    "first_shared_at": "CASE WHEN v.vis = 'colleagues' THEN v.submitted END",
                    **_user(),
                },
                """(SELECT g, created, state, vis, CASE WHEN state <> 'draft' THEN created + interval '2 hours' END
                           AS submitted
                    FROM (SELECT g, timestamptz '2026-01-02 09:00+02' + (g - 1) * interval '33 hours' AS created,
                                 CASE mod(g, 10) WHEN 0 THEN 'draft' WHEN 1 THEN 'submitted'
                                      WHEN 2 THEN 'changes_requested' WHEN 3 THEN 'resubmitted'
                                      ELSE 'validated' END AS state,
                                 CASE WHEN mod(g, 10) = 0 THEN 'private' WHEN mod(g, 3) = 0 THEN 'mentor'
                                      ELSE 'colleagues' END AS vis
                          FROM generate_series(1, %(n)s) g) raw) v
                   JOIN core_user u ON u.id = %(person)s""",
                p,
            ),
        )
        self.step(
            "busy employee: mentor reviews",
            lambda: insert_select(
                MentorReview,
                {
                    "reflection_id": "r.id",
                    "mentor_id": "%(mentor)s",
                    "depth": "3",
                    "decision": "CASE WHEN r.state = 'validated' THEN 'validated' ELSE 'changes_requested' END",
                    "note": "'Say what you will do differently on Monday.'",
                    "note_html": "'<p>Say what you will do differently on Monday.</p>'",
                    "created_at": "r.first_submitted_at + interval '1 day'",
                },
                """reflections_reflection r WHERE r.author_id = %(person)s
                   AND r.state IN ('validated', 'changes_requested', 'resubmitted')""",
                p,
            ),
        )
        self.step(
            "busy employee: practices tried",
            lambda: insert_select(
                Adoption,
                {
                    "reflection_id": "r.id",
                    "person_id": "u.id",
                    "kind": "k.kind",
                    "note": "CASE WHEN k.kind = 'tried' THEN 'It worked in my team meeting.' ELSE '' END",
                    "created_at": "r.first_shared_at + k.days * interval '1 day'",
                    **_user(),
                },
                """reflections_reflection r CROSS JOIN (VALUES ('will_try', 3), ('tried', 13)) k (kind, days)
                   JOIN core_user u ON u.id = %(person)s
                   WHERE mod(r.id, 2500) = 1 AND r.visibility = 'colleagues' AND NOT r.is_hidden
                     AND r.state <> 'draft' AND r.author_id <> %(person)s""",
                p,
                suffix="ON CONFLICT DO NOTHING",
            ),
        )
        sessions = "feedback_feedbacksession s WHERE s.state = 'held' AND mod(s.id, 14) = 3"

        self.insert(
            "busy employee: sessions, contributions",
            Insert(
                Enrolment,
                {
                    "person_id": "%(person)s",
                    "module_id": "s.module_id",
                    "status": "'completed'",
                    "enrolled_at": "s.starts_at - interval '40 days'",
                },
                sessions,
                p,
                suffix="ON CONFLICT DO NOTHING",
            ),
            Insert(
                Contribution,
                {
                    "session_id": "s.id",
                    "author_id": "u.id",
                    "kind": "(ARRAY['insight', 'challenge', 'success_story'])[1 + mod(s.id, 3)]",
                    "text": "'What I learned in this session, number ' || s.id",
                    "text_html": "'<p>What I learned in this session, number ' || s.id || '</p>'",
                    "submission_token": "gen_random_uuid()",
                    **_user(),
                    "created_at": "s.starts_at + interval '20 minutes'",
                    "updated_at": "s.starts_at + interval '20 minutes'",
                },
                sessions.replace("WHERE", "JOIN core_user u ON u.id = %(person)s WHERE"),
                p,
            ),
        )

        self.insert(
            "busy employee: circles, learnings",
            Insert(
                Membership,
                {
                    "circle_id": "c.id",
                    "round_id": "c.round_id",
                    "person_id": "u.id",
                    **_user(),
                    "attended": "true",
                    "created_at": "r.meets_at - interval '2 days'",
                },
                """circles_round r JOIN circles_circle c ON c.round_id = r.id AND c.number = 1 + mod(r.id * 37, 2000)
               JOIN core_user u ON u.id = %(person)s WHERE r.state = 'published' AND mod(r.id, 4) <> 0""",
                p,
                suffix="ON CONFLICT DO NOTHING",
            ),
            Insert(
                Learning,
                {
                    "circle_id": "m.circle_id",
                    "author_id": "m.person_id",
                    **_user("m"),
                    "body": "'Ask before you assume.'",
                    "body_html": "'<p>Ask before you assume.</p>'",
                    "created_at": "r.meets_at + interval '2 hours'",
                },
                """circles_membership m JOIN circles_round r ON r.id = m.round_id
               WHERE m.person_id = %(person)s AND mod(r.id, 3) = 0""",
                p,
            ),
        )

        self.insert(
            "busy employee: cafés, talks",
            Insert(
                Rsvp,
                {
                    "cafe_id": "c.id",
                    "person_id": "u.id",
                    "status": "'going'",
                    "attended": "true",
                    "answered_at": "c.starts_at - interval '5 days'",
                    **_user(),
                },
                "cafes_cafe c JOIN core_user u ON u.id = %(person)s WHERE c.state = 'held' AND mod(c.id, 3) = 0",
                p,
                suffix="ON CONFLICT DO NOTHING",
            ),
            Insert(
                TalkProposal,
                {
                    "speaker_id": "u.id",
                    "cafe_id": "c.id",
                    "title": "'What I learned about delegation, part ' || c.id",
                    "idea": "'Agree what done looks like first.'",
                    "why_it_matters": "'Half the rework comes from guessing.'",
                    "audience_can_try": "'Write done down with the person.'",
                    "state": "'delivered'",
                    "delivered_at": "c.starts_at",
                    **_user(),
                    "created_at": "c.starts_at - interval '20 days'",
                    "updated_at": "c.starts_at",
                },
                "cafes_cafe c JOIN core_user u ON u.id = %(person)s WHERE c.state = 'held' AND mod(c.id, 20) = 1",
                p,
            ),
        )

    # A board reflection many people answered.
    def popular_reflection(self) -> None:
        from reflections.models import Adoption, Answer, Comment, MentorReview, Reflection
        from saypro.core.models import User

        author = User.objects.get(pk=AUTHOR_ID)
        shared = self.now - timedelta(days=11)
        reflection = Reflection.objects.create(
            author=author,
            template_id=self.template_id(),
            title="Delegation: agree what done looks like before you hand over",
            key_takeaway="Write 'done' down together, then step back.",
            visibility=Reflection.Visibility.COLLEAGUES,
            state=Reflection.State.VALIDATED,
            may_be_featured=True,
            search_text="Delegation starts with agreeing what done looks like. Then step back and let people work.",
            created_at=shared - timedelta(days=1),
            updated_at=shared + timedelta(days=1),
            first_submitted_at=shared,
            submitted_at=shared,
            validated_at=shared + timedelta(days=1),
            validated_by_id=mentor_of(AUTHOR_ID),
            depth=4,
            first_shared_at=shared,
            department_id=author.department_id,
            location_id=author.location_id,
            job_role_id=author.job_role_id,
        )
        self.ids["reflection_id"] = reflection.pk
        p = {
            **self.params,
            "r": reflection.pk,
            "shared": shared,
            "roots": POPULAR_COMMENTS,
            "replies": POPULAR_REPLIES,
            "author": AUTHOR_ID,
            "mentor": mentor_of(AUTHOR_ID),
        }

        def answers() -> int:
            return insert_select(
                Answer,
                {
                    "reflection_id": "r.id",
                    "question_id": "q.id",
                    "text": "'I handed the monthly report to a colleague. ' || q.text",
                    "html": "'<p>I handed the monthly report to a colleague. ' || q.text || '</p>'",
                },
                """reflections_reflection r JOIN reflections_guidingquestion q ON q.template_id = r.template_id
                   WHERE r.author_id IN (%(author)s, %(person)s)""",
                {**p, "person": EMPLOYEE_ID},
            )

        self.step("answers (popular reflection, busy employee)", answers)
        hidden = "mod(g, 40) = 0"

        def comments() -> int:
            roots = insert_select(
                Comment,
                {
                    "reflection_id": "%(r)s",
                    "author_id": "u.id",
                    "channel": "'board'",
                    "body": "'I tried this with my team, and it worked. Thank you ' || g",
                    "body_html": "'<p>I tried this with my team, and it worked. Thank you ' || g || '</p>'",
                    "created_at": "%(shared)s + g * interval '30 minutes'",
                    **_user(),
                    "is_hidden": hidden,
                    "hidden_reason": f"CASE WHEN {hidden} THEN 'Names a client' ELSE '' END",
                    "hidden_at": f"CASE WHEN {hidden} THEN %(shared)s + g * interval '30 minutes' "
                    "+ interval '1 hour' END",
                    "hidden_by_id": f"CASE WHEN {hidden} THEN {OFFICER_ID} END",
                },
                "generate_series(1, %(roots)s) g JOIN core_user u ON u.id = 1 + mod(g * 7919 + 30000, %(people)s)",
                p,
            )
            replies = insert_select(
                Comment,
                {
                    "reflection_id": "%(r)s",
                    "author_id": "u.id",
                    "channel": "'board'",
                    "parent_id": "c.id",
                    "body": "'Same here: which template did you use? ' || g",
                    "body_html": "'<p>Same here: which template did you use? ' || g || '</p>'",
                    "created_at": "%(shared)s + (%(roots)s + g) * interval '30 minutes'",
                    **_user(),
                    "is_hidden": "false",
                },
                """generate_series(1, %(replies)s) g
                   JOIN (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM reflections_comment
                         WHERE reflection_id = %(r)s) c ON c.rn = 1 + mod(g * 7, %(roots)s)
                   JOIN core_user u ON u.id = 1 + mod(g * 104729 + 60000, %(people)s)""",
                p,
            )
            review = insert_select(
                Comment,
                {
                    "reflection_id": "%(r)s",
                    "author_id": "CASE WHEN mod(g, 2) = 0 THEN %(author)s ELSE %(mentor)s END",
                    "channel": "'review'",
                    "body": "'Could you say what you will do differently? ' || g",
                    "body_html": "'<p>Could you say what you will do differently? ' || g || '</p>'",
                    "created_at": "%(shared)s - interval '1 day' + g * interval '1 hour'",
                    "is_hidden": "false",
                },
                "generate_series(1, 10) g",
                p,
            )
            MentorReview.objects.bulk_create(
                MentorReview(
                    reflection=reflection,
                    mentor_id=mentor_of(AUTHOR_ID),
                    depth=depth,
                    decision=decision,
                    note="Go one step further.",
                    note_html="<p>Go one step further.</p>",
                    created_at=at,
                )
                for depth, decision, at in (
                    (2, "changes_requested", shared - timedelta(hours=12)),
                    (4, "validated", shared + timedelta(days=1)),
                )
            )
            return roots + replies + review + 2

        self.step("popular reflection: comments, reviews", comments)
        self.step(
            "popular reflection: reactions",
            lambda: insert_select(
                Adoption,
                {
                    "reflection_id": "%(r)s",
                    "person_id": "u.id",
                    "kind": "CASE WHEN g <= 300 THEN 'will_try' ELSE 'tried' END",
                    "note": "CASE WHEN g > 300 THEN 'It worked: the report came back right the first time.' "
                    "ELSE '' END",
                    "created_at": "%(shared)s + g * interval '20 minutes'",
                    **_user(),
                },
                """generate_series(1, 380) g
                   JOIN core_user u ON u.id = 1 + mod(CASE WHEN g <= 300 THEN g ELSE g - 300 END * 3571 + 40000,
                                                      %(people)s)""",
                p,
            ),
        )

    # A session held yesterday: 200 participants, their contributions and suggestions.
    def busy_session(self) -> None:
        from feedback.models import Contribution, FeedbackSession, Suggestion
        from saypro.core.models import Enrolment, Module, Programme

        starts = datetime.combine(self.today - timedelta(days=1), datetime.min.time(), tzinfo=JHB).replace(hour=10)
        programme = Programme.objects.create(title="Benchmark programme")
        module = Module.objects.create(
            programme=programme,
            position=1,
            title="Leading a team through change",
            starts_on=starts.date() - timedelta(days=30),
            ends_on=starts.date() - timedelta(days=1),
            is_major=True,
            ended_at=starts - timedelta(days=1),
        )
        session = FeedbackSession.objects.create(
            module=module,
            state=FeedbackSession.State.HELD,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            place="Room 1",
            facilitator_id=OFFICER_ID,
            prompts="What will you try first?\nWhat got in the way?",
            scheduled_at=starts - timedelta(days=14),
            opened_at=starts,
            held_at=starts + timedelta(hours=1),
            created_at=starts - timedelta(days=15),
        )
        self.ids["session_id"] = session.pk
        p = {
            **self.params,
            "module": module.pk,
            "session": session.pk,
            "n": SESSION_PARTICIPANTS - 1,
            "person": EMPLOYEE_ID,
            "starts": starts,
        }
        people = "(SELECT %(person)s AS id UNION ALL SELECT 1000 + g FROM generate_series(1, %(n)s) g) v"
        self.step(
            "busy session: enrolments",
            lambda: insert_select(
                Enrolment,
                {
                    "person_id": "v.id",
                    "module_id": "%(module)s",
                    "status": "'completed'",
                    "enrolled_at": "%(starts)s - interval '40 days'",
                },
                people,
                p,
            ),
        )

        self.insert(
            "busy session: contributions, suggestions",
            Insert(
                Contribution,
                {
                    "session_id": "%(session)s",
                    "author_id": "u.id",
                    "recorded_by_id": f"CASE WHEN mod(u.id + n, 17) = 0 THEN {OFFICER_ID} END",
                    "kind": "(ARRAY['insight', 'challenge', 'success_story'])[1 + mod(u.id + n, 3)]",
                    "text": "'Ask the team what done looks like before the work starts. ' || u.id || '-' || n",
                    "text_html": "'<p>Ask the team what done looks like before the work starts. ' || u.id || '-' || n "
                    "|| '</p>'",
                    "submission_token": "gen_random_uuid()",
                    **_user(),
                    "discussed": "mod(u.id + n, 2) = 0",
                    "highlighted": "mod(u.id + n, 23) = 0",
                    "hidden_at": "CASE WHEN mod(u.id + n, 41) = 0 THEN %(starts)s + interval '30 minutes' END",
                    "hidden_by_id": f"CASE WHEN mod(u.id + n, 41) = 0 THEN {OFFICER_ID} END",
                    "hidden_reason": "CASE WHEN mod(u.id + n, 41) = 0 THEN 'Names a client' ELSE '' END",
                    "withdrawn_at": "CASE WHEN mod(u.id + n, 53) = 0 THEN %(starts)s END",
                    "created_at": "%(starts)s - interval '1 day' + (u.id - 1000 + n * 200) * interval '2 minutes'",
                    "updated_at": "%(starts)s - interval '1 day' + (u.id - 1000 + n * 200) * interval '2 minutes'",
                },
                f"""{people} JOIN core_user u ON u.id = v.id
                CROSS JOIN LATERAL generate_series(1, 1 + mod(u.id, 2)) n""",
                p,
            ),
            Insert(
                Suggestion,
                {
                    "contribution_id": "c.id",
                    "author_id": "1000 + 1 + mod(c.id * 7 + k, %(n)s)",
                    "text": "'Try a five-minute check-in at the start. ' || k",
                    "text_html": "'<p>Try a five-minute check-in at the start. ' || k || '</p>'",
                    "submission_token": "gen_random_uuid()",
                    "created_at": "c.created_at + k * interval '10 minutes'",
                },
                """feedback_contribution c CROSS JOIN generate_series(1, 2) k
               WHERE c.session_id = %(session)s AND c.kind = 'challenge'""",
                p,
            ),
        )

    # Who was invited to every held session (everyone enrolled and not withdrawn before), and who came.
    def invitations(self) -> None:
        from feedback.models import Invitation

        self.step(
            "feedback invitations",
            lambda: _rebuilt_indexes(
                "feedback_invitation",
                lambda: insert_select(
                    Invitation,
                    {
                        "session_id": "s.id",
                        "person_id": "e.person_id",
                        "attendance": "CASE WHEN bench_r(e.id, 70) < 0.75 THEN 'present' "
                        "WHEN bench_r(e.id, 70) < 0.82 THEN 'late' ELSE 'absent' END",
                        "invited_at": "s.starts_at - interval '14 days'",
                        "notified_sequence": "0",
                        "attendance_recorded_at": "s.held_at",
                    },
                    """feedback_feedbacksession s JOIN core_enrolment e ON e.module_id = s.module_id
                       WHERE s.state = 'held' AND (e.withdrawn_at IS NULL OR e.withdrawn_at >= s.starts_at)""",
                ),
            ),
        )

    # A person in a circle in each of the last 12 weeks of rounds.
    def circle_regular(self) -> None:
        from circles.models import Membership

        self.step(
            "circles: 12 weeks of one person",
            lambda: insert_select(
                Membership,
                {
                    "circle_id": "c.id",
                    "round_id": "c.round_id",
                    "person_id": "u.id",
                    **_user(),
                    "attended": "true",
                    "created_at": "r.meets_at - interval '2 days'",
                },
                """(SELECT * FROM circles_round WHERE state = 'published' ORDER BY week_starts_on DESC LIMIT 12) r
                   JOIN circles_circle c ON c.round_id = r.id AND c.number = 1 + mod(r.id * 53, 2000)
                   JOIN core_user u ON u.id = %(person)s""",
                {**self.params, "person": CIRCLE_PERSON_ID},
                suffix="ON CONFLICT DO NOTHING",
            ),
        )

    # An upcoming café: 20 talks on the agenda, 420 answers (300 going, 80 waiting, 40 not coming).
    def cafe(self) -> None:
        from cafes.models import Cafe, Rsvp, TalkInterest, TalkProposal

        starts = datetime.combine(self.today + timedelta(days=14), datetime.min.time(), tzinfo=JHB).replace(hour=15)
        cafe = Cafe.objects.create(
            title="Knowledge café: leading through change",
            theme="Small habits of good leaders",
            starts_at=starts,
            duration_minutes=180,
            place="Hall A",
            capacity=CAFE_CAPACITY,
            state=Cafe.State.PUBLISHED,
            agenda_published_at=self.now - timedelta(days=1),
            created_by_id=OFFICER_ID,
            created_at=self.now - timedelta(days=30),
        )
        self.ids["cafe_id"] = cafe.pk
        p = {
            **self.params,
            "cafe": cafe.pk,
            "starts": starts,
            "talks": CAFE_TALKS,
            "rsvps": CAFE_RSVPS - 1,
            "capacity": CAFE_CAPACITY,
            "person": EMPLOYEE_ID,
            "now": self.now,
        }
        talk = {
            "title": "'One idea about leading change, number ' || g",
            "idea": "'Say the one idea first.'",
            "why_it_matters": "'People remember the first minute.'",
            "audience_can_try": "'Open your next meeting with it.'",
            **_user(),
            "created_at": "%(now)s - interval '20 days' + g * interval '1 hour'",
            "updated_at": "%(now)s - interval '2 days'",
        }

        self.insert(
            "café: talks, proposals, interest",
            Insert(
                TalkProposal,
                {
                    **talk,
                    "speaker_id": "u.id",
                    "cafe_id": "%(cafe)s",
                    "state": "'accepted'",
                    "position": "g",
                    "decided_by_id": str(OFFICER_ID),
                    "decided_at": "%(now)s - interval '3 days'",
                },
                "generate_series(1, %(talks)s) g JOIN core_user u ON u.id = 2000 + g",
                p,
            ),
            Insert(
                TalkProposal,
                {**talk, "speaker_id": "u.id", "state": "'proposed'"},
                "generate_series(1, 60) g JOIN core_user u ON u.id = 3000 + g",
                p,
            ),
            Insert(
                TalkInterest,
                {"talk_id": "t.id", "person_id": "4000 + mod(t.id * 31 + k, 5000)", "created_at": "t.created_at"},
                "cafes_talkproposal t CROSS JOIN generate_series(1, 10) k WHERE t.cafe_id = %(cafe)s",
                p,
            ),
        )
        going, waitlist = CAFE_CAPACITY - 1, CAFE_CAPACITY + 79
        self.step(
            "café: RSVPs",
            lambda: insert_select(
                Rsvp,
                {
                    "cafe_id": "%(cafe)s",
                    "person_id": "u.id",
                    "status": f"CASE WHEN v.g <= {going} THEN 'going' WHEN v.g <= {waitlist} THEN 'waitlist' "
                    "ELSE 'cancelled' END",
                    "answered_at": "%(now)s - interval '10 days' + v.g * interval '10 minutes'",
                    **_user(),
                },
                """(SELECT 0 AS g, %(person)s AS id UNION ALL SELECT g, 5000 + g FROM generate_series(1, %(rsvps)s) g) v
                   JOIN core_user u ON u.id = v.id""",
                p,
            ),
        )

    # Next week's round formed from 2,000 sign-ups, and the week after's open with 2,000 more.
    def rounds(self) -> None:
        from circles.models import Round, Signup, SignupChoice, Topic

        monday = self.today + timedelta(days=7 - self.today.weekday())
        topics = list(Topic.objects.filter(is_active=True).order_by("pk"))
        p = {**self.params, "n": ROUND_SIGNUPS, "topics": [t.pk for t in topics], "now": self.now}
        for name, week, offset in (
            ("formed_round_id", monday, 0),
            ("open_round_id", monday + timedelta(days=7), 50_000),
        ):
            meets = datetime.combine(week + timedelta(days=2), datetime.min.time(), tzinfo=JHB).replace(hour=12)
            round = Round.objects.create(
                week_starts_on=week,
                signup_deadline=meets - timedelta(days=2, hours=3),
                meets_at=meets,
                created_at=self.now - timedelta(days=7),
            )
            round.topics.set(topics)
            self.ids[name] = round.pk
            q = {**p, "round": round.pk, "offset": offset}

            self.insert(
                f"round of the week of {week:%d %b}: sign-ups",
                Insert(
                    Signup,
                    {
                        "round_id": "%(round)s",
                        "person_id": "1 + mod(g * 7919 + %(offset)s, %(people)s)",
                        "not_this_week": "mod(g, 33) = 0",
                        "source": "CASE WHEN mod(g, 10) = 0 THEN 'standing' ELSE 'person' END",
                        "created_at": "%(now)s - interval '3 days' + g * interval '1 minute'",
                        "updated_at": "%(now)s - interval '3 days' + g * interval '1 minute'",
                    },
                    "generate_series(1, %(n)s) g",
                    q,
                ),
                Insert(
                    SignupChoice,
                    {
                        "signup_id": "s.id",
                        "topic_id": "(%(topics)s::bigint[])[1 + mod(s.person_id + k, "
                        "cardinality(%(topics)s::bigint[]))]",
                        "rank": "k",
                    },
                    """circles_signup s CROSS JOIN LATERAL generate_series(1, floor(bench_r(s.id, 90) * 4)::int) k
                   WHERE s.round_id = %(round)s AND NOT s.not_this_week""",
                    q,
                ),
            )

    def notifications(self) -> None:
        from saypro.core.models import Notification

        kinds = ["reflection_comment", "circle_assigned", "cafe_agenda", "session_scheduled", "reflection_validated"]
        p = {
            **self.params,
            "n": BACKGROUND_NOTIFICATIONS,
            "kinds": kinds,
            "person": EMPLOYEE_ID,
            "mine": EMPLOYEE_NOTIFICATIONS,
            "now": self.now,
        }
        common = {
            "kind": "(%(kinds)s::text[])[1 + mod(g, 5)]",
            "key": "'bench:' || g",
            "title": "'A colleague commented on your reflection (' || g || ')'",
            "body": "'Read what they said and answer if you like.'",
            "url": "'/reflections/' || (1 + mod(g, 300000)) || '/'",
            "digest_pending": "false",
        }

        inserts = (
            Insert(
                Notification,
                {
                    **common,
                    "recipient_id": "1 + mod(g::bigint * 7919, %(people)s)",
                    "created_at": "%(w0)s + bench_r(g, 95) * interval '330 days'",
                    "read_at": "CASE WHEN bench_r(g, 96) < 0.7 THEN %(w0)s + bench_r(g, 95) * interval '330 days' "
                    "+ interval '1 day' END",
                },
                "generate_series(1, %(n)s) g",
                p,
            ),
            Insert(
                Notification,
                {
                    **common,
                    "key": "'bench-mine:' || g",
                    "recipient_id": "%(person)s",
                    "created_at": "%(now)s - g * interval '7 hours'",
                    "read_at": "CASE WHEN g > 30 THEN %(now)s - g * interval '7 hours' + interval '1 hour' END",
                },
                "generate_series(1, %(mine)s) g",
                p,
            ),
        )
        self.step("notifications", lambda: _rebuilt_indexes("core_notification", lambda: insert_all(*inserts)))

    def form_round(self) -> None:
        from circles.models import Circle, Round
        from circles.services import circle_round_form_groups
        from saypro.core.models import User

        round = Round.objects.get(pk=self.ids["formed_round_id"])
        officer = User.objects.get(pk=OFFICER_ID)
        self.step(
            "officer forms next week's circles",
            lambda: circle_round_form_groups(round=round, by=officer) and Circle.objects.filter(round=round).count(),
        )

    def snapshots(self) -> None:
        from saypro.impact.services import snapshot_build

        def build() -> int:
            run_sql("ANALYZE")
            for month in SNAPSHOT_MONTHS:
                snapshot, _built = snapshot_build(month=month)
                assert snapshot.status == "ready", snapshot.error
            return len(SNAPSHOT_MONTHS)

        self.step("impact snapshots (March, April)", build)

    def store_handy(self) -> LargeOrg:
        from saypro.core.models import Department

        org = LargeOrg(
            officer_id=OFFICER_ID,
            manager_id=MANAGER_ID,
            mentor_id=MENTOR_ID,
            employee_id=EMPLOYEE_ID,
            colleague_id=COLLEAGUE_ID,
            circle_person_id=CIRCLE_PERSON_ID,
            author_id=AUTHOR_ID,
            department_id=Department.objects.order_by("name").values_list("pk", flat=True)[0],
            **self.ids,
        )
        run_sql("CREATE TABLE IF NOT EXISTS bench_handy (name text PRIMARY KEY, value bigint NOT NULL)")
        for f in fields(LargeOrg):
            run_sql(
                "INSERT INTO bench_handy (name, value) VALUES (%(name)s, %(value)s) "
                "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
                {"name": f.name, "value": getattr(org, f.name)},
            )
        return org
