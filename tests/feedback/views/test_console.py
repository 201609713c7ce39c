"""The officer's facilitation console: attendance, the live board, marks, closing."""

import pytest
from django.urls import reverse

from feedback.models import Contribution, FeedbackSession, Invitation
from saypro.core.models import AuditEntry, Enrolment
from tests.factories import UserFactory
from tests.factories.feedback import ContributionFactory, InvitationFactory, SuggestionFactory

Kind = Contribution.Kind


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
    assert len(response.context["invitations"]) == participants


def test_console_for_200_participants_stays_light(client_for, session, officer):
    # Measured 436 KB (200 radio groups, 198 cards each with one marks form); it was 594 KB with a form and
    # a CSRF token per mark. The bound leaves room for small additions, not for a form per button again.
    crowd(session, 198)

    response = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk}))

    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert len(response.context["invitations"]) == 200
    assert len(response.content) < 470_000
    # One form per contribution, one for the whole attendance list, open and close: one token each.
    assert main.count('name="csrfmiddlewaretoken"') == 198 + 1 + 2
    assert main.count("<form") == 198 + 1 + 2 + 1  # and the filter, a GET form without a token


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
    assert f'<legend class="fs-6 mb-0 float-none w-auto">{employee.full_name}</legend>' in html
    assert f'<label class="btn btn-outline-success" for="attendance-{invitation.pk}-present">Present</label>' in html
    assert f'name="attendance-{invitation.pk}" id="attendance-{invitation.pk}-late" value="late"' in html
    totals = {g.kind: g.total for g in response.context["groups"]}
    assert totals == {"insight": 1, "challenge": 1, "success_story": 0}
    assert "Hidden — reason shown to the author: Off topic" in html
    assert 'src="/static/js/feedback.js"' in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>", 1)[0]


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
        '<fieldset class="attendance-row d-flex flex-wrap justify-content-between align-items-center gap-1 '
        f'border-bottom py-1" id="attendance-{invitation.pk}" data-hx-post="{url}" data-hx-trigger="change" '
        f'data-hx-params="attendance-{invitation.pk}">'
        f'<legend class="fs-6 mb-0 float-none w-auto">{employee.full_name}</legend>'
    )
    assert f'id="attendance-{invitation.pk}-late" value="late" checked>' in html
    assert html.count(" checked") == 1
    assert html.endswith('<span class="small text-success" role="status">Saved: late</span></fieldset>\n')


def test_console_attendance_is_one_form_with_one_csrf_token_and_no_per_person_token(
    client_for, session, officer, employee, peer
):
    html = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk})).content.decode()

    form = html.split(f'action="{reverse("feedback:attendance", kwargs={"pk": session.pk})}"', 1)[1].split("</form>")[0]
    assert form.count('name="csrfmiddlewaretoken"') == 1
    assert form.count('<fieldset class="attendance-row') == 2
    assert form.count("<form") == 0
    assert 'class="attendance-list" autocomplete="off" data-hx-swap="outerHTML">' in form
    assert '<button class="btn btn-outline-primary btn-sm mt-2" type="submit">Save attendance</button>' in form


def test_mark_with_htmx_returns_the_card_pressed(client_for, session, officer, employee):
    contribution = ContributionFactory(session=session, author=employee)
    url = reverse("feedback:contribution-mark", kwargs={"pk": contribution.pk})

    response = client_for(officer).post(url, {"highlighted": "1"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert f'id="contribution-{contribution.pk}"' in html
    assert f'aria-pressed="true" id="highlight-{contribution.pk}"' in html
    assert (
        f'<button name="highlighted" value="0" class="btn btn-sm btn-warning" aria-pressed="true" '
        f'id="highlight-{contribution.pk}">Highlight</button>'
    ) in html
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


def test_console_has_one_marks_form_per_contribution_each_with_one_csrf_token(
    client_for, session, officer, employee, peer
):
    shown = [ContributionFactory(session=session, author=p, kind=Kind.CHALLENGE) for p in (employee, peer)]
    ContributionFactory(session=session, author=peer, hidden_at=session.starts_at, hidden_reason="Off topic")

    html = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk})).content.decode()

    for contribution in shown:
        card = html.split(f'id="contribution-{contribution.pk}"', 1)[1].split("</article>", 1)[0]
        mark_url = reverse("feedback:contribution-mark", kwargs={"pk": contribution.pk})
        assert card.count("<form") == 1
        assert f'<form method="post" action="{mark_url}" data-hx-post="{mark_url}" class="d-flex' in card
        assert card.count('name="csrfmiddlewaretoken"') == 1
        assert [n for n in ("discussed", "highlighted", "hide") if f'<button name="{n}"' in card] == [
            "discussed",
            "highlighted",
            "hide",
        ]
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    # Open, close, attendance, the two marks forms and the hidden card's Put back form: one CSRF token each.
    assert main.count('<form method="post"') == 6
    assert main.count('name="csrfmiddlewaretoken"') == 6
    assert 'data-hx-target="closest article" data-hx-swap="outerHTML"' in main


def test_open_then_close_from_the_console_locks_contributions(client_for, session, officer, employee):
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


def test_close_twice_shows_a_clear_message(client_for, session, officer):
    client = client_for(officer)
    client.post(reverse("feedback:session-close", kwargs={"pk": session.pk}))

    response = client.post(reverse("feedback:session-close", kwargs={"pk": session.pk}), follow=True)

    assert "Only a scheduled or open session can be closed; this one is Held." in response.content.decode()


def test_hidden_card_has_only_the_put_back_button(client_for, session, officer, peer):
    hidden = ContributionFactory(session=session, author=peer, hidden_at=session.starts_at, hidden_reason="Off topic")

    html = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk})).content.decode()

    card = html.split(f'id="contribution-{hidden.pk}"', 1)[1].split("</article>", 1)[0]
    mark_url = reverse("feedback:contribution-mark", kwargs={"pk": hidden.pk})
    assert f'<form method="post" action="{mark_url}" data-hx-post="{mark_url}" class="d-flex' in card
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
