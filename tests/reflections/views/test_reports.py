"""Report pages: who may report what (table), htmx and plain forms, bad input, the officer's resolution."""

import re

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.urls import reverse

from reflections.models import Comment, Report
from saypro.core.models import AuditEntry
from tests.factories import UserFactory
from tests.factories.reflections import CommentFactory, ReflectionFactory
from tests.permissions import ANONYMOUS, SIGN_IN, outcome, person_for, redirect_path

pytestmark = pytest.mark.django_db

ROLES = [ANONYMOUS, "author", "other_employee", "mentor", "other_mentor", "officer", "manager"]
REASON = {"reason": "Names a client."}


def reflection_of(employee, template, case: str):
    fields = {
        "board": {"visibility": "colleagues", "state": "submitted"},
        "mentor_only": {"visibility": "mentor", "state": "submitted"},
        "private": {"visibility": "private", "state": "submitted"},
        "hidden": {"visibility": "colleagues", "state": "validated", "is_hidden": True, "hidden_reason": "Rude"},
    }[case]
    return ReflectionFactory(author=employee, template=template, title="Listening first", **fields)


def role_outcomes(request, client, employee, method: str, url: str, data=None) -> dict:
    """Each role's outcome of one request, every request rolled back."""
    result = {}
    for role in ROLES:
        with transaction.atomic():
            client.logout()
            person = employee if role == "author" else person_for(request, role)
            if person is not None:
                client.force_login(person)
            response = client.get(url) if method == "get" else client.post(url, data or {})
            result[role] = redirect_path(response) if role == ANONYMOUS else outcome(response)
            transaction.set_rollback(True)
    return result


def back_to(url: str) -> tuple[int, str]:
    return 302, url


# --- who may report ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # On the board: everyone who sees it but its author.
        ("board", {"author": 403, "other_employee": 200, "mentor": 200, "other_mentor": 200, "officer": 200}),
        # Shared with the mentor only: the mentor sees it but cannot report it; the others do not see it.
        ("mentor_only", {"author": 403, "other_employee": 404, "mentor": 403, "other_mentor": 404, "officer": 404}),
        ("private", {"author": 403, "other_employee": 404, "mentor": 404, "other_mentor": 404, "officer": 404}),
        # Hidden: only its author, its mentor and officers still see it; it is off the board, so no report.
        ("hidden", {"author": 403, "other_employee": 404, "mentor": 403, "other_mentor": 404, "officer": 403}),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_reflection_report_permission_table(request, client, employee, mentor, template, case, expected, method):
    reflection = reflection_of(employee, template, case)
    url = reverse("reflections:report", args=[reflection.pk])
    manager = {"board": 200, "mentor_only": 404, "private": 404, "hidden": 404}[case]
    allowed = 200 if method == "get" else back_to(reflection.get_absolute_url())
    expected = {"anonymous": SIGN_IN, **expected, "manager": manager}

    result = role_outcomes(request, client, employee, method, url, REASON)

    assert result == {role: allowed if status == 200 else status for role, status in expected.items()}
    assert Report.objects.count() == 0


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # A colleague's board comment: everyone who sees it but the one who wrote it (other_employee).
        ("board", {"author": 200, "other_employee": 403, "mentor": 200, "other_mentor": 200, "officer": 200}),
        # A mentor's comment in the review thread: private to the author and mentors, never reported.
        ("review", {"author": 403, "other_employee": 404, "mentor": 403, "other_mentor": 404, "officer": 404}),
        # A hidden board comment: its writer and officers see it; it is off the board.
        ("hidden", {"author": 404, "other_employee": 403, "mentor": 404, "other_mentor": 404, "officer": 403}),
        # A board comment under a reflection made private since: nobody but the author sees it.
        ("private", {"author": 403, "other_employee": 404, "mentor": 404, "other_mentor": 404, "officer": 404}),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_comment_report_permission_table(
    request, client, employee, other_employee, mentor, template, case, expected, method
):
    reflection = reflection_of(employee, template, "private" if case == "private" else "board")
    comment = CommentFactory(
        reflection=reflection,
        author=mentor if case == "review" else other_employee,
        channel=Comment.Channel.REVIEW if case == "review" else Comment.Channel.BOARD,
        is_hidden=case == "hidden",
    )
    url = reverse("reflections:comment-report", args=[comment.pk])
    manager = 200 if case == "board" else 404
    allowed = 200 if method == "get" else back_to(f"{reflection.get_absolute_url()}#comment-{comment.pk}")
    expected = {"anonymous": SIGN_IN, **expected, "manager": manager}

    result = role_outcomes(request, client, employee, method, url, REASON)

    assert result == {role: allowed if status == 200 else status for role, status in expected.items()}


def test_comment_report_of_unknown_comment_is_404(client_for, other_employee):
    response = client_for(other_employee).post(reverse("reflections:comment-report", args=[999_999]), REASON)

    assert response.status_code == 404


# --- reporting, with and without JavaScript ------------------------------------------------------


@pytest.fixture
def board(employee, template):
    return reflection_of(employee, template, "board")


def test_report_without_javascript_returns_to_the_reflection_with_thanks(client_for, other_employee, board):
    response = client_for(other_employee).post(reverse("reflections:report", args=[board.pk]), REASON)

    assert (response.status_code, response["Location"]) == (302, board.get_absolute_url())
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "Thank you. The Advice Desk will look at it and tell you what they decided."
    ]
    assert list(Report.objects.values_list("reflection", "reporter", "reason")) == [
        (board.pk, other_employee.pk, "Names a client.")
    ]


def test_report_with_htmx_swaps_the_form_for_the_thanks(client_for, other_employee, board):
    response = client_for(other_employee).post(
        reverse("reflections:report", args=[board.pk]), REASON, headers={"HX-Request": "true"}
    )

    assert response.content.decode().strip() == (
        '<p class="small text-success mb-0" role="status">'
        "Thank you. The Advice Desk will look at it and tell you what they decided.</p>"
    )


def test_comment_report_link_loads_the_form_in_place_with_htmx(client_for, employee, other_employee, board):
    comment = CommentFactory(reflection=board, author=other_employee)
    url = reverse("reflections:comment-report", args=[comment.pk])

    html = client_for(employee).get(url, headers={"HX-Request": "true"}).content.decode()

    assert html.lstrip().startswith(f'<form class="mt-1" method="post" action="{url}" data-hx-post="{url}"')
    assert f'id="report-comment-{comment.pk}" name="reason" rows="2" required autofocus' in html
    assert "<html" not in html


def test_report_a_second_time_updates_the_reason(client_for, other_employee, board):
    client = client_for(other_employee)
    url = reverse("reflections:report", args=[board.pk])

    client.post(url, {"reason": "Rude."})
    client.post(url, {"reason": "Names a client."})

    assert list(Report.objects.values_list("reason", flat=True)) == ["Names a client."]


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Say in a few words what breaks the rules."),
        ("x" * 501, "Ensure this value has at most 500 characters (it has 501)."),
    ],
)
def test_report_with_a_bad_reason_shows_the_message_and_keeps_the_text(
    client_for, other_employee, board, reason, message
):
    response = client_for(other_employee).post(reverse("reflections:report", args=[board.pk]), {"reason": reason})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h3">Report to the Advice Desk</h1>' in html
    assert f'<div class="invalid-feedback" id="report-reflection-{board.pk}-error">{message}</div>' in html
    assert f">{reason}</textarea>" in html
    assert Report.objects.count() == 0


def test_report_with_htmx_and_a_blank_reason_swaps_in_the_form_with_the_message(client_for, other_employee, board):
    response = client_for(other_employee).post(
        reverse("reflections:report", args=[board.pk]), {"reason": "   "}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<form class="mt-1" method="post"')
    assert "Say in a few words what breaks the rules." in html
    assert Report.objects.count() == 0


def test_reflection_page_offers_the_report_form_to_colleagues_but_not_to_the_author(
    client_for, employee, other_employee, board
):
    others = CommentFactory(reflection=board, author=other_employee)
    mine = CommentFactory(reflection=board, author=employee)
    report_url = reverse("reflections:report", args=[board.pk])

    theirs = client_for(other_employee).get(board.get_absolute_url()).content.decode()
    own = client_for(employee).get(board.get_absolute_url()).content.decode()

    assert f'data-hx-post="{report_url}"' in theirs
    assert f'data-hx-post="{report_url}"' not in own
    # Each may report one comment: the other's.
    assert re.findall(r'data-hx-get="/reflections/comments/(\d+)/report/"', theirs) == [str(mine.pk)]
    assert re.findall(r'data-hx-get="/reflections/comments/(\d+)/report/"', own) == [str(others.pk)]


# --- the officer resolves ------------------------------------------------------------------------


@pytest.fixture
def reported(board, other_employee):
    return Report.objects.create(reflection=board, reporter=other_employee, reason="Names a client.")


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (ANONYMOUS, SIGN_IN),
        ("author", 403),
        ("other_employee", 403),
        ("mentor", 403),
        ("other_mentor", 403),
        ("manager", 403),
        ("officer", (302, "/reflections/moderation/")),
    ],
)
def test_report_resolve_permission_table(request, client_for, employee, mentor, reported, role, expected):
    person = employee if role == "author" else person_for(request, role)
    url = reverse("reflections:report-resolve", args=[reported.pk])

    response = client_for(person).post(url, {"resolution": "dismissed", "note": ""})

    assert (redirect_path(response) if role == ANONYMOUS else outcome(response)) == expected
    reported.refresh_from_db()
    assert reported.is_open is (role != "officer")


def test_report_resolve_of_a_reflection_made_private_is_404(client_for, officer, board, reported):
    board.visibility = "private"
    board.save(update_fields=["visibility"])

    response = client_for(officer).post(
        reverse("reflections:report-resolve", args=[reported.pk]), {"resolution": "dismissed"}
    )

    assert response.status_code == 404


def test_report_resolve_hide_from_the_moderation_page(client_for, officer, board, reported):
    response = client_for(officer).post(
        reverse("reflections:report-resolve", args=[reported.pk]), {"resolution": "hidden", "note": "Names a client."}
    )

    board.refresh_from_db()
    assert (response.status_code, board.is_hidden) == (302, True)
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "Hidden from the board. The author sees your reason; reporters are told."
    ]
    assert AuditEntry.objects.filter(action="reflections.report_hide").count() == 1


def test_report_resolve_hide_without_a_reason_shows_the_message_next_to_the_field(client_for, officer, board, reported):
    response = client_for(officer).post(
        reverse("reflections:report-resolve", args=[reported.pk]), {"resolution": "hidden", "note": "  "}
    )

    html = response.content.decode()
    board.refresh_from_db()
    reported.refresh_from_db()
    assert response.status_code == 200
    assert (
        f'<div class="invalid-feedback" id="hide-note-{reported.pk}-error">Give the reason; the author sees it.</div>'
        in html
    )
    assert f'id="hide-note-{reported.pk}" name="note" rows="2" required aria-describedby=' in html
    assert (board.is_hidden, reported.is_open, AuditEntry.objects.count()) == (False, True, 0)


def test_report_resolve_dismiss_with_a_long_note_keeps_the_text(client_for, officer, reported):
    note = "n" * 1001

    response = client_for(officer).post(
        reverse("reflections:report-resolve", args=[reported.pk]), {"resolution": "dismissed", "note": note}
    )

    html = response.content.decode()
    assert "Ensure this value has at most 1000 characters (it has 1001)." in html
    assert f">{note}</textarea>" in html
    reported.refresh_from_db()
    assert reported.is_open


def test_moderation_page_lists_open_reports_first_with_their_reasons(client_for, officer, board, reported):
    comment = CommentFactory(reflection=board, author=UserFactory(first_name="Cleo", last_name="Commenter"))
    Report.objects.create(comment=comment, reporter=UserFactory(), reason="Insults the author.")

    html = client_for(officer).get(reverse("reflections:moderation")).content.decode()

    reported_part = html.split('id="reported-heading"')[1].split('id="hidden-reflections"')[0]
    assert "“Names a client.”" in reported_part
    assert "“Insults the author.”" in reported_part
    assert reported_part.index("Listening first") < reported_part.index("Comment by Cleo Commenter")
    assert reverse("reflections:report-resolve", args=[reported.pk]) in reported_part


# --- what the moderation page costs --------------------------------------------------------------


@pytest.mark.parametrize("items", [1, 30])
def test_moderation_page_query_count_with_one_or_many_reports(
    client_for, officer, template, django_assert_num_queries, items
):
    for _ in range(items):
        reflection = ReflectionFactory(template=template, state="validated", visibility="colleagues")
        comment = CommentFactory(reflection=reflection)
        for _ in range(2):
            Report.objects.create(reflection=reflection, reporter=UserFactory(), reason="Rude.")
            Report.objects.create(comment=comment, reporter=UserFactory(), reason="Off topic.")
        hidden = ReflectionFactory(
            template=template, state="validated", visibility="colleagues", is_hidden=True, hidden_reason="Rude"
        )
        CommentFactory(reflection=hidden, is_hidden=True, hidden_reason="Off topic")
    client = client_for(officer)

    with django_assert_num_queries(7):
        response = client.get(reverse("reflections:moderation"))

    assert [len(item.reports) for item in response.context["reported"]] == [2] * (2 * items)
    assert (len(response.context["reflections"]), len(response.context["comments"])) == (items, items)
