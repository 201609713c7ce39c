"""Reporting board reflections and comments, and the officer's resolution of the reports."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from reflections import selectors, services
from reflections.models import Comment, Reflection, Report
from saypro.core.models import AuditEntry, Notification
from tests.factories import UserFactory
from tests.factories.reflections import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board_reflection(make_reflection):
    return make_reflection(state="submitted", visibility="colleagues", title="Listening first")


@pytest.fixture
def board_comment(board_reflection, other_employee):
    return CommentFactory(reflection=board_reflection, author=other_employee, body="Nonsense, all of it.")


# --- reporting -----------------------------------------------------------------------------------


def test_reflection_report_keeps_who_and_why(board_reflection, other_employee):
    report = services.reflection_report(reflection=board_reflection, by=other_employee, reason="  Names a client. ")

    assert (report.reflection, report.comment, report.reporter, report.reason, report.is_open) == (
        board_reflection,
        None,
        other_employee,
        "Names a client.",
        True,
    )


def test_reflection_report_twice_updates_the_reason_of_the_open_report(board_reflection, other_employee):
    first = services.reflection_report(reflection=board_reflection, by=other_employee, reason="Rude.")

    second = services.reflection_report(reflection=board_reflection, by=other_employee, reason="Names a client.")

    assert second.pk == first.pk
    assert list(Report.objects.values_list("reason", flat=True)) == ["Names a client."]


def test_reflection_report_after_a_resolved_one_opens_a_new_report(board_reflection, other_employee, officer):
    first = services.reflection_report(reflection=board_reflection, by=other_employee, reason="Rude.")
    services.report_resolve(report=first, by=officer, resolution="dismissed")

    again = services.reflection_report(reflection=board_reflection, by=other_employee, reason="Still rude.")

    assert again.pk != first.pk
    assert Report.objects.filter(resolved_at__isnull=True).count() == 1


def test_comment_report_keeps_who_and_why(board_comment, employee):
    report = services.comment_report(comment=board_comment, by=employee, reason="Insults the author.")

    assert (report.reflection, report.comment, report.reporter) == (None, board_comment, employee)


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_reflection_report_with_a_bad_reason_refused_and_nothing_written(board_reflection, other_employee, reason):
    with pytest.raises(ValidationError) as caught:
        services.reflection_report(reflection=board_reflection, by=other_employee, reason=reason)

    assert list(caught.value.message_dict) == ["reason"]
    assert Report.objects.count() == 0


def test_reflection_report_reason_of_500_characters_accepted(board_reflection, other_employee):
    report = services.reflection_report(reflection=board_reflection, by=other_employee, reason="x" * 500)

    assert len(report.reason) == 500


def test_reflection_report_of_own_reflection_refused(board_reflection, employee):
    with pytest.raises(PermissionDenied):
        services.reflection_report(reflection=board_reflection, by=employee, reason="Mine")

    assert Report.objects.count() == 0


def test_comment_report_of_own_comment_refused(board_comment, other_employee):
    with pytest.raises(PermissionDenied):
        services.comment_report(comment=board_comment, by=other_employee, reason="Mine")


@pytest.mark.parametrize(
    ("visibility", "state", "hidden"),
    [("mentor", "submitted", False), ("private", "submitted", False), ("colleagues", "draft", False)]
    + [("colleagues", "validated", True)],
)
def test_reflection_report_of_what_is_not_on_the_board_refused(
    make_reflection, other_employee, visibility, state, hidden
):
    reflection = make_reflection(visibility=visibility, state=state, is_hidden=hidden)

    with pytest.raises(PermissionDenied):
        services.reflection_report(reflection=reflection, by=other_employee, reason="Rude")


def test_comment_report_of_review_or_hidden_comment_refused(board_reflection, mentor, other_employee):
    review = CommentFactory(reflection=board_reflection, author=mentor, channel=Comment.Channel.REVIEW)
    hidden = CommentFactory(reflection=board_reflection, author=mentor, is_hidden=True, hidden_reason="Off topic")

    for comment in (review, hidden):
        with pytest.raises(PermissionDenied):
            services.comment_report(comment=comment, by=other_employee, reason="Rude")


def test_one_open_report_per_person_and_reflection_is_a_database_rule(board_reflection, other_employee):
    Report.objects.create(reflection=board_reflection, reporter=other_employee, reason="One")

    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(reflection=board_reflection, reporter=other_employee, reason="Two")


def test_a_report_names_exactly_one_target(board_reflection, board_comment, employee):
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(reflection=board_reflection, comment=board_comment, reporter=employee, reason="Both")
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(reporter=employee, reason="Neither")


# --- resolving -----------------------------------------------------------------------------------


def reports_by(people, **target):
    return [Report.objects.create(reporter=person, reason=f"Reason of {person.pk}", **target) for person in people]


def test_report_resolve_hidden_hides_resolves_all_open_reports_audits_and_tells_each_reporter(
    board_reflection, officer, employee
):
    reporters = [UserFactory(), UserFactory()]
    reports = reports_by(reporters, reflection=board_reflection)
    untouched = reports_by([UserFactory()], reflection=None, comment=CommentFactory(reflection=board_reflection))

    resolved = services.report_resolve(report=reports[1], by=officer, resolution="hidden", note="Names a client.")

    board_reflection.refresh_from_db()
    assert resolved == 2
    assert (board_reflection.is_hidden, board_reflection.hidden_reason) == (True, "Names a client.")
    assert (
        list(
            Report.objects.filter(reflection=board_reflection).values_list(
                "resolution", "resolved_by", "resolution_note"
            )
        )
        == [("hidden", officer.pk, "Names a client.")] * 2
    )
    assert Report.objects.get(pk=untouched[0].pk).is_open
    assert list(AuditEntry.objects.order_by("id").values_list("action", "reason", "data")) == [
        ("reflections.reflection_hide", "Names a client.", {}),
        ("reflections.report_hide", "Names a client.", {"reports": 2, "resolution": "hidden"}),
    ]
    notices = Notification.objects.filter(kind="moderation", recipient__in=reporters).order_by("recipient_id")
    assert [(n.title, n.body, n.url) for n in notices] == [
        (
            "The Advice Desk took the reflection “Listening first” off the learning board",
            "Thank you for reporting it. Reason: Names a client.",
            "/reflections/board/",
        )
    ] * 2
    assert officer.full_name not in " ".join(n.title + n.body for n in notices)
    assert Notification.objects.get(recipient=employee, kind="moderation").body == "Reason: Names a client."


def test_report_resolve_dismissed_leaves_it_on_the_board_and_tells_the_reporter_the_note(
    board_comment, officer, employee
):
    [report] = reports_by([employee], comment=board_comment)

    resolved = services.report_resolve(report=report, by=officer, resolution="dismissed", note="Blunt, not rude.")

    board_comment.refresh_from_db()
    report.refresh_from_db()
    assert (resolved, board_comment.is_hidden, report.resolution, report.resolution_note) == (
        1,
        False,
        "dismissed",
        "Blunt, not rude.",
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.target_id, entry.reason) == (
        "reflections.report_dismiss",
        str(board_comment.pk),
        "Blunt, not rude.",
    )
    notice = Notification.objects.get(recipient=employee, kind="moderation")
    assert (notice.title, notice.body, notice.url) == (
        "The Advice Desk looked at a comment on “Listening first” and left it on the learning board",
        "Thank you for reporting it. Note from the Advice Desk: Blunt, not rude.",
        f"/reflections/{board_comment.reflection_id}/#comment-{board_comment.pk}",
    )


def test_report_resolve_hidden_comment_hides_the_comment(board_comment, officer, employee):
    [report] = reports_by([employee], comment=board_comment)

    services.report_resolve(report=report, by=officer, resolution="hidden", note="Insulting.")

    board_comment.refresh_from_db()
    assert (board_comment.is_hidden, board_comment.hidden_reason, board_comment.hidden_by) == (
        True,
        "Insulting.",
        officer,
    )


def test_report_resolve_dismissed_without_a_note_is_fine(board_reflection, officer, other_employee):
    [report] = reports_by([other_employee], reflection=board_reflection)

    services.report_resolve(report=report, by=officer, resolution="dismissed")

    assert Notification.objects.get(recipient=other_employee).body == "Thank you for reporting it."


def test_report_resolve_twice_resolves_nothing_the_second_time(board_reflection, officer, other_employee):
    [report] = reports_by([other_employee], reflection=board_reflection)
    services.report_resolve(report=report, by=officer, resolution="dismissed")

    again = services.report_resolve(report=report, by=officer, resolution="hidden", note="Changed my mind")

    board_reflection.refresh_from_db()
    assert (again, board_reflection.is_hidden, AuditEntry.objects.count()) == (0, False, 1)


@pytest.mark.parametrize(
    ("resolution", "note", "field"),
    [("hidden", "", "note"), ("hidden", "  ", "note"), ("hidden", "x" * 1001, "note")]
    + [("dismissed", "x" * 1001, "note"), ("ignored", "", "resolution")],
)
def test_report_resolve_with_bad_input_refused_and_nothing_written(
    board_reflection, officer, other_employee, resolution, note, field
):
    [report] = reports_by([other_employee], reflection=board_reflection)

    with pytest.raises(ValidationError) as caught:
        services.report_resolve(report=report, by=officer, resolution=resolution, note=note)

    board_reflection.refresh_from_db()
    report.refresh_from_db()
    assert list(caught.value.message_dict) == [field]
    assert (report.is_open, board_reflection.is_hidden, AuditEntry.objects.count(), Notification.objects.count()) == (
        True,
        False,
        0,
        0,
    )


@pytest.mark.parametrize("role", ["employee", "other_employee", "mentor", "manager"])
def test_report_resolve_by_a_non_officer_refused(request, board_reflection, other_employee, role):
    [report] = reports_by([other_employee], reflection=board_reflection)

    with pytest.raises(PermissionDenied):
        services.report_resolve(report=report, by=request.getfixturevalue(role), resolution="dismissed")

    report.refresh_from_db()
    assert report.is_open


# --- reading -------------------------------------------------------------------------------------


def test_reported_list_groups_open_reports_by_what_they_are_about_oldest_first(
    make_reflection, board_reflection, board_comment, officer
):
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    people = [UserFactory() for _ in range(3)]
    newer = Report.objects.create(
        reflection=board_reflection, reporter=people[0], reason="A", created_at=now - dt.timedelta(hours=1)
    )
    older = Report.objects.create(
        comment=board_comment, reporter=people[0], reason="B", created_at=now - dt.timedelta(hours=5)
    )
    second = Report.objects.create(
        reflection=board_reflection, reporter=people[1], reason="C", created_at=now - dt.timedelta(minutes=5)
    )
    resolved = Report.objects.create(
        comment=board_comment, reporter=people[2], reason="D", resolved_at=now, resolution="dismissed"
    )
    made_private = make_reflection(state="submitted", visibility=Reflection.Visibility.PRIVATE)
    Report.objects.create(reflection=made_private, reporter=people[2], reason="E")

    items = selectors.reported_list()

    assert [(item.reflection, item.comment, item.reports, item.first) for item in items] == [
        (None, board_comment, [older], older),
        (board_reflection, None, [newer, second], newer),
    ]
    assert resolved not in items[0].reports
    assert selectors.report_open_list().count() == 3


def test_erasing_a_person_deletes_the_reports_they_made(board_reflection, other_employee, employee):
    from reflections import personal_data

    services.reflection_report(reflection=board_reflection, by=other_employee, reason="Rude.")
    kept = CommentFactory(reflection=board_reflection, author=other_employee)
    services.comment_report(comment=kept, by=employee, reason="Off topic.")

    result = personal_data.erase(person=other_employee)

    assert result["reports_deleted"] == 1
    assert list(Report.objects.values_list("reporter", flat=True)) == [employee.pk]


def test_demo_seed_leaves_one_open_report_for_the_officer():
    from reflections import demo
    from saypro.core.demo import seed_core

    org = seed_core(people=12, seed=2026)
    demo.seed(org=org)
    demo.seed(org=org)

    report = Report.objects.select_related("comment").get()
    assert (report.reporter, report.is_open, report.comment.channel) == (org.employee, True, "board")
    assert report.comment.author != org.employee
    assert [item.comment for item in selectors.reported_list()] == [report.comment]
