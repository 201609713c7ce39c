"""Commitments ("I'll try this" with what and by when), the nudge, and the answers (issue 16)."""

import datetime as dt
import re
from urllib.parse import unquote

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from reflections import services
from reflections.models import Adoption
from reflections.models import Reflection as R
from saypro.core.models import Notification, NotificationPreference, OutboundEmail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S, V = R.State, R.Visibility
TODAY = dt.date(2026, 3, 10)
# The answer page: session, the commitment with its reflection and author, the mentor check of
# "may read this reflection"; the person's row, groups and unread count come from the cache (person_cache).
QUERIES_LINK_PAGE = 3


@pytest.fixture
def board_reflection(make_reflection):
    return make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES, title="Walking one-to-ones")


@pytest.fixture
def commitment(board_reflection, other_employee):
    return services.commitment_make(
        reflection=board_reflection, by=other_employee, text="Walk with Thabo on Friday", today=TODAY
    )


def _answer_links(email: OutboundEmail) -> dict[str, str]:
    """The three answer links of a nudge, as a person clicks them (path and query)."""
    found = re.findall(r"https?://[^/\s]+(/reflections/commitments/answer/[^\s\"<]+)", email.body_text)
    return {unquote(url).rsplit("answer=", 1)[1]: unquote(url) for url in found}


# --- commitment_make ------------------------------------------------------------------------------


def test_commitment_make_defaults_to_three_weeks_and_keeps_the_placement(commitment, other_employee):
    assert (commitment.kind, commitment.commitment_text, commitment.commitment_due) == (
        "will_try",
        "Walk with Thabo on Friday",
        dt.date(2026, 3, 31),
    )
    assert commitment.department_id == other_employee.department_id
    assert Adoption.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "due", "field", "message"),
    [
        ("x" * 201, None, "commitment_text", "Keep it to 200 characters (it has 201)."),
        ("", dt.date(2026, 3, 9), "commitment_due", "Choose today or a later day."),
        ("", dt.date(2026, 9, 7), "commitment_due", "Choose a day within 180 days from today."),
    ],
)
def test_commitment_make_bad_input_writes_nothing(board_reflection, other_employee, text, due, field, message):
    with pytest.raises(ValidationError) as exc:
        services.commitment_make(reflection=board_reflection, by=other_employee, text=text, due=due, today=TODAY)

    assert exc.value.message_dict == {field: [message]}
    assert not Adoption.objects.exists()


def test_commitment_make_again_changes_date_and_earns_a_new_nudge(commitment, board_reflection, other_employee):
    Adoption.objects.filter(pk=commitment.pk).update(nudged_at=timezone.now())

    again = services.commitment_make(
        reflection=board_reflection, by=other_employee, due=dt.date(2026, 4, 2), today=TODAY
    )

    assert (again.pk, again.commitment_due, again.nudged_at, again.commitment_text) == (
        commitment.pk,
        dt.date(2026, 4, 2),
        None,
        "",
    )


def test_commitment_make_by_the_author_is_refused(board_reflection, employee):
    with pytest.raises(PermissionDenied):
        services.commitment_make(reflection=board_reflection, by=employee, today=TODAY)


# --- commitment_answer ----------------------------------------------------------------------------


def test_answer_tried_with_a_line_records_i_tried_it_and_tells_the_author(commitment, other_employee, employee):
    answered = services.commitment_answer(
        adoption=commitment, by=other_employee, answer="tried", text="  Walked;   Thabo talked more. "
    )

    assert (answered.outcome, answered.outcome_text) == ("tried", "Walked; Thabo talked more.")
    tried = Adoption.objects.get(kind="tried")
    assert (tried.person, tried.note, tried.department_id) == (
        other_employee,
        "Walked; Thabo talked more.",
        other_employee.department_id,
    )
    used = Notification.objects.get(recipient=employee, title__startswith="Your learning was used")
    assert used.title == f"Your learning was used: {other_employee.full_name} tried “Walking one-to-ones”"
    assert used.body == "Walked; Thabo talked more."
    email = OutboundEmail.objects.get(recipient=employee, kind="reflection_adoption", key=f"adoption:{tried.pk}")
    assert "Walked; Thabo talked more." in email.body_text


def test_answer_tried_without_a_line_counts_once_and_tells_in_the_app_only(commitment, other_employee, employee):
    services.commitment_answer(adoption=commitment, by=other_employee, answer="tried")
    services.commitment_answer(adoption=commitment, by=other_employee, answer="tried")

    assert Adoption.objects.filter(kind="tried").count() == 1
    assert sorted(Notification.objects.filter(recipient=employee).values_list("title", flat=True)) == [
        f"{other_employee.full_name} tried your learning “Walking one-to-ones”",
        f"{other_employee.full_name} will try your learning “Walking one-to-ones”",
    ]
    assert not OutboundEmail.objects.filter(recipient=employee).exists()


def test_board_i_tried_it_closes_the_open_commitment(commitment, board_reflection, other_employee):
    services.adoption_tried(reflection=board_reflection, by=other_employee, note="Did it twice.")

    commitment.refresh_from_db()
    assert (commitment.outcome, commitment.outcome_text) == ("tried", "Did it twice.")


def test_answer_not_yet_snoozes_once_then_closes(commitment, other_employee):
    Adoption.objects.filter(pk=commitment.pk).update(nudged_at=timezone.now())

    first = services.commitment_answer(adoption=commitment, by=other_employee, answer="not_yet")
    assert (first.outcome, first.snoozed_once, first.nudged_at) == ("", True, None)
    assert first.commitment_due == timezone.localdate() + dt.timedelta(days=7)

    second = services.commitment_answer(adoption=commitment, by=other_employee, answer="not_yet", text="Busy month")
    assert (second.outcome, second.outcome_text, second.commitment_due) == (
        "not_yet",
        "Busy month",
        first.commitment_due,
    )
    assert second.outcome_at is not None
    # "Tried it" after all is still welcome, and closes it as tried.
    third = services.commitment_answer(adoption=commitment, by=other_employee, answer="tried", text="Finally did")
    assert third.outcome == "tried"


def test_answer_wont_with_a_reason_then_nothing_but_tried_changes_it(commitment, other_employee):
    wont = services.commitment_answer(adoption=commitment, by=other_employee, answer="wont", text="Not my team's way")

    assert (wont.outcome, wont.outcome_text) == ("wont", "Not my team's way")
    services.commitment_answer(adoption=commitment, by=other_employee, answer="tried")
    with pytest.raises(ValidationError) as exc:
        services.commitment_answer(adoption=commitment, by=other_employee, answer="wont")
    assert exc.value.message_dict == {"answer": ["You already said you tried it."]}


@pytest.mark.parametrize(
    ("answer", "text", "message"),
    [
        ("maybe", "", {"answer": ["Choose one of the three answers."]}),
        ("tried", "y" * 201, {"text": ["Keep what happened to one line of 200 characters (it has 201)."]}),
        ("wont", "y" * 201, {"text": ["Keep the reason to one line of 200 characters (it has 201)."]}),
    ],
)
def test_answer_bad_input_writes_nothing(commitment, other_employee, answer, text, message):
    with pytest.raises(ValidationError) as exc:
        services.commitment_answer(adoption=commitment, by=other_employee, answer=answer, text=text)

    assert exc.value.message_dict == message
    commitment.refresh_from_db()
    assert (commitment.outcome, commitment.snoozed_once) == ("", False)
    assert not Adoption.objects.filter(kind="tried").exists()


def test_answer_by_someone_else_is_refused(commitment, employee):
    with pytest.raises(PermissionDenied):
        services.commitment_answer(adoption=commitment, by=employee, answer="tried")


# --- the nudge ------------------------------------------------------------------------------------


def test_nudge_sent_once_on_the_day_with_three_links(commitment, other_employee):
    assert services.commitment_nudges_send(today=dt.date(2026, 3, 30)) == 0

    assert services.commitment_nudges_send(today=dt.date(2026, 3, 31)) == 1
    assert services.commitment_nudges_send(today=dt.date(2026, 3, 31)) == 0
    assert services.commitment_nudges_send(today=dt.date(2026, 4, 1)) == 0

    commitment.refresh_from_db()
    assert commitment.nudged_at is not None
    note = Notification.objects.get(recipient=other_employee, kind="commitment_reminder")
    assert note.title == "Did you try it? “Walk with Thabo on Friday”"
    email = OutboundEmail.objects.get(recipient=other_employee, kind="commitment_reminder")
    assert sorted(_answer_links(email)) == ["not_yet", "tried", "wont"]


def test_nudge_respects_the_reminder_preference(commitment, other_employee):
    NotificationPreference.objects.create(
        person=other_employee, kind="reminders", delivery=NotificationPreference.Delivery.IN_APP
    )

    assert services.commitment_nudges_send(today=dt.date(2026, 3, 31)) == 1

    assert Notification.objects.filter(recipient=other_employee, kind="commitment_reminder").count() == 1
    assert not OutboundEmail.objects.filter(recipient=other_employee).exists()


def test_nudge_skips_answered_private_and_long_missed_commitments(commitment, board_reflection, other_employee):
    late = services.commitment_make(
        reflection=board_reflection, by=UserFactory(), due=dt.date(2026, 3, 12), today=TODAY
    )
    answered = services.commitment_make(
        reflection=board_reflection, by=UserFactory(), due=dt.date(2026, 3, 31), today=TODAY
    )
    services.commitment_answer(adoption=answered, by=answered.person, answer="wont")

    assert services.commitment_nudges_send(today=dt.date(2026, 3, 31)) == 1  # `late` is 19 days past
    assert set(Notification.objects.filter(kind="commitment_reminder").values_list("recipient", flat=True)) == {
        other_employee.pk
    }
    late.refresh_from_db()
    assert late.nudged_at is None

    R.objects.filter(pk=board_reflection.pk).update(visibility=V.PRIVATE)
    Adoption.objects.filter(pk=commitment.pk).update(nudged_at=None)
    assert services.commitment_nudges_send(today=dt.date(2026, 3, 31)) == 0


def test_snoozed_commitment_is_nudged_again_on_its_new_day(commitment, other_employee):
    services.commitment_nudges_send(today=dt.date(2026, 3, 31))
    snoozed = services.commitment_answer(adoption=commitment, by=other_employee, answer="not_yet")

    assert services.commitment_nudges_send(today=snoozed.commitment_due) == 1
    assert Notification.objects.filter(recipient=other_employee, kind="commitment_reminder").count() == 2


# --- the one-click answer links -------------------------------------------------------------------


def test_link_get_shows_the_answer_and_writes_nothing_then_post_records(client_for, commitment, other_employee):
    services.commitment_nudges_send(today=dt.date(2026, 3, 31))
    links = _answer_links(OutboundEmail.objects.get(recipient=other_employee, kind="commitment_reminder"))
    client = client_for(other_employee)

    shown = client.get(links["tried"])
    commitment.refresh_from_db()
    assert shown.status_code == 200
    assert shown.context["form"].initial == {"answer": "tried"}
    checked = re.findall(r'<input type="radio"[^>]* value="(\w+)"[^>]* checked>', shown.content.decode())
    assert checked == ["tried"]
    assert commitment.outcome == ""
    assert not Adoption.objects.filter(kind="tried").exists()

    saved = client.post(links["tried"], {"answer": "tried", "text": "It worked"})

    assert saved.status_code == 302
    assert saved.url == f"{commitment.reflection.get_absolute_url()}#adoptions"
    commitment.refresh_from_db()
    assert (commitment.outcome, commitment.outcome_text) == ("tried", "It worked")
    assert Adoption.objects.get(kind="tried").note == "It worked"


def test_link_post_bad_input_keeps_what_was_typed(client_for, commitment, other_employee):
    link = services.commitment_answer_links(adoption=commitment)["wont"]
    client = client_for(other_employee)

    no_answer = client.post(link, {"answer": "", "text": "Because"})
    too_long = client.post(link, {"answer": "wont", "text": "z" * 201})

    assert no_answer.status_code == 200
    assert no_answer.context["form"].errors == {"answer": ["Choose one of the three answers."]}
    assert no_answer.context["form"]["text"].value() == "Because"
    assert too_long.context["form"].errors == {"text": ["Ensure this value has at most 200 characters (it has 201)."]}
    commitment.refresh_from_db()
    assert commitment.outcome == ""


def _tampered(link: str) -> str:
    path, query = link.split("?")
    token = path.rstrip("/").rsplit("/", 1)[1]
    return link.replace(token, token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


@pytest.mark.parametrize("method", ["get", "post"])
def test_link_tampered_expired_or_someone_elses_is_refused_and_writes_nothing(
    client_for, commitment, other_employee, employee, method
):
    link = services.commitment_answer_links(adoption=commitment)["tried"]
    client = client_for(other_employee)

    def call(url, who=None):
        c = client_for(who) if who else client
        return c.get(url) if method == "get" else c.post(url, {"answer": "tried", "text": "x"})

    tampered = call(_tampered(link))
    assert (tampered.status_code, tampered.context["refused"]) == (
        400,
        "This link is not valid. It may have been cut short.",
    )
    someone_else = call(link, employee)
    assert (someone_else.status_code, someone_else.context["refused"]) == (403, "This link was sent to someone else.")

    # A token signed 31 days ago: the clock the signer reads is moved back while signing.
    real_time = signing.time.time
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: real_time() - 31 * 86400)
        stale_token = services.commitments.commitment_answer_token(adoption=commitment)
    expired = call(reverse("reflections:commitment-link", args=[stale_token]), other_employee)
    assert (expired.status_code, expired.context["refused"]) == (400, "This link has expired (links work for 30 days).")

    commitment.refresh_from_db()
    assert commitment.outcome == ""
    assert not Adoption.objects.filter(kind="tried").exists()


# --- on the reflection page -----------------------------------------------------------------------


def test_will_try_form_with_bad_date_keeps_the_text(client_for, board_reflection, other_employee):
    client = client_for(other_employee)
    url = reverse("reflections:will-try", args=[board_reflection.pk])

    past = client.post(url, {"commitment_text": "Try it Friday", "commitment_due": "2020-01-01"})
    garbled = client.post(url, {"commitment_text": "Try it Friday", "commitment_due": "soon"})

    assert past.context["commitment_form"].errors == {"commitment_due": ["Choose today or a later day."]}
    assert garbled.context["commitment_form"].errors == {"commitment_due": ["Enter a valid date."]}
    assert garbled.context["commitment_form"]["commitment_text"].value() == "Try it Friday"
    assert not Adoption.objects.exists()


def test_will_try_with_htmx_saves_the_commitment(client_for, board_reflection, other_employee):
    client = client_for(other_employee)
    due = timezone.localdate() + dt.timedelta(days=10)

    swapped = client.post(
        reverse("reflections:will-try", args=[board_reflection.pk]),
        {"commitment_text": "Walk and talk", "commitment_due": due.isoformat()},
        headers={"HX-Request": "true"},
    )

    html = swapped.content.decode()
    assert "1</strong> colleague will try this" in html
    assert f"You said you will try “Walk and talk” by {due.day} {due:%B %Y}" in html
    adoption = Adoption.objects.get()
    assert (adoption.commitment_text, adoption.commitment_due) == ("Walk and talk", due)


def test_page_answer_with_htmx_when_due_announces_and_records(client_for, board_reflection, other_employee):
    adoption = services.commitment_make(reflection=board_reflection, by=other_employee)
    Adoption.objects.filter(pk=adoption.pk).update(commitment_due=timezone.localdate())
    client = client_for(other_employee)
    url = reverse("reflections:commitment-answer", args=[board_reflection.pk])

    page = client.get(board_reflection.get_absolute_url()).content.decode()
    assert "Did you try it?" in page
    bad = client.post(url, {"answer": "perhaps"}, headers={"HX-Request": "true"})
    swapped = client.post(url, {"answer": "not_yet"}, headers={"HX-Request": "true"})

    assert bad.context["answer_form"].errors == {"answer": ["Choose one of the three answers."]}
    new_due = timezone.localdate() + dt.timedelta(days=7)
    assert (
        f'data-swap-announce="Noted. We will ask again on {new_due.day} {new_due:%B %Y}."' in swapped.content.decode()
    )
    adoption.refresh_from_db()
    assert (adoption.snoozed_once, adoption.commitment_due) == (True, new_due)


def test_page_answer_without_javascript_redirects(client_for, commitment, board_reflection, other_employee):
    response = client_for(other_employee).post(
        reverse("reflections:commitment-answer", args=[board_reflection.pk]), {"answer": "wont", "text": "No time"}
    )

    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.outcome, commitment.outcome_text) == ("wont", "No time")


def test_author_sees_who_tried_it_and_where_others_do_not(
    client_for, commitment, board_reflection, employee, other_employee
):
    services.commitment_answer(adoption=commitment, by=other_employee, answer="tried", text="Team loved it")
    colleague = UserFactory()

    author_page = client_for(employee).get(board_reflection.get_absolute_url()).content.decode()
    colleague_page = client_for(colleague).get(board_reflection.get_absolute_url()).content.decode()

    assert "Who tried it, and where" in author_page
    assert (
        f"<strong>{other_employee.full_name}</strong> · {other_employee.department} · {other_employee.location}"
        in author_page
    )
    assert "Who tried it, and where" not in colleague_page


def test_personal_data_export_carries_the_commitment_and_its_answer(commitment, other_employee):
    from reflections.personal_data import export

    services.commitment_answer(adoption=commitment, by=other_employee, answer="wont", text="No team yet")

    (row,) = [a for a in export(person=other_employee)["adoptions"] if a["kind"] == "will_try"]
    assert (row["commitment_text"], row["commitment_due"], row["outcome"], row["outcome_text"]) == (
        "Walk with Thabo on Friday",
        "2026-03-31",
        "wont",
        "No team yet",
    )


@pytest.mark.parametrize("others", [0, 12])
def test_link_page_query_count_does_not_grow_with_data(
    client_for, commitment, board_reflection, other_employee, django_assert_num_queries, others
):
    for _ in range(others):
        services.commitment_make(reflection=board_reflection, by=UserFactory(), today=TODAY)
    link = services.commitment_answer_links(adoption=commitment)["tried"]
    client = client_for(other_employee)
    client.get("/")  # warm the session

    with django_assert_num_queries(QUERIES_LINK_PAGE):
        response = client.get(link)
    assert response.status_code == 200


def test_link_to_a_reflection_made_private_since_is_404_and_tried_is_refused(
    client_for, commitment, board_reflection, other_employee
):
    link = services.commitment_answer_links(adoption=commitment)["tried"]
    R.objects.filter(pk=board_reflection.pk).update(visibility=V.PRIVATE)
    client = client_for(other_employee)

    assert client.get(link).status_code == 404
    assert client.post(link, {"answer": "tried", "text": "x"}).status_code == 404
    commitment.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.commitment_answer(adoption=commitment, by=other_employee, answer="tried")
    assert commitment.outcome == ""
    assert not Adoption.objects.filter(kind="tried").exists()
