"""Contribution and suggestion pages: adding, double submits, bad input, editing, withdrawing, hiding."""

import uuid

from django.urls import reverse

from feedback.models import Contribution, Suggestion
from saypro.core.models import AuditEntry
from tests.factories.feedback import ContributionFactory

Kind = Contribution.Kind


def add_url(session):
    return reverse("feedback:contribution-add", kwargs={"pk": session.pk})


def test_contribution_add_shares_it_and_returns_to_it(client_for, session, employee):
    token = str(uuid.uuid4())

    response = client_for(employee).post(
        add_url(session), {"kind": "insight", "text": "Weekly *one-to-ones* work", "submission_token": token}
    )

    contribution = Contribution.objects.get()
    assert response["Location"] == reverse("feedback:session-detail", kwargs={"pk": session.pk}) + (
        f"#contribution-{contribution.pk}"
    )
    assert (contribution.author, contribution.kind, str(contribution.submission_token)) == (employee, "insight", token)


def test_contribution_add_double_submit_saves_once_and_says_so(client_for, session, employee):
    client = client_for(employee)
    data = {"kind": "challenge", "text": "Delegating to someone senior", "submission_token": str(uuid.uuid4())}

    client.post(add_url(session), data)
    second = client.post(add_url(session), data, follow=True)

    assert Contribution.objects.count() == 1
    assert "That was already saved; it is shared once." in second.content.decode()


def test_contribution_add_empty_text_shows_the_message_and_writes_nothing(client_for, session, employee):
    response = client_for(employee).post(
        add_url(session), {"kind": "insight", "text": "   ", "submission_token": str(uuid.uuid4())}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"text": ["Write your contribution before sending it."]}
    assert Contribution.objects.count() == 0


def test_contribution_add_over_long_text_keeps_what_was_typed(client_for, session, employee):
    text = "Delegation " * 150  # 1650 characters

    response = client_for(employee).post(
        add_url(session), {"kind": "insight", "text": text, "submission_token": str(uuid.uuid4())}
    )

    assert response.context["form"].errors == {"text": ["Keep it to 1500 characters; this has 1649."]}
    assert text.strip() in response.content.decode()
    assert Contribution.objects.count() == 0


def test_contribution_add_without_kind_asks_for_one(client_for, session, employee):
    response = client_for(employee).post(add_url(session), {"text": "Something", "submission_token": str(uuid.uuid4())})

    assert response.context["form"].errors == {"kind": ["Choose an insight, a challenge or a success story."]}


def test_contribution_add_preselects_the_kind(client_for, session, employee):
    response = client_for(employee).get(add_url(session), {"kind": "success_story"})

    assert response.context["form"].initial == {"kind": "success_story"}


def test_contribution_record_on_behalf_counts_for_the_participant(client_for, session, officer, employee):
    response = client_for(officer).post(
        reverse("feedback:contribution-record", kwargs={"pk": session.pk}),
        {
            "author": employee.pk,
            "kind": "success_story",
            "text": "Our team closed the backlog",
            "submission_token": str(uuid.uuid4()),
        },
    )

    contribution = Contribution.objects.get()
    assert response["Location"].endswith(f"/console/#contribution-{contribution.pk}")
    assert (contribution.author, contribution.recorded_by) == (employee, officer)
    page = client_for(employee).get(reverse("feedback:session-detail", kwargs={"pk": session.pk}))
    assert "recorded by the officer" in page.content.decode()


def test_contribution_record_offers_only_invited_participants(client_for, session, officer, employee, peer, outsider):
    response = client_for(officer).get(reverse("feedback:contribution-record", kwargs={"pk": session.pk}))

    assert set(response.context["form"].fields["author"].queryset) == {employee, peer}


def test_contribution_edit_changes_own_text(client_for, session, employee):
    contribution = ContributionFactory(session=session, author=employee, kind=Kind.INSIGHT)

    response = client_for(employee).post(
        reverse("feedback:contribution-edit", kwargs={"pk": contribution.pk}),
        {"kind": "challenge", "text": "Now a question"},
    )

    assert response.status_code == 302
    contribution.refresh_from_db()
    assert (contribution.kind, contribution.text) == ("challenge", "Now a question")


def test_contribution_edit_empty_text_keeps_the_old_one(client_for, session, employee):
    contribution = ContributionFactory(session=session, author=employee, text="Original words")

    response = client_for(employee).post(
        reverse("feedback:contribution-edit", kwargs={"pk": contribution.pk}), {"kind": "insight", "text": ""}
    )

    assert response.context["form"].errors == {"text": ["Write your contribution before sending it."]}
    assert Contribution.objects.get(pk=contribution.pk).text == "Original words"


def test_contribution_withdraw_asks_then_hides_it(client_for, session, employee, peer):
    contribution = ContributionFactory(session=session, author=employee, text="Second thoughts")
    client = client_for(employee)
    url = reverse("feedback:contribution-withdraw", kwargs={"pk": contribution.pk})

    confirm = client.get(url)
    client.post(url)

    assert "Withdraw your insight?" in confirm.content.decode()
    assert Contribution.objects.get(pk=contribution.pk).withdrawn_at is not None
    page = client_for(peer).get(reverse("feedback:session-detail", kwargs={"pk": session.pk}))
    assert "Second thoughts" not in page.content.decode()
    assert client_for(employee).get(url).status_code == 404


def test_suggestion_add_answers_the_challenge(client_for, session, employee, peer):
    challenge = ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE)
    token = str(uuid.uuid4())
    client = client_for(peer)
    url = reverse("feedback:suggestion-add", kwargs={"pk": challenge.pk})

    first = client.post(url, {"text": "Agree decision rights first", "submission_token": token})
    client.post(url, {"text": "Agree decision rights first", "submission_token": token})

    assert first["Location"].endswith(f"#contribution-{challenge.pk}")
    assert list(Suggestion.objects.values_list("author_id", "text")) == [(peer.pk, "Agree decision rights first")]


def test_suggestion_add_empty_is_refused(client_for, session, employee, peer):
    challenge = ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE)

    response = client_for(peer).post(
        reverse("feedback:suggestion-add", kwargs={"pk": challenge.pk}),
        {"text": "", "submission_token": str(uuid.uuid4())},
    )

    assert response.context["form"].errors == {"text": ["Write your suggestion before sending it."]}
    assert Suggestion.objects.count() == 0


def test_session_page_gives_each_suggestion_form_its_own_token(client_for, session, employee, peer):
    first = ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE)
    second = ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE)

    response = client_for(peer).get(reverse("feedback:session-detail", kwargs={"pk": session.pk}))

    contributions = {c.pk: c for g in response.context["groups"] for c in g.contributions}
    assert contributions[first.pk].suggest_token != contributions[second.pk].suggest_token
    assert f'for="suggest-{first.pk}"' in response.content.decode()


def test_contribution_hide_shows_the_reason_to_the_author_only(client_for, session, officer, employee, peer):
    contribution = ContributionFactory(session=session, author=employee, text="Gossip about a colleague")
    url = reverse("feedback:contribution-hide", kwargs={"pk": contribution.pk})

    refused = client_for(officer).post(url, {"reason": ""})
    done = client_for(officer).post(url, {"reason": "Talks about a colleague who is not here."})

    assert refused.context["form"].errors == {"reason": ["Say why it is hidden; the author reads this reason."]}
    assert done.status_code == 302
    assert (
        AuditEntry.objects.get(action="feedback.contribution_hide").reason == "Talks about a colleague who is not here."
    )
    mine = client_for(employee).get(reverse("feedback:session-detail", kwargs={"pk": session.pk})).content.decode()
    assert "Hidden by the officer. Reason: Talks about a colleague who is not here." in mine
    theirs = client_for(peer).get(reverse("feedback:session-detail", kwargs={"pk": session.pk})).content.decode()
    assert "Gossip about a colleague" not in theirs


def test_suggestion_hide_records_the_reason(client_for, session, officer, employee, peer):
    challenge = ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE)
    suggestion = Suggestion.objects.create(
        contribution=challenge, author=peer, text="Just quit", text_html="<p>Just quit</p>"
    )

    client_for(officer).post(
        reverse("feedback:suggestion-hide", kwargs={"pk": suggestion.pk}), {"reason": "Not constructive."}
    )

    suggestion.refresh_from_db()
    assert (suggestion.hidden_reason, suggestion.hidden_by) == ("Not constructive.", officer)
    assert AuditEntry.objects.get(action="feedback.suggestion_hide").reason == "Not constructive."


def test_anonymous_challenge_shows_its_author_to_the_officer_and_the_author_only(
    client_for, session, officer, employee, peer
):
    # A surname found nowhere else on the page (a generated "Le" is inside "Learnings").
    employee.last_name = "Quenneville-Okafor"
    employee.save(update_fields=["last_name"])
    response = client_for(employee).post(
        add_url(session),
        {
            "kind": "challenge",
            "text": "My manager reverses what I delegated",
            "anonymous": "on",
            "submission_token": str(uuid.uuid4()),
        },
    )
    contribution = Contribution.objects.get()
    detail = reverse("feedback:session-detail", kwargs={"pk": session.pk})

    colleague = client_for(peer).get(detail).content.decode()
    author = client_for(employee).get(detail).content.decode()
    console = client_for(officer).get(reverse("feedback:console", kwargs={"pk": session.pk})).content.decode()

    assert response.status_code == 302
    assert (contribution.kind, contribution.anonymous) == ("challenge", True)
    card = colleague.split(f'id="contribution-{contribution.pk}"', 1)[1].split("</article>", 1)[0]
    assert 'aria-label="Challenge by a colleague">' in card
    assert "A colleague (name not shown)" in card
    assert employee.full_name not in colleague
    assert employee.last_name not in colleague
    assert (
        f'{employee.full_name} · <span class="badge text-bg-light border">name not shown to colleagues</span>' in author
    )
    assert f'aria-label="Challenge by {employee.full_name} (name not shown to colleagues)"' in console


def test_anonymous_insight_is_refused_next_to_the_field_and_keeps_the_text(client_for, session, employee):
    response = client_for(employee).post(
        add_url(session),
        {"kind": "insight", "text": "Weekly one-to-ones", "anonymous": "on", "submission_token": str(uuid.uuid4())},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["anonymous"] == [
        "Only a challenge can be posted without your name; insights and success stories are shared by name."
    ]
    assert "Weekly one-to-ones</textarea>" in response.content.decode()
    assert Contribution.objects.count() == 0


def test_contribution_edit_turns_an_anonymous_challenge_into_a_named_one(client_for, session, employee):
    contribution = ContributionFactory(session=session, author=employee, kind=Kind.CHALLENGE, anonymous=True)

    client_for(employee).post(
        reverse("feedback:contribution-edit", kwargs={"pk": contribution.pk}),
        {"kind": "challenge", "text": "Now with my name"},
    )

    contribution.refresh_from_db()
    assert (contribution.text, contribution.anonymous) == ("Now with my name", False)


def test_contribution_record_offers_each_person_with_department_and_location(client_for, session, officer, employee):
    response = client_for(officer).get(reverse("feedback:contribution-record", kwargs={"pk": session.pk}))

    html = response.content.decode()
    label = f"{employee.full_name} ({employee.department.name} · {employee.location.name})"
    assert f'<option value="{employee.pk}">{label}</option>' in html
