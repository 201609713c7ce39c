"""Benchmark the monthly impact snapshot on an organisation of 100,000 people.

Run from the repository root::

    .venv/bin/python benchmarks/bench_impact_snapshot.py
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/saypro_bench \
        .venv/bin/python benchmarks/bench_impact_snapshot.py

PostgreSQL only (the size this is about is a production size). The database named by
BENCH_DATABASE_URL (its name must contain "bench", since it is dropped) is dropped, created and
migrated; when PostgreSQL cannot be reached the benchmark says so and exits 0, so `make bench`
still completes.

The organisation: 100,000 people in 12 departments, 6 locations and 8 job roles, a placement
per person and about one in twenty with a second placement after a move during the six months
January–June 2026 (Johannesburg time). About 2.2 million activity records over those months,
seeded with INSERT ... SELECT over generate_series and a deterministic hash (no random state):
enrolments (some withdrawn before, some after their session), 600 feedback sessions (one in
twenty cancelled) with contributions (some hidden, withdrawn or recorded on behalf),
reflections (many shared with colleagues, some made private again or hidden) with mentor
reviews, board comments and "I'll try this" / "I tried it", weekly circle rounds with circles,
memberships and learnings, and cafés with delivered talks and RSVPs. Non-unique indexes are
built after the load; as a superuser the load skips the foreign-key triggers and then checks
every foreign key with one query each. The seed time printed includes both.

Printed: seeding time per table, then `snapshot_build(month=April 2026)` best of 3 (each a
real rebuild, with a reason), the time of each step of the best build, the figures stored, the
rows of the month per channel, and one plain-SQL GROUP BY over the same rows (participation
per department and learnings per channel, checked against the stored figures) with the ratio
of the two times. When the server has JIT compilation on, the same is measured again with
`SET jit = off`: JIT compiles the large-estimate queries for longer than they run.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/saypro_bench"
JHB = ZoneInfo("Africa/Johannesburg")
WINDOW_START = datetime(2026, 1, 1, tzinfo=JHB)
WINDOW_DAYS = 181  # January to June 2026
MONTH = date(2026, 4, 1)  # the month timed: data on both sides of it
CHANNELS = ("feedback", "board", "circles", "cafes")

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
RUNS = 3


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

        def placements() -> int:
            before = insert_select(
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
            )
            return before + insert_select(
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
            )

        self.step("placements", placements)

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
        p.update(n=REFLECTIONS, people=PEOPLE)
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
                    "title": "'Reflection ' || v.g",
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

        def comments() -> int:
            board = insert_select(
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
            )
            review = insert_select(
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
            )
            return board + review

        self.step("comments (board and review)", comments)

        def adoptions() -> int:
            will_try = insert_select(
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
            )
            tried = insert_select(
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
            )
            return will_try + tried

        self.step("adoptions (will try, tried)", adoptions)

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


# --- measuring ------------------------------------------------------------------------------------


def plain_sql() -> str:
    """Participation per department and learnings per channel, written from DESIGN.md by hand."""
    return """
    WITH held AS (
        SELECT id, module_id, starts_at FROM feedback_feedbacksession
        WHERE state = 'held' AND starts_at >= %(start)s AND starts_at < %(end)s
    ), eligible AS (
        SELECT h.id AS session_id, e.person_id, pl.department_id,
               EXISTS (SELECT 1 FROM feedback_contribution c
                       WHERE c.session_id = h.id AND c.author_id = e.person_id
                         AND c.hidden_at IS NULL AND c.withdrawn_at IS NULL) AS active
        FROM held h
        JOIN core_enrolment e ON e.module_id = h.module_id AND (e.withdrawn_at IS NULL OR e.withdrawn_at >= h.starts_at)
        LEFT JOIN core_placement pl ON pl.person_id = e.person_id AND pl.valid_from <= h.starts_at
             AND (pl.valid_to IS NULL OR pl.valid_to > h.starts_at)
    )
    SELECT 'participation' AS figure, department_id::text AS key,
           COUNT(DISTINCT person_id) FILTER (WHERE active) AS numerator, COUNT(DISTINCT person_id) AS denominator
    FROM eligible GROUP BY department_id
    UNION ALL
    SELECT 'learnings_shared', channel, COUNT(*), NULL FROM (
        SELECT 'feedback' AS channel FROM feedback_contribution c JOIN held h ON h.id = c.session_id
        WHERE c.kind IN ('insight', 'success_story') AND c.hidden_at IS NULL AND c.withdrawn_at IS NULL
        UNION ALL
        SELECT 'board' FROM reflections_reflection r
        WHERE r.visibility = 'colleagues' AND NOT r.is_hidden AND r.state <> 'draft'
          AND r.first_shared_at >= %(start)s AND r.first_shared_at < %(end)s
        UNION ALL
        SELECT 'circles' FROM circles_learning l
        WHERE NOT l.is_hidden AND l.created_at >= %(start)s AND l.created_at < %(end)s
        UNION ALL
        SELECT 'cafes' FROM cafes_talkproposal t JOIN cafes_cafe k ON k.id = t.cafe_id
        WHERE t.state = 'delivered' AND k.state = 'held' AND k.starts_at >= %(start)s AND k.starts_at < %(end)s
    ) learnings GROUP BY channel
    """


def build_best_of(runs: int, label: str):
    """Rebuild the month `runs` times; return the best time, its steps and the last snapshot."""
    from saypro.impact.services import snapshot_build

    timings: list[tuple[float, list[tuple[str, float]]]] = []
    snapshot = None
    for run in range(1, runs + 1):
        marks: list[tuple[str, float]] = []

        def progress(percent: int, step: str, marks=marks) -> None:
            marks.append((step, time.perf_counter()))

        started = time.perf_counter()
        snapshot, built = snapshot_build(month=MONTH, rebuild=True, reason=f"Benchmark, {label}, run {run}",
                                         progress=progress)  # fmt: skip
        total = time.perf_counter() - started
        assert built and snapshot.status == "ready", snapshot.error
        timings.append((total, [(marks[i][0], marks[i + 1][1] - marks[i][1]) for i in range(len(marks) - 1)]))
    best, steps = min(timings, key=lambda t: t[0])
    return best, steps, [t for t, _ in timings], snapshot


def plain_best_of(runs: int, start: datetime, end: datetime) -> tuple[float, list[tuple]]:
    query, times, rows = plain_sql(), [], []
    for _ in range(runs):
        started = time.perf_counter()
        rows = run_sql(query, {"start": start, "end": end})
        times.append(time.perf_counter() - started)
    return min(times), rows


def measure() -> None:
    from saypro.impact.models import Figure
    from saypro.impact.months import month_bounds

    start, end = month_bounds(MONTH)
    jit = run_sql("SHOW jit")[0][0]
    settings = [f"server settings (jit={jit})"] + (["jit=off for the session"] if jit == "on" else [])
    for index, label in enumerate(settings):
        if index:
            run_sql("SET jit = off")
        best, steps, runs, snapshot = build_best_of(RUNS, label)
        plain, rows = plain_best_of(RUNS, start, end)
        figures = {(f.name, f.dimension, f.key): f for f in Figure.objects.filter(snapshot=snapshot)}
        print(f"\nWith {label}:")
        print(
            f"snapshot_build(month={MONTH:%Y-%m}), best of {RUNS}: {best:.2f} s "
            f"(runs {' '.join(f'{t:.2f}' for t in runs)}); {len(figures)} figures stored"
        )
        for step, seconds in steps:
            print(f"  {step:<36} {seconds:6.2f} s")
        channel = {key: figures[("learnings_shared", "channel", key)].numerator for key in CHANNELS}
        if not index:
            participation = figures[("participation", "", "")]
            print(f"Rows in {MONTH:%B %Y}:")
            print(
                f"  feedback sessions held {figures[('sessions_held', '', '')].numerator}, "
                f"eligible people {participation.denominator:,}, active {participation.numerator:,}"
            )
            print("  learnings shared per channel: " + ", ".join(f"{k} {v:,}" for k, v in channel.items()))
            print(
                f"  engagements crossing departments {figures[('cross_department_engagements', '', '')].numerator:,}, "
                f"circles met {figures[('circles_met', '', '')].numerator:,}, "
                f"café attendances {figures[('cafe_attendance', '', '')].numerator:,}"
            )
        mismatches = []
        for figure, key, numerator, denominator in rows:
            if figure == "participation":
                cell = figures.get(("participation", "department", key or ""))
                found = (cell.numerator, cell.denominator) if cell else None
                if found != (numerator, denominator):
                    mismatches.append(f"participation[{key}] {found} != {(numerator, denominator)}")
            elif channel[key] != numerator:
                mismatches.append(f"learnings[{key}] {channel[key]} != {numerator}")
        print(
            f"Plain SQL GROUP BY (participation per department + learnings per channel), best of {RUNS}: {plain:.2f} s"
        )
        print(f"  same numbers as the snapshot: {'yes' if not mismatches else 'NO: ' + '; '.join(mismatches)}")
        print(f"Ratio build / plain query: {best / plain:.1f}")
    run_sql("RESET jit")


def main() -> int:
    import psycopg2

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        print(f"The snapshot benchmark needs PostgreSQL; BENCH_DATABASE_URL is {url!r}. Skipped.")
        return 0
    try:
        recreate_database(url)
    except psycopg2.OperationalError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"PostgreSQL is not reachable ({reason}); the snapshot benchmark is skipped.")
        print("Start PostgreSQL or set BENCH_DATABASE_URL=postgres://user@host:port/saypro_bench to run it.")
        return 0
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
    print(f"Migrated a fresh database in {time.perf_counter() - started:.1f} s")

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
    measure()
    return 0


if __name__ == "__main__":
    sys.exit(main())
