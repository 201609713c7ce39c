import re

import pytest
from django.urls import reverse

from reflections.models import Adoption, Comment, MentorReview, Reflection
from tests.factories.reflections import AdoptionFactory, CommentFactory

pytestmark = pytest.mark.django_db

S = Reflection.State


def test_mentor_requests_depth_author_revises_mentor_validates_board_shows_badge(
    client_for, make_reflection, employee, mentor, other_employee
):
    reflection = make_reflection(state=S.SUBMITTED, visibility="colleagues", title="Feedback sandwiches")
    client = client_for(mentor)

    asked = client.post(
        reverse("reflections:review", args=[reflection.pk]),
        {"depth": "1", "decision": "changes_requested", "note": "Why did it matter to *you*?"},
    )
    client.force_login(employee)
    page = client.get(reflection.get_absolute_url()).content.decode()
    client.post(reverse("reflections:comment-add", args=[reflection.pk, "review"]), {"body": "Because my team froze."})
    revised = client.post(
        reverse("reflections:edit", args=[reflection.pk]),
        {
            "title": "Feedback sandwiches, revisited",
            "key_takeaway": "Say the hard part first.",
            "visibility": "colleagues",
            "action": "submit",
            **{f"answer_{q.pk}": "It matters because trust." for q in reflection.template.questions.all()},
        },
    )
    client.force_login(mentor)
    client.post(reverse("reflections:review", args=[reflection.pk]), {"depth": "4", "decision": "validated"})
    client.force_login(other_employee)
    board = client.get(reverse("reflections:board")).content.decode()

    assert asked.url == reflection.get_absolute_url()
    assert "<p>Why did it matter to <em>you</em>?</p>" in page
    assert revised.url == reflection.get_absolute_url()
    reflection.refresh_from_db()
    assert (reflection.state, reflection.depth) == (S.VALIDATED, 4)
    assert "Feedback sandwiches, revisited" in board
    assert "✔ Validated" in board
    assert Comment.objects.get(channel="review").author == employee


def test_review_without_note_keeps_form_and_state(client_for, make_reflection, mentor):
    reflection = make_reflection(state=S.SUBMITTED)

    response = client_for(mentor).post(
        reverse("reflections:review", args=[reflection.pk]), {"depth": "2", "decision": "changes_requested"}
    )

    assert response.status_code == 200
    assert response.context["review_form"].errors == {
        "note": ["Say what would make it deeper; the author sees this note."]
    }
    assert response.context["review_form"]["depth"].value() == "2"
    assert MentorReview.objects.count() == 0


def test_review_missing_depth_is_required(client_for, make_reflection, mentor):
    reflection = make_reflection(state=S.SUBMITTED)

    response = client_for(mentor).post(reverse("reflections:review", args=[reflection.pk]), {"decision": "validated"})

    assert response.context["review_form"].errors == {"depth": ["This field is required."]}


def test_board_comment_empty_shows_error_and_long_keeps_text(client_for, make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    client = client_for(other_employee)
    url = reverse("reflections:comment-add", args=[reflection.pk, "board"])

    empty = client.post(url, {"body": "   "})
    long = client.post(url, {"body": "y" * 5001})

    assert empty.context["board_comment_form"].errors == {"body": ["This field is required."]}
    assert long.context["board_comment_form"].errors == {
        "body": ["Ensure this value has at most 5000 characters (it has 5001)."]
    }
    assert "y" * 5001 in long.content.decode()
    assert Comment.objects.count() == 0


def test_board_comment_reply_nests_under_first(client_for, make_reflection, other_employee, employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    first = CommentFactory(reflection=reflection, author=other_employee)

    response = client_for(employee).post(
        reverse("reflections:comment-add", args=[reflection.pk, "board"]), {"body": "Thanks!", "parent": first.pk}
    )

    reply = Comment.objects.get(body="Thanks!")
    assert response.url == f"{reflection.get_absolute_url()}#comment-{reply.pk}"
    assert reply.parent == first


def test_comment_on_unknown_channel_is_404(client_for, make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")

    response = client_for(other_employee).post(
        reverse("reflections:comment-add", args=[reflection.pk, "secret"]), {"body": "x"}
    )

    assert response.status_code == 404


def test_will_try_with_htmx_swaps_box_then_tried(client_for, make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    client = client_for(other_employee)

    swapped = client.post(reverse("reflections:will-try", args=[reflection.pk]), headers={"HX-Request": "true"})
    bad = client.post(reverse("reflections:tried", args=[reflection.pk]), {"note": ""})
    tried = client.post(reverse("reflections:tried", args=[reflection.pk]), {"note": "Ran it Monday; quieter room."})
    page = client.get(reflection.get_absolute_url()).content.decode()

    assert 'id="adoptions-box"' in swapped.content.decode()
    assert "1</strong> colleague will try this" in swapped.content.decode()
    assert bad.context["tried_form"].errors == {"note": ["This field is required."]}
    assert tried.url == reflection.get_absolute_url()
    assert "Ran it Monday; quieter room." in page
    assert list(Adoption.objects.order_by("kind").values_list("kind", flat=True)) == ["tried", "will_try"]


def test_officer_hides_reflection_reason_shown_to_author_and_gone_from_board(
    client_for, make_reflection, officer, employee, other_employee
):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues", title="Too much detail")
    client = client_for(officer)

    missing = client.post(reverse("reflections:hide", args=[reflection.pk]), {"reason": ""})
    hidden = client.post(reverse("reflections:hide", args=[reflection.pk]), {"reason": "Names a client."})
    officer_page = client.get(reflection.get_absolute_url()).content.decode()
    client.force_login(employee)
    author_page = client.get(reflection.get_absolute_url()).content.decode()
    client.force_login(other_employee)

    assert missing.context["hide_form"].errors == {"reason": ["This field is required."]}
    assert hidden.url == reflection.get_absolute_url()
    assert "Reason: Names a client." in officer_page
    assert "Reason: Names a client." in author_page
    assert client.get(reflection.get_absolute_url()).status_code == 404
    assert "Too much detail" not in client.get(reverse("reflections:board")).content.decode()


def test_officer_hides_board_comment_and_author_sees_reason(client_for, make_reflection, officer, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    comment = CommentFactory(reflection=reflection, author=other_employee, body="Rude words", body_html="<p>Rude</p>")
    client = client_for(officer)

    client.post(reverse("reflections:comment-hide", args=[comment.pk]), {"reason": "Be kind."})
    client.force_login(other_employee)
    own_view = client.get(reflection.get_absolute_url()).content.decode()
    client.force_login(reflection.author)
    author_view = client.get(reflection.get_absolute_url())

    comment.refresh_from_db()
    assert (comment.is_hidden, comment.hidden_reason) == (True, "Be kind.")
    assert "Hidden by a moderator. Reason: Be kind." in own_view
    assert author_view.context["board_comments"] == []


def test_huddle_card_shows_reflection_large(client_for, make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues", may_be_featured=True, title="Stand-ups")

    response = client_for(other_employee).get(reverse("reflections:huddle-card", args=[reflection.pk]))

    html = response.content.decode()
    assert '<h1 class="huddle-card-title" id="card-title">Stand-ups</h1>' in html
    assert "css/reflections.css" in html


def test_huddle_card_without_consent_is_refused_to_others(client_for, make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues", may_be_featured=False)

    assert client_for(other_employee).get(reverse("reflections:huddle-card", args=[reflection.pk])).status_code == 403


def test_detail_shows_author_department_location_context_and_badge(client_for, make_reflection, other_employee):
    reflection = make_reflection(
        state=S.VALIDATED, visibility="colleagues", context_label="Module 3: Delegation", title="Delegating"
    )
    AdoptionFactory(reflection=reflection)

    html = client_for(other_employee).get(reflection.get_absolute_url()).content.decode()

    author = reflection.author
    assert f"{author.full_name} · {author.department} · {author.location}" in html
    assert "about Module 3: Delegation" in html
    assert "✔ Validated" in html
    assert "1</strong> colleague will try this" in html


def test_the_two_comment_boxes_are_labelled_by_who_reads_them(client_for, make_reflection, employee, mentor):
    reflection = make_reflection(state=S.SUBMITTED, visibility="colleagues")

    own = client_for(employee).get(reflection.get_absolute_url()).content.decode()
    as_mentor = client_for(mentor).get(reflection.get_absolute_url()).content.decode()

    def label(html, field_id):
        return re.search(rf'<label\s+for="{field_id}"[^>]*>\s*([^<*]+?)\s*<', html).group(1)

    assert (label(own, "id_review_body"), label(own, "id_board_body")) == (
        "Comment for your mentor",
        "Comment for colleagues",
    )
    assert label(as_mentor, "id_review_body") == "Comment for the author"


def test_board_comment_count_has_words_for_screen_readers(client_for, make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    CommentFactory(reflection=reflection, channel="board")

    html = client_for(other_employee).get(reverse("reflections:board")).content.decode()

    assert '<span aria-hidden="true">💬</span> 1<span class="visually-hidden"> comment</span>' in html


def test_comment_posted_twice_with_one_token_saves_once_and_tells_once(client_for, make_reflection, mentor):
    """A double click sends the same form twice: one comment, one e-mail to the author."""
    import uuid

    from saypro.core.models import OutboundEmail

    reflection = make_reflection(state=S.SUBMITTED)
    client = client_for(mentor)
    url = reverse("reflections:comment-add", args=[reflection.pk, "review"])
    data = {"body": "What would you try first?", "submission_token": str(uuid.uuid4())}

    first, second = client.post(url, data), client.post(url, data)

    comment = Comment.objects.get()
    assert first["Location"] == second["Location"] == f"{reflection.get_absolute_url()}#comment-{comment.pk}"
    assert OutboundEmail.objects.filter(recipient=reflection.author, kind="mentor_feedback").count() == 1
    client.post(url, {**data, "submission_token": str(uuid.uuid4())})  # a new comment is a new token
    assert Comment.objects.count() == 2


# --- the board discussion a page at a time -----------------------------------------------------------


def _threads(reflection, count, **kwargs):
    import datetime as dt

    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    return [
        CommentFactory(reflection=reflection, created_at=start + dt.timedelta(minutes=i), **kwargs)
        for i in range(count)
    ]


def test_reflection_page_shows_the_newest_threads_and_links_to_earlier_ones(
    client_for, make_reflection, other_employee
):
    from reflections.selectors import COMMENT_PAGE_SIZE

    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    firsts = _threads(reflection, COMMENT_PAGE_SIZE + 2)

    page = client_for(other_employee).get(reflection.get_absolute_url())
    html = page.content.decode()

    assert [c.pk for c in page.context["board_comments"]] == [c.pk for c in firsts[2:]]
    earlier = f"{reverse('reflections:comment-list', args=[reflection.pk])}?before={firsts[2].pk}"
    assert html.count(f'href="{earlier}"') == 1
    assert f'id="comment-{firsts[1].pk}"' not in html
    assert f'id="comment-{firsts[2].pk}"' in html


def test_earlier_comments_without_javascript_are_a_page_with_the_next_link(client_for, make_reflection, other_employee):
    from reflections.selectors import COMMENT_PAGE_SIZE

    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    firsts = _threads(reflection, 2 * COMMENT_PAGE_SIZE + 1)
    url = reverse("reflections:comment-list", args=[reflection.pk])

    response = client_for(other_employee).get(url, {"before": firsts[COMMENT_PAGE_SIZE + 1].pk})
    html = response.content.decode()

    assert response.status_code == 200
    assert [c.pk for c in response.context["comment_page"].threads] == [c.pk for c in firsts[1 : COMMENT_PAGE_SIZE + 1]]
    assert "<html" in html
    assert f'href="{url}?before={firsts[1].pk}"' in html
    assert f'href="{reflection.get_absolute_url()}"' in html
    assert response["Vary"].count("HX-Request") == 1


def test_earlier_comments_with_htmx_are_a_fragment_that_takes_focus(client_for, make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    firsts = _threads(reflection, 3)
    url = reverse("reflections:comment-list", args=[reflection.pk])

    response = client_for(other_employee).get(url, {"before": firsts[2].pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()

    assert "<html" not in html
    assert 'data-swap-focus data-swap-announce="2 earlier comments shown"' in html
    assert re.findall(r'id="comment-(\d+)"', html) == [str(firsts[0].pk), str(firsts[1].pk)]
    assert "Earlier comments</a>" not in html


def test_earlier_comments_never_show_another_persons_hidden_comment(
    client_for, make_reflection, other_employee, employee, officer
):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    firsts = _threads(reflection, 2)
    hidden = CommentFactory(reflection=reflection, author=other_employee, is_hidden=True, hidden_reason="Rude")
    hidden.created_at = firsts[0].created_at
    hidden.save(update_fields=["created_at"])
    url = reverse("reflections:comment-list", args=[reflection.pk])

    def shown(person):
        html = client_for(person).get(url, {"before": firsts[1].pk}).content.decode()
        return f'id="comment-{hidden.pk}"' in html

    assert (shown(employee), shown(other_employee), shown(officer)) == (False, True, True)


def test_earlier_comments_refuse_a_before_that_is_no_id(client_for, make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")

    response = client_for(other_employee).get(
        reverse("reflections:comment-list", args=[reflection.pk]), {"before": "abc"}
    )

    assert response.status_code == 400


def _tried_reports(reflection, count):
    import datetime as dt

    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    return [
        AdoptionFactory(
            reflection=reflection, kind="tried", note=f"Report {i}", created_at=start + dt.timedelta(minutes=i)
        )
        for i in range(count)
    ]


def test_reflection_page_shows_the_newest_tried_reports_and_links_to_all(client_for, make_reflection, other_employee):
    from reflections.selectors.board import TRIED_REPORTS_SHOWN

    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    reports = _tried_reports(reflection, TRIED_REPORTS_SHOWN + 2)
    client = client_for(other_employee)

    page = client.get(reflection.get_absolute_url())
    everything = client.get(reflection.get_absolute_url(), {"reports": "all"})

    newest_first = [a.pk for a in reversed(reports)]
    assert [a.pk for a in page.context["adoptions"].tried_reports] == newest_first[:TRIED_REPORTS_SHOWN]
    assert page.context["adoptions"].tried == TRIED_REPORTS_SHOWN + 2
    html = page.content.decode()
    assert f'href="{reflection.get_absolute_url()}?reports=all#tried-reports">All 12 reports of how it went</a>' in html
    assert "Report 1</li>" not in html
    assert "Report 11</li>" in html
    assert [a.pk for a in everything.context["adoptions"].tried_reports] == newest_first
    assert "?reports=all" not in everything.content.decode()
    assert "Report 0</li>" in everything.content.decode()


def test_reflection_page_with_few_tried_reports_has_no_link_to_all(client_for, make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    _tried_reports(reflection, 2)

    html = client_for(other_employee).get(reflection.get_absolute_url()).content.decode()

    assert "Report 0</li>" in html
    assert "Report 1</li>" in html
    assert "?reports=all" not in html


def test_author_sees_the_newest_who_tried_it_and_a_link_to_all(client_for, make_reflection, employee):
    from reflections.selectors.board import TRIED_REPORTS_SHOWN

    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    _tried_reports(reflection, TRIED_REPORTS_SHOWN + 1)
    client = client_for(employee)

    page = client.get(reflection.get_absolute_url())
    everything = client.get(reflection.get_absolute_url(), {"reports": "all"})

    assert len(page.context["adoptions"].who_tried) == TRIED_REPORTS_SHOWN
    assert f'href="{reflection.get_absolute_url()}?reports=all#who-tried">All 11 who tried it</a>' in (
        page.content.decode()
    )
    assert len(everything.context["adoptions"].who_tried) == TRIED_REPORTS_SHOWN + 1


def test_tried_reports_with_an_unknown_choice_show_the_newest(client_for, make_reflection, other_employee):
    from reflections.selectors.board import TRIED_REPORTS_SHOWN

    reflection = make_reflection(state=S.VALIDATED, visibility="colleagues")
    _tried_reports(reflection, TRIED_REPORTS_SHOWN + 1)

    response = client_for(other_employee).get(reflection.get_absolute_url(), {"reports": "1'; drop"})

    assert response.status_code == 200
    assert len(response.context["adoptions"].tried_reports) == TRIED_REPORTS_SHOWN


@pytest.mark.parametrize(
    ("visibility", "person", "expected"),
    [
        ("colleagues", None, 302),
        ("private", "other_employee", 404),
        ("mentor", "other_mentor", 404),
        ("colleagues", "other_employee", 200),
        ("private", "employee", 200),
    ],
)
def test_all_tried_reports_are_checked_like_the_page(
    client, client_for, make_reflection, request, visibility, person, expected
):
    reflection = make_reflection(state=S.VALIDATED, visibility=visibility)
    _tried_reports(reflection, 1)
    asking = client_for(request.getfixturevalue(person)) if person else client

    response = asking.get(reflection.get_absolute_url(), {"reports": "all"})

    assert response.status_code == expected
