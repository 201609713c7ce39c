"""Reading HR's CSV file and checking each row on its own; nothing here touches the database."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

from saypro.core import roles

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
# Columns a file may leave out; a person's cell is then left as the database has it.
# owned_modules: the modules the person answers for (Module.owner), by title, separated by |.
OPTIONAL_COLUMNS = ("owned_modules",)
ALL_COLUMNS = COLUMNS + OPTIONAL_COLUMNS
LIST_SEPARATOR = "|"
WHOLE_ORGANISATION = "*"
# The role words everyone has anyway; accepted in the roles column and ignored.
IMPLIED_ROLES = {"employee"}
UNIT_MAX_LENGTH = 120
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254
# A module's title (200) with its programme's title in front ("Programme: Module").
MODULE_NAME_MAX_LENGTH = 420

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
    # None when the file has no owned_modules column: the person's modules are left as they are.
    owned_modules: tuple[str, ...] | None = None


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
        if name in ALL_COLUMNS:
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

    owned: list[str] | None = None
    if "owned_modules" in values:
        owned = []
        for name in (_unit_name(part) for part in _split_list(values["owned_modules"])):
            if len(name) > MODULE_NAME_MAX_LENGTH:
                problem("owned_modules", f"A module name longer than {MODULE_NAME_MAX_LENGTH} characters.")
            elif name.casefold() not in {n.casefold() for n in owned}:
                owned.append(name)

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
        owned_modules=None if owned is None else tuple(owned),
    )
    return row, errors
