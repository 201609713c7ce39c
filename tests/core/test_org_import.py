"""The org chart import: parsing HR's CSV, refusing bad files whole, and upserting people."""

import pytest
from django.contrib.auth.models import Group

from saypro.core import roles
from saypro.core.models import (
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
from saypro.core.org_import import (
    ImportSummary,
    RowError,
    org_import_apply,
    org_import_parse,
    org_import_run,
)
from tests.factories import DepartmentFactory, MentorLinkFactory, UserFactory

HEADER = "email,first_name,last_name,department,location,job_role,mentor_emails,roles,manager_departments"


def org_csv(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def run(content: bytes, *, by=None, dry_run: bool = False, progress=None) -> ImportSummary:
    return org_import_apply(parsed=org_import_parse(content=content), by=by, dry_run=dry_run, progress=progress)


def group_names(person: User) -> set[str]:
    return set(person.groups.values_list("name", flat=True))


def counts() -> dict[str, int]:
    """Row counts of every table the import writes, to prove a refusal wrote nothing."""
    return {
        model.__name__: model.objects.count()
        for model in (User, Department, Location, JobRole, Placement, MentorLink, ManagerScope, AuditEntry)
    } | {"memberships": User.groups.through.objects.count()}


ZOE = "zoe@example.org,Zoë,Ndlovu-Müller,Finance,Cape Town,Analyst,,,"
SIPHO = "sipho@example.org,Sipho,Dlamini,Finance,Durban,Team Lead,zoe@example.org,mentor,"


# --- parsing ------------------------------------------------------------------------------------


def test_parse_good_file_normalises_each_row():
    parsed = org_import_parse(
        content=org_csv(
            " Zoe@Example.ORG ,Zoë, Ndlovu-Müller ,  Human   Resources ,Cape Town,Analyst,"
            " Sipho@example.org | lerato@example.org ,Mentor | MANAGER, Finance | HR "
        )
    )

    assert parsed.errors == []
    assert parsed.row_count == 1
    row = parsed.rows[0]
    assert (row.row, row.email, row.first_name, row.last_name) == (2, "zoe@example.org", "Zoë", "Ndlovu-Müller")
    assert (row.department, row.location, row.job_role) == ("Human Resources", "Cape Town", "Analyst")
    assert row.mentor_emails == ("sipho@example.org", "lerato@example.org")
    assert row.roles == frozenset({"mentor", "manager"})
    assert row.manager_departments == ("Finance", "HR")


def test_parse_accepts_bom_semicolons_and_columns_in_any_order():
    header = "roles;manager_departments;Email;First_Name;last_name;department;location;job_role;mentor_emails;phone"
    content = "\ufeff".encode() + org_csv(
        "officer;;zoe@example.org;Zoë;Ndlovu-Müller;Finance;Cape Town;;;555", header=header
    )

    parsed = org_import_parse(content=content)

    assert parsed.errors == []
    row = parsed.rows[0]
    assert (row.email, row.first_name, row.last_name, row.roles) == (
        "zoe@example.org",
        "Zoë",
        "Ndlovu-Müller",
        frozenset({"officer"}),
    )
    assert row.job_role == ""


def test_parse_quoted_cell_keeps_its_comma_and_newline():
    parsed = org_import_parse(content=org_csv('zoe@example.org,Zoë,"Ndlovu, Müller",Finance,"Cape\nTown",,,,'))

    assert parsed.errors == []
    assert (parsed.rows[0].last_name, parsed.rows[0].location) == ("Ndlovu, Müller", "Cape Town")


def test_parse_blank_rows_skipped_but_row_numbers_follow_the_spreadsheet():
    parsed = org_import_parse(content=org_csv(ZOE, "", ",,,,,,,,", "not-an-email,A,B,,,,,,"))

    assert parsed.row_count == 2
    assert parsed.errors == [RowError(5, "email", "“not-an-email” is not a valid e-mail address.")]


def test_parse_crlf_line_endings():
    parsed = org_import_parse(content=org_csv(ZOE, SIPHO).replace(b"\n", b"\r\n"))

    assert parsed.errors == []
    assert [row.email for row in parsed.rows] == ["zoe@example.org", "sipho@example.org"]


def test_parse_empty_file_is_refused():
    parsed = org_import_parse(content=b"")

    assert parsed.rows == []
    assert parsed.errors == [
        RowError(
            1,
            "",
            "The file is empty: the first row must name the columns (email, first_name, last_name, department, "
            "location, job_role, mentor_emails, roles, manager_departments).",
        )
    ]


def test_parse_file_with_only_bom_and_blank_lines_is_empty():
    parsed = org_import_parse(content=b"\xef\xbb\xbf\n  \n")

    assert [error.reason[:18] for error in parsed.errors] == ["The file is empty:"]


def test_parse_missing_required_column_header_names_it():
    header = HEADER.replace(",mentor_emails", "")
    parsed = org_import_parse(content=org_csv("zoe@example.org,Zoë,N,Finance,CT,Analyst,,", header=header))

    assert parsed.rows == []
    assert parsed.errors == [
        RowError(
            1,
            "mentor_emails",
            "Required column mentor_emails is missing from the header row (expected: email, first_name, last_name, "
            "department, location, job_role, mentor_emails, roles, manager_departments; any order, comma or "
            "semicolon separated).",
        )
    ]


def test_parse_header_only_file_has_no_rows_and_no_errors():
    parsed = org_import_parse(content=org_csv())

    assert (parsed.rows, parsed.errors, parsed.row_count) == ([], [], 0)


def test_parse_duplicate_column_is_refused():
    parsed = org_import_parse(content=org_csv(header=HEADER + ",Email"))

    assert parsed.errors == [RowError(1, "email", "The column email appears twice in the header row.")]


def test_parse_non_utf8_bytes_reported_at_their_row_and_column():
    content = org_csv(ZOE, "lerato@example.org,L\xe9rato,Nkosi,Finance,,,,,".encode("latin-1").decode("latin-1"))
    content = content.replace("Lérato".encode(), "Lérato".encode("latin-1"))

    parsed = org_import_parse(content=content)

    assert [row.email for row in parsed.rows] == ["zoe@example.org", "lerato@example.org"]
    assert parsed.errors == [
        RowError(
            3,
            "first_name",
            "This cell holds bytes that are not UTF-8 text (often an accented letter saved by an older program). "
            "Save the file as “CSV UTF-8” and import it again.",
        )
    ]


def test_parse_nul_byte_in_a_cell_is_refused():
    parsed = org_import_parse(content=org_csv(ZOE, "lerato@example.org,Le\x00rato,N,,,,,,"))

    assert parsed.errors == [
        RowError(3, "first_name", "This cell holds a NUL character (byte 0), which no text may contain.")
    ]


def test_parse_unreadable_csv_stops_with_a_clear_row():
    parsed = org_import_parse(content=org_csv(ZOE, "lerato@example.org," + "x" * 200_000 + ",N,,,,,,", SIPHO))

    assert [row.email for row in parsed.rows] == ["zoe@example.org"]
    assert parsed.errors == [
        RowError(
            3, "", "This row cannot be read as CSV (field larger than field limit (131072)); nothing after it was read."
        )
    ]


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        (",Zoë,N,,,,,,", "email", "The e-mail address is missing; it is how people are matched."),
        ("zoe(at)example.org,Zoë,N,,,,,,", "email", "“zoe(at)example.org” is not a valid e-mail address."),
        (
            "zoe@example.org,Zoë,N,,,,,officer|boss,",
            "roles",
            "Unknown role “boss”: use officer, mentor or manager, separated by |.",
        ),
        ("zoe@example.org,Zoë,N,,,,ZOE@example.org,,", "mentor_emails", "A person cannot be their own mentor."),
        ("zoe@example.org,Zoë,N,,,,sipho@,,", "mentor_emails", "“sipho@” is not a valid e-mail address."),
        (
            "zoe@example.org,Zoë,N,,,,,,Finance",
            "manager_departments",
            "Only managers have manager departments: add manager to this row's roles, or leave the cell empty.",
        ),
        (
            "zoe@example.org,Zoë,N,,,,,manager,",
            "manager_departments",
            "A manager needs the departments they read reports for (separated by |), or * for the whole organisation.",
        ),
        ("zoe@example.org," + "Z" * 151 + ",N,,,,,,", "first_name", "Longer than 150 characters."),
        ("zoe@example.org,Zoë,N," + "D" * 121 + ",,,,,", "department", "Longer than 120 characters."),
        (
            "zoe@example.org,Zoë,N,,,,,,,extra",
            "",
            "This row has 10 cells but the header names 9 columns; "
            "a value with a comma or semicolon in it needs quotes.",
        ),
    ],
)
def test_parse_bad_row_gives_column_and_reason(line, column, reason):
    parsed = org_import_parse(content=org_csv(line))

    assert [row.row for row in parsed.rows] == [2]
    assert parsed.errors == [RowError(2, column, reason)]


def test_parse_duplicate_email_ignoring_case_points_at_first_row():
    parsed = org_import_parse(content=org_csv(ZOE, SIPHO, "ZOE@Example.org,Zoe,Again,,,,,,"))

    assert [row.row for row in parsed.rows] == [2, 3, 4]
    assert parsed.errors == [
        RowError(
            4,
            "email",
            "Duplicate e-mail: zoe@example.org is already on row 2 (e-mails are compared without regard to capitals).",
        )
    ]


def test_parse_lists_every_bad_row():
    parsed = org_import_parse(content=org_csv("bad,A,B,,,,,,", ZOE, "zoe@example.org,Z,N,,,,,chief,"))

    assert [(e.row, e.column) for e in parsed.errors] == [(2, "email"), (4, "roles"), (4, "email")]


def test_parse_whole_organisation_star_wins_over_department_names():
    parsed = org_import_parse(content=org_csv("m@example.org,M,N,Finance,,,,manager,Finance|*"))

    assert parsed.rows[0].manager_departments == ("*",)


def test_parse_employee_role_word_is_accepted_and_implied():
    parsed = org_import_parse(content=org_csv("zoe@example.org,Z,N,,,,,Employee,"))

    assert (parsed.errors, parsed.rows[0].roles) == ([], frozenset())


# --- applying: creating and updating people -----------------------------------------------------


@pytest.mark.django_db
def test_apply_creates_people_and_org_units_on_first_sight():
    summary = run(org_csv(ZOE, SIPHO))

    assert (summary.created, summary.updated, summary.unchanged, summary.errors) == (2, 0, 0, [])
    zoe = User.objects.select_related("department", "location", "job_role").get(email="zoe@example.org")
    assert (zoe.first_name, zoe.last_name, zoe.full_name) == ("Zoë", "Ndlovu-Müller", "Zoë Ndlovu-Müller")
    assert (zoe.department.name, zoe.location.name, zoe.job_role.name) == ("Finance", "Cape Town", "Analyst")
    assert zoe.is_active is True
    assert zoe.has_usable_password() is False
    assert sorted(Department.objects.values_list("name", flat=True)) == ["Finance"]
    assert sorted(Location.objects.values_list("name", flat=True)) == ["Cape Town", "Durban"]
    assert sorted(JobRole.objects.values_list("name", flat=True)) == ["Analyst", "Team Lead"]


@pytest.mark.django_db
def test_apply_reuses_existing_org_units_ignoring_case():
    finance = DepartmentFactory(name="Finance")

    run(org_csv("zoe@example.org,Zoë,N,FINANCE,,,,,", "sipho@example.org,S,D,finance,,,,,"))

    assert list(Department.objects.all()) == [finance]
    assert set(User.objects.values_list("department_id", flat=True)) == {finance.pk}


@pytest.mark.django_db
def test_apply_matches_existing_person_by_email_ignoring_case():
    person = UserFactory(email="zoe@example.org", first_name="Zoe", last_name="Old")

    summary = run(org_csv("ZOE@EXAMPLE.ORG,Zoë,Ndlovu-Müller,Finance,Cape Town,Analyst,,,"))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 0)
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.department.name) == ("Zoë", "Ndlovu-Müller", "Finance")
    assert User.objects.count() == 1


@pytest.mark.django_db
def test_apply_reimport_of_same_file_changes_nothing():
    content = org_csv(
        ZOE, SIPHO, "lerato@example.org,Lerato,Nkosi,HR,Durban,Officer,sipho@example.org,officer|manager,*"
    )
    run(content)
    before = counts()

    summary = run(content)

    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert counts() == before


@pytest.mark.django_db
def test_apply_leaves_people_not_in_the_file_alone():
    other = UserFactory(email="other@example.org", roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=True)

    run(org_csv(ZOE))

    other.refresh_from_db()
    assert (other.is_staff, group_names(other)) == (True, {roles.EMPLOYEE, roles.OFFICER})


@pytest.mark.django_db
def test_apply_progress_reported_every_500_rows_and_at_the_end():
    rows = [f"p{n}@example.org,P,{n},Finance,,,,," for n in range(1200)]
    calls = []

    run(org_csv(*rows), progress=lambda done, total: calls.append((done, total)))

    assert calls == [(500, 1200), (1000, 1200), (1200, 1200)]


# --- applying: placements -----------------------------------------------------------------------


@pytest.mark.django_db
def test_apply_new_person_gets_one_open_placement():
    run(org_csv(ZOE))

    placement = Placement.objects.select_related("department", "location", "job_role").get()
    assert (placement.person.email, placement.department.name, placement.valid_to) == (
        "zoe@example.org",
        "Finance",
        None,
    )


@pytest.mark.django_db
def test_apply_department_change_closes_old_placement_when_new_one_starts():
    run(org_csv(ZOE, SIPHO))
    zoe = User.objects.get(email="zoe@example.org")
    old = zoe.placements.get()

    summary = run(org_csv(ZOE.replace("Finance", "Human Resources"), SIPHO))

    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    old.refresh_from_db()
    new = zoe.placements.get(valid_to__isnull=True)
    assert old.valid_to == new.valid_from
    assert new.department.name == "Human Resources"
    zoe.refresh_from_db()
    assert zoe.department_id == new.department_id
    assert Placement.objects.filter(person__email="sipho@example.org").count() == 1


@pytest.mark.django_db
def test_apply_location_or_job_role_change_also_opens_a_placement():
    run(org_csv(ZOE))

    run(org_csv(ZOE.replace("Analyst", "Team Lead")))

    assert list(Placement.objects.order_by("valid_from").values_list("job_role__name", flat=True)) == [
        "Analyst",
        "Team Lead",
    ]


@pytest.mark.django_db
def test_apply_person_without_open_placement_gets_one_even_if_unchanged():
    finance = DepartmentFactory(name="Finance")
    person = UserFactory(email="zoe@example.org", first_name="Zoë", last_name="N", department=finance)
    person.placements.all().delete()
    User.objects.filter(pk=person.pk).update(location=None, job_role=None)
    person.groups.add(Group.objects.get(name=roles.EMPLOYEE))

    summary = run(org_csv("zoe@example.org,Zoë,N,Finance,,,,,"))

    assert (summary.updated, summary.unchanged) == (1, 0)
    assert person.placements.filter(valid_to__isnull=True, department=finance).count() == 1


@pytest.mark.django_db
def test_apply_name_change_alone_opens_no_placement():
    run(org_csv(ZOE))

    summary = run(org_csv(ZOE.replace("Zoë", "Zoe")))

    assert summary.updated == 1
    assert Placement.objects.count() == 1
    assert User.objects.get().first_name == "Zoe"


# --- applying: roles ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_apply_everyone_is_employee_and_officer_reaches_the_admin():
    run(org_csv(ZOE, "o@example.org,O,Fficer,,,,,officer,"))

    zoe, officer = User.objects.get(email="zoe@example.org"), User.objects.get(email="o@example.org")
    assert (group_names(zoe), zoe.is_staff) == ({roles.EMPLOYEE}, False)
    assert (group_names(officer), officer.is_staff) == ({roles.EMPLOYEE, roles.OFFICER}, True)


@pytest.mark.django_db
def test_apply_roles_column_is_authoritative():
    run(org_csv("o@example.org,O,N,,,,,officer|mentor|manager,*"))
    person = User.objects.get()

    summary = run(org_csv("o@example.org,O,N,,,,,mentor,"))

    assert summary.updated == 1
    person.refresh_from_db()
    assert (group_names(person), person.is_staff) == ({roles.EMPLOYEE, roles.MENTOR}, False)
    assert ManagerScope.objects.count() == 0


@pytest.mark.django_db
def test_apply_removing_officer_keeps_superuser_staff():
    admin = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True, roles=[roles.OFFICER])

    run(org_csv("admin@example.org,A,D,,,,,,"))

    admin.refresh_from_db()
    assert (admin.is_staff, group_names(admin)) == (True, {roles.EMPLOYEE})


@pytest.mark.django_db
def test_apply_keeps_groups_that_are_not_roles():
    person = UserFactory(email="zoe@example.org")
    person.groups.add(Group.objects.create(name="Newsletter editors"))

    run(org_csv(ZOE))

    assert group_names(person) == {roles.EMPLOYEE, "Newsletter editors"}


@pytest.mark.django_db
def test_apply_role_changes_are_audited_per_person(officer):
    person = UserFactory(email="zoe@example.org", roles=[roles.EMPLOYEE, roles.MENTOR])

    run(
        org_csv("zoe@example.org,Z,N,,,,,officer,", "new@example.org,N,P,,,,,manager,*", ZOE.replace("zoe", "x")),
        by=officer,
    )

    entries = {
        (e.target_id, e.actor_id): e.data
        for e in AuditEntry.objects.filter(action="person.roles_changed").order_by("target_repr")
    }
    new = User.objects.get(email="new@example.org")
    assert entries == {
        (str(person.pk), officer.pk): {"added": [roles.OFFICER], "removed": [roles.MENTOR]},
        (str(new.pk), officer.pk): {"added": [roles.MANAGER], "removed": []},
    }


@pytest.mark.django_db
def test_apply_by_a_person_records_the_import_in_the_audit_trail(officer):
    run(org_csv(ZOE, SIPHO), by=officer)

    entry = AuditEntry.objects.get(action="org.import")
    assert (entry.actor, entry.data) == (officer, {"created": 2, "updated": 0, "unchanged": 0})


@pytest.mark.django_db
def test_apply_without_a_person_records_no_import_entry():
    run(org_csv(ZOE))

    assert AuditEntry.objects.filter(action="org.import").count() == 0


# --- applying: mentors --------------------------------------------------------------------------


@pytest.mark.django_db
def test_apply_mentor_defined_later_in_the_file():
    summary = run(
        org_csv(SIPHO.replace("zoe@example.org", "lerato@example.org"), "lerato@example.org,Lerato,N,,,,,mentor,")
    )

    assert summary.created == 2
    link = MentorLink.objects.select_related("mentor", "mentee").get()
    assert (link.mentor.email, link.mentee.email, link.is_active) == ("lerato@example.org", "sipho@example.org", True)


@pytest.mark.django_db
def test_apply_mentor_already_in_the_database_need_not_be_in_the_file():
    mentor = UserFactory(email="thandi@example.org")

    run(org_csv("zoe@example.org,Z,N,,,,THANDI@example.org,,"))

    assert MentorLink.objects.get().mentor == mentor


@pytest.mark.django_db
def test_apply_mentor_not_listed_anymore_becomes_former_and_comes_back():
    from saypro.core.selectors import active_mentee_ids

    run(org_csv(ZOE, SIPHO, "lerato@example.org,L,N,,,,zoe@example.org|sipho@example.org,,"))
    lerato = User.objects.get(email="lerato@example.org")
    zoe = User.objects.get(email="zoe@example.org")
    assert lerato.pk in active_mentee_ids(mentor_id=zoe.pk)  # kept for the pages' permission checks

    summary = run(org_csv(ZOE, SIPHO, "lerato@example.org,L,N,,,,sipho@example.org,,"))

    assert (summary.updated, summary.unchanged) == (1, 2)
    assert lerato.pk not in active_mentee_ids(mentor_id=zoe.pk)  # the link was ended in bulk
    assert dict(lerato.mentor_links.values_list("mentor__email", "is_active")) == {
        "zoe@example.org": False,
        "sipho@example.org": True,
    }

    summary = run(org_csv(ZOE, SIPHO, "lerato@example.org,L,N,,,,zoe@example.org|sipho@example.org,,"))

    assert summary.updated == 1
    assert dict(lerato.mentor_links.values_list("mentor__email", "is_active")) == {
        "zoe@example.org": True,
        "sipho@example.org": True,
    }
    assert lerato.mentor_links.count() == 2


@pytest.mark.django_db
def test_apply_existing_mentor_link_kept_when_listed():
    mentee = UserFactory(email="zoe@example.org", first_name="Zoë", last_name="N")
    link = MentorLinkFactory(mentor=UserFactory(email="thandi@example.org"), mentee=mentee)

    run(org_csv("zoe@example.org,Zoë,N,,,,thandi@example.org,,"))

    assert list(MentorLink.objects.values_list("pk", "is_active")) == [(link.pk, True)]


# --- applying: manager scopes -------------------------------------------------------------------


@pytest.mark.django_db
def test_apply_star_scopes_a_manager_to_the_whole_organisation():
    run(org_csv("m@example.org,M,N,Finance,,,,manager,*"))

    scope = ManagerScope.objects.get()
    assert (scope.manager.email, scope.department, group_names(scope.manager)) == (
        "m@example.org",
        None,
        {roles.EMPLOYEE, roles.MANAGER},
    )


@pytest.mark.django_db
def test_apply_manager_departments_may_name_departments_later_in_the_file():
    run(
        org_csv(
            "m@example.org,M,N,Finance,,,,manager,finance|human resources", "h@example.org,H,R,Human Resources,,,,,"
        )
    )

    assert sorted(ManagerScope.objects.values_list("department__name", flat=True)) == ["Finance", "Human Resources"]


@pytest.mark.django_db
def test_apply_manager_departments_are_authoritative():
    run(org_csv("m@example.org,M,N,Finance,,,,manager,*", "h@example.org,H,R,HR,,,,,"))
    whole = ManagerScope.objects.get()

    summary = run(org_csv("m@example.org,M,N,Finance,,,,manager,Finance|HR", "h@example.org,H,R,HR,,,,,"))

    assert (summary.updated, summary.unchanged) == (1, 1)
    assert not ManagerScope.objects.filter(pk=whole.pk).exists()
    assert sorted(ManagerScope.objects.values_list("department__name", flat=True)) == ["Finance", "HR"]


@pytest.mark.django_db
def test_apply_new_manager_departments_are_read_at_once_by_the_report():
    from saypro.core.selectors import manager_department_ids

    run(org_csv("m@example.org,M,N,Finance,,,,manager,Finance", "h@example.org,H,R,HR,,,,,"))
    manager = User.objects.get(email="m@example.org")
    finance, hr = (Department.objects.get(name=name).pk for name in ("Finance", "HR"))
    assert manager_department_ids(manager=manager) == {finance}  # now kept in the cache

    # Only added (in bulk, without signals), none deleted.
    run(org_csv("m@example.org,M,N,Finance,,,,manager,Finance|HR", "h@example.org,H,R,HR,,,,,"))

    assert manager_department_ids(manager=manager) == {finance, hr}


@pytest.mark.django_db
def test_apply_manager_scoped_to_existing_empty_department_is_accepted():
    DepartmentFactory(name="Strategy")

    summary = run(org_csv("m@example.org,M,N,Finance,,,,manager,Strategy"))

    assert summary.errors == []
    assert ManagerScope.objects.get().department.name == "Strategy"


# --- refusals: nothing written ------------------------------------------------------------------


@pytest.mark.django_db
def test_apply_mentor_who_is_nobody_refuses_the_import():
    before = counts()

    summary = run(org_csv(ZOE, "lerato@example.org,L,N,HR,,,ghost@example.org,,"))

    assert summary.errors == [
        RowError(
            3,
            "mentor_emails",
            "The mentor ghost@example.org is nobody: that e-mail is neither in this file nor a person already known.",
        )
    ]
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 0)
    assert counts() == before


@pytest.mark.django_db
def test_apply_manager_department_that_is_nobodys_refuses_the_import():
    before = counts()

    summary = run(org_csv(ZOE, "m@example.org,M,N,Finance,,,,manager,Fnance"))

    assert summary.errors == [
        RowError(
            3,
            "manager_departments",
            "No one is in a department called “Fnance”: it is not in this file's department column and does not "
            "exist yet. Check the spelling.",
        )
    ]
    assert counts() == before


@pytest.mark.django_db
def test_apply_refused_import_lists_every_bad_row_and_writes_nothing(officer):
    existing = UserFactory(email="zoe@example.org", first_name="Old")
    before = counts()

    summary = run(
        org_csv(
            ZOE,
            "bad-email,A,B,New Dept,,,,,",
            "sipho@example.org,S,D,Finance,,,ghost@example.org,captain,",
            "zoe@example.org,Again,N,,,,,,",
            "self@example.org,S,F,,,,self@example.org,,",
        ),
        by=officer,
    )

    assert [(e.row, e.column) for e in summary.errors] == [
        (3, "email"),
        (4, "mentor_emails"),
        (4, "roles"),
        (5, "email"),
        (6, "mentor_emails"),
    ]
    assert counts() == before
    existing.refresh_from_db()
    assert existing.first_name == "Old"


@pytest.mark.django_db
def test_apply_dry_run_counts_changes_and_writes_nothing(officer):
    UserFactory(email="zoe@example.org")
    before = counts()

    summary = run(org_csv(ZOE, SIPHO), by=officer, dry_run=True)

    assert (summary.created, summary.updated, summary.unchanged, summary.dry_run) == (1, 1, 0, True)
    assert counts() == before


@pytest.mark.django_db
def test_apply_dry_run_of_a_bad_file_reports_the_same_errors():
    summary = run(org_csv("bad,A,B,,,,,,"), dry_run=True)

    assert summary.errors == [RowError(2, "email", "“bad” is not a valid e-mail address.")]


@pytest.mark.django_db
def test_apply_non_utf8_file_writes_nothing():
    summary = run(org_csv("zoe@example.org,Zo\xeb,N,,,,,,").replace("Zoë".encode(), b"Zo\xeb"))

    assert [(e.row, e.column) for e in summary.errors] == [(2, "first_name")]
    assert User.objects.count() == 0


@pytest.mark.django_db
def test_apply_empty_file_is_refused_and_writes_nothing():
    summary = run(b"")

    assert [(e.row, e.column) for e in summary.errors] == [(1, "")]
    assert User.objects.count() == 0


# --- the run behind the upload page -------------------------------------------------------------


@pytest.mark.django_db
def test_run_imports_a_queued_upload_and_records_the_summary(officer):
    org_import = OrgImport.objects.create(uploaded_by=officer, filename="org.csv", content=org_csv(ZOE, SIPHO))

    result = org_import_run(org_import_id=org_import.pk)

    org_import.refresh_from_db()
    assert result == "created 2, updated 0, unchanged 0"
    assert (org_import.status, org_import.created, org_import.rows_total, org_import.rows_done) == ("done", 2, 2, 2)
    assert org_import.errors == []
    assert org_import.finished_at is not None
    assert AuditEntry.objects.get(action="org.import").reason == "org.csv"


@pytest.mark.django_db
def test_run_refused_upload_keeps_the_report(officer):
    org_import = OrgImport.objects.create(uploaded_by=officer, filename="org.csv", content=org_csv("bad,A,B,,,,,,"))

    assert org_import_run(org_import_id=org_import.pk) == "refused"

    org_import.refresh_from_db()
    assert org_import.status == "refused"
    assert org_import.errors == [{"row": 2, "column": "email", "reason": "“bad” is not a valid e-mail address."}]
    assert User.objects.filter(email="bad").count() == 0


@pytest.mark.django_db
def test_run_twice_imports_once(officer):
    org_import = OrgImport.objects.create(uploaded_by=officer, filename="org.csv", content=org_csv(ZOE))
    org_import_run(org_import_id=org_import.pk)

    assert org_import_run(org_import_id=org_import.pk) == "skipped"
    assert AuditEntry.objects.filter(action="org.import").count() == 1


@pytest.mark.django_db
def test_run_of_a_deleted_import_returns_quietly():
    assert org_import_run(org_import_id=987654) == "skipped"


@pytest.mark.django_db
def test_run_database_failure_marks_the_import_refused(officer, monkeypatch):
    from django.db import IntegrityError

    from saypro.core.org_import import applying as module

    def fail(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(module, "_write", fail)
    org_import = OrgImport.objects.create(uploaded_by=officer, filename="org.csv", content=org_csv(ZOE))

    assert org_import_run(org_import_id=org_import.pk) == "refused"

    org_import.refresh_from_db()
    assert org_import.errors == [
        {
            "row": 0,
            "column": "",
            "reason": "The organisation changed while this file was imported; nothing was written. Try again.",
        }
    ]
    assert User.objects.filter(email="zoe@example.org").count() == 0


def test_import_summary_counts_reads_like_the_command():
    summary = ImportSummary(created=3, updated=2, unchanged=1)

    assert (summary.counts(), summary.refused) == ("created 3, updated 2, unchanged 1", False)


# --- module owners (optional owned_modules column) ----------------------------------------------


@pytest.fixture
def modules(db):
    from tests.factories import ModuleFactory, ProgrammeFactory

    leading, coaching = ProgrammeFactory(title="Leading"), ProgrammeFactory(title="Coaching")
    return {
        "delegation": ModuleFactory(programme=leading, title="Delegation that develops people"),
        "feedback": ModuleFactory(programme=leading, title="Feedback that lands"),
        "coaching_a": ModuleFactory(programme=leading, title="Coaching conversations"),
        "coaching_b": ModuleFactory(programme=coaching, title="Coaching conversations"),
    }


OWNED_HEADER = HEADER + ",owned_modules"


def owners(modules) -> dict[str, str | None]:
    return {
        key: (m.owner.email if m.owner else None)
        for key, m in ((k, m.__class__.objects.get(pk=m.pk)) for k, m in modules.items())
    }


def test_owned_modules_gives_modules_to_the_row_and_takes_back_those_left_out(modules):
    content = org_csv(
        ZOE + ", delegation that DEVELOPS people | Leading: Coaching conversations",
        SIPHO + ",Feedback that lands",
        header=OWNED_HEADER,
    )
    assert run(content).counts() == "created 2, updated 0, unchanged 0"
    assert owners(modules) == {
        "delegation": "zoe@example.org",
        "feedback": "sipho@example.org",
        "coaching_a": "zoe@example.org",
        "coaching_b": None,
    }
    # Zoë keeps one module; Sipho's row has an empty cell: his module is nobody's now.
    summary = run(org_csv(ZOE + ",Delegation that develops people", SIPHO + ",", header=OWNED_HEADER))
    assert summary.counts() == "created 0, updated 2, unchanged 0"
    assert owners(modules) == {
        "delegation": "zoe@example.org",
        "feedback": None,
        "coaching_a": None,
        "coaching_b": None,
    }
    # The same again changes nothing; a file without the column leaves owners alone.
    assert run(org_csv(ZOE + ",Delegation that develops people", SIPHO + ",", header=OWNED_HEADER)).counts() == (
        "created 0, updated 0, unchanged 2"
    )
    assert run(org_csv(ZOE, SIPHO)).counts() == "created 0, updated 0, unchanged 2"
    assert owners(modules)["delegation"] == "zoe@example.org"


def test_owned_modules_bad_names_refuse_the_file_row_by_row_and_write_nothing(modules):
    before = counts()
    summary = run(
        org_csv(
            ZOE + ",Delegation that develops people|Time travel for managers",
            SIPHO + ",Coaching conversations",
            "ama@example.org,Ama,Mensah,HR,Accra,Analyst,,,,Delegation that develops people",
            header=OWNED_HEADER,
        )
    )
    assert summary.errors == [
        RowError(
            2,
            "owned_modules",
            "No module is called “Time travel for managers”: write its title as the admin shows it, one | between two.",
        ),
        RowError(
            3,
            "owned_modules",
            "2 programmes have a module called “Coaching conversations”: write it as “Programme: Module” to say which.",
        ),
        RowError(
            4,
            "owned_modules",
            "“Delegation that develops people” is already given to the person on row 2; a module has one owner.",
        ),
    ]
    assert counts() == before
    assert set(owners(modules).values()) == {None}
