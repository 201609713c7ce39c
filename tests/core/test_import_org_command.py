"""`manage.py import_org FILE [--dry-run]`: the org chart import from the command line."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from saypro.core.management.commands.import_org import Command as ImportOrgCommand
from saypro.core.models import Department, MentorLink, User

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,department,location,job_role,mentor_emails,roles,manager_departments"
GOOD = "\n".join(
    [
        HEADER,
        "sipho@example.org,Sipho,Dlamini,Finance,Durban,Team Lead,zoe@example.org,,",
        "zoe@example.org,Zoë,Ndlovu-Müller,Finance,Cape Town,Analyst,,mentor,",
    ]
)


def write(tmp_path: Path, text: str, name: str = "org.csv") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode())
    return str(path)


def import_org(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_org", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_org_good_file_prints_the_summary(tmp_path):
    out, err = import_org(write(tmp_path, GOOD))

    assert (out, err) == ("created 2, updated 0, unchanged 0\n", "")
    assert User.objects.get(email="zoe@example.org").full_name == "Zoë Ndlovu-Müller"
    assert MentorLink.objects.get().mentor.email == "zoe@example.org"


def test_import_org_second_run_reports_everyone_unchanged(tmp_path):
    path = write(tmp_path, GOOD)
    import_org(path)

    out, _ = import_org(path)

    assert out == "created 0, updated 0, unchanged 2\n"


def test_import_org_dry_run_says_nothing_was_written(tmp_path):
    out, _ = import_org(write(tmp_path, GOOD), "--dry-run")

    assert out == "Dry run, nothing was written. The import would have: created 2, updated 0, unchanged 0\n"
    assert (User.objects.count(), Department.objects.count()) == (0, 0)


def test_import_org_bad_file_prints_the_report_and_fails(tmp_path):
    path = write(
        tmp_path, GOOD + "\nZOE@example.org,Zoe,Again,,,,,,\nlerato@example.org,L,N,,,,ghost@example.org,boss,\n"
    )
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("import_org", path, stdout=out, stderr=err)

    assert str(refused.value) == "Import refused: 3 problems on 2 rows. Nothing was written."
    assert err.getvalue().splitlines() == [
        "row 4, email: Duplicate e-mail: zoe@example.org is already on row 3 "
        "(e-mails are compared without regard to capitals).",
        "row 5, mentor_emails: The mentor ghost@example.org is nobody: that e-mail is neither in this file "
        "nor a person already known.",
        "row 5, roles: Unknown role “boss”: use officer, mentor or manager, separated by |.",
    ]
    assert out.getvalue() == ""
    assert User.objects.count() == 0


def test_import_org_missing_file_fails_clearly(tmp_path):
    with pytest.raises(CommandError) as refused:
        import_org(str(tmp_path / "nope.csv"))

    assert str(refused.value) == f"Cannot read {tmp_path / 'nope.csv'}: No such file or directory."


def test_import_org_semicolons_and_bom(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("\ufeff".encode() + GOOD.replace(",", ";").encode())

    out, _ = import_org(str(path))

    assert out == "created 2, updated 0, unchanged 0\n"


def test_import_org_verbose_reports_progress(tmp_path):
    rows = [HEADER, *(f"p{n}@example.org,P,{n},,,,,," for n in range(600))]

    _, err = import_org(write(tmp_path, "\n".join(rows)), "--verbosity", "2")

    assert err.splitlines() == ["checked 500 of 600 rows", "checked 600 of 600 rows"]


def test_import_org_exits_non_zero_on_a_refused_import(tmp_path, capsys):
    """The exit status is what a scheduled HR sync checks: run the command as manage.py does."""
    path = write(tmp_path, HEADER + "\nnot-an-email,A,B,,,,,,\n")

    with pytest.raises(SystemExit) as exited:
        ImportOrgCommand().run_from_argv(["manage.py", "import_org", path, "--skip-checks"])

    assert exited.value.code == 1
    assert capsys.readouterr().err.splitlines() == [
        "row 2, email: “not-an-email” is not a valid e-mail address.",
        "CommandError: Import refused: 1 problem on 1 row. Nothing was written.",
    ]
