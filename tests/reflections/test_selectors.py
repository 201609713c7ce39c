import datetime as dt

import pytest
from django.utils import timezone

from reflections import selectors, services
from reflections.models import Reflection
from saypro.core import learning_log
from saypro.core.services import person_place
from tests.factories import DepartmentFactory
from tests.factories.reflections import (
    AdoptionFactory,
    CommentFactory,
    MentorReviewFactory,
    NewsletterIssueFactory,
    ReflectionFactory,
)

pytestmark = pytest.mark.django_db

S = Reflection.State
V = Reflection.Visibility
TZ = timezone.get_current_timezone()


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


# --- visibility -----------------------------------------------------------------------------------


@pytest.fixture
def spread(make_reflection):
    """One reflection of `employee` per (visibility, state) combination that matters."""
    return {
        "draft_colleagues": make_reflection(state=S.DRAFT, visibility=V.COLLEAGUES),
        "private": make_reflection(state=S.SUBMITTED, visibility=V.PRIVATE),
        "mentor": make_reflection(state=S.SUBMITTED, visibility=V.MENTOR),
        "board": make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES),
        "hidden": make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES, is_hidden=True),
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("employee", {"draft_colleagues", "private", "mentor", "board", "hidden"}),
        ("mentor", {"mentor", "board", "hidden"}),
        ("former_mentor", {"board"}),
        ("other_mentor", {"board"}),
        ("other_employee", {"board"}),
        ("officer", {"board", "hidden"}),
        ("manager", {"board"}),
    ],
)
def test_reflection_list_visible_per_role(spread, request, who, expected):
    viewer = request.getfixturevalue(who)

    visible = set(selectors.reflection_list_visible(viewer=viewer).values_list("pk", flat=True))

    assert visible == {spread[name].pk for name in expected}


def test_reflection_list_visible_follows_visibility_change_at_once(make_reflection, other_employee, employee):
    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES)
    services.reflection_set_visibility(reflection=reflection, by=employee, visibility=V.PRIVATE)

    assert list(selectors.reflection_list_visible(viewer=other_employee)) == []
    assert list(selectors.board_list()) == []


def test_reflection_list_visible_inactive_person_sees_nothing(spread, employee):
    employee.is_active = False

    assert list(selectors.reflection_list_visible(viewer=employee)) == []


# --- board ----------------------------------------------------------------------------------------


def test_board_list_newest_first_with_counts(make_reflection, other_employee):
    older = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES, now=timezone.now() - dt.timedelta(days=2))
    newer = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES)
    CommentFactory(reflection=newer, author=other_employee)
    CommentFactory(reflection=newer, author=other_employee, is_hidden=True)
    CommentFactory(reflection=newer, author=other_employee, channel="review")
    AdoptionFactory(reflection=newer, person=other_employee)
    AdoptionFactory(reflection=newer, person=other_employee, kind="tried")

    board = list(selectors.board_list())

    assert [r.pk for r in board] == [newer.pk, older.pk]
    assert (board[0].comment_count, board[0].will_try_count, board[0].tried_count) == (1, 1, 1)
    assert (board[1].comment_count, board[1].will_try_count, board[1].tried_count) == (0, 0, 0)


def test_board_list_filters(make_reflection, other_employee):
    mine = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES, context_kind="module")
    theirs = ReflectionFactory(author=other_employee, state=S.SUBMITTED, visibility=V.COLLEAGUES)

    assert [r.pk for r in selectors.board_list(kind="module")] == [mine.pk]
    assert [r.pk for r in selectors.board_list(department_id=other_employee.department_id)] == [theirs.pk]
    assert [r.pk for r in selectors.board_list(location_id=mine.location_id)] == [mine.pk]
    assert [r.pk for r in selectors.board_list(validated_only=True)] == [mine.pk]


def test_board_list_search_matches_answers_and_never_private(make_reflection):
    shared = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES, title="Delegation", answered=False)
    Reflection.objects.filter(pk=shared.pk).update(search_text="I tried the stand-up huddle format")
    private = make_reflection(state=S.SUBMITTED, visibility=V.PRIVATE, answered=False)
    Reflection.objects.filter(pk=private.pk).update(search_text="huddle secrets")

    assert [r.pk for r in selectors.board_list(search="huddle")] == [shared.pk]
    assert [r.pk for r in selectors.board_list(search="delegation")] == [shared.pk]
    assert list(selectors.board_list(search="secrets")) == []


# --- mentor queue ---------------------------------------------------------------------------------


def test_mentor_queue_oldest_first_only_shared_mentee_reflections(make_reflection, mentor, other_employee):
    now = timezone.now()
    newer = make_reflection(state=S.SUBMITTED, visibility=V.MENTOR, now=now - dt.timedelta(hours=1))
    older = make_reflection(state=S.RESUBMITTED, visibility=V.COLLEAGUES, now=now - dt.timedelta(days=3))
    make_reflection(state=S.SUBMITTED, visibility=V.PRIVATE)
    make_reflection(state=S.DRAFT, visibility=V.MENTOR)
    make_reflection(state=S.VALIDATED, visibility=V.MENTOR)
    make_reflection(state=S.CHANGES_REQUESTED, visibility=V.MENTOR)
    ReflectionFactory(author=other_employee, state=S.SUBMITTED, visibility=V.COLLEAGUES)
    CommentFactory(reflection=older, author=mentor, channel="review")

    queue = list(selectors.mentor_queue(mentor=mentor))

    assert [r.pk for r in queue] == [older.pk, newer.pk]
    assert [r.review_comment_count for r in queue] == [1, 0]
    assert selectors.mentor_queue_counts(mentor=mentor) == {
        "awaiting": 2,
        "changes_requested": 1,
        "validated_recently": 1,
    }


def test_mentor_queue_former_mentor_sees_nothing(make_reflection, former_mentor):
    make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)

    assert list(selectors.mentor_queue(mentor=former_mentor)) == []


# --- comments and reactions -----------------------------------------------------------------------


def test_comment_threads_nest_replies_and_hide_hidden_from_others(make_reflection, other_employee, officer, employee):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)
    first = CommentFactory(reflection=reflection, author=other_employee)
    reply = CommentFactory(reflection=reflection, author=employee, parent=first)
    hidden = CommentFactory(reflection=reflection, author=other_employee, is_hidden=True, hidden_reason="Rude")

    for_author = selectors.comment_threads(reflection=reflection, viewer=employee, channel="board")
    for_commenter = selectors.comment_threads(reflection=reflection, viewer=other_employee, channel="board")
    for_officer = selectors.comment_threads(reflection=reflection, viewer=officer, channel="board")

    assert [c.pk for c in for_author] == [first.pk]
    assert [c.pk for c in for_author[0].thread] == [reply.pk]
    assert [c.pk for c in for_commenter] == [first.pk, hidden.pk]
    assert [c.pk for c in for_officer] == [first.pk, hidden.pk]


def test_adoption_summary_counts_and_viewer(make_reflection, other_employee, other_mentor):
    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES)
    AdoptionFactory(reflection=reflection, person=other_employee)
    AdoptionFactory(reflection=reflection, person=other_employee, kind="tried", note="Worked")
    AdoptionFactory(reflection=reflection, person=other_mentor)

    summary = selectors.adoption_summary(reflection=reflection, viewer=other_employee)

    assert (summary.will_try, summary.tried, summary.viewer_will_try, summary.viewer_tried) == (2, 1, True, True)
    assert [a.note for a in summary.tried_reports] == ["Worked"]


# --- writing helpers ------------------------------------------------------------------------------


def test_context_resolve_accepts_only_the_kind_s_models_the_person_took_part_in(
    employee, other_employee, reflection_contexts
):
    kind, circle = reflection_contexts["circles.circle"]
    token = f"circles.circle:{circle.pk}"

    assert selectors.context_resolve(kind=kind, token=token, person=employee) == circle
    assert selectors.context_resolve(kind=kind, token=token, person=other_employee) is None
    assert selectors.context_resolve(kind="cafe", token=token, person=employee) is None
    assert selectors.context_resolve(kind="general", token=token, person=employee) is None
    assert selectors.context_resolve(kind=kind, token=f"circles.neverwith:{circle.pk}", person=employee) is None
    for bad_pk in ("999999", "abc", "-1", "0", "99999999999999999999", ""):
        assert selectors.context_resolve(kind=kind, token=f"circles.circle:{bad_pk}", person=employee) is None


def test_template_for_kind_falls_back_to_general():
    assert selectors.template_for_kind(kind="circle").name == "After a peer sharing circle"
    assert selectors.template_for_kind(kind="general").name == "General reflection"


# --- learning log ---------------------------------------------------------------------------------


def test_learning_log_entries_reflections_feedback_and_practice(make_reflection, employee, mentor, other_employee):
    submitted = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES, title="Delegating", now=at(2026, 3, 5))
    draft = make_reflection(title="Half-way")
    MentorReviewFactory(reflection=submitted, mentor=mentor, depth=4, created_at=at(2026, 3, 6))
    theirs = ReflectionFactory(author=other_employee, state=S.VALIDATED, visibility=V.COLLEAGUES, title="Huddles")
    AdoptionFactory(reflection=theirs, person=employee, kind="tried", note="Good", created_at=at(2026, 3, 7))

    entries = sorted(selectors.learning_log_entries(person=employee), key=lambda e: (e.when, e.kind))

    assert [(e.kind, e.title, e.verb) for e in entries] == [
        ("reflection", "Delegating", learning_log.VERB_SUBMITTED),
        ("mentor_feedback", "Mentor feedback on “Delegating”", learning_log.VERB_PASSED),
        ("practice", f"Tried “Huddles” from {other_employee.full_name}", learning_log.VERB_COMPLETED),
        ("reflection", "Half-way", learning_log.VERB_AUTHORED),
    ]
    assert entries[0].detail == "Validated · Colleagues"
    assert entries[0].object_id == f"reflections.reflection:{submitted.pk}"
    assert entries[3].url == f"/reflections/{draft.pk}/"


def test_learning_log_entries_name_untitled_reflections_and_unnamed_people(make_reflection, employee, mentor):
    from tests.factories import UserFactory

    untitled = make_reflection(state=S.VALIDATED, visibility=V.MENTOR, title="", now=at(2026, 3, 5))
    MentorReviewFactory(reflection=untitled, mentor=mentor, depth=2, decision="changes_requested")
    nameless = UserFactory(first_name="", last_name="", email="no.name@example.org")
    theirs = ReflectionFactory(author=nameless, state=S.VALIDATED, visibility=V.COLLEAGUES, title="Huddles")
    AdoptionFactory(reflection=theirs, person=employee, kind="tried", note="")

    entries = {e.kind: e for e in selectors.learning_log_entries(person=employee)}

    assert entries["reflection"].title == f"Untitled reflection #{untitled.pk}"
    assert entries["reflection"].detail == "Validated · My mentor"
    assert entries["mentor_feedback"].title == f"Mentor feedback on “Untitled reflection #{untitled.pk}”"
    assert entries["mentor_feedback"].detail == f"More depth asked by {mentor.full_name}, depth 2 of 4"
    assert entries["mentor_feedback"].verb == selectors.VERB_ATTEMPTED
    assert entries["practice"].title == "Tried “Huddles” from no.name@example.org"


def test_learning_log_entries_month_span_and_private_practice_dropped(make_reflection, employee, other_employee):
    make_reflection(state=S.SUBMITTED, title="February", now=at(2026, 2, 28, 23, 30))
    make_reflection(state=S.SUBMITTED, title="March", now=at(2026, 3, 1, 0, 0))
    theirs = ReflectionFactory(author=other_employee, state=S.VALIDATED, visibility=V.PRIVATE)
    AdoptionFactory(reflection=theirs, person=employee, kind="tried", created_at=at(2026, 3, 2))
    start, end = selectors.month_span(dt.date(2026, 3, 1))

    entries = selectors.learning_log_entries(person=employee, start=start, end=end)

    assert [e.title for e in entries] == ["March"]


def test_learning_log_gather_includes_this_app(make_reflection, employee):
    make_reflection(state=S.SUBMITTED, title="Gathered")

    titles = [e.title for e in learning_log.learning_log_gather(person=employee)]

    assert "Gathered" in titles


def test_month_span_uses_organisation_time_zone():
    start, end = selectors.month_span(dt.date(2026, 12, 15))

    assert (start, end) == (at(2026, 12, 1), at(2027, 1, 1))


# --- newsletter -----------------------------------------------------------------------------------


def test_newsletter_reflections_drop_ones_no_longer_on_board_or_consenting(make_reflection, employee):
    issue = NewsletterIssueFactory()
    keep = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES, may_be_featured=True)
    gone_private = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES, may_be_featured=True)
    withdrawn_consent = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES, may_be_featured=True)
    for position, r in enumerate([gone_private, keep, withdrawn_consent], start=1):
        issue.items.create(reflection=r, position=position)
    services.reflection_set_visibility(reflection=gone_private, by=employee, visibility=V.PRIVATE)
    services.reflection_set_featurable(reflection=withdrawn_consent, by=employee, may_be_featured=False)

    assert [r.pk for r in selectors.newsletter_reflections(issue=issue)] == [keep.pk]


# --- for the monthly impact report ----------------------------------------------------------------


def test_reflection_board_shared_in_month_boundaries_and_visibility_now(make_reflection, employee):
    inside_first = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES, now=at(2026, 3, 1, 0, 0))
    inside_last = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES, now=at(2026, 3, 31, 23, 59))
    make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES, now=at(2026, 2, 28, 23, 59))
    make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES, now=at(2026, 4, 1, 0, 0))
    make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES, now=at(2026, 3, 10), is_hidden=True)
    made_private = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES, now=at(2026, 3, 11))
    withdrawn = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES, now=at(2026, 3, 12))
    services.reflection_set_visibility(reflection=made_private, by=employee, visibility=V.MENTOR)
    services.reflection_withdraw(reflection=withdrawn, by=employee)
    start, end = selectors.month_span(dt.date(2026, 3, 1))

    shared = list(selectors.reflection_board_shared_in(start=start, end=end))

    assert [r.pk for r in shared] == [inside_first.pk, inside_last.pk]
    assert shared[0].department_id == employee.department_id


def test_reflection_board_shared_in_keeps_department_at_first_sharing(make_reflection, employee):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.PRIVATE, now=at(2026, 3, 1, 9))
    services.reflection_set_visibility(reflection=reflection, by=employee, visibility=V.COLLEAGUES)
    first_department = employee.department_id
    person_place(person=employee, department=DepartmentFactory(), location=None, job_role=None)
    start, end = (
        reflection.first_shared_at - dt.timedelta(minutes=1),
        reflection.first_shared_at + dt.timedelta(minutes=1),
    )

    shared = list(selectors.reflection_board_shared_in(start=start, end=end))

    assert [(r.pk, r.department_id) for r in shared] == [(reflection.pk, first_department)]


def test_reflection_engagements_in_rows_with_both_placements(make_reflection, employee, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES, now=at(2026, 2, 20))
    comment = CommentFactory(reflection=reflection, author=other_employee, created_at=at(2026, 3, 2))
    will_try = AdoptionFactory(reflection=reflection, person=other_employee, created_at=at(2026, 3, 3))
    tried = AdoptionFactory(reflection=reflection, person=other_employee, kind="tried", created_at=at(2026, 3, 31, 23))
    CommentFactory(reflection=reflection, author=other_employee, created_at=at(2026, 3, 4), is_hidden=True)
    CommentFactory(reflection=reflection, author=employee, channel="review", created_at=at(2026, 3, 4))
    CommentFactory(reflection=reflection, author=other_employee, created_at=at(2026, 4, 1))
    AdoptionFactory(
        reflection=ReflectionFactory(state=S.VALIDATED, visibility=V.COLLEAGUES, is_hidden=True),
        created_at=at(2026, 3, 5),
    )
    start, end = selectors.month_span(dt.date(2026, 3, 1))

    rows = sorted(selectors.reflection_engagements_in(start=start, end=end), key=lambda r: r["at"])

    assert [(r["engagement_kind"], r["engagement_id"]) for r in rows] == [
        ("comment", comment.pk),
        ("will_try", will_try.pk),
        ("tried", tried.pk),
    ]
    assert rows[0] == {
        "engagement_kind": "comment",
        "engagement_id": comment.pk,
        "engaging_person_id": other_employee.pk,
        "reflection_id": reflection.pk,
        "reflection_author_id": employee.pk,
        "at": at(2026, 3, 2),
        "department_id": other_employee.department_id,
        "location_id": other_employee.location_id,
        "job_role_id": other_employee.job_role_id,
        "author_department_id": employee.department_id,
        "author_location_id": employee.location_id,
        "author_job_role_id": employee.job_role_id,
    }


def test_reflection_engagements_in_drops_reflection_made_private(make_reflection, employee, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES)
    CommentFactory(reflection=reflection, author=other_employee)
    services.reflection_set_visibility(reflection=reflection, by=employee, visibility=V.PRIVATE)
    now = timezone.now()

    assert list(selectors.reflection_engagements_in(start=now - dt.timedelta(days=1), end=now)) == []


def test_reflection_submitted_and_validated_in(make_reflection):
    first = make_reflection(state=S.SUBMITTED, visibility=V.PRIVATE, now=at(2026, 3, 3))
    validated = make_reflection(state=S.VALIDATED, now=at(2026, 3, 10))
    make_reflection(state=S.SUBMITTED, now=at(2026, 2, 27))
    make_reflection()
    start, end = selectors.month_span(dt.date(2026, 3, 1))

    assert {r.pk for r in selectors.reflection_submitted_in(start=start, end=end)} == {first.pk, validated.pk}
    assert [r.pk for r in selectors.reflection_validated_in(start=start, end=end)] == [validated.pk]


def test_reflection_mentor_response_days_from_first_submission_to_first_review(make_reflection, mentor):
    reviewed = make_reflection(state=S.VALIDATED, now=at(2026, 3, 2, 12))
    MentorReviewFactory(reflection=reviewed, mentor=mentor, created_at=at(2026, 3, 5, 0), decision="changes_requested")
    MentorReviewFactory(reflection=reviewed, mentor=mentor, created_at=at(2026, 3, 9, 0))
    make_reflection(state=S.SUBMITTED, now=at(2026, 3, 4))
    start, end = selectors.month_span(dt.date(2026, 3, 1))

    rows = selectors.reflection_mentor_response_days(start=start, end=end)

    assert rows == [
        {
            "reflection_id": reviewed.pk,
            "author_id": reviewed.author_id,
            "first_submitted_at": at(2026, 3, 2, 12),
            "first_review_at": at(2026, 3, 5, 0),
            "days": 2.5,
        }
    ]


def test_comment_thread_page_newest_threads_with_replies_then_earlier_pages(make_reflection, other_employee, employee):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)
    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    firsts = [
        CommentFactory(reflection=reflection, author=other_employee, created_at=start + dt.timedelta(minutes=i))
        for i in range(7)
    ]
    # A reply written after newer first comments stays with its own thread, on that thread's page.
    late_reply = CommentFactory(
        reflection=reflection, author=employee, parent=firsts[1], created_at=start + dt.timedelta(hours=2)
    )
    CommentFactory(reflection=reflection, channel="review", author=employee, created_at=start + dt.timedelta(hours=3))

    newest = selectors.comment_thread_page(reflection=reflection, viewer=employee, size=3)
    middle = selectors.comment_thread_page(reflection=reflection, viewer=employee, before=newest.earlier_before, size=3)
    oldest = selectors.comment_thread_page(reflection=reflection, viewer=employee, before=middle.earlier_before, size=3)

    assert [c.pk for c in newest.threads] == [c.pk for c in firsts[4:]]
    assert newest.earlier_before == firsts[4].pk
    assert [c.pk for c in middle.threads] == [c.pk for c in firsts[1:4]]
    assert [c.pk for c in middle.threads[0].thread] == [late_reply.pk]
    assert middle.earlier_before == firsts[1].pk
    assert [c.pk for c in oldest.threads] == [firsts[0].pk]
    assert oldest.earlier_before is None


def test_comment_thread_page_hides_hidden_comments_from_others_and_counts_only_visible(
    make_reflection, other_employee, officer, employee
):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)
    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    first = CommentFactory(reflection=reflection, author=employee, created_at=start)
    hidden = CommentFactory(
        reflection=reflection, author=other_employee, is_hidden=True, hidden_reason="Rude", created_at=start
    )

    for_author = selectors.comment_thread_page(reflection=reflection, viewer=employee, size=1)
    for_commenter = selectors.comment_thread_page(reflection=reflection, viewer=other_employee, size=1)
    for_officer = selectors.comment_thread_page(reflection=reflection, viewer=officer, size=2)

    assert ([c.pk for c in for_author.threads], for_author.earlier_before) == ([first.pk], None)
    assert ([c.pk for c in for_commenter.threads], for_commenter.earlier_before) == ([hidden.pk], hidden.pk)
    assert ([c.pk for c in for_officer.threads], for_officer.earlier_before) == ([first.pk, hidden.pk], None)


def test_comment_thread_page_before_a_comment_of_another_reflection_is_empty(make_reflection, employee):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)
    other = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)
    CommentFactory(reflection=reflection)
    elsewhere = CommentFactory(reflection=other)

    page = selectors.comment_thread_page(reflection=reflection, viewer=employee, before=elsewhere.pk)

    assert (page.threads, page.earlier_before) == ([], None)


def test_adoption_summary_reports_carry_the_person_and_department_shown(make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES)
    tried = AdoptionFactory(reflection=reflection, person=other_employee, kind="tried", note="Worked")

    [report] = selectors.adoption_summary(reflection=reflection, viewer=other_employee).tried_reports

    assert (report.pk, report.note, report.created_at) == (tried.pk, "Worked", tried.created_at)
    assert report.person.full_name == other_employee.full_name
    assert str(report.department) == str(tried.department)


def test_adoption_summary_shows_the_newest_reports_and_counts_them_all(make_reflection, other_employee):
    from reflections.selectors.board import TRIED_REPORTS_SHOWN

    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES)
    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    reports = [
        AdoptionFactory(reflection=reflection, kind="tried", created_at=start + dt.timedelta(minutes=i))
        for i in range(TRIED_REPORTS_SHOWN + 3)
    ]
    AdoptionFactory(reflection=reflection, person=other_employee, kind="will_try", commitment_due=dt.date(2026, 4, 1))

    newest = selectors.adoption_summary(reflection=reflection, viewer=other_employee)
    everything = selectors.adoption_summary(reflection=reflection, viewer=other_employee, all_reports=True)

    assert (newest.will_try, newest.tried, newest.viewer_will_try, newest.viewer_tried) == (
        1,
        TRIED_REPORTS_SHOWN + 3,
        True,
        False,
    )
    assert [a.pk for a in newest.tried_reports] == [a.pk for a in reports[::-1][:TRIED_REPORTS_SHOWN]]
    assert newest.reports_not_shown == 3
    assert newest.viewer_commitment.commitment_due == dt.date(2026, 4, 1)
    assert newest.who_tried is None
    assert [a.pk for a in everything.tried_reports] == [a.pk for a in reports[::-1]]
    assert everything.reports_not_shown == 0


def test_answer_list_gives_each_question_this_reflection_s_answer_or_none(make_reflection, template):
    from reflections.models import Answer

    reflection = make_reflection(answered=False)
    other = make_reflection()  # answers every question: none of them may show on `reflection`
    first, second = template.questions.order_by("position")
    mine = Answer.objects.create(reflection=reflection, question=second, text="Mine", html="<p>Mine</p>")

    rows = selectors.answer_list(reflection=reflection)

    assert [row["question"].pk for row in rows] == [first.pk, second.pk]
    assert rows[0]["answer"] is None
    assert (rows[1]["answer"].pk, rows[1]["answer"].text, rows[1]["answer"].html) == (mine.pk, "Mine", "<p>Mine</p>")
    assert other.answers.count() == 2
