import threading
from datetime import date

import pytest
from django.core import mail
from django.db import connection

from saypro.core.models import AuditEntry, Notification, OutboundEmail
from saypro.core.services import email_send
from saypro.impact.models import Figure, ReportPdf, Snapshot
from saypro.impact.services import snapshot_build, snapshot_pdf_render

MAY = date(2026, 5, 1)


@pytest.fixture
def snapshot(db):
    built, _ = snapshot_build(month=MAY)
    return built


def test_build_stores_version_one_ready_with_figures(snapshot):
    assert (snapshot.month, snapshot.version, snapshot.status, snapshot.progress) == (MAY, 1, "ready", 100)
    assert snapshot.requested_by is None
    assert Figure.objects.filter(snapshot=snapshot, name="sessions_held", dimension="").get().numerator == 0


def test_second_build_without_rebuild_changes_nothing(snapshot):
    again, built = snapshot_build(month=date(2026, 5, 17))
    assert (again.pk, built) == (snapshot.pk, False)
    assert Snapshot.objects.count() == 1


def test_rebuild_keeps_old_version_and_records_who_and_why(snapshot, officer):
    rebuilt, built = snapshot_build(month=MAY, by=officer, reason="A hidden contribution was restored", rebuild=True)
    assert built is True
    assert list(Snapshot.objects.filter(month=MAY).values_list("version", flat=True).order_by("version")) == [1, 2]
    assert (rebuilt.requested_by, rebuilt.reason) == (officer, "A hidden contribution was restored")
    entry = AuditEntry.objects.get(action="snapshot.rebuild")
    assert (entry.actor, entry.reason, entry.target_id) == (
        officer,
        "A hidden contribution was restored",
        str(rebuilt.pk),
    )


def test_rebuild_without_reason_is_refused_and_writes_nothing(snapshot, officer):
    with pytest.raises(ValueError, match="reason"):
        snapshot_build(month=MAY, by=officer, reason="  ", rebuild=True)
    assert Snapshot.objects.count() == 1


def test_build_tells_managers_once_per_version(db, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        snapshot, _ = snapshot_build(month=MAY)
    notification = Notification.objects.get(recipient=manager, kind="impact_report")
    assert notification.title == "Impact report for May 2026 is ready"
    assert notification.url == "/impact/2026-05/"
    assert "no participation rate" in notification.body
    email = OutboundEmail.objects.get(recipient=manager, kind="impact_report")
    assert email_send(email_id=email.pk) is True
    assert mail.outbox[0].to == [manager.email]
    assert "Impact report for May 2026 is ready" in mail.outbox[0].subject


def test_build_without_notify_managers_tells_nobody(db, manager, django_capture_on_commit_callbacks):
    """The demo's past months: built now, but never news to anyone."""
    with django_capture_on_commit_callbacks(execute=True):
        snapshot, built = snapshot_build(month=MAY, notify_managers=False)
    assert (built, snapshot.status) == (True, "ready")
    assert (Notification.objects.count(), OutboundEmail.objects.count()) == (0, 0)


def test_progress_is_reported_in_steps(db):
    steps = []
    snapshot_build(month=MAY, progress=lambda percent, step: steps.append(percent))
    assert steps == [0, 20, 40, 60, 80, 100]


def test_pdf_is_rendered_once_per_scope_and_kept(snapshot):
    pdf = snapshot_pdf_render(snapshot=snapshot)
    assert pdf.startswith(b"%PDF")
    kept = ReportPdf.objects.get(snapshot=snapshot, scope="all")
    assert kept.status == "ready"
    assert snapshot_pdf_render(snapshot=snapshot) == pdf
    scoped = snapshot_pdf_render(snapshot=snapshot, department_ids={7, 3})
    assert scoped != pdf
    assert sorted(ReportPdf.objects.values_list("scope", flat=True)) == ["3,7", "all"]


@pytest.mark.integration
def test_concurrent_builds_of_one_month_make_one_version(transactional_db, django_db_serialized_rollback):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    results, errors = [], []
    barrier = threading.Barrier(4)

    def build():
        try:
            barrier.wait()
            results.append(snapshot_build(month=MAY))
        except Exception as exc:  # noqa: BLE001 -- collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=build) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Snapshot.objects.filter(month=MAY).count() == 1
    assert sum(built for _snapshot, built in results) == 1
