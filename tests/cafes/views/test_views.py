"""Café pages: what they show, htmx and full-page paths, bad input, and feedback anonymity."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from cafes.models import Cafe, Rsvp, TalkFeedback, TalkInterest, TalkProposal
from saypro.core.models import AuditEntry, Notification
from tests.factories import UserFactory
from tests.factories.cafes import (
    CafeFactory,
    RsvpFactory,
    SpeakerPreferenceFactory,
    TalkFactory,
    TalkFeedbackFactory,
    on_agenda,
)

pytestmark = pytest.mark.django_db

# A complete talk proposal, as the form posts it.
PROPOSAL = {
    "title": "Silence",
    "idea": "Pause.",
    "why_it_matters": "Room.",
    "audience_can_try": "Count.",
    "duration_minutes": "5",
}
GOOD = {"clarity": "4", "usefulness": "5", "delivery": "3", "worked": "Clear story.", "try_next": "Slow down a bit."}


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- café page and RSVP -----------------------------------------------------------------------------


def test_cafe_detail_shows_agenda_with_start_times_speakers_and_seats(client_for, other_employee):
    tz = timezone.get_current_timezone()
    cafe = CafeFactory(
        state=Cafe.State.PUBLISHED,
        starts_at=timezone.now().astimezone(tz).replace(hour=15, minute=0, second=0, microsecond=0)
        + dt.timedelta(days=3),
        capacity=10,
        opening_minutes=10,
        changeover_minutes=2,
    )
    first, second = on_agenda(cafe, count=2)
    RsvpFactory.create_batch(3, cafe=cafe)
    response = client_for(other_employee).get(reverse("cafes:cafe-detail", args=[cafe.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert [s.starts_at.astimezone(tz).strftime("%H:%M") for s in response.context["slots"]] == ["15:10", "15:17"]
    assert first.speaker.full_name in html and second.title in html
    assert "7</span> of 10 seats left" in html


def test_cafe_detail_hides_draft_agenda_from_colleagues(client_for, other_employee, cafe):
    talk = on_agenda(cafe)[0]
    response = client_for(other_employee).get(reverse("cafes:cafe-detail", args=[cafe.pk]))
    assert talk.title not in response.content.decode()


def test_rsvp_full_page_going_then_waitlist_message(client_for, employee, other_employee):
    cafe = CafeFactory(capacity=1)
    RsvpFactory(cafe=cafe)
    response = client_for(employee).post(reverse("cafes:rsvp", args=[cafe.pk]), {"action": "going"}, follow=True)
    assert _messages(response) == ["The café is full: you're on the waitlist and will be told if a seat opens up."]
    assert "number 1" in response.content.decode()
    assert Rsvp.objects.get(person=employee).status == Rsvp.Status.WAITLIST


def test_rsvp_htmx_returns_the_rsvp_box_only(client_for, employee, cafe):
    response = client_for(employee).post(
        reverse("cafes:rsvp", args=[cafe.pk]), {"action": "going"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="rsvp-box"')
    assert "You're going." in html and "29</span> of 30 seats left" in html


@pytest.mark.parametrize(
    ("state", "hours", "message"),
    [
        (Cafe.State.CANCELLED, 48, "This café was cancelled, so it takes no RSVPs."),
        (Cafe.State.PUBLISHED, -2, "This café has already taken place, so it takes no RSVPs."),
    ],
)
def test_rsvp_to_past_or_cancelled_cafe_shows_message_writes_nothing(client_for, employee, state, hours, message):
    cafe = CafeFactory(state=state, starts_at=timezone.now() + dt.timedelta(hours=hours))
    response = client_for(employee).post(reverse("cafes:rsvp", args=[cafe.pk]), {"action": "going"}, follow=True)
    assert _messages(response) == [message]
    assert Rsvp.objects.count() == 0


def test_rsvp_cancel_promotes_the_waitlist_through_the_page(client_for, employee):
    cafe = CafeFactory(capacity=1)
    RsvpFactory(cafe=cafe, person=employee)
    waiting = RsvpFactory(cafe=cafe, status=Rsvp.Status.WAITLIST)
    client_for(employee).post(reverse("cafes:rsvp", args=[cafe.pk]), {"action": "cancel"})
    waiting.refresh_from_db()
    assert waiting.status == Rsvp.Status.GOING


# --- proposals --------------------------------------------------------------------------------------


def test_proposal_with_empty_idea_keeps_what_was_typed_and_writes_nothing(client_for, employee, cafe):
    response = client_for(employee).post(
        reverse("cafes:proposal-create"),
        {
            "cafe": cafe.pk,
            "title": "Silence as a tool",
            "idea": "",
            "why_it_matters": "It gives quieter people room.",
            "audience_can_try": "Count to five before speaking.",
            "duration_minutes": "5",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"].errors == {"idea": ["Say the one idea of your talk in a sentence or two."]}
    assert 'value="Silence as a tool"' in html and "It gives quieter people room." in html
    assert TalkProposal.objects.count() == 0


def test_proposal_with_foreign_reflection_link_refused(client_for, employee):
    response = client_for(employee).post(
        reverse("cafes:proposal-create"),
        {**PROPOSAL, "reflection_url": "https://elsewhere.example/reflections/1/"},
    )
    assert list(response.context["form"].errors) == ["reflection_url"]
    assert TalkProposal.objects.count() == 0


def test_proposal_create_success_for_any_coming_cafe(client_for, employee):
    from tests.factories.reflections import ReflectionFactory

    shared = ReflectionFactory(author=employee, state="validated", visibility="colleagues")
    response = client_for(employee).post(
        reverse("cafes:proposal-create"),
        {
            **PROPOSAL,
            "duration_minutes": "7",
            "reflection_url": f"/reflections/{shared.pk}/",
            "wants_practice_buddy": "on",
        },
    )
    talk = TalkProposal.objects.get()
    assert response["Location"] == reverse("cafes:proposal-detail", args=[talk.pk])
    assert (talk.cafe, talk.duration_minutes, talk.reflection_url, talk.wants_practice_buddy) == (
        None,
        7,
        f"/reflections/{shared.pk}/",
        True,
    )


def test_proposal_links_a_reflection_picked_from_the_speakers_own_shared_ones(client_for, employee, other_employee):
    """No pasted path: the form offers the speaker's reflections on the board, and only those."""
    from tests.factories.reflections import ReflectionFactory

    mine = ReflectionFactory(author=employee, title="Silence as a tool", state="validated", visibility="colleagues")
    ReflectionFactory(author=employee, title="Private notes", state="submitted", visibility="private")
    theirs = ReflectionFactory(author=other_employee, title="Not mine", state="validated", visibility="colleagues")
    client = client_for(employee)

    field = client.get(reverse("cafes:proposal-create")).context["form"].fields["reflection_url"]
    refused = client.post(
        reverse("cafes:proposal-create"), {**PROPOSAL, "reflection_url": f"/reflections/{theirs.pk}/"}
    )

    assert field.choices == [("", "No reflection"), (f"/reflections/{mine.pk}/", "Silence as a tool")]
    assert list(refused.context["form"].errors) == ["reflection_url"]
    assert TalkProposal.objects.count() == 0


def test_proposal_form_hides_practice_buddy_for_experienced_speakers(client_for, employee, started_cafe):
    on_agenda(started_cafe, speaker=employee)
    response = client_for(employee).get(reverse("cafes:proposal-create"))
    assert "wants_practice_buddy" not in response.context["form"].fields


def test_interest_htmx_toggles_and_officer_sees_the_count(client_for, other_employee, officer):
    talk = TalkFactory()
    response = client_for(other_employee).post(
        reverse("cafes:proposal-interest", args=[talk.pk]), headers={"HX-Request": "true"}
    )
    assert 'aria-pressed="true"' in response.content.decode()
    assert TalkInterest.objects.filter(talk=talk, person=other_employee).count() == 1
    response = client_for(officer).get(reverse("cafes:agenda", args=[talk.cafe.pk]))
    assert [(t.pk, t.interest_count) for t in response.context["waiting"]] == [(talk.pk, 1)]


def test_decide_decline_without_note_shows_field_error(client_for, officer):
    talk = TalkFactory()
    response = client_for(officer).post(reverse("cafes:proposal-decide", args=[talk.pk]), {"decision": "decline"})
    assert response.context["form"].errors == {
        "note": ["Write the speaker a kind note: what would make the talk work another time."]
    }
    talk.refresh_from_db()
    assert talk.state == TalkProposal.State.PROPOSED


def test_decide_accept_goes_to_the_agenda(client_for, officer, cafe):
    talk = TalkFactory(cafe=cafe)
    response = client_for(officer).post(
        reverse("cafes:proposal-decide", args=[talk.pk]), {"decision": "accept", "cafe": cafe.pk}
    )
    assert response["Location"] == reverse("cafes:agenda", args=[cafe.pk])
    talk.refresh_from_db()
    assert (talk.state, talk.position) == (TalkProposal.State.ACCEPTED, 1)


# --- agenda -----------------------------------------------------------------------------------------


def test_agenda_move_full_page_redirects_back_to_agenda(client_for, officer, cafe):
    first, second = on_agenda(cafe, count=2)
    response = client_for(officer).post(
        reverse("cafes:agenda-move", args=[cafe.pk, second.pk]), {"direction": "up"}, follow=True
    )
    assert response.redirect_chain == [(reverse("cafes:agenda", args=[cafe.pk]), 302)]
    assert _messages(response) == [f"“{second.title}” is now in slot 1."]
    assert [s.talk.pk for s in response.context["slots"]] == [second.pk, first.pk]


def test_agenda_page_read_from_the_cache_shows_each_move(client_for, officer, cafe):
    first, second = on_agenda(cafe, count=2)
    client = client_for(officer)
    url = reverse("cafes:agenda", args=[cafe.pk])
    before = client.get(url)
    client.post(reverse("cafes:agenda-move", args=[cafe.pk, second.pk]), {"direction": "up"})
    after = client.get(url)
    assert [s.talk.pk for s in before.context["slots"]] == [first.pk, second.pk]
    assert [s.talk.pk for s in after.context["slots"]] == [second.pk, first.pk]


def test_agenda_move_htmx_keeps_focus_on_the_moved_talk(client_for, officer, cafe):
    first, second, third = on_agenda(cafe, count=3)
    response = client_for(officer).post(
        reverse("cafes:agenda-move", args=[cafe.pk, second.pk]), {"direction": "up"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="agenda"')
    # Now first in line, its Up button is disabled, so focus goes to its Down button.
    assert response.context["focus"] == (second.pk, "down")
    assert html.count("data-swap-focus") == 1
    assert f"“{second.title}” is now in slot 1." in html


def test_agenda_publish_through_the_page(client_for, officer, cafe):
    on_agenda(cafe)
    response = client_for(officer).post(reverse("cafes:agenda-publish", args=[cafe.pk]), follow=True)
    assert _messages(response) == ["The agenda is published: every speaker has their slot and a calendar invite."]
    cafe.refresh_from_db()
    assert cafe.state == Cafe.State.PUBLISHED


def test_cafe_update_capacity_below_going_keeps_typed_values(client_for, officer):
    cafe = CafeFactory(capacity=5)
    RsvpFactory.create_batch(3, cafe=cafe)
    local = timezone.localtime(cafe.starts_at).strftime("%Y-%m-%dT%H:%M")
    response = client_for(officer).post(
        reverse("cafes:cafe-update", args=[cafe.pk]),
        {
            "title": "Renamed café",
            "starts_at": local,
            "duration_minutes": 60,
            "place": "Hall",
            "capacity": 2,
            "opening_minutes": 10,
            "changeover_minutes": 2,
        },
    )
    assert response.context["form"].errors == {
        "capacity": ["3 people are already going; the capacity cannot be lower than that."]
    }
    assert 'value="Renamed café"' in response.content.decode()
    cafe.refresh_from_db()
    assert (cafe.title, cafe.capacity) != ("Renamed café", 2)


# --- feedback ---------------------------------------------------------------------------------------


def test_feedback_page_tells_a_non_attendee_why_and_offers_no_form(client_for, talk, other_employee):
    response = client_for(other_employee).get(reverse("cafes:talk-feedback", args=[talk.pk]))
    html = response.content.decode()
    assert "Only people who were at this café (who RSVP&#x27;d going) can give feedback on its talks." in html
    assert "<form" not in html.split('id="main"')[1]


def test_feedback_post_on_own_talk_refused_nothing_written(client_for, talk, employee):
    RsvpFactory(cafe=talk.cafe, person=employee)
    response = client_for(employee).post(reverse("cafes:talk-feedback", args=[talk.pk]), GOOD)
    assert response.context["form"].non_field_errors() == [
        "This is your own talk: feedback comes from the audience. Your feedback page shows what they said."
    ]
    assert TalkFeedback.objects.count() == 0


def test_feedback_post_by_non_attendee_refused_nothing_written(client_for, talk, other_employee):
    response = client_for(other_employee).post(reverse("cafes:talk-feedback", args=[talk.pk]), GOOD)
    assert response.status_code == 200
    assert TalkFeedback.objects.count() == 0


def test_feedback_rating_out_of_range_shows_question_and_keeps_text(client_for, talk, attendee):
    response = client_for(attendee).post(reverse("cafes:talk-feedback", args=[talk.pk]), GOOD | {"clarity": "9"})
    assert response.context["form"].errors == {
        "clarity": ["Answer “How clear was the one idea?” with a number from 1 to 5."]
    }
    assert "Slow down a bit." in response.content.decode()
    assert TalkFeedback.objects.count() == 0


def test_feedback_form_shows_each_question_next_to_its_answer(client_for, talk, attendee):
    html = client_for(attendee).get(reverse("cafes:talk-feedback", args=[talk.pk])).content.decode()
    for question in ("How clear was the one idea?", "How useful is it for your own work?", "One thing that worked"):
        assert question in html


def test_feedback_twice_edits_instead_of_duplicating(client_for, talk, attendee):
    client = client_for(attendee)
    client.post(reverse("cafes:talk-feedback", args=[talk.pk]), GOOD, follow=True)
    response = client.post(reverse("cafes:talk-feedback", args=[talk.pk]), GOOD | {"worked": "The pause."}, follow=True)
    assert _messages(response) == [
        "You had already given feedback on this talk: your answers are updated (one per person per talk)."
    ]
    assert list(TalkFeedback.objects.values_list("worked", flat=True)) == ["The pause."]
    form = client.get(reverse("cafes:talk-feedback", args=[talk.pk])).context["form"]
    assert form.initial["worked"] == "The pause."


def _three_givers(talk):
    givers = [
        UserFactory(first_name=name, last_name="Givername", email=f"{name.lower()}.giver@example.org")
        for name in ("Zanele", "Quentin", "Xolani")
    ]
    for giver, (c, u, d) in zip(givers, [(5, 4, 3), (4, 4, 4), (3, 5, 2)], strict=True):
        RsvpFactory(cafe=talk.cafe, person=giver)
        TalkFeedbackFactory(talk=talk, giver=giver, clarity=c, usefulness=u, delivery=d, worked=f"worked {c}")
    return givers


def test_speaker_sees_averages_from_three_answers_with_questions(client_for, talk, employee):
    _three_givers(talk)
    html = client_for(employee).get(reverse("cafes:talk-feedback-received", args=[talk.pk])).content.decode()
    assert "How clear was the one idea?</th><td>4.0</td>" in html
    assert "How useful is it for your own work?</th><td>4.3</td>" in html
    assert "How well was it delivered (pace, voice, timing)?</th><td>3.0</td>" in html


def test_speaker_sees_only_texts_below_three_answers(client_for, talk, employee):
    TalkFeedbackFactory(talk=talk, clarity=1)
    TalkFeedbackFactory(talk=talk, clarity=5)
    response = client_for(employee).get(reverse("cafes:talk-feedback-received", args=[talk.pk]))
    html = response.content.decode()
    assert response.context["summary"].averages == []
    assert "Averages appear once at least 3 people answered" in html
    assert "The story at the start made the idea concrete." in html


@pytest.mark.parametrize("viewer", ["speaker", "mentor"])
def test_feedback_anonymity_on_speaker_pages_and_export(client_for, talk, employee, mentor, viewer):
    givers = _three_givers(talk)
    SpeakerPreferenceFactory(person=employee, share_with_mentor=True, notify_new_feedback=True)
    client = client_for(employee if viewer == "speaker" else mentor)
    pages = [
        reverse("cafes:talk-feedback-received", args=[talk.pk]),
        reverse("cafes:talk-feedback-export", args=[talk.pk]),
        reverse("cafes:speaker-growth", args=[employee.pk]),
        reverse("cafes:proposal-detail", args=[talk.pk]),
        reverse("cafes:cafe-detail", args=[talk.cafe.pk]),
    ]
    for url in pages:
        content = client.get(url).content.decode()
        for giver in givers:
            for text in (giver.first_name, giver.last_name, giver.email):
                assert text not in content, (url, text)


def test_export_holds_questions_averages_and_texts(client_for, talk, employee):
    _three_givers(talk)
    response = client_for(employee).get(reverse("cafes:talk-feedback-export", args=[talk.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == ["talk", "question", "answer"]
    assert rows[1] == [talk.title, "Number of answers", "3"]
    assert rows[2] == [talk.title, "How clear was the one idea? (average, 1 = not yet, 5 = excellent)", "4.0"]
    assert [r[2] for r in rows if r[1] == "One thing that worked"] == ["worked 3", "worked 4", "worked 5"]


FORMULAS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize("reader", ["speaker", "officer"])
def test_export_keeps_formulas_as_text(client_for, talk, employee, officer, reader):
    """A formula typed into any field that reaches the CSV comes back as text (quoted), never as a formula."""
    TalkProposal.objects.filter(pk=talk.pk).update(title="=CMD()")
    for i, formula in enumerate(FORMULAS):
        giver = UserFactory()
        RsvpFactory(cafe=talk.cafe, person=giver)
        response = client_for(giver).post(
            reverse("cafes:talk-feedback", args=[talk.pk]),
            GOOD | {"worked": formula, "try_next": FORMULAS[-1 - i]},
        )
        assert response.status_code == 302
    client = client_for(employee if reader == "speaker" else officer)

    rows = list(
        csv.reader(io.StringIO(client.get(reverse("cafes:talk-feedback-export", args=[talk.pk])).content.decode()))
    )

    assert {r[0] for r in rows[1:]} == {"'=CMD()"}
    texts = sorted(r[2] for r in rows if r[1] in {"One thing that worked", "One thing to try next time"})
    assert texts == sorted(["'" + f for f in FORMULAS] * 2)
    assert not [cell for row in rows for cell in row if cell.startswith(("=", "+", "-", "@"))]


def test_moderation_shows_givers_and_records_every_opening(client_for, talk, officer):
    givers = _three_givers(talk)
    client = client_for(officer)
    url = reverse("cafes:feedback-moderation", args=[talk.pk])
    html = client.get(url).content.decode()
    client.get(url)
    assert all(g.email in html for g in givers)
    assert "How clear was the one idea?" in html
    assert (
        AuditEntry.objects.filter(
            action="cafes.feedback_moderation_view", actor=officer, target_id=str(talk.pk)
        ).count()
        == 2
    )


def test_moderation_hide_without_reason_keeps_feedback_visible(client_for, talk, officer):
    feedback = TalkFeedbackFactory(talk=talk)
    response = client_for(officer).post(
        reverse("cafes:feedback-moderation", args=[talk.pk]), {"feedback": feedback.pk, "reason": ""}
    )
    assert "Say which rule the feedback breaks; the reason is kept." in response.content.decode()
    feedback.refresh_from_db()
    assert feedback.hidden_at is None


def test_hidden_feedback_disappears_from_the_speaker_page(client_for, talk, officer, employee):
    feedback = TalkFeedbackFactory(talk=talk, worked="Something rude")
    client_for(officer).post(
        reverse("cafes:feedback-moderation", args=[talk.pk]), {"feedback": feedback.pk, "reason": "Rude."}
    )
    html = client_for(employee).get(reverse("cafes:talk-feedback-received", args=[talk.pk])).content.decode()
    assert "Something rude" not in html


def test_speaker_growth_renders_svg_chart_and_table(client_for, employee):
    for month in (3, 2, 1):
        cafe = CafeFactory(state=Cafe.State.HELD, starts_at=timezone.now() - dt.timedelta(days=30 * month))
        talk = on_agenda(cafe, speaker=employee, state=TalkProposal.State.DELIVERED)[0]
        TalkFeedbackFactory.create_batch(3, talk=talk, clarity=5 - month)
    html = client_for(employee).get(reverse("cafes:speaker-growth", args=[employee.pk])).content.decode()
    assert '<svg class="growth-chart"' in html
    assert html.count('class="growth-dot"') == 9
    assert '<table class="table table-sm align-middle caption-top" id="growth-table">' in html
    assert "<script" not in html.split("<svg")[1].split("</svg>")[0]


def test_speaker_settings_saves(client_for, employee):
    client_for(employee).post(reverse("cafes:speaker-settings"), {"share_with_mentor": "on"})
    response = client_for(employee).get(reverse("cafes:speaker-settings"))
    assert response.context["form"].initial == {"notify_new_feedback": False, "share_with_mentor": True}


def test_cafe_held_form_records_who_came(client_for, officer, reflection_invites):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED, starts_at=timezone.now() - dt.timedelta(hours=1))
    came, missed = RsvpFactory(cafe=cafe), RsvpFactory(cafe=cafe)
    response = client_for(officer).post(reverse("cafes:cafe-held", args=[cafe.pk]), {"attended": [came.person_id]})
    assert response.status_code == 302
    assert list(Rsvp.objects.filter(attended=True).values_list("pk", flat=True)) == [came.pk]
    assert missed.pk not in Rsvp.objects.filter(attended=True).values_list("pk", flat=True)


def test_cafe_cancel_form_needs_reason(client_for, officer, cafe):
    response = client_for(officer).post(reverse("cafes:cafe-cancel", args=[cafe.pk]), {"reason": ""})
    assert response.context["form"].errors == {"reason": ["Say why the café is cancelled; everyone affected reads it."]}
    cafe.refresh_from_db()
    assert cafe.state == Cafe.State.OPEN


def test_decide_with_unknown_buddy_email_writes_nothing(client_for, officer, cafe):
    talk = TalkFactory(cafe=cafe, wants_practice_buddy=True, first_talk=True)
    response = client_for(officer).post(
        reverse("cafes:proposal-decide", args=[talk.pk]),
        {"decision": "accept", "cafe": cafe.pk, "practice_buddy": "nobody@example.org"},
    )
    assert response.context["form"].errors == {
        "practice_buddy": ["No one with this e-mail address takes part in Share Learnings."]
    }
    assert 'value="nobody@example.org"' in response.content.decode()
    talk.refresh_from_db()
    assert (talk.state, talk.practice_buddy) == (TalkProposal.State.PROPOSED, None)


def test_decide_with_newcomer_buddy_refused_and_not_accepted(client_for, officer, cafe, other_employee):
    talk = TalkFactory(cafe=cafe, wants_practice_buddy=True, first_talk=True)
    response = client_for(officer).post(
        reverse("cafes:proposal-decide", args=[talk.pk]),
        {"decision": "accept", "cafe": cafe.pk, "practice_buddy": other_employee.email},
    )
    assert response.context["form"].errors == {
        "practice_buddy": ["Choose someone who has given a talk at a café before."]
    }
    talk.refresh_from_db()
    assert (talk.state, talk.practice_buddy) == (TalkProposal.State.PROPOSED, None)


def test_decide_accept_with_buddy_pairs_them(client_for, officer, cafe, started_cafe):
    talk = TalkFactory(cafe=cafe, wants_practice_buddy=True, first_talk=True)
    buddy = on_agenda(started_cafe)[0].speaker
    client_for(officer).post(
        reverse("cafes:proposal-decide", args=[talk.pk]),
        {"decision": "accept", "cafe": cafe.pk, "practice_buddy": buddy.email.upper()},
    )
    talk.refresh_from_db()
    assert (talk.state, talk.practice_buddy) == (TalkProposal.State.ACCEPTED, buddy)


def test_decide_form_has_no_buddy_field_when_none_was_asked(client_for, officer):
    talk = TalkFactory()
    response = client_for(officer).get(reverse("cafes:proposal-decide", args=[talk.pk]))
    assert "practice_buddy" not in response.context["form"].fields


def test_proposal_sent_twice_with_one_token_proposes_once(client_for, employee, officer, cafe):
    import uuid

    data = {
        "cafe": cafe.pk,
        "title": "Silence as a tool",
        "idea": "Wait five seconds after asking.",
        "why_it_matters": "It gives quieter people room.",
        "audience_can_try": "Count to five before speaking.",
        "duration_minutes": "5",
        "submission_token": str(uuid.uuid4()),
    }
    client = client_for(employee)

    first, second = (client.post(reverse("cafes:proposal-create"), data) for _ in range(2))

    talk = TalkProposal.objects.get()
    assert first["Location"] == second["Location"] == reverse("cafes:proposal-detail", args=[talk.pk])
    assert Notification.objects.filter(kind="cafe_proposal", recipient=officer).count() == 1
