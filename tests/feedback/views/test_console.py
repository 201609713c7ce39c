"""The officer's facilitation console: attendance, the live board, marks, closing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Contribution, FeedbackSession, Invitation
from feedback.selectors import ATTENDANCE_PAGE_SIZE
from feedback.views.console import BOARD_NEWEST_PER_KIND
from saypro.core.models import AuditEntry, Enrolment
from tests.factories import UserFactory
from tests.factories.feedback import ContributionFactory, InvitationFactory, SuggestionFactory

Kind = Contribution.Kind
CONSOLE_200_MAX_BYTES = 90_000


def crowd(session, n):
    """n more invited participants, each with a contribution, every third a challenge with a suggestion.

    Every seventh contribution is hidden, so its card carries the Put back button instead of the marks.
    """
    people = UserFactory.create_batch(n)
    Enrolment.objects.bulk_create([Enrolment(person=p, module=session.module) for p in people])
    for i, person in enumerate(people):
        InvitationFactory(session=session, person=person)
        kind = [Kind.INSIGHT, Kind.SUCCESS_STORY, Kind.CHALLENGE][i % 3]
        hidden = {"hidden_at": session.starts_at, "hidden_reason": "Off topic"} if i % 7 == 0 else {}
        contribution = ContributionFactory(
            session=session, author=person, kind=kind, highlighted=i % 5 == 0 and not hidden, **hidden
        )
        if kind == Kind.CHALLENGE:
            SuggestionFactory(contribution=contribution, author=people[i - 1])
    return people


@pytest.mark.parametrize("participants", [5, 200])
def test_console_query_count_does_not_grow_with_participants(
    client_for, session, officer, participants, django_assert_num_queries
):
    crowd(session, participants - 2)  # the fixture already invites two
    client = client_for(officer)

    with django_assert_num_queries(11):
        response = client.get(reverse("feedback:console", kwargs={"pk": session.pk}))

    assert response.status_code == 200
    # The attendance list shows one page; the search box and the page links reach everyone else.
    assert len(response.context["invitations"]) == min(participants, ATTENDANCE_PAGE_SIZE)
    assert response.context["attendance_page"].paginator.count == participants


def test_console_for_200_participants_stays_light(client_for, session, officer):
    # Measured 436 KB with all 200 radio groups and a marks form (and CSRF token) per card; 594 KB before
    # that; under 300 KB with one page of 50 people and one marks form for the board. With a page of 25
    # people and the newest cards of each kind on the whole board: 73 KB, under CONSOLE_200_MAX_BYTES.
    crowd(session, 198)

    response = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk}))

    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert len(response.context["invitations"]) == ATTENDANCE_PAGE_SIZE
    assert main.count('<fieldset class="attendance-row"') == ATTENDANCE_PAGE_SIZE
    assert len(response.content) < CONSOLE_200_MAX_BYTES
    # Open (early: with its reason), close, everyone present, the page's attendance and the board's marks.
    assert main.count('name="csrfmiddlewaretoken"') == 5
    assert main.count("<form") == 5 + 2  # and the two GET forms: the person search and the filter


@pytest.mark.parametrize("participants", [5, 200])
def test_console_board_query_count_does_not_grow_with_participants(
    client_for, session, officer, participants, django_assert_num_queries
):
    crowd(session, participants - 2)
    client = client_for(officer)

    with django_assert_num_queries(8):
        response = client.get(reverse("feedback:console-board", kwargs={"pk": session.pk}))

    assert response.status_code == 200


def test_console_shows_guidance_labelled_attendance_and_groups_with_counts(
    client_for, session, officer, employee, peer
):
    ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE, text="Saying no to my manager")
    ContributionFactory(session=session, author=peer, kind=Kind.INSIGHT, text="Weekly one-to-ones")
    ContributionFactory(
        session=session, author=peer, kind=Kind.INSIGHT, hidden_at=session.starts_at, hidden_reason="Off topic"
    )
    invitation = Invitation.objects.get(session=session, person=employee)

    response = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk}))

    html = response.content.decode()
    assert "Guidance for a constructive dialogue" in html
    assert (
        f'<legend>{employee.full_name} <span class="attendance-where">{employee.department.name} · '
        f"{employee.location.name}</span></legend>"
    ) in html
    assert f'<label class="btn btn-outline-success" for="attendance-{invitation.pk}-present">Present</label>' in html
    assert f'name="attendance-{invitation.pk}" id="attendance-{invitation.pk}-late" value="late"' in html
    totals = {g.kind: g.total for g in response.context["groups"]}
    assert totals == {"insight": 1, "challenge": 1, "success_story": 0}
    assert "Hidden — reason shown to the author: Off topic" in html
    assert 'src="/static/js/feedback.js"' in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_console_board_shows_the_newest_of_each_kind_and_a_link_to_all(client_for, session, officer, peer):
    insights = [
        ContributionFactory(session=session, author=peer, kind=Kind.INSIGHT, text=f"Insight {i}")
        for i in range(BOARD_NEWEST_PER_KIND + 3)
    ]
    ContributionFactory(session=session, author=peer, kind=Kind.CHALLENGE, text="The only challenge")
    url = reverse("feedback:console", kwargs={"pk": session.pk})

    response = client_for(officer).get(url)

    html = response.content.decode()
    groups = {g.kind: g for g in response.context["groups"]}
    assert groups["insight"].contributions == insights[3:]
    assert (groups["insight"].total, groups["insight"].matching) == (len(insights), len(insights))
    assert f"The newest {BOARD_NEWEST_PER_KIND} of {len(insights)} shown." in html
    assert f'href="{url}?kind=insight#console-group-insight">Show all {len(insights)} insights</a>' in html
    assert f'id="contribution-{insights[2].pk}"' not in html
    assert "The only challenge" in html
    assert "Show all 1 challenges" not in html


def test_console_board_on_one_kind_shows_all_of_it(client_for, session, officer, peer):
    insights = [
        ContributionFactory(session=session, author=peer, kind=Kind.INSIGHT, highlighted=i % 2 == 0)
        for i in range(2 * BOARD_NEWEST_PER_KIND + 2)
    ]
    url = reverse("feedback:console", kwargs={"pk": session.pk})
    client = client_for(officer)

    everything = client.get(url, {"kind": "insight"})
    highlighted = client.get(url, {"show": "highlighted"})

    assert [g.contributions for g in everything.context["groups"]] == [insights]
    assert "The newest" not in everything.content.decode()
    # Filtered by a mark on the whole board, the link keeps the mark.
    group = next(g for g in highlighted.context["groups"] if g.kind == "insight")
    assert (group.count, group.matching) == (BOARD_NEWEST_PER_KIND, BOARD_NEWEST_PER_KIND + 1)
    assert f'href="{url}?kind=insight&amp;show=highlighted#console-group-insight">' in highlighted.content.decode()


def test_console_filters_by_kind_and_mark(client_for, session, officer, employee, peer):
    ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE, highlighted=True)
    ContributionFactory(session=session, author=peer, kind=Kind.CHALLENGE)
    ContributionFactory(session=session, author=peer, kind=Kind.INSIGHT, highlighted=True)
    url = reverse("feedback:console", kwargs={"pk": session.pk})

    response = client_for(officer).get(url, {"kind": "challenge", "show": "highlighted"})

    groups = response.context["groups"]
    assert [(g.kind, len(g.contributions), g.total) for g in groups] == [("challenge", 1, 2)]


def test_console_board_answers_204_when_nothing_changed_and_the_board_when_something_did(
    client_for, session, officer, employee
):
    client = client_for(officer)
    url = reverse("feedback:console-board", kwargs={"pk": session.pk})
    version = client.get(url).context["version"]

    unchanged = client.get(url, {"v": version}, headers={"HX-Request": "true"})
    ContributionFactory(session=session, author=employee, text="A brand new insight")
    changed = client.get(url, {"v": version}, headers={"HX-Request": "true"})

    assert unchanged.status_code == 204
    assert changed.status_code == 200
    assert "A brand new insight" in changed.content.decode()
    assert changed.context["version"] != version


def test_console_board_stops_polling_once_held(client_for, session, officer):
    FeedbackSession.objects.filter(pk=session.pk).update(state=FeedbackSession.State.HELD)

    response = client_for(officer).get(reverse("feedback:console-board", kwargs={"pk": session.pk}))

    assert "data-hx-trigger" not in response.content.decode()


def test_attendance_htmx_tick_saves_one_row_and_returns_it(client_for, session, officer, employee):
    invitation = Invitation.objects.get(session=session, person=employee)

    response = client_for(officer).post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {f"attendance-{invitation.pk}": "present"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert 'role="status">Saved: present</span>' in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).attendance == "present"


def test_attendance_form_without_javascript_saves_every_row(client_for, session, officer, employee, peer):
    mine = Invitation.objects.get(session=session, person=employee)
    theirs = Invitation.objects.get(session=session, person=peer)

    response = client_for(officer).post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {f"attendance-{mine.pk}": "late", f"attendance-{theirs.pk}": "absent"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("feedback:console", kwargs={"pk": session.pk}) + "#attendance"
    assert dict(Invitation.objects.filter(session=session).values_list("person_id", "attendance")) == {
        employee.pk: "late",
        peer.pk: "absent",
    }


def test_attendance_bad_value_is_reported_and_nothing_saved(client_for, session, officer, employee):
    invitation = Invitation.objects.get(session=session, person=employee)

    response = client_for(officer).post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {f"attendance-{invitation.pk}": "asleep"},
        follow=True,
    )

    assert "Choose present, late or absent." in response.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).attendance == ""


def test_attendance_for_another_sessions_invitation_is_refused_and_nothing_saved(
    client_for, session, officer, employee, outsider
):
    foreign = Invitation.objects.get(person=outsider)
    mine = Invitation.objects.get(session=session, person=employee)

    response = client_for(officer).post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {f"attendance-{mine.pk}": "present", f"attendance-{foreign.pk}": "present"},
    )

    assert response.status_code == 200
    assert (
        f"Attendance not saved. Someone in the list (invitation {foreign.pk}) is not invited to this session; "
        "reload the console and save again."
    ) in response.content.decode()
    assert Invitation.objects.get(pk=foreign.pk).attendance == ""
    assert Invitation.objects.get(pk=mine.pk).attendance == ""


def test_attendance_without_javascript_refuses_the_whole_list_and_keeps_the_ticks(
    client_for, session, officer, employee, peer
):
    mine = Invitation.objects.get(session=session, person=employee)
    theirs = Invitation.objects.get(session=session, person=peer)
    recorded_before = list(Invitation.objects.order_by("pk").values_list("pk", "attendance", "attendance_recorded_at"))

    response = client_for(officer).post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {f"attendance-{mine.pk}": "late", f"attendance-{theirs.pk}": "asleep", "attendance-999999": "present"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response.templates[0].name == "feedback/console.html"
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        f"Attendance not saved. {peer.full_name}: “asleep” is not an attendance. Choose present, late or absent. "
        "Someone in the list (invitation 999999) is not invited to this session; reload the console and save again."
    ]
    assert '<div class="alert alert-danger alert-dismissible fade show" role="alert">' in html
    # What the officer ticked is shown again, so one press of "Save attendance" records it once the list is fixed.
    assert f'id="attendance-{mine.pk}-late" value="late" checked>' in html
    assert f'id="attendance-{theirs.pk}-present" value="present">' in html
    assert "checked>" not in html.split(f'id="attendance-{theirs.pk}"', 1)[1].split("</fieldset>", 1)[0]
    assert list(Invitation.objects.order_by("pk").values_list("pk", "attendance", "attendance_recorded_at")) == (
        recorded_before
    )


def test_attendance_htmx_bad_value_is_400_with_the_message_and_nothing_saved(client_for, session, officer, peer):
    theirs = Invitation.objects.get(session=session, person=peer)

    response = client_for(officer).post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {f"attendance-{theirs.pk}": "asleep"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 400
    assert response.content.decode() == (
        f"{peer.full_name}: “asleep” is not an attendance. Choose present, late or absent."
    )
    assert Invitation.objects.get(pk=theirs.pk).attendance == ""


def test_attendance_row_saved_by_htmx_still_saves_itself_alone(client_for, session, officer, employee):
    invitation = Invitation.objects.get(session=session, person=employee)
    url = reverse("feedback:attendance", kwargs={"pk": session.pk})

    response = client_for(officer).post(url, {f"attendance-{invitation.pk}": "late"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.startswith(
        f'<fieldset class="attendance-row" id="attendance-{invitation.pk}" data-hx-post="{url}" '
        f'data-hx-trigger="change" data-hx-params="attendance-{invitation.pk}"><legend>{employee.full_name} '
    )
    assert f'id="attendance-{invitation.pk}-late" value="late" checked>' in html
    assert html.count(" checked") == 1
    assert html.endswith('<span class="small text-success" role="status">Saved: late</span></fieldset>\n')


def test_console_attendance_is_one_form_with_one_csrf_token_and_no_per_person_token(
    client_for, session, officer, employee, peer
):
    html = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk})).content.decode()

    action = reverse("feedback:attendance", kwargs={"pk": session.pk})
    form = html.split(f'<form method="post" action="{action}" class="attendance-list"', 1)[1].split("</form>")[0]
    assert form.count('name="csrfmiddlewaretoken"') == 1
    assert form.count('<fieldset class="attendance-row') == 2
    assert form.count("<form") == 0
    assert form.startswith(' autocomplete="off" data-hx-swap="outerHTML">')
    assert 'role="group" aria-labelledby="attendance-heading" aria-describedby="attendance-keys"' in form
    assert '<button class="btn btn-outline-primary btn-sm mt-2" type="submit">Save attendance</button>' in form


def test_mark_with_htmx_returns_the_card_pressed(client_for, session, officer, employee):
    contribution = ContributionFactory(session=session, author=employee)
    url = reverse("feedback:contribution-mark", kwargs={"pk": contribution.pk})

    response = client_for(officer).post(url, {"highlighted": "1"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert f'id="contribution-{contribution.pk}"' in html
    assert f'aria-pressed="true" id="highlight-{contribution.pk}"' in html
    assert (
        f'<button name="highlighted" value="0" formaction="{url}" class="btn btn-sm btn-warning" '
        f'aria-pressed="true" id="highlight-{contribution.pk}">Highlight</button>'
    ) in html
    assert "<form" not in html
    assert Contribution.objects.get(pk=contribution.pk).highlighted is True


def test_mark_without_javascript_redirects_to_the_card(client_for, session, officer, employee):
    contribution = ContributionFactory(session=session, author=employee, discussed=True)
    url = reverse("feedback:contribution-mark", kwargs={"pk": contribution.pk})

    response = client_for(officer).post(url, {"discussed": "0"})

    assert (
        response["Location"]
        == reverse("feedback:console", kwargs={"pk": session.pk}) + f"#contribution-{contribution.pk}"
    )
    assert Contribution.objects.get(pk=contribution.pk).discussed is False


@pytest.mark.parametrize(
    "data",
    [
        {"starred": "1"},
        {},
        {"highlighted": "1", "discussed": "1"},
        {"highlighted": "yes"},
        {"hide": "", "discussed": "1"},
    ],
    ids=["unknown-mark", "no-button", "two-buttons", "not-0-or-1", "hide-and-mark"],
)
def test_mark_without_exactly_one_known_button_is_400_and_changes_nothing(client_for, session, officer, employee, data):
    contribution = ContributionFactory(session=session, author=employee)

    response = client_for(officer).post(reverse("feedback:contribution-mark", kwargs={"pk": contribution.pk}), data)

    assert response.status_code == 400
    assert response.content.decode() == "Press one of Discussed, Highlight or Hide."
    assert Contribution.objects.filter(pk=contribution.pk, highlighted=False, discussed=False).count() == 1


def test_mark_hide_button_leads_to_the_reason_page_without_hiding(client_for, session, officer, employee):
    contribution = ContributionFactory(session=session, author=employee)
    client = client_for(officer)
    url = reverse("feedback:contribution-mark", kwargs={"pk": contribution.pk})
    hide_url = reverse("feedback:contribution-hide", kwargs={"pk": contribution.pk})

    without_js = client.post(url, {"hide": ""})
    with_htmx = client.post(url, {"hide": ""}, headers={"HX-Request": "true"})

    assert (without_js.status_code, without_js["Location"]) == (302, hide_url)
    assert (with_htmx.status_code, with_htmx["HX-Redirect"]) == (200, hide_url)
    assert Contribution.objects.get(pk=contribution.pk).hidden_at is None


def test_console_board_is_one_marks_form_with_one_csrf_token_and_buttons_naming_their_contribution(
    client_for, session, officer, employee, peer
):
    shown = [ContributionFactory(session=session, author=p, kind=Kind.CHALLENGE) for p in (employee, peer)]
    ContributionFactory(session=session, author=peer, hidden_at=session.starts_at, hidden_reason="Off topic")

    html = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk})).content.decode()

    board = html.split('id="console-board"', 1)[1]
    marks = board.split('<form method="post" action="', 1)[1].split("</form>", 1)[0]
    assert marks.startswith(f'{reverse("feedback:console", kwargs={"pk": session.pk})}" id="console-marks">')
    assert marks.count('name="csrfmiddlewaretoken"') == 1
    for contribution in shown:
        card = marks.split(f'id="contribution-{contribution.pk}"', 1)[1].split("</article>", 1)[0]
        mark_url = reverse("feedback:contribution-mark", kwargs={"pk": contribution.pk})
        assert "<form" not in card
        assert card.count(f'formaction="{mark_url}"') == 3
        assert [n for n in ("discussed", "highlighted", "hide") if f'<button name="{n}"' in card] == [
            "discussed",
            "highlighted",
            "hide",
        ]
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    # Open early, close, everyone present, attendance and the board's marks: one CSRF token each.
    assert main.count('<form method="post"') == 5
    assert main.count('name="csrfmiddlewaretoken"') == 5


def test_open_then_close_from_the_console_locks_contributions(client_for, session, officer, employee):
    FeedbackSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5), ends_at=timezone.now() + dt.timedelta(minutes=85)
    )
    client = client_for(officer)
    client.post(reverse("feedback:session-open", kwargs={"pk": session.pk}))
    assert FeedbackSession.objects.get(pk=session.pk).state == "open"

    response = client.post(reverse("feedback:session-close", kwargs={"pk": session.pk}), follow=True)

    assert FeedbackSession.objects.get(pk=session.pk).state == "held"
    assert "The session is held and its contributions are locked." in response.content.decode()
    late = client_for(employee).post(
        reverse("feedback:contribution-add", kwargs={"pk": session.pk}),
        {"kind": "insight", "text": "One more thing", "submission_token": "8c9a5a4e-6d7b-4bb5-9a0c-5f9e6cb0f3a1"},
    )
    assert late.status_code == 200
    assert "This session has been held; its contributions are locked." in late.content.decode()
    assert Contribution.objects.count() == 0


def test_console_asks_a_reason_to_open_or_close_a_session_days_before_its_start(client_for, session, officer):
    html = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk})).content.decode()

    opens_at = timezone.localtime(session.starts_at - dt.timedelta(minutes=60))
    assert "<summary>Open the session early…</summary>" in html
    assert f"It opens from {opens_at:%-d %B, %H:%M}. Why open it now?" in html
    assert '<textarea class="form-control form-control-sm" id="open-reason" name="reason"' in html
    assert "It has not started yet. Why close it now?" in html


@pytest.mark.parametrize(
    ("name", "state"), [("feedback:session-open", "scheduled"), ("feedback:session-close", "scheduled")]
)
def test_early_open_or_close_without_a_reason_shows_the_refusal_next_to_the_field(
    client_for, session, officer, name, state
):
    response = client_for(officer).post(reverse(name, kwargs={"pk": session.pk}), {"reason": "  "})

    assert response.status_code == 200
    assert response.templates[0].name == "feedback/session_transition.html"
    errors = response.context["form"].errors["reason"]
    assert len(errors) == 1
    assert "say why you" in errors[0]
    assert FeedbackSession.objects.get(pk=session.pk).state == state
    assert AuditEntry.objects.count() == 0


def test_early_open_with_a_reason_opens_it_and_audits_the_reason(client_for, session, officer):
    response = client_for(officer).post(
        reverse("feedback:session-open", kwargs={"pk": session.pk}), {"reason": "The trainer starts a day early."}
    )

    assert response["Location"] == reverse("feedback:console", kwargs={"pk": session.pk})
    assert FeedbackSession.objects.get(pk=session.pk).state == "open"
    assert list(AuditEntry.objects.values_list("action", "reason", "data")) == [
        ("feedback.session_open", "The trainer starts a day early.", {"early": True})
    ]


def test_close_twice_shows_a_clear_message(client_for, session, officer):
    client = client_for(officer)
    client.post(reverse("feedback:session-close", kwargs={"pk": session.pk}), {"reason": "Held early."})

    response = client.post(reverse("feedback:session-close", kwargs={"pk": session.pk}), {"reason": "Again."})

    assert "Only a scheduled or open session can be closed; this one is Held." in response.content.decode()


def test_hidden_card_has_only_the_put_back_button(client_for, session, officer, peer):
    hidden = ContributionFactory(session=session, author=peer, hidden_at=session.starts_at, hidden_reason="Off topic")

    html = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk})).content.decode()

    card = html.split(f'id="contribution-{hidden.pk}"', 1)[1].split("</article>", 1)[0]
    mark_url = reverse("feedback:contribution-mark", kwargs={"pk": hidden.pk})
    assert f'<button name="unhide" formaction="{mark_url}" class=' in card
    assert [n for n in ("discussed", "highlighted", "hide", "unhide") if f'<button name="{n}"' in card] == ["unhide"]
    assert ">Put back<" in card


def test_put_back_with_htmx_returns_the_card_with_its_marks(client_for, session, officer, peer):
    hidden = ContributionFactory(session=session, author=peer, hidden_at=session.starts_at, hidden_reason="Off topic")
    url = reverse("feedback:contribution-mark", kwargs={"pk": hidden.pk})

    response = client_for(officer).post(url, {"unhide": ""}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="highlight-{hidden.pk}"' in html
    assert "Hidden — " not in html
    assert Contribution.objects.get(pk=hidden.pk).hidden_at is None


def test_put_back_without_javascript_redirects_to_the_card(client_for, session, officer, peer):
    hidden = ContributionFactory(session=session, author=peer, hidden_at=session.starts_at, hidden_reason="Off topic")

    response = client_for(officer).post(reverse("feedback:contribution-mark", kwargs={"pk": hidden.pk}), {"unhide": ""})

    assert response["Location"] == reverse("feedback:console", kwargs={"pk": session.pk}) + f"#contribution-{hidden.pk}"
    assert Contribution.objects.get(pk=hidden.pk).hidden_at is None


def test_put_back_of_a_shown_contribution_says_so_and_changes_nothing(client_for, session, officer, peer):
    shown = ContributionFactory(session=session, author=peer)
    client = client_for(officer)

    response = client.post(reverse("feedback:contribution-mark", kwargs={"pk": shown.pk}), {"unhide": ""}, follow=True)

    assert [str(m) for m in response.context["messages"]] == ["This contribution is not hidden."]
    assert AuditEntry.objects.filter(action="feedback.contribution_unhidden").count() == 0


def namesakes(session):
    """Two invited people called Thabo Nkosi, one in Finance in Durban, one in Sales in Pretoria."""
    from tests.factories.core import DepartmentFactory, LocationFactory

    people = [
        UserFactory(
            first_name="Thabo",
            last_name="Nkosi",
            department=DepartmentFactory(name=department),
            location=LocationFactory(name=location),
        )
        for department, location in (("Finance", "Durban"), ("Sales", "Pretoria"))
    ]
    for person in people:
        Enrolment.objects.create(person=person, module=session.module)
        InvitationFactory(session=session, person=person)
    return people


def test_console_attendance_search_tells_namesakes_apart_by_department_and_location(client_for, session, officer):
    finance, sales = namesakes(session)
    client = client_for(officer)
    url = reverse("feedback:console", kwargs={"pk": session.pk})

    everyone = client.get(url, {"q": "thabo nkosi"})
    by_place = client.get(url, {"q": "nkosi pretoria"})

    assert [i.person for i in everyone.context["invitations"]] == [finance, sales]
    html = everyone.content.decode()
    assert '<legend>Thabo Nkosi <span class="attendance-where">Finance · Durban</span></legend>' in html
    assert '<legend>Thabo Nkosi <span class="attendance-where">Sales · Pretoria</span></legend>' in html
    assert [i.person for i in by_place.context["invitations"]] == [sales]
    assert "2 people match “thabo nkosi”." in html
    assert "1 person matches “nkosi pretoria”." in by_place.content.decode()


def test_attendance_list_with_htmx_answers_the_page_alone_and_without_it_sends_to_the_console(
    client_for, session, officer
):
    finance, _ = namesakes(session)
    client = client_for(officer)
    url = reverse("feedback:attendance-list", kwargs={"pk": session.pk})

    partial = client.get(url, {"q": "finance"}, headers={"HX-Request": "true"})
    plain = client.get(url, {"q": "finance"})

    html = partial.content.decode()
    assert '<div id="attendance-list">' in html
    assert "<main" not in html
    assert [i.person for i in partial.context["invitations"]] == [finance]
    assert plain["Location"] == reverse("feedback:console", kwargs={"pk": session.pk}) + "?q=finance#attendance"


@pytest.mark.parametrize("participants", [5, 200])
def test_attendance_list_query_count_does_not_grow_with_participants(
    client_for, session, officer, participants, django_assert_num_queries
):
    crowd(session, participants - 2)
    client = client_for(officer)
    url = reverse("feedback:attendance-list", kwargs={"pk": session.pk})

    # Session (as the officer sees it), the officer, groups, the search's count and its page.
    with django_assert_num_queries(7):
        response = client.get(url, {"page": "2", "q": "a"}, headers={"HX-Request": "true"})

    assert response.status_code == 200


def test_console_attendance_pages_reach_everyone(client_for, session, officer):
    crowd(session, ATTENDANCE_PAGE_SIZE)  # one more than a page with the fixture's two
    client = client_for(officer)
    url = reverse("feedback:console", kwargs={"pk": session.pk})

    first = client.get(url)
    second = client.get(url, {"page": "2"})

    seen = [i.pk for i in first.context["invitations"]] + [i.pk for i in second.context["invitations"]]
    assert sorted(seen) == sorted(Invitation.objects.filter(session=session).values_list("pk", flat=True))
    assert len(second.context["invitations"]) == 2
    html = first.content.decode()
    assert f"{ATTENDANCE_PAGE_SIZE + 2} people; showing 1–{ATTENDANCE_PAGE_SIZE}." in html
    assert f'href="{url}?page=2#attendance"' in html


def test_everyone_present_then_the_exceptions(client_for, session, officer, employee, peer):
    client = client_for(officer)
    attendance = reverse("feedback:attendance", kwargs={"pk": session.pk})
    theirs = Invitation.objects.get(session=session, person=peer)

    response = client.post(attendance, {"everyone": "present"}, follow=True)
    client.post(attendance, {f"attendance-{theirs.pk}": "absent"}, headers={"HX-Request": "true"})

    assert [str(m) for m in response.context["messages"]] == [
        "2 people marked present. Now mark the exceptions: late or absent."
    ]
    assert "Mark everyone not recorded present" not in response.content.decode()
    assert dict(Invitation.objects.filter(session=session).values_list("person_id", "attendance")) == {
        employee.pk: "present",
        peer.pk: "absent",
    }


def test_console_has_a_jump_to_contributions_link_before_the_attendance_list(client_for, session, officer):
    html = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk})).content.decode()

    main = html.split("<main", 1)[1]
    assert main.index('<a href="#contributions-heading">Jump to contributions</a>') < main.index('id="attendance-list"')
    assert '<h2 class="h5" id="contributions-heading" tabindex="-1">Contributions</h2>' in main


def test_console_board_is_cached_until_a_contribution_changes(
    client_for, session, officer, employee, django_assert_num_queries
):
    crowd(session, 20)
    contribution = ContributionFactory(session=session, author=employee, text="Cached or not")
    client = client_for(officer)
    url = reverse("feedback:console", kwargs={"pk": session.pk})
    first = client.get(url).content.decode()

    # A second look renders the board from the cache: no contributions or suggestions query (nor
    # the officer's row, groups and unread count: person_cache). 1, not 5: the participation counts
    # are kept too (session_participation_cached), and the session and the board's version
    # (selectors.CONSOLE_KEPT).
    with django_assert_num_queries(1):
        again = client.get(url).content.decode()
    services.contribution_flag_set(contribution=contribution, flag="highlighted", value=True, by=officer)
    marked = client.get(url).content.decode()

    def board(html):
        return html.split('id="console-marks">', 1)[1].split("</form>", 1)[0].split(">", 1)[1]

    assert board(again) == board(first)
    assert f'aria-pressed="false" id="highlight-{contribution.pk}"' in first
    assert f'aria-pressed="true" id="highlight-{contribution.pk}"' in marked
