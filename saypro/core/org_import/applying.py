"""Checking a parsed file against the database, working out every change, and writing them at once."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from saypro.core import fragments, person_cache, roles
from saypro.core.models import (
    AuditEntry,
    Department,
    JobRole,
    Location,
    ManagerScope,
    MentorLink,
    Module,
    Placement,
    User,
)
from saypro.core.services import audit_record

from .parsing import ALL_COLUMNS, WHOLE_ORGANISATION, ImportRow, ParsedImport, ProgressCallback, RowError

PROGRESS_EVERY = 500


@dataclass
class ImportSummary:
    """What an import did (or, on a dry run, would do); any error means it wrote nothing."""

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


def _owned_modules(parsed: ParsedImport) -> tuple[dict[str, set[int]], list[RowError]]:
    """Each named person's modules (by e-mail) from the owned_modules column, and the names that are no module.

    A module is named by its title, or as "Programme: Module" (how the admin shows it) when two
    programmes have a module of that title. One module has one owner, so a second row naming it
    is refused. Rows without the column are not in the result: their modules stay as they are.
    """
    rows = [row for row in parsed.rows if row.owned_modules is not None]
    if not rows:
        return {}, []
    by_title: dict[str, list[int]] = defaultdict(list)
    by_full_name: dict[str, int] = {}
    for pk, title, programme in Module.objects.values_list("pk", "title", "programme__title"):
        by_title[" ".join(title.split()).casefold()].append(pk)
        by_full_name[" ".join(f"{programme}: {title}".split()).casefold()] = pk
    owned: dict[str, set[int]] = {}
    claimed: dict[int, int] = {}
    errors: list[RowError] = []
    for row in rows:
        wanted: set[int] = set()
        for name in row.owned_modules or ():
            key = name.casefold()
            matches = [by_full_name[key]] if key in by_full_name else by_title.get(key, [])
            if not matches:
                reason = f"No module is called “{name}”: write its title as the admin shows it, one | between two."
            elif len(matches) > 1:
                reason = (
                    f"{len(matches)} programmes have a module called “{name}”: write it as “Programme: Module” "
                    "to say which."
                )
            elif matches[0] in claimed:
                reason = (
                    f"“{name}” is already given to the person on row {claimed[matches[0]]}; a module has one owner."
                )
            else:
                claimed[matches[0]] = row.row
                wanted.add(matches[0])
                continue
            errors.append(RowError(row.row, "owned_modules", reason))
        owned[row.email] = wanted
    return owned, errors


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
    # Module ownership, for the rows with an owned_modules column: e-mail → module ids, and the
    # modules whose owner (a person of such a row) no longer has them.
    owners: dict[str, set[int]] = field(default_factory=dict)
    owner_clears: list[int] = field(default_factory=list)
    updated: int = 0
    unchanged: int = 0


_UNIT_FIELDS = ((Department, "department"), (Location, "location"), (JobRole, "job_role"))


def _plan(
    parsed: ParsedImport,
    known: dict[str, _Known],
    unit_names: dict[type[Model], dict[int, str]],
    progress: ProgressCallback | None,
    owned: dict[str, set[int]] | None = None,
) -> _Plan:
    plan = _Plan()
    owned = owned or {}
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
    modules_of: dict[int, set[int]] = defaultdict(set)
    owner_of: dict[int, int | None] = {}
    if owned:
        named = {pk for pks in owned.values() for pk in pks}
        owner_of = dict(Module.objects.filter(pk__in=named).values_list("pk", "owner_id"))
        for chunk in _chunks([known[email].id for email in owned if email in known]):
            for pk, owner_id in Module.objects.filter(owner_id__in=chunk).values_list("pk", "owner_id"):
                modules_of[owner_id].add(pk)
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
            if owned.get(row.email):
                plan.owners[row.email] = owned[row.email]
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

        modules_changed = False
        if row.email in owned:
            wanted_modules, current_modules = owned[row.email], modules_of.get(person.id, set())
            if wanted_modules != current_modules or any(owner_of.get(pk) != person.id for pk in wanted_modules):
                modules_changed = True
                plan.owners[row.email] = wanted_modules
                plan.owner_clears.extend(sorted(current_modules - wanted_modules))

        changed = own_changed or added or removed or links_changed or scopes_added or scopes_removed
        if changed or modules_changed:
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
        # Rows written in bulk send no signals: the people's cached rows are dropped here.
        person_cache.people_changed(person_ids=[pk for pk, _row, _is_staff in plan.changed_people])

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

    fragments.changed("dashboard")  # people and mentor links written in bulk, without signals
    fragments.changed("mentor_links")  # ... and whom each mentor mentors
    fragments.changed("console")  # the feedback console keeps the modules, whose owners change in bulk
    # The round page shows people's names and placements, and counts sign-ups by department.
    fragments.changed("round_members")
    fragments.changed("circle_signups")
    fragments.changed("attendance")  # the feedback console's attendance list shows them too
    fragments.changed("home_panels")  # mentor links and module owners, written in bulk below
    fragments.changed("learning_log")  # the logs name mentors and authors, whose names change in bulk
    fragments.changed("reflection-page")  # ... and so do the reflection pages
    fragments.changed("mentor_queue")  # ... and the queues name mentees; mentor links change in bulk
    person_cache.roles_changed()  # group memberships likewise
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
    fragments.changed("manager_scopes")  # written in bulk below, without signals
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

    for chunk in _chunks(plan.owner_clears):
        Module.objects.filter(pk__in=chunk).update(owner=None)
    for email, module_ids in plan.owners.items():
        Module.objects.filter(pk__in=module_ids).update(owner_id=ids[email])

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
    links created, re-activated or made former (inactive); manager scopes replaced; with an
    owned_modules column, the modules a row names given to that person and the ones they owned
    but the row leaves out given to nobody; an audit
    entry "person.roles_changed" per person whose roles changed, and "org.import" with the
    counts when `by` is a person. `progress(done, total)` is called every few hundred rows
    while the changes are worked out, before anything is written.
    """
    known = _known_people(parsed.emails | {m for row in parsed.rows for m in row.mentor_emails})
    unit_names = {model: _unit_names(model) for model, _ in _UNIT_FIELDS}
    owned, module_errors = _owned_modules(parsed)
    errors = parsed.errors + _database_errors(parsed, known, unit_names[Department]) + module_errors
    if errors:
        errors.sort(
            key=lambda error: (error.row, ALL_COLUMNS.index(error.column) if error.column in ALL_COLUMNS else -1)
        )
        return ImportSummary(errors=errors, dry_run=dry_run)

    plan = _plan(parsed, known, unit_names, progress, owned)
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
