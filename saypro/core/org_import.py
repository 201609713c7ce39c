"""The org chart import: HR's CSV file, checked row by row, then written whole or not at all.

One service behind the `import_org` command and the officer's upload page:

- `org_import_parse` reads the bytes and checks every row on its own (no database).
- `org_import_apply` adds the checks that need the database (a mentor who is nobody, a
  manager scoped to a department nobody is in), works out every change, and writes them in
  one transaction. Any bad row refuses the whole file: the report lists every problem as
  (row, column, reason), rows numbered as a spreadsheet shows them (the header is row 1).
- `org_import_queue` / `org_import_run` are the upload page's side: an `OrgImport` row holds
  the file, its progress and its report while a worker (or the request, for a small file)
  runs it.

The file is authoritative for the people it names: their names, placement, roles (the
Employee group always, plus officer / mentor / manager), mentors and manager scopes. People
the file does not name are left as they are.
"""

from __future__ import annotations

import csv
import io
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import DatabaseError, connection, transaction
from django.db.models import Model
from django.utils import timezone

from . import roles
from .models import (
    AuditEntry,
    Department,
    JobRole,
    Location,
    ManagerScope,
    MentorLink,
    OrgImport,
    Placement,
    User,
)
from .services import audit_record, task_enqueue

logger = logging.getLogger(__name__)

COLUMNS = (
    "email",
    "first_name",
    "last_name",
    "department",
    "location",
    "job_role",
    "mentor_emails",
    "roles",
    "manager_departments",
)
LIST_SEPARATOR = "|"
WHOLE_ORGANISATION = "*"
PROGRESS_EVERY = 500
# Files with fewer rows than this are imported inside the upload request: instant feedback,
# and a quick fix-and-retry does not wait for a worker.
SYNC_ROW_LIMIT = 500
# The role words everyone has anyway; accepted in the roles column and ignored.
IMPLIED_ROLES = {"employee"}
UNIT_MAX_LENGTH = 120
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254

ProgressCallback = Callable[[int, int], None]

_email_validator = EmailValidator()


@dataclass(frozen=True)
class RowError:
    """One problem of one row: `row` as a spreadsheet numbers it, `column` as the header names it."""

    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ImportRow:
    """One row of the file with its text normalised (and, on a bad row, what could not be read left out)."""

    row: int
    email: str
    first_name: str
    last_name: str
    department: str
    location: str
    job_role: str
    mentor_emails: tuple[str, ...]
    roles: frozenset[str]
    manager_departments: tuple[str, ...]


@dataclass
class ParsedImport:
    """Every non-blank row of the file, and the problems found; the rows are only used when there are none."""

    rows: list[ImportRow]
    errors: list[RowError]
    # Every e-mail and department the file names, bad rows included: a mentor on a bad row
    # is still somebody, and the report should not add a second, misleading problem.
    emails: set[str] = field(default_factory=set)
    departments: set[str] = field(default_factory=set)

    @property
    def row_count(self) -> int:
        return len(self.rows)


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def refused(self) -> bool:
        return bool(self.errors)

    def counts(self) -> str:
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"


# --- parsing (no database) ----------------------------------------------------------------------


def org_import_parse(*, content: bytes) -> ParsedImport:
    """Read HR's CSV bytes and check every row on its own; nothing touches the database.

    Accepts UTF-8 with or without a byte-order mark, comma or semicolon separated, columns in
    any order (extra columns are ignored). Blank rows are skipped.
    """
    text, not_utf8 = _decode(content)
    if not text.strip():
        return ParsedImport(
            rows=[],
            errors=[RowError(1, "", f"The file is empty: the first row must name the columns ({', '.join(COLUMNS)}).")],
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = next(reader)
    except csv.Error as exc:
        return ParsedImport(rows=[], errors=[RowError(1, "", f"The header row cannot be read as CSV ({exc}).")])
    index, errors = _read_header(header, not_utf8=not_utf8)
    if errors:
        return ParsedImport(rows=[], errors=errors)

    parsed = ParsedImport(rows=[], errors=[])
    first_row_of: dict[str, int] = {}
    row_number = 1
    while True:
        row_number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            parsed.errors.append(
                RowError(row_number, "", f"This row cannot be read as CSV ({exc}); nothing after it was read.")
            )
            break
        if not any(cell.strip() for cell in cells):
            continue
        row, row_errors = _read_row(row_number, cells, index, header_width=len(header), not_utf8=not_utf8)
        if row.email:
            if row.email in first_row_of:
                row_errors.append(
                    RowError(
                        row_number,
                        "email",
                        f"Duplicate e-mail: {row.email} is already on row {first_row_of[row.email]} "
                        "(e-mails are compared without regard to capitals).",
                    )
                )
            else:
                first_row_of[row.email] = row_number
            parsed.emails.add(row.email)
        if row.department:
            parsed.departments.add(row.department.casefold())
        parsed.errors.extend(row_errors)
        parsed.rows.append(row)
    return parsed


def _decode(content: bytes) -> tuple[str, bool]:
    """Text of the file and whether it was not valid UTF-8 (then bad bytes read as U+FFFD)."""
    try:
        return content.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return content.decode("utf-8-sig", errors="replace"), True


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def _normalise_column(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def _read_header(header: list[str], *, not_utf8: bool) -> tuple[dict[str, int], list[RowError]]:
    errors: list[RowError] = []
    index: dict[str, int] = {}
    for position, raw in enumerate(header):
        name = _normalise_column(raw)
        if not_utf8 and "\ufffd" in raw:
            errors.append(RowError(1, raw.strip(), _NOT_UTF8))
        if name in COLUMNS:
            if name in index:
                errors.append(RowError(1, name, f"The column {name} appears twice in the header row."))
            index.setdefault(name, position)
    for name in COLUMNS:
        if name not in index:
            errors.append(
                RowError(
                    1,
                    name,
                    f"Required column {name} is missing from the header row "
                    f"(expected: {', '.join(COLUMNS)}; any order, comma or semicolon separated).",
                )
            )
    return index, errors


_NOT_UTF8 = (
    "This cell holds bytes that are not UTF-8 text (often an accented letter saved by an older program). "
    "Save the file as “CSV UTF-8” and import it again."
)


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]


def _unit_name(value: str) -> str:
    return " ".join(value.split())


def _email_problem(value: str) -> str | None:
    if len(value) > EMAIL_MAX_LENGTH:
        return f"This e-mail address is longer than {EMAIL_MAX_LENGTH} characters."
    try:
        _email_validator(value)
    except ValidationError:
        return f"“{value}” is not a valid e-mail address."
    return None


def _read_row(
    row_number: int, cells: list[str], index: dict[str, int], *, header_width: int, not_utf8: bool
) -> tuple[ImportRow, list[RowError]]:
    errors: list[RowError] = []

    def problem(column: str, reason: str) -> None:
        errors.append(RowError(row_number, column, reason))

    if len(cells) > header_width and any(cell.strip() for cell in cells[header_width:]):
        problem(
            "",
            f"This row has {len(cells)} cells but the header names {header_width} columns; "
            "a value with a comma or semicolon in it needs quotes.",
        )
    values: dict[str, str] = {}
    for name, position in index.items():
        raw = cells[position] if position < len(cells) else ""
        if not_utf8 and "\ufffd" in raw:
            problem(name, _NOT_UTF8)
        if "\x00" in raw:
            problem(name, "This cell holds a NUL character (byte 0), which no text may contain.")
            raw = raw.replace("\x00", "")
        values[name] = raw.strip()

    email = values["email"].lower()
    if not email:
        problem("email", "The e-mail address is missing; it is how people are matched.")
    elif reason := _email_problem(email):
        problem("email", reason)

    first_name, last_name = values["first_name"], values["last_name"]
    for column, value in (("first_name", first_name), ("last_name", last_name)):
        if len(value) > NAME_MAX_LENGTH:
            problem(column, f"Longer than {NAME_MAX_LENGTH} characters.")

    units = {}
    for column in ("department", "location", "job_role"):
        units[column] = _unit_name(values[column])
        if len(units[column]) > UNIT_MAX_LENGTH:
            problem(column, f"Longer than {UNIT_MAX_LENGTH} characters.")

    mentors: list[str] = []
    for mentor in _split_list(values["mentor_emails"]):
        mentor = mentor.lower()
        if reason := _email_problem(mentor):
            problem("mentor_emails", reason)
        elif mentor == email:
            problem("mentor_emails", "A person cannot be their own mentor.")
        elif mentor not in mentors:
            mentors.append(mentor)

    role_words = set()
    for word in _split_list(values["roles"]):
        word = word.lower()
        if word in roles.IMPORT_ROLE_GROUPS:
            role_words.add(word)
        elif word not in IMPLIED_ROLES:
            problem("roles", f"Unknown role “{word}”: use officer, mentor or manager, separated by {LIST_SEPARATOR}.")

    scope_names = [_unit_name(name) for name in _split_list(values["manager_departments"])]
    if WHOLE_ORGANISATION in scope_names:
        scope_names = [WHOLE_ORGANISATION]
    if scope_names and "manager" not in role_words:
        problem(
            "manager_departments",
            "Only managers have manager departments: add manager to this row's roles, or leave the cell empty.",
        )
    elif "manager" in role_words and not scope_names:
        problem(
            "manager_departments",
            f"A manager needs the departments they read reports for (separated by {LIST_SEPARATOR}), "
            f"or {WHOLE_ORGANISATION} for the whole organisation.",
        )

    row = ImportRow(
        row=row_number,
        email=email,
        first_name=first_name,
        last_name=last_name,
        department=units["department"],
        location=units["location"],
        job_role=units["job_role"],
        mentor_emails=tuple(mentors),
        roles=frozenset(role_words),
        manager_departments=tuple(scope_names),
    )
    return row, errors


# --- what the database holds --------------------------------------------------------------------


@dataclass(frozen=True)
class _Known:
    """A person already in the database, as far as the import cares."""

    id: int
    first_name: str
    last_name: str
    department_id: int | None
    location_id: int | None
    job_role_id: int | None
    is_staff: bool
    is_superuser: bool


def _chunks(values: Sequence, size: int | None = None) -> Iterator[Sequence]:
    # SQLite caps the parameters of one statement; Django's feature flag says by how much.
    size = size or min(connection.features.max_query_params or 5000, 5000) - 50
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _known_people(emails: Iterable[str]) -> dict[str, _Known]:
    known: dict[str, _Known] = {}
    for chunk in _chunks(sorted(emails)):
        for email, *rest in User.objects.filter(email__in=chunk).values_list(
            "email", "id", "first_name", "last_name", "department_id", "location_id", "job_role_id", "is_staff",
            "is_superuser",
        ):  # fmt: skip
            known[email] = _Known(*rest)
    return known


def _unit_names(model: type[Model]) -> dict[int, str]:
    return dict(model.objects.values_list("id", "name"))


def _database_errors(parsed: ParsedImport, known: dict[str, _Known], departments: dict[int, str]) -> list[RowError]:
    """Problems that only the database can reveal: mentors and departments that are nobody's."""
    errors = []
    known_departments = {name.casefold() for name in departments.values()} | parsed.departments
    for row in parsed.rows:
        for mentor in row.mentor_emails:
            if mentor not in parsed.emails and mentor not in known:
                errors.append(
                    RowError(
                        row.row,
                        "mentor_emails",
                        f"The mentor {mentor} is nobody: that e-mail is neither in this file "
                        "nor a person already known.",
                    )
                )
        for name in row.manager_departments:
            if name != WHOLE_ORGANISATION and name.casefold() not in known_departments:
                errors.append(
                    RowError(
                        row.row,
                        "manager_departments",
                        f"No one is in a department called “{name}”: it is not in this file's department column "
                        "and does not exist yet. Check the spelling.",
                    )
                )
    return errors


# --- working out the changes --------------------------------------------------------------------


@dataclass
class _Plan:
    """Every change the import makes, keyed by e-mail where the person may not exist yet."""

    new_units: dict[type[Model], dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    new_people: list[ImportRow] = field(default_factory=list)
    changed_people: list[tuple[int, ImportRow, bool]] = field(default_factory=list)
    placements: list[ImportRow] = field(default_factory=list)
    close_placements_of: list[int] = field(default_factory=list)
    group_adds: list[tuple[str, str]] = field(default_factory=list)
    group_removes: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    role_changes: list[tuple[str, list[str], list[str]]] = field(default_factory=list)
    link_creates: list[tuple[str, str]] = field(default_factory=list)
    link_activate: list[int] = field(default_factory=list)
    link_deactivate: list[int] = field(default_factory=list)
    scope_creates: list[tuple[str, str]] = field(default_factory=list)
    scope_deletes: list[int] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0


_UNIT_FIELDS = ((Department, "department"), (Location, "location"), (JobRole, "job_role"))


def _plan(
    parsed: ParsedImport,
    known: dict[str, _Known],
    unit_names: dict[type[Model], dict[int, str]],
    progress: ProgressCallback | None,
) -> _Plan:
    plan = _Plan()
    keys = {model: {pk: name.casefold() for pk, name in names.items()} for model, names in unit_names.items()}
    existing_keys = {model: set(names.values()) for model, names in keys.items()}
    for row in parsed.rows:
        for model, column in _UNIT_FIELDS:
            name = getattr(row, column)
            if name and name.casefold() not in existing_keys[model]:
                plan.new_units[model].setdefault(name.casefold(), name)

    ids = [known[row.email].id for row in parsed.rows if row.email in known]
    groups_of: dict[int, set[str]] = defaultdict(set)
    open_placement: set[int] = set()
    links_of: dict[int, dict[int, tuple[int, bool]]] = defaultdict(dict)
    scopes_of: dict[int, dict[str, int]] = defaultdict(dict)
    memberships = User.groups.through.objects
    departments = keys[Department]
    for chunk in _chunks(ids):
        for user_id, name in memberships.filter(user_id__in=chunk, group__name__in=roles.ALL_GROUPS).values_list(
            "user_id", "group__name"
        ):
            groups_of[user_id].add(name)
        open_placement.update(
            Placement.objects.filter(person_id__in=chunk, valid_to__isnull=True).values_list("person_id", flat=True)
        )
        for pk, mentor_id, mentee_id, active in MentorLink.objects.filter(mentee_id__in=chunk).values_list(
            "pk", "mentor_id", "mentee_id", "is_active"
        ):
            links_of[mentee_id][mentor_id] = (pk, active)
        for pk, manager_id, department_id in ManagerScope.objects.filter(manager_id__in=chunk).values_list(
            "pk", "manager_id", "department_id"
        ):
            scopes_of[manager_id][WHOLE_ORGANISATION if department_id is None else departments[department_id]] = pk

    total = len(parsed.rows)
    for done, row in enumerate(parsed.rows, start=1):
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
        wanted_groups = {roles.EMPLOYEE} | {roles.IMPORT_ROLE_GROUPS[word] for word in row.roles}
        wanted_scopes = {name.casefold() if name != WHOLE_ORGANISATION else name for name in row.manager_departments}
        person = known.get(row.email)
        if person is None:
            plan.new_people.append(row)
            plan.placements.append(row)
            plan.group_adds.extend((row.email, name) for name in sorted(wanted_groups))
            if wanted_groups - {roles.EMPLOYEE}:
                plan.role_changes.append((row.email, sorted(wanted_groups - {roles.EMPLOYEE}), []))
            plan.link_creates.extend((mentor, row.email) for mentor in row.mentor_emails)
            plan.scope_creates.extend((row.email, key) for key in sorted(wanted_scopes))
            continue

        current_groups = groups_of.get(person.id, set())
        is_staff = person.is_staff
        if roles.OFFICER in wanted_groups:
            is_staff = True
        elif roles.OFFICER in current_groups and not person.is_superuser:
            is_staff = False
        placement_now = tuple(
            keys[model].get(getattr(person, f"{column}_id"), "") for model, column in _UNIT_FIELDS
        )  # fmt: skip
        placement_wanted = tuple(getattr(row, column).casefold() for _, column in _UNIT_FIELDS)
        moved = placement_now != placement_wanted or person.id not in open_placement
        if moved:
            plan.placements.append(row)
            plan.close_placements_of.append(person.id)
        own_changed = moved or (person.first_name, person.last_name, person.is_staff) != (
            row.first_name,
            row.last_name,
            is_staff,
        )
        if own_changed:
            plan.changed_people.append((person.id, row, is_staff))
        added, removed = wanted_groups - current_groups, current_groups - wanted_groups
        plan.group_adds.extend((row.email, name) for name in sorted(added))
        for name in removed:
            plan.group_removes[name].append(person.id)
        if (added | removed) - {roles.EMPLOYEE}:
            plan.role_changes.append((row.email, sorted(added - {roles.EMPLOYEE}), sorted(removed)))

        current_links = links_of.get(person.id, {})
        wanted_mentor_ids = set()
        links_changed = False
        for mentor in row.mentor_emails:
            mentor_id = known[mentor].id if mentor in known else None
            wanted_mentor_ids.add(mentor_id)
            if mentor_id is None or mentor_id not in current_links:
                plan.link_creates.append((mentor, row.email))
                links_changed = True
            elif not current_links[mentor_id][1]:
                plan.link_activate.append(current_links[mentor_id][0])
                links_changed = True
        for mentor_id, (pk, active) in current_links.items():
            if active and mentor_id not in wanted_mentor_ids:
                plan.link_deactivate.append(pk)
                links_changed = True

        current_scopes = scopes_of.get(person.id, {})
        scopes_added, scopes_removed = wanted_scopes - current_scopes.keys(), current_scopes.keys() - wanted_scopes
        plan.scope_creates.extend((row.email, key) for key in sorted(scopes_added))
        plan.scope_deletes.extend(current_scopes[key] for key in scopes_removed)

        if own_changed or added or removed or links_changed or scopes_added or scopes_removed:
            plan.updated += 1
        else:
            plan.unchanged += 1
    if progress:
        progress(total, total)
    return plan


# --- writing ------------------------------------------------------------------------------------


def _write(plan: _Plan, *, known: dict[str, _Known], by: User | None) -> None:
    """Apply a plan. Must run inside a transaction: it is all or nothing."""
    now = timezone.now()
    unit_ids: dict[type[Model], dict[str, int]] = {}
    for model, _column in _UNIT_FIELDS:
        new = plan.new_units.get(model, {})
        if new:
            model.objects.bulk_create([model(name=name) for name in new.values()], batch_size=500)
        unit_ids[model] = {name.casefold(): pk for pk, name in model.objects.values_list("id", "name")}

    def unit(model: type[Model], name: str) -> int | None:
        return unit_ids[model][name.casefold()] if name else None

    new_people = [
        User(
            email=row.email,
            first_name=row.first_name,
            last_name=row.last_name,
            department_id=unit(Department, row.department),
            location_id=unit(Location, row.location),
            job_role_id=unit(JobRole, row.job_role),
            is_staff="officer" in row.roles,
            # What make_password(None) gives, without its slow per-character random choice.
            password=UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30),
            date_joined=now,
        )
        for row in plan.new_people
    ]
    User.objects.bulk_create(new_people, batch_size=500)
    ids = {email: person.id for email, person in known.items()}
    ids.update({person.email: person.pk for person in new_people})
    if any(person.pk is None for person in new_people):
        # A backend that cannot return ids from a bulk insert: read them back.
        for chunk in _chunks([person.email for person in new_people]):
            ids.update(User.objects.filter(email__in=chunk).values_list("email", "id"))

    if plan.changed_people:
        User.objects.bulk_update(
            [
                User(
                    pk=pk,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    department_id=unit(Department, row.department),
                    location_id=unit(Location, row.location),
                    job_role_id=unit(JobRole, row.job_role),
                    is_staff=is_staff,
                )
                for pk, row, is_staff in plan.changed_people
            ],
            ["first_name", "last_name", "department", "location", "job_role", "is_staff"],
            batch_size=500,
        )

    # Placements: the same history as services.person_place keeps, in bulk — the old open
    # placement ends at the moment the new one starts.
    for chunk in _chunks(plan.close_placements_of):
        Placement.objects.filter(person_id__in=chunk, valid_to__isnull=True).update(valid_to=now)
    Placement.objects.bulk_create(
        [
            Placement(
                person_id=ids[row.email],
                department_id=unit(Department, row.department),
                location_id=unit(Location, row.location),
                job_role_id=unit(JobRole, row.job_role),
                valid_from=now,
            )
            for row in plan.placements
        ],
        batch_size=1000,
    )

    group_ids = {name: Group.objects.get_or_create(name=name)[0].pk for name in roles.ALL_GROUPS}
    membership = User.groups.through
    for name, user_ids in plan.group_removes.items():
        for chunk in _chunks(user_ids):
            membership.objects.filter(user_id__in=chunk, group_id=group_ids[name]).delete()
    membership.objects.bulk_create(
        [membership(user_id=ids[email], group_id=group_ids[name]) for email, name in plan.group_adds], batch_size=1000
    )

    MentorLink.objects.bulk_create(
        [
            MentorLink(mentor_id=ids[mentor], mentee_id=ids[mentee], created_at=now)
            for mentor, mentee in plan.link_creates
        ],
        batch_size=1000,
    )
    for chunk in _chunks(plan.link_activate):
        MentorLink.objects.filter(pk__in=chunk).update(is_active=True)
    for chunk in _chunks(plan.link_deactivate):
        MentorLink.objects.filter(pk__in=chunk).update(is_active=False)

    department_ids = unit_ids[Department]
    for chunk in _chunks(plan.scope_deletes):
        ManagerScope.objects.filter(pk__in=chunk).delete()
    ManagerScope.objects.bulk_create(
        [
            ManagerScope(
                manager_id=ids[email], department_id=None if key == WHOLE_ORGANISATION else department_ids[key]
            )
            for email, key in plan.scope_creates
        ],
        batch_size=1000,
    )

    if plan.role_changes:
        # One entry per person whose roles changed, written like services.audit_record does.
        user_type = ContentType.objects.get_for_model(User)
        AuditEntry.objects.bulk_create(
            [
                AuditEntry(
                    actor=by,
                    action="person.roles_changed",
                    target_type=user_type,
                    target_id=str(ids[email]),
                    target_repr=email,
                    reason="org chart import",
                    data={"added": added, "removed": removed},
                    created_at=now,
                )
                for email, added, removed in plan.role_changes
            ],
            batch_size=500,
        )


def org_import_apply(
    *,
    parsed: ParsedImport,
    by: User | None,
    dry_run: bool,
    progress: ProgressCallback | None = None,
    source: str = "",
) -> ImportSummary:
    """Check a parsed file against the database and, unless refused or a dry run, write it.

    Side effects (none on a refusal or a dry run), all in one transaction: departments,
    locations and job roles created on first sight; people created or updated (officers get
    is_staff); role groups set (Employee for everyone), a placement opened for anyone whose
    department, location or job role changed (the old one closed at the same moment); mentor
    links created, re-activated or made former (inactive); manager scopes replaced; an audit
    entry "person.roles_changed" per person whose roles changed, and "org.import" with the
    counts when `by` is a person. `progress(done, total)` is called every few hundred rows
    while the changes are worked out, before anything is written.
    """
    known = _known_people(parsed.emails | {m for row in parsed.rows for m in row.mentor_emails})
    unit_names = {model: _unit_names(model) for model, _ in _UNIT_FIELDS}
    errors = parsed.errors + _database_errors(parsed, known, unit_names[Department])
    if errors:
        errors.sort(key=lambda error: (error.row, COLUMNS.index(error.column) if error.column in COLUMNS else -1))
        return ImportSummary(errors=errors, dry_run=dry_run)

    plan = _plan(parsed, known, unit_names, progress)
    summary = ImportSummary(
        created=len(plan.new_people), updated=plan.updated, unchanged=plan.unchanged, dry_run=dry_run
    )
    if dry_run:
        return summary
    with transaction.atomic():
        _write(plan, known=known, by=by)
        if by is not None:
            audit_record(
                actor=by,
                action="org.import",
                reason=source,
                data={"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged},
            )
    return summary


# --- the upload page's side: a queued import and its run ----------------------------------------


def _row_estimate(content: bytes) -> int:
    return content.count(b"\n")


def org_import_queue(*, by: User, filename: str, content: bytes, dry_run: bool) -> OrgImport:
    """Record an uploaded file and import it: now if it is small, else through a worker.

    Side effects: an OrgImport row holding the file; for a small file the import itself (see
    `org_import_apply`); for a larger one the task `core.org_import_task`, queued after commit.
    """
    org_import = OrgImport.objects.create(uploaded_by=by, filename=filename[:255], content=content, dry_run=dry_run)
    if _row_estimate(content) < SYNC_ROW_LIMIT:
        org_import_run(org_import_id=org_import.pk)
        org_import.refresh_from_db()
    else:
        transaction.on_commit(lambda: _enqueue(org_import_id=org_import.pk))
    return org_import


def _enqueue(*, org_import_id: int) -> None:
    from .tasks import org_import_task

    if not task_enqueue(org_import_task, org_import_id=org_import_id):
        # Nothing sweeps imports up later: say so now rather than leave the page waiting.
        _finish(
            org_import_id,
            ImportSummary(
                errors=[RowError(0, "", "The background worker could not be reached; nothing was written. Try again.")]
            ),
        )


def _finish(org_import_id: int, summary: ImportSummary) -> None:
    OrgImport.objects.filter(pk=org_import_id).update(
        status=OrgImport.Status.REFUSED if summary.refused else OrgImport.Status.DONE,
        created=summary.created,
        updated=summary.updated,
        unchanged=summary.unchanged,
        errors=[error.as_dict() for error in summary.errors],
        finished_at=timezone.now(),
    )


def org_import_run(*, org_import_id: int) -> str:
    """Run one queued import; safe to call twice: only the caller that moves it from queued runs it.

    Side effects: the OrgImport row's status, progress, counts and report; the import itself.
    Progress is written outside the import's transaction so the upload page can show it.
    """
    claimed = OrgImport.objects.filter(pk=org_import_id, status=OrgImport.Status.QUEUED).update(
        status=OrgImport.Status.RUNNING
    )
    if not claimed:
        return "skipped"
    org_import = OrgImport.objects.select_related("uploaded_by").get(pk=org_import_id)
    parsed = org_import_parse(content=bytes(org_import.content))
    OrgImport.objects.filter(pk=org_import_id).update(rows_total=parsed.row_count)

    def progress(done: int, total: int) -> None:
        OrgImport.objects.filter(pk=org_import_id).update(rows_done=done, rows_total=total)

    try:
        summary = org_import_apply(
            parsed=parsed,
            by=org_import.uploaded_by,
            dry_run=org_import.dry_run,
            progress=progress,
            source=org_import.filename,
        )
    except DatabaseError:
        # Someone changed the same people while this ran (or the database failed): the
        # transaction rolled back, so nothing was written, and the officer can run it again.
        logger.exception("Org import %s failed while writing", org_import_id)
        summary = ImportSummary(
            errors=[
                RowError(
                    0, "", "The organisation changed while this file was imported; nothing was written. Try again."
                )
            ]
        )
    _finish(org_import_id, summary)
    return "refused" if summary.refused else summary.counts()
