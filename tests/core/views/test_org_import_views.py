"""The officer's org chart upload page and an import's progress and report page."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from saypro.core.models import AuditEntry, OrgImport, User
from saypro.core.tasks import org_import_task
from tests.permissions import person_for

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,department,location,job_role,mentor_emails,roles,manager_departments"
GOOD = f"{HEADER}\nzoe@example.org,Zoë,Ndlovu-Müller,Finance,Cape Town,Analyst,,mentor,\n"
BAD = f"{HEADER}\nzoe@example.org,Zoë,N,,,,,,\nnot-an-email,A,B,,,,ghost@example.org,,\n"


def csv_file(text: str, name: str = "org.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def large_csv(rows: int = 600) -> str:
    return "\n".join([HEADER, *(f"p{n}@example.org,P,{n},Finance,,,,," for n in range(rows))])


def make_import(officer, **fields) -> OrgImport:
    fields = {"status": OrgImport.Status.DONE, "created": 3, "updated": 2, "unchanged": 1, "content": b"", **fields}
    return OrgImport.objects.create(uploaded_by=officer, filename="hr-march.csv", **fields)


# --- who may see the pages ----------------------------------------------------------------------

ROLES = ["anonymous", "employee", "other_employee", "mentor", "other_mentor", "manager", "officer"]
EXPECTED = {
    "anonymous": 302,
    "employee": 403,
    "other_employee": 403,
    "mentor": 403,
    "other_mentor": 403,
    "manager": 403,
    "officer": 200,
}


@pytest.mark.parametrize("view", ["core:org-import", "core:org-import-detail"])
@pytest.mark.parametrize("role", ROLES)
def test_org_import_pages_permission_table(request, client_for, officer, view, role):
    org_import = make_import(officer)
    person = person_for(request, role)
    url = reverse(view, args=[org_import.pk] if view.endswith("detail") else [])

    response = client_for(person).get(url)

    assert response.status_code == EXPECTED[role]
    if role == "anonymous":
        assert response["Location"] == f"{reverse('account_login')}?next={url}"


@pytest.mark.parametrize("role", ["employee", "mentor", "manager"])
def test_org_import_upload_refused_to_non_officers(request, client_for, role):
    response = client_for(request.getfixturevalue(role)).post(reverse("core:org-import"), {"file": csv_file(GOOD)})

    assert response.status_code == 403
    assert (OrgImport.objects.count(), User.objects.filter(email="zoe@example.org").count()) == (0, 0)


def test_org_import_detail_of_unknown_import_is_404(client_for, officer):
    assert client_for(officer).get(reverse("core:org-import-detail", args=[987654])).status_code == 404


# --- uploading ----------------------------------------------------------------------------------


def test_org_import_upload_small_good_file_imports_at_once(client_for, officer):
    client = client_for(officer)

    response = client.post(reverse("core:org-import"), {"file": csv_file(GOOD, "hr march.csv")}, follow=True)

    org_import = OrgImport.objects.get()
    assert response.redirect_chain == [(reverse("core:org-import-detail", args=[org_import.pk]), 302)]
    assert (org_import.status, org_import.filename, org_import.uploaded_by) == ("done", "hr march.csv", officer)
    assert (org_import.created, org_import.updated, org_import.unchanged) == (1, 0, 0)
    assert User.objects.get(email="zoe@example.org").full_name == "Zoë Ndlovu-Müller"
    assert AuditEntry.objects.get(action="org.import").actor == officer
    page = response.content.decode()
    assert "<strong>Imported.</strong> 1 created, 0 updated, 0 unchanged." in page
    assert 'data-hx-trigger="every 1s"' not in page


def test_org_import_upload_bad_file_shows_the_report_and_writes_nothing(client_for, officer):
    response = client_for(officer).post(reverse("core:org-import"), {"file": csv_file(BAD)}, follow=True)

    org_import = OrgImport.objects.get()
    assert org_import.status == "refused"
    assert org_import.errors == [
        {"row": 3, "column": "email", "reason": "“not-an-email” is not a valid e-mail address."},
        {
            "row": 3,
            "column": "mentor_emails",
            "reason": "The mentor ghost@example.org is nobody: that e-mail is neither in this file nor a person "
            "already known.",
        },
    ]
    assert User.objects.filter(email__in=["zoe@example.org", "not-an-email"]).count() == 0
    page = response.content.decode()
    assert "The import was refused: nothing was written.</strong> 2 problems on 1 row." in page
    assert (
        "<tr><td>3</td><td><code>email</code></td><td>“not-an-email” is not a valid e-mail address.</td></tr>" in page
    )


def test_org_import_upload_dry_run_counts_and_writes_nothing(client_for, officer):
    response = client_for(officer).post(
        reverse("core:org-import"), {"file": csv_file(GOOD), "dry_run": "on"}, follow=True
    )

    org_import = OrgImport.objects.get()
    assert (org_import.status, org_import.dry_run, org_import.created) == ("done", True, 1)
    assert User.objects.filter(email="zoe@example.org").count() == 0
    assert (
        "Importing it would create 1, update 0 and leave 0 unchanged. Nothing was written." in response.content.decode()
    )


def test_org_import_upload_large_file_is_queued_for_the_worker_after_commit(
    client_for, officer, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr(org_import_task, "apply_async", lambda kwargs: queued.append(kwargs))

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer).post(reverse("core:org-import"), {"file": csv_file(large_csv())})

    org_import = OrgImport.objects.get()
    assert response["Location"] == reverse("core:org-import-detail", args=[org_import.pk])
    assert queued == [{"org_import_id": org_import.pk}]
    assert (org_import.status, bytes(org_import.content)) == ("queued", large_csv().encode())
    assert User.objects.filter(email="p0@example.org").count() == 0


def test_org_import_task_runs_the_queued_import(officer):
    org_import = make_import(officer, status=OrgImport.Status.QUEUED, content=large_csv().encode(), created=0)

    result = org_import_task(org_import_id=org_import.pk)

    org_import.refresh_from_db()
    assert result == "created 600, updated 0, unchanged 0"
    assert (org_import.status, org_import.rows_total, org_import.rows_done, org_import.created) == (
        "done",
        600,
        600,
        600,
    )
    assert User.objects.filter(email__endswith="@example.org", department__name="Finance").count() == 600


def test_org_import_task_second_delivery_does_nothing(officer):
    org_import = make_import(officer, status=OrgImport.Status.RUNNING, content=GOOD.encode())

    assert org_import_task(org_import_id=org_import.pk) == "skipped"
    assert User.objects.filter(email="zoe@example.org").count() == 0


def test_org_import_task_for_a_deleted_import_returns_quietly():
    assert org_import_task(org_import_id=987654) == "skipped"


def test_org_import_broker_outage_refuses_the_import_with_a_reason(
    client_for, officer, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(**kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(org_import_task, "apply_async", broker_down)

    with django_capture_on_commit_callbacks(execute=True):
        client_for(officer).post(reverse("core:org-import"), {"file": csv_file(large_csv())})

    org_import = OrgImport.objects.get()
    assert org_import.status == "refused"
    assert org_import.errors == [
        {
            "row": 0,
            "column": "",
            "reason": "The background worker could not be reached; nothing was written. Try again.",
        }
    ]


# --- bad input on the form ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the CSV file to import."),
        ({"file": csv_file("")}, "The file is empty: it needs at least a header row naming the columns."),
        (
            {"file": csv_file(GOOD, "org chart.xlsx")},
            "Choose a .csv file; “org chart.xlsx” is not one. In a spreadsheet, use Save as → CSV UTF-8.",
        ),
    ],
)
def test_org_import_bad_upload_keeps_the_form_with_the_message(client_for, officer, data, message):
    response = client_for(officer).post(reverse("core:org-import"), {**data, "dry_run": "on"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"file": [message]}
    page = response.content.decode()
    assert f'<span id="error_1_id_file"><strong>{message}</strong></span>' in page
    assert 'name="dry_run" class="checkboxinput form-check-input" id="id_dry_run" checked' in page
    assert OrgImport.objects.count() == 0


def test_org_import_too_large_file_is_refused_on_the_form(client_for, officer, monkeypatch):
    monkeypatch.setattr("saypro.core.forms.ORG_IMPORT_MAX_BYTES", 100)

    response = client_for(officer).post(reverse("core:org-import"), {"file": csv_file(GOOD * 2)})

    size = len((GOOD * 2).encode())
    assert response.context["form"].errors == {
        "file": [
            f"The file is {size}\xa0bytes; the limit is 100\xa0bytes. Split it into smaller files and import each."
        ]
    }
    assert OrgImport.objects.count() == 0


# --- progress -----------------------------------------------------------------------------------


def test_org_import_detail_running_shows_progress_and_polls(client_for, officer):
    org_import = make_import(officer, status=OrgImport.Status.RUNNING, rows_total=2000, rows_done=500)
    url = reverse("core:org-import-detail", args=[org_import.pk])

    page = client_for(officer).get(url).content.decode()

    assert f'data-hx-get="{url}" data-hx-trigger="every 1s" data-hx-swap="outerHTML"' in page
    assert 'role="progressbar" aria-label="Import progress" aria-valuenow="25"' in page
    assert '<div class="progress-bar org-import-progress-25">25%</div>' in page
    assert "Checking the rows: 500 of 2000." in page
    assert f'<a href="{url}">Refresh</a>' in page


def test_org_import_detail_htmx_poll_gets_the_partial_only(client_for, officer):
    org_import = make_import(officer, status=OrgImport.Status.RUNNING, rows_total=2000, rows_done=2000)

    response = client_for(officer).get(reverse("core:org-import-detail", args=[org_import.pk]), HTTP_HX_REQUEST="true")

    page = response.content.decode()
    assert page.startswith('<div id="org-import-status" data-hx-get=')
    assert "<html" not in page
    assert "All 2000 rows are checked; saving the changes in one go…" in page
    assert '<div class="progress-bar progress-bar-striped progress-bar-animated org-import-progress-100"></div>' in page
    assert "aria-valuenow" not in page
    assert "HX-Request" in response["Vary"]


def test_org_import_detail_poll_stops_when_done(client_for, officer):
    org_import = make_import(officer)

    page = client_for(officer).get(reverse("core:org-import-detail", args=[org_import.pk]), HTTP_HX_REQUEST="true")

    assert page.content.decode().startswith('<div id="org-import-status">\n')
    assert "data-hx-get" not in page.content.decode()


def test_org_import_detail_queued_says_it_waits(client_for, officer):
    org_import = make_import(officer, status=OrgImport.Status.QUEUED)

    page = client_for(officer).get(reverse("core:org-import-detail", args=[org_import.pk])).content.decode()

    assert "Waiting for the background worker to start…" in page
    assert "aria-valuenow" not in page
    assert "progress-bar-striped progress-bar-animated" in page


def test_org_import_detail_running_before_the_file_is_read(client_for, officer):
    org_import = make_import(officer, status=OrgImport.Status.RUNNING, rows_total=0)

    page = client_for(officer).get(reverse("core:org-import-detail", args=[org_import.pk])).content.decode()

    assert "Reading the file…" in page
    assert "aria-valuenow" not in page


# --- query counts -------------------------------------------------------------------------------


@pytest.mark.parametrize("error_count", [1, 300])
def test_org_import_detail_query_count_does_not_grow_with_the_report(
    client_for, officer, django_assert_num_queries, error_count
):
    errors = [{"row": n + 2, "column": "email", "reason": "bad"} for n in range(error_count)]
    org_import = make_import(officer, status=OrgImport.Status.REFUSED, errors=errors)
    client = client_for(officer)

    with django_assert_num_queries(5):
        response = client.get(reverse("core:org-import-detail", args=[org_import.pk]))

    assert response.content.decode().count("<td><code>email</code></td>") == error_count


@pytest.mark.parametrize("import_count", [1, 25])
def test_org_import_page_query_count_does_not_grow_with_the_history(
    client_for, officer, django_assert_num_queries, import_count
):
    for _ in range(import_count):
        make_import(officer)
    client = client_for(officer)

    with django_assert_num_queries(6):
        response = client.get(reverse("core:org-import"))

    assert len(response.context["imports"]) == min(import_count, 20)


# --- a real worker ------------------------------------------------------------------------------


@pytest.mark.integration
def test_org_import_large_upload_is_imported_by_a_real_worker(live_worker, client_for, officer):
    response = client_for(officer).post(reverse("core:org-import"), {"file": csv_file(large_csv())})

    org_import = live_worker.wait_for(
        lambda: OrgImport.objects.filter(status__in=["done", "refused"]).first(), what="the org import to finish"
    )
    assert response["Location"] == reverse("core:org-import-detail", args=[org_import.pk])
    assert (org_import.status, org_import.created, org_import.rows_done) == ("done", 600, 600)
    assert User.objects.filter(first_name="P", department__name="Finance").count() == 600


# --- leases: a dead worker, a lost message, the officer's "Run it again" ---------------------------


def test_org_import_redelivered_after_its_worker_died_runs_instead_of_skipping(officer):
    """The message comes back after the worker was killed: the expired lease lets it finish the job."""
    import datetime as dt

    from django.utils import timezone

    dead = timezone.now() - dt.timedelta(minutes=11)
    org_import = make_import(
        officer, status=OrgImport.Status.RUNNING, content=GOOD.encode(), claimed_at=dead, heartbeat_at=dead, attempts=1
    )

    assert org_import_task(org_import_id=org_import.pk) == "created 1, updated 0, unchanged 0"
    org_import.refresh_from_db()
    assert (org_import.status, org_import.attempts) == (OrgImport.Status.DONE, 2)
    assert User.objects.filter(email="zoe@example.org").count() == 1


def test_org_import_with_a_live_lease_is_not_run_twice(officer):
    from django.utils import timezone

    org_import = make_import(
        officer, status=OrgImport.Status.RUNNING, content=GOOD.encode(), heartbeat_at=timezone.now(), attempts=1
    )

    assert org_import_task(org_import_id=org_import.pk) == "skipped"


def test_org_import_sweep_requeues_lost_and_dead_imports_and_gives_up_after_three_tries(officer, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from saypro.core.org_import import org_import_sweep

    queued = []
    monkeypatch.setattr(org_import_task, "apply_async", lambda kwargs: queued.append(kwargs["org_import_id"]))
    long_ago = timezone.now() - dt.timedelta(minutes=30)
    lost = make_import(officer, status=OrgImport.Status.QUEUED, created_at=long_ago)
    fresh = make_import(officer, status=OrgImport.Status.QUEUED)
    dead = make_import(officer, status=OrgImport.Status.RUNNING, heartbeat_at=long_ago, attempts=1)
    alive = make_import(officer, status=OrgImport.Status.RUNNING, heartbeat_at=timezone.now(), attempts=1)
    hopeless = make_import(officer, status=OrgImport.Status.RUNNING, heartbeat_at=long_ago, attempts=3)

    assert sorted(org_import_sweep()) == sorted([lost.pk, dead.pk])
    assert sorted(queued) == sorted([lost.pk, dead.pk])
    statuses = dict(OrgImport.objects.values_list("pk", "status"))
    assert statuses == {
        lost.pk: "queued", fresh.pk: "queued", dead.pk: "queued", alive.pk: "running", hopeless.pk: "refused",
    }  # fmt: skip
    hopeless.refresh_from_db()
    assert hopeless.errors[0]["reason"].startswith("The import stopped 3 times before finishing")
    # Just re-queued: the next sweep leaves them to their messages.
    assert org_import_sweep() == []


@pytest.mark.parametrize("role", ROLES)
def test_org_import_retry_permission_table(request, client_for, officer, role):
    org_import = make_import(
        officer,
        status=OrgImport.Status.REFUSED,
        content=GOOD.encode(),
        errors=[{"row": 0, "column": "", "reason": "x"}],
    )
    response = client_for(person_for(request, role)).post(reverse("core:org-import-retry", args=[org_import.pk]))

    assert response.status_code == {"officer": 302}.get(role, EXPECTED[role])
    org_import.refresh_from_db()
    expected = OrgImport.Status.DONE if role == "officer" else OrgImport.Status.REFUSED
    assert org_import.status == expected
    assert User.objects.filter(email="zoe@example.org").count() == (1 if role == "officer" else 0)
    assert AuditEntry.objects.filter(action="core.org_import_retry").count() == (1 if role == "officer" else 0)


def test_org_import_refused_by_a_lost_worker_offers_run_it_again(client_for, officer):
    reason = "The background worker could not be reached; nothing was written. Try again."
    lost = make_import(officer, status=OrgImport.Status.REFUSED, errors=[{"row": 0, "column": "", "reason": reason}])
    bad_rows = make_import(
        officer, status=OrgImport.Status.REFUSED, errors=[{"row": 3, "column": "email", "reason": "Not an e-mail."}]
    )
    client = client_for(officer)

    retry = reverse("core:org-import-retry", args=[lost.pk])
    assert f'action="{retry}"' in client.get(reverse("core:org-import-detail", args=[lost.pk])).content.decode()
    page = client.get(reverse("core:org-import-detail", args=[bad_rows.pk])).content.decode()
    assert "Run it again" not in page
    assert "Correct them in the file and upload it again." in page
