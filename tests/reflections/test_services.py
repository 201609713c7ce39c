import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reflections import services
from reflections.models import (
    Adoption,
    Answer,
    Comment,
    MentorReview,
    NewsletterIssue,
    NewsletterItem,
    Reflection,
    ReflectionTemplate,
)
from saypro.core.fragments import is_version_bump
from saypro.core.models import AuditEntry, Notification, OutboundEmail
from saypro.core.services import broker_pause_reset, person_place
from tests.factories import DepartmentFactory, ModuleFactory, UserFactory
from tests.factories.reflections import (
    CommentFactory,
    NewsletterIssueFactory,
    ReflectionFactory,
    ReflectionTemplateFactory,
)

pytestmark = pytest.mark.django_db

S = Reflection.State
V = Reflection.Visibility


def _answers(reflection, text="I learned to listen before answering."):
    return {q.pk: text for q in reflection.template.questions.all()}


def _write(reflection, **overrides):
    data = {
        "title": "Listening first",
        "key_takeaway": "Ask one more question before answering.",
        "answers": _answers(reflection),
    }
    data.update(overrides)
    return services.reflection_save_draft(reflection=reflection, by=reflection.author, **data)


# --- reflection_invite (the contract the other apps use) -------------------------------------------


def test_reflection_invite_links_to_writing_page_with_kind_and_context(employee, reflection_contexts):
    _, circle = reflection_contexts["circles.circle"]

    sent = services.reflection_invite(person=employee, context=circle, kind="circle", title="Leading yourself")

    assert sent is True
    note = Notification.objects.get(recipient=employee)
    assert note.kind == "reflection_prompt"
    assert note.url == f"/reflections/write/?kind=circle&context=circles.circle%3A{circle.pk}"
    assert services.reflection_invite(person=employee, context=circle, kind="circle", title="again") is False


def test_reflection_invite_refuses_a_context_the_writing_page_would_not_open(employee):
    with pytest.raises(ValueError, match="cannot be about a core.module"):
        services.reflection_invite(person=employee, context=ModuleFactory(), kind="module", title="Delegation")

    assert Notification.objects.count() == 0


def test_reflection_invite_unknown_kind_refused(employee):
    with pytest.raises(ValueError, match="Unknown reflection context kind"):
        services.reflection_invite(person=employee, context=None, kind="party", title="x")


# --- templates ------------------------------------------------------------------------------------


def test_default_templates_come_from_migration():
    names = set(ReflectionTemplate.objects.values_list("applies_to", flat=True))
    general = ReflectionTemplate.objects.get(name="General reflection")

    assert names == {"general", "feedback_session", "circle", "cafe", "module"}
    assert list(general.questions.values_list("text", flat=True)) == [
        "What did I learn?",
        "What will I try, and when?",
        "What challenge do I expect?",
        "Who else should know this?",
    ]


def test_template_create_orders_questions_and_audits(officer):
    template = services.template_create(
        by=officer,
        name="After coaching",
        intro="Think.",
        applies_to="general",
        is_active=True,
        questions=[
            services.QuestionSpec("First?", "", 100),
            services.QuestionSpec("  ", "", 100),
            services.QuestionSpec("Second?", "help", 60),
        ],
    )

    assert list(template.questions.values_list("position", "text", "word_limit")) == [
        (1, "First?", 100),
        (2, "Second?", 60),
    ]
    assert AuditEntry.objects.filter(action="reflections.template_create", actor=officer).count() == 1


def test_template_create_bad_input_writes_nothing(officer):
    before = ReflectionTemplate.objects.count()

    with pytest.raises(ValidationError) as exc:
        services.template_create(
            by=officer,
            name=" ",
            intro="",
            applies_to="party",
            is_active=True,
            questions=[services.QuestionSpec("Too short a limit?", "", 5)],
        )

    assert set(exc.value.message_dict) == {"name", "applies_to", "questions"}
    assert ReflectionTemplate.objects.count() == before


def test_template_update_without_reflections_changes_in_place(officer, template):
    updated = services.template_update(
        template=template,
        by=officer,
        name="Renamed",
        intro="New intro",
        applies_to="circle",
        is_active=True,
        questions=[services.QuestionSpec("Only question?", "", 80)],
    )

    assert updated.pk == template.pk
    assert updated.version == 1
    assert list(updated.questions.values_list("text", flat=True)) == ["Only question?"]


def test_template_update_with_reflections_makes_new_version_and_old_keeps_questions(officer, template, employee):
    reflection = ReflectionFactory(author=employee, template=template)
    old_questions = list(template.questions.values_list("pk", flat=True))

    new = services.template_update(
        template=template,
        by=officer,
        name=template.name,
        intro=template.intro,
        applies_to="general",
        is_active=True,
        questions=[services.QuestionSpec("A new question?", "", 80)],
    )

    template.refresh_from_db()
    reflection.refresh_from_db()
    assert new.pk != template.pk
    assert (new.version, new.lineage, new.is_current) == (2, template.lineage, True)
    assert template.is_current is False
    assert reflection.template_id == template.pk
    assert list(template.questions.values_list("pk", flat=True)) == old_questions
    assert list(new.questions.values_list("text", flat=True)) == ["A new question?"]


def test_template_update_only_retiring_keeps_version(officer, template, employee):
    ReflectionFactory(author=employee, template=template)
    questions = [services.QuestionSpec(q.text, q.help_text, q.word_limit) for q in template.questions.all()]

    same = services.template_update(
        template=template,
        by=officer,
        name=template.name,
        intro=template.intro,
        applies_to="general",
        is_active=False,
        questions=questions,
    )

    assert same.pk == template.pk
    assert same.is_active is False


def test_template_update_old_version_refused(officer, template, employee):
    ReflectionFactory(author=employee, template=template)
    services.template_update(
        template=template,
        by=officer,
        name="x",
        intro="changed",
        applies_to="general",
        is_active=True,
        questions=[services.QuestionSpec("Q?", "", 80)],
    )

    with pytest.raises(ValidationError, match="newest version"):
        services.template_update(
            template=template,
            by=officer,
            name="y",
            intro="",
            applies_to="general",
            is_active=True,
            questions=[services.QuestionSpec("Q?", "", 80)],
        )


# --- writing --------------------------------------------------------------------------------------


def test_reflection_start_creates_draft_with_event(employee, template):
    reflection, created = services.reflection_start(author=employee, template=template)

    assert created is True
    assert (reflection.state, reflection.visibility, reflection.context_kind) == (S.DRAFT, V.MENTOR, "general")
    assert list(reflection.events.values_list("action", "actor")) == [("created", employee.pk)]


def test_reflection_start_same_context_twice_returns_same_reflection(employee, template):
    module = ModuleFactory(title="Delegation")

    first, _ = services.reflection_start(author=employee, template=template, kind="module", context=module)
    second, created = services.reflection_start(author=employee, template=template, kind="module", context=module)

    assert created is False
    assert second.pk == first.pk
    assert first.context == module
    assert first.context_label == str(module)


def test_reflection_start_blank_reuses_untouched_draft_only(employee, template):
    first, _ = services.reflection_start(author=employee, template=template)
    again, created_again = services.reflection_start(author=employee, template=template)
    _write(first)
    third, created_third = services.reflection_start(author=employee, template=template)

    assert (again.pk, created_again) == (first.pk, False)
    assert created_third is True
    assert third.pk != first.pk


def test_reflection_start_retired_template_refused(employee, template):
    template.is_active = False
    template.save()

    with pytest.raises(ValidationError):
        services.reflection_start(author=employee, template=template)

    assert Reflection.objects.count() == 0


def test_reflection_save_draft_renders_markdown_safely(make_reflection):
    reflection = make_reflection(answered=False)
    q1, q2 = reflection.template.questions.all()

    _write(reflection, answers={q1.pk: "**Bold** <script>alert(1)</script>", q2.pk: "[x](javascript:alert(1))"})

    answers = {a.question_id: a for a in Answer.objects.filter(reflection=reflection)}
    assert answers[q1.pk].html == "<p><strong>Bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>\n"
    assert answers[q2.pk].html == "<p>[x](javascript:alert(1))</p>\n"
    assert reflection.search_text == "**Bold** <script>alert(1)</script>\n\n[x](javascript:alert(1))"


def test_reflection_save_draft_keeps_text_over_word_limit(make_reflection):
    reflection = make_reflection(answered=False)
    long_answer = " ".join(["word"] * 80)

    _write(reflection, answers={reflection.template.questions.first().pk: long_answer})

    assert Answer.objects.get(reflection=reflection).text == long_answer


def test_reflection_save_draft_flattens_takeaway_to_one_line(make_reflection):
    reflection = make_reflection(answered=False)

    _write(reflection, key_takeaway="Ask\nfirst,\n\n  then act")

    assert reflection.key_takeaway == "Ask first, then act"


def test_reflection_save_draft_too_long_writes_nothing(make_reflection):
    reflection = make_reflection(answered=False, title="Kept")
    q1 = reflection.template.questions.first()

    with pytest.raises(ValidationError) as exc:
        _write(reflection, title="t" * 201, answers={q1.pk: "x" * 20_001})

    assert set(exc.value.message_dict) == {"title", f"answer_{q1.pk}"}
    reflection.refresh_from_db()
    assert reflection.title == "Kept"
    assert Answer.objects.filter(reflection=reflection).count() == 0


def test_reflection_save_draft_foreign_question_refused(make_reflection):
    reflection = make_reflection(answered=False)
    other = ReflectionTemplateFactory().questions.first()

    with pytest.raises(ValidationError, match="another template"):
        _write(reflection, answers={other.pk: "x"})


def test_reflection_save_draft_by_other_person_refused(make_reflection, other_employee):
    reflection = make_reflection()

    with pytest.raises(PermissionDenied):
        services.reflection_save_draft(
            reflection=reflection, by=other_employee, title="Mine now", key_takeaway="", answers={}
        )


def test_reflection_save_draft_while_submitted_refused(make_reflection):
    reflection = make_reflection(state=S.SUBMITTED)

    with pytest.raises(ValidationError, match="withdraw"):
        _write(reflection)


def test_reflection_save_draft_visibility_change_recorded(make_reflection):
    reflection = make_reflection()

    _write(reflection, visibility=V.PRIVATE)

    assert reflection.visibility == V.PRIVATE
    event = reflection.events.get(action="visibility_changed")
    assert event.data == {"from": "mentor", "to": "private"}


# --- submitting and reviewing ----------------------------------------------------------------------


def test_reflection_submit_moves_to_submitted_and_tells_mentor(make_reflection, mentor, other_mentor):
    reflection = make_reflection(answered=False)
    _write(reflection)

    services.reflection_submit(reflection=reflection, by=reflection.author, may_be_featured=True)

    reflection.refresh_from_db()
    assert reflection.state == S.SUBMITTED
    assert reflection.may_be_featured is True
    assert reflection.first_submitted_at == reflection.submitted_at
    assert reflection.first_shared_at is None
    event = reflection.events.get(action="submitted")
    assert (event.actor_id, event.from_state, event.to_state) == (reflection.author_id, "draft", "submitted")
    assert list(OutboundEmail.objects.values_list("recipient", "kind")) == [(mentor.pk, "reflection_review")]


def test_reflection_submit_private_tells_no_mentor(make_reflection, mentor):
    reflection = make_reflection(visibility=V.PRIVATE)

    services.reflection_submit(reflection=reflection, by=reflection.author, may_be_featured=False)

    assert reflection.state == S.SUBMITTED
    assert OutboundEmail.objects.count() == 0
    assert Notification.objects.count() == 0


def test_reflection_submit_incomplete_lists_every_missing_field(make_reflection):
    reflection = make_reflection(answered=False, title="", key_takeaway="")
    q1, q2 = reflection.template.questions.all()
    _write(reflection, title="", key_takeaway="", answers={q1.pk: " ".join(["w"] * 51), q2.pk: ""})

    with pytest.raises(ValidationError) as exc:
        services.reflection_submit(reflection=reflection, by=reflection.author, may_be_featured=False)

    assert exc.value.message_dict == {
        "title": ["Give your reflection a title."],
        "key_takeaway": ["Sum up your key takeaway in one line."],
        f"answer_{q1.pk}": ["This answer has 51 words; the limit is 50. Shorten it to submit."],
        f"answer_{q2.pk}": ["Answer this question before submitting."],
    }
    reflection.refresh_from_db()
    assert reflection.state == S.DRAFT
    assert not reflection.events.filter(action="submitted").exists()


def test_reflection_submit_twice_refused(make_reflection):
    reflection = make_reflection()
    services.reflection_submit(reflection=reflection, by=reflection.author, may_be_featured=False)

    with pytest.raises(ValidationError, match="already been submitted"):
        services.reflection_submit(reflection=reflection, by=reflection.author, may_be_featured=False)

    assert reflection.events.filter(action="submitted").count() == 1


def test_reflection_submit_colleagues_stamps_first_sharing_with_placement(make_reflection, employee):
    reflection = make_reflection(visibility=V.COLLEAGUES)

    services.reflection_submit(reflection=reflection, by=employee, may_be_featured=False)

    reflection.refresh_from_db()
    assert reflection.first_shared_at == reflection.submitted_at
    assert (reflection.department_id, reflection.location_id, reflection.job_role_id) == (
        employee.department_id,
        employee.location_id,
        employee.job_role_id,
    )


def test_first_sharing_keeps_department_after_author_moves(make_reflection, employee):
    reflection = make_reflection(visibility=V.COLLEAGUES)
    services.reflection_submit(reflection=reflection, by=employee, may_be_featured=False)
    first_department = employee.department_id
    person_place(person=employee, department=DepartmentFactory(), location=None, job_role=None)
    services.reflection_set_visibility(reflection=reflection, by=employee, visibility=V.PRIVATE)
    services.reflection_set_visibility(reflection=reflection, by=employee, visibility=V.COLLEAGUES)

    reflection.refresh_from_db()
    assert reflection.department_id == first_department


def test_reflection_set_visibility_on_submitted_stamps_first_sharing(make_reflection, employee):
    reflection = make_reflection(state=S.SUBMITTED)

    services.reflection_set_visibility(reflection=reflection, by=employee, visibility=V.COLLEAGUES)

    reflection.refresh_from_db()
    assert reflection.first_shared_at is not None
    assert reflection.department_id == employee.department_id


def test_reflection_set_visibility_on_draft_does_not_share(make_reflection, employee):
    reflection = make_reflection()

    services.reflection_set_visibility(reflection=reflection, by=employee, visibility=V.COLLEAGUES)

    reflection.refresh_from_db()
    assert reflection.first_shared_at is None


def test_reflection_set_visibility_unknown_value_refused(make_reflection, employee):
    reflection = make_reflection()

    with pytest.raises(ValidationError):
        services.reflection_set_visibility(reflection=reflection, by=employee, visibility="world")

    reflection.refresh_from_db()
    assert reflection.visibility == V.MENTOR


def test_reflection_withdraw_returns_to_draft(make_reflection, employee):
    reflection = make_reflection(state=S.SUBMITTED)

    services.reflection_withdraw(reflection=reflection, by=employee)

    reflection.refresh_from_db()
    assert reflection.state == S.DRAFT
    assert reflection.events.get(action="withdrawn").from_state == "submitted"


@pytest.mark.parametrize("state", [S.DRAFT, S.VALIDATED])
def test_reflection_withdraw_not_submitted_refused(make_reflection, employee, state):
    reflection = make_reflection(state=state)

    with pytest.raises(ValidationError):
        services.reflection_withdraw(reflection=reflection, by=employee)


def test_reflection_request_changes_then_resubmit_then_validate(make_reflection, employee, mentor):
    reflection = make_reflection(state=S.SUBMITTED)

    services.reflection_request_changes(reflection=reflection, by=mentor, depth=1, note="Why does it matter?")
    assert reflection.state == S.CHANGES_REQUESTED
    _write(reflection, title="Deeper now")
    services.reflection_submit(reflection=reflection, by=employee, may_be_featured=True)
    assert reflection.state == S.RESUBMITTED
    review = services.reflection_validate(reflection=reflection, by=mentor, depth=4, note="Concrete.")

    reflection.refresh_from_db()
    assert (reflection.state, reflection.depth, reflection.validated_by_id) == (S.VALIDATED, 4, mentor.pk)
    assert review.decision == MentorReview.Decision.VALIDATED
    assert list(reflection.events.values_list("action", flat=True)) == [
        "changes_requested",
        "resubmitted",
        "validated",
    ]
    assert list(OutboundEmail.objects.filter(recipient=employee).order_by("pk").values_list("kind", flat=True)) == [
        "mentor_feedback",
        "mentor_feedback",
    ]
    assert Notification.objects.filter(recipient=employee, kind="mentor_feedback").count() == 2


def test_reflection_request_changes_without_note_writes_nothing(make_reflection, mentor):
    reflection = make_reflection(state=S.SUBMITTED)

    with pytest.raises(ValidationError) as exc:
        services.reflection_request_changes(reflection=reflection, by=mentor, depth=2, note="  ")

    assert exc.value.message_dict == {"note": ["Say what would make it deeper; the author sees this note."]}
    assert MentorReview.objects.count() == 0
    reflection.refresh_from_db()
    assert reflection.state == S.SUBMITTED


def test_reflection_validate_depth_out_of_range_refused(make_reflection, mentor):
    reflection = make_reflection(state=S.SUBMITTED)

    with pytest.raises(ValidationError) as exc:
        services.reflection_validate(reflection=reflection, by=mentor, depth=5)

    assert list(exc.value.message_dict) == ["depth"]
    assert MentorReview.objects.count() == 0


@pytest.mark.parametrize("who", ["other_mentor", "former_mentor", "officer", "employee"])
def test_reflection_validate_by_someone_not_active_mentor_refused(make_reflection, request, who):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)
    person = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        services.reflection_validate(reflection=reflection, by=person, depth=3)

    assert MentorReview.objects.count() == 0


def test_reflection_validate_private_refused_even_for_active_mentor(make_reflection, mentor):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.PRIVATE)

    with pytest.raises(PermissionDenied):
        services.reflection_validate(reflection=reflection, by=mentor, depth=3)


def test_reflection_validate_twice_refused(make_reflection, mentor):
    reflection = make_reflection(state=S.SUBMITTED)
    services.reflection_validate(reflection=reflection, by=mentor, depth=3)

    with pytest.raises(ValidationError, match="not waiting"):
        services.reflection_validate(reflection=reflection, by=mentor, depth=3)

    assert MentorReview.objects.count() == 1


def test_reflection_delete_removes_everything_of_it(make_reflection, employee, other_employee):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)
    CommentFactory(reflection=reflection, author=other_employee)

    services.reflection_delete(reflection=reflection, by=employee)

    assert Reflection.objects.count() == 0
    assert Comment.objects.count() == 0


# --- moderation -----------------------------------------------------------------------------------


def test_reflection_hide_keeps_reason_audits_and_tells_author(make_reflection, officer, employee):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)

    services.reflection_hide(reflection=reflection, by=officer, reason="Names a client.")

    reflection.refresh_from_db()
    assert (reflection.is_hidden, reflection.hidden_reason, reflection.hidden_by_id) == (
        True,
        "Names a client.",
        officer.pk,
    )
    assert AuditEntry.objects.get(action="reflections.reflection_hide").reason == "Names a client."
    assert Notification.objects.get(recipient=employee, kind="moderation").body == "Reason: Names a client."


def test_reflection_hide_without_reason_refused(make_reflection, officer):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)

    with pytest.raises(ValidationError):
        services.reflection_hide(reflection=reflection, by=officer, reason=" ")

    reflection.refresh_from_db()
    assert reflection.is_hidden is False
    assert AuditEntry.objects.count() == 0


def test_reflection_hide_by_non_officer_refused(make_reflection, manager):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)

    with pytest.raises(PermissionDenied):
        services.reflection_hide(reflection=reflection, by=manager, reason="x")


def test_reflection_unhide_keeps_reason_and_audits(make_reflection, officer):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)
    services.reflection_hide(reflection=reflection, by=officer, reason="Check facts.")

    services.reflection_unhide(reflection=reflection, by=officer, reason="Facts checked.")

    reflection.refresh_from_db()
    assert (reflection.is_hidden, reflection.hidden_reason) == (False, "Check facts.")
    assert list(AuditEntry.objects.order_by("created_at", "id").values_list("action", flat=True)) == [
        "reflections.reflection_hide",
        "reflections.reflection_unhide",
    ]


def test_comment_hide_and_unhide(officer, make_reflection, other_employee):
    comment = CommentFactory(reflection=make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES))

    services.comment_hide(comment=comment, by=officer, reason="Off topic.")
    assert (comment.is_hidden, comment.hidden_reason) == (True, "Off topic.")
    services.comment_unhide(comment=comment, by=officer)

    comment.refresh_from_db()
    assert comment.is_hidden is False
    assert AuditEntry.objects.filter(action__startswith="reflections.comment_").count() == 2


def test_comment_hide_review_thread_refused(officer, make_reflection):
    comment = CommentFactory(reflection=make_reflection(state=S.SUBMITTED), channel=Comment.Channel.REVIEW)

    with pytest.raises(PermissionDenied):
        services.comment_hide(comment=comment, by=officer, reason="x")


# --- comments and reactions -----------------------------------------------------------------------


def test_comment_add_board_keeps_placement_and_tells_author(make_reflection, other_employee, employee):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)

    comment = services.comment_add(reflection=reflection, by=other_employee, body="Tried *this*.", channel="board")

    assert comment.body_html == "<p>Tried <em>this</em>.</p>\n"
    assert (comment.department_id, comment.location_id, comment.job_role_id) == (
        other_employee.department_id,
        other_employee.location_id,
        other_employee.job_role_id,
    )
    assert Notification.objects.get(recipient=employee).kind == "reflection_comment"


def test_comment_add_reply_to_reply_joins_first_thread(make_reflection, other_employee, employee):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)
    first = services.comment_add(reflection=reflection, by=other_employee, body="One", channel="board")
    reply = services.comment_add(reflection=reflection, by=employee, body="Two", channel="board", parent=first)

    deeper = services.comment_add(reflection=reflection, by=other_employee, body="Three", channel="board", parent=reply)

    assert (reply.parent_id, deeper.parent_id) == (first.pk, first.pk)


def test_comment_add_board_on_private_refused(make_reflection, other_employee):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.MENTOR)

    with pytest.raises(PermissionDenied):
        services.comment_add(reflection=reflection, by=other_employee, body="Hi", channel="board")

    assert Comment.objects.count() == 0


def test_comment_add_empty_or_long_refused(make_reflection, other_employee):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)

    with pytest.raises(ValidationError):
        services.comment_add(reflection=reflection, by=other_employee, body="  ", channel="board")
    with pytest.raises(ValidationError):
        services.comment_add(reflection=reflection, by=other_employee, body="x" * 5001, channel="board")

    assert Comment.objects.count() == 0


def test_comment_add_review_by_mentor_notifies_author_as_mentor_feedback(make_reflection, mentor, employee):
    reflection = make_reflection(state=S.SUBMITTED)

    services.comment_add(reflection=reflection, by=mentor, body="Say more.", channel="review")

    assert OutboundEmail.objects.get(recipient=employee).kind == "mentor_feedback"


def test_comment_add_review_answer_by_author_notifies_mentor(make_reflection, mentor, employee):
    reflection = make_reflection(state=S.CHANGES_REQUESTED)

    services.comment_add(reflection=reflection, by=employee, body="Here is why.", channel="review")

    assert OutboundEmail.objects.get(recipient=mentor).kind == "reflection_comment"


@pytest.mark.parametrize("who", ["other_mentor", "former_mentor", "other_employee", "officer"])
def test_comment_add_review_by_outsider_refused(make_reflection, request, who):
    reflection = make_reflection(state=S.SUBMITTED, visibility=V.COLLEAGUES)

    with pytest.raises(PermissionDenied):
        services.comment_add(reflection=reflection, by=request.getfixturevalue(who), body="Hi", channel="review")


def test_adoption_will_try_once_with_placement(make_reflection, other_employee, employee):
    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES)

    first = services.adoption_will_try(reflection=reflection, by=other_employee)
    second = services.adoption_will_try(reflection=reflection, by=other_employee)

    assert first.pk == second.pk
    assert (first.department_id, first.location_id, first.job_role_id) == (
        other_employee.department_id,
        other_employee.location_id,
        other_employee.job_role_id,
    )
    assert Notification.objects.filter(recipient=employee, kind="reflection_adoption").count() == 1


def test_adoption_by_author_refused(make_reflection, employee):
    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES)

    with pytest.raises(PermissionDenied):
        services.adoption_will_try(reflection=reflection, by=employee)


def test_adoption_tried_on_its_own_is_one_engagement(make_reflection, other_employee):
    """DESIGN.md: "I tried it" may be said without an earlier "I'll try this"."""
    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES)

    tried = services.adoption_tried(reflection=reflection, by=other_employee, note="Did it last week.")

    assert (tried.kind, tried.note, tried.department_id) == ("tried", "Did it last week.", other_employee.department_id)
    assert list(Adoption.objects.filter(reflection=reflection).values_list("kind", flat=True)) == ["tried"]


def test_adoption_tried_needs_a_note_and_counts_beside_will_try(make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES)
    services.adoption_will_try(reflection=reflection, by=other_employee)
    with pytest.raises(ValidationError) as exc:
        services.adoption_tried(reflection=reflection, by=other_employee, note=" ")
    assert list(exc.value.message_dict) == ["note"]
    tried = services.adoption_tried(reflection=reflection, by=other_employee, note="Went well.")

    assert (tried.kind, tried.note) == ("tried", "Went well.")
    assert Adoption.objects.filter(kind="tried").count() == 1


def test_adoption_on_hidden_reflection_refused(make_reflection, other_employee):
    reflection = make_reflection(state=S.VALIDATED, visibility=V.COLLEAGUES, is_hidden=True)

    with pytest.raises(PermissionDenied):
        services.adoption_will_try(reflection=reflection, by=other_employee)


# --- newsletter -----------------------------------------------------------------------------------


def _board(make_reflection, **kwargs):
    kwargs.setdefault("state", S.VALIDATED)
    kwargs.setdefault("visibility", V.COLLEAGUES)
    kwargs.setdefault("may_be_featured", True)
    return make_reflection(**kwargs)


def test_newsletter_create_is_once_per_month(officer):
    first, created = services.newsletter_create(month=dt.date(2026, 3, 17), by=officer)
    second, created_again = services.newsletter_create(month=dt.date(2026, 3, 2), by=officer)

    assert (created, created_again) == (True, False)
    assert first.pk == second.pk
    assert first.month == dt.date(2026, 3, 1)
    assert first.title == "Learnings of March 2026"


def test_newsletter_draft_for_month_picks_consenting_reflections_of_last_month(make_reflection):
    in_feb = timezone.make_aware(dt.datetime(2026, 2, 10, 12))
    picked = _board(make_reflection, now=in_feb)
    _board(make_reflection, now=in_feb, may_be_featured=False)
    _board(make_reflection, now=in_feb, visibility=V.MENTOR)
    _board(make_reflection, now=timezone.make_aware(dt.datetime(2026, 3, 1, 0, 30)))
    _board(make_reflection, now=in_feb, state=S.CHANGES_REQUESTED)  # sent back for more depth

    issue = services.newsletter_draft_for_month(today=dt.date(2026, 3, 1))
    again = services.newsletter_draft_for_month(today=dt.date(2026, 3, 1))

    assert again is None
    assert list(issue.items.values_list("reflection_id", flat=True)) == [picked.pk]


def test_newsletter_update_orders_picks(officer, make_reflection):
    issue = NewsletterIssueFactory()
    a, b = _board(make_reflection), _board(make_reflection)

    issue = services.newsletter_update(
        issue=issue, by=officer, title="March", intro="**Hi**", reflection_ids=[b.pk, a.pk]
    )

    assert list(issue.items.values_list("reflection_id", "position")) == [(b.pk, 1), (a.pk, 2)]
    assert issue.intro_html == "<p><strong>Hi</strong></p>\n"


def test_newsletter_update_non_consenting_refused(officer, make_reflection):
    issue = NewsletterIssueFactory()
    NewsletterItem.objects.create(issue=issue, reflection=_board(make_reflection), position=1)
    private = _board(make_reflection, visibility=V.MENTOR)

    with pytest.raises(ValidationError) as exc:
        services.newsletter_update(issue=issue, by=officer, title="", intro="", reflection_ids=[private.pk])

    assert set(exc.value.message_dict) == {"title", "reflections"}
    assert issue.items.count() == 1


def test_newsletter_publish_queues_sending_after_commit(officer, make_reflection, django_capture_on_commit_callbacks):
    issue = NewsletterIssueFactory()
    NewsletterItem.objects.create(issue=issue, reflection=_board(make_reflection), position=1)

    with django_capture_on_commit_callbacks() as callbacks:
        services.newsletter_publish(issue=issue, by=officer)

    issue.refresh_from_db()
    assert issue.state == NewsletterIssue.State.PUBLISHED
    # Cached pages' version bumps (saypro/core/fragments.py) aside.
    assert len([c for c in callbacks if not is_version_bump(c)]) == 1
    with pytest.raises(ValidationError, match="already published"):
        services.newsletter_publish(issue=issue, by=officer)


def test_newsletter_publish_empty_refused(officer):
    issue = NewsletterIssueFactory()

    with pytest.raises(ValidationError, match="at least one"):
        services.newsletter_publish(issue=issue, by=officer)

    issue.refresh_from_db()
    assert issue.state == NewsletterIssue.State.DRAFT


def test_newsletter_send_batch_reaches_everyone_once_even_when_retried(make_reflection, officer):
    reflection = _board(make_reflection)
    issue = NewsletterIssueFactory(state="published", published_at=timezone.now())
    NewsletterItem.objects.create(issue=issue, reflection=reflection, position=1)
    UserFactory.create_batch(3)
    people = 5 + 0  # employee, officer and three more
    from saypro.core.models import User

    assert User.objects.filter(is_active=True).count() == people

    last = services.newsletter_send_batch(issue_id=issue.pk, after_id=0, batch_size=3)
    retried = services.newsletter_send_batch(issue_id=issue.pk, after_id=0, batch_size=3)
    rest = services.newsletter_send_batch(issue_id=issue.pk, after_id=last, batch_size=3)
    done = services.newsletter_send_batch(issue_id=issue.pk, after_id=rest, batch_size=3)

    assert retried == last
    assert done is None
    assert OutboundEmail.objects.filter(kind="newsletter", key=f"newsletter:{issue.pk}").count() == people
    email = OutboundEmail.objects.filter(kind="newsletter").first()
    assert reflection.title in email.body_text
    assert reflection.title in email.body_html
    issue.refresh_from_db()
    assert issue.recipients_queued == people
    assert issue.sending_finished_at is not None


def test_newsletter_publish_with_broker_down_still_publishes_and_is_resumed_later(
    officer, make_reflection, django_capture_on_commit_callbacks, monkeypatch
):
    from reflections import tasks

    issue = NewsletterIssueFactory()
    NewsletterItem.objects.create(issue=issue, reflection=_board(make_reflection), position=1)

    def broker_down(**kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.newsletter_send_batch_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        services.newsletter_publish(issue=issue, by=officer)
    issue.refresh_from_db()
    assert issue.state == NewsletterIssue.State.PUBLISHED

    # Not stalled yet: the sweep leaves a freshly published issue alone.
    assert services.newsletter_sending_resume(stalled_minutes=15) == []
    broker_pause_reset()  # the broker is back (the job that resumes runs through it)
    queued = []
    monkeypatch.setattr(tasks.newsletter_send_batch_task, "apply_async", lambda kwargs: queued.append(kwargs))
    NewsletterIssue.objects.filter(pk=issue.pk).update(published_at=timezone.now() - dt.timedelta(minutes=20))
    assert services.newsletter_sending_resume(stalled_minutes=15) == [issue.pk]
    assert queued == [{"issue_id": issue.pk, "after_id": 0}]


def test_newsletter_sending_resume_continues_after_the_last_person_reached(make_reflection, monkeypatch):
    issue = NewsletterIssueFactory(state="published", published_at=timezone.now() - dt.timedelta(hours=1))
    NewsletterItem.objects.create(issue=issue, reflection=_board(make_reflection), position=1)
    UserFactory.create_batch(3)
    last = services.newsletter_send_batch(issue_id=issue.pk, after_id=0, batch_size=2)
    issue.refresh_from_db()
    assert (issue.sending_after_id, issue.recipients_queued) == (last, 2)
    # A batch ran a moment ago: not stalled.
    assert services.newsletter_sending_resume(stalled_minutes=15) == []

    from reflections import tasks

    queued = []
    NewsletterIssue.objects.filter(pk=issue.pk).update(sending_touched_at=timezone.now() - dt.timedelta(minutes=30))
    monkeypatch.setattr(tasks.newsletter_send_batch_task, "apply_async", lambda kwargs: queued.append(kwargs))
    assert services.newsletter_sending_resume(stalled_minutes=15) == [issue.pk]
    assert queued == [{"issue_id": issue.pk, "after_id": last}]


def test_newsletter_sending_resume_skips_finished_and_draft_issues():
    old = timezone.now() - dt.timedelta(hours=1)
    NewsletterIssueFactory(state="published", published_at=old, sending_finished_at=old)
    NewsletterIssueFactory()
    assert services.newsletter_sending_resume(stalled_minutes=15) == []


def test_newsletter_send_batch_draft_does_nothing():
    issue = NewsletterIssueFactory()

    assert services.newsletter_send_batch(issue_id=issue.pk) is None
    assert OutboundEmail.objects.count() == 0


def test_reflection_one_per_context_is_a_database_rule(employee, template):
    from django.db import IntegrityError, transaction

    module = ModuleFactory()
    first, _ = services.reflection_start(author=employee, template=template, kind="module", context=module)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReflectionFactory(author=employee, template=template, context_type=first.context_type, context_id=module.pk)

    assert Reflection.objects.filter(author=employee).count() == 1


def test_newsletter_builder_offers_validated_reflections_and_keeps_explicit_picks(officer, make_reflection):
    from reflections.selectors import newsletter_candidate_list

    issue = NewsletterIssueFactory()
    validated = _board(make_reflection)
    sent_back = _board(make_reflection, state=S.CHANGES_REQUESTED)
    submitted = _board(make_reflection, state=S.SUBMITTED)
    picked_before = _board(make_reflection, state=S.SUBMITTED)
    services.newsletter_update(issue=issue, by=officer, title="March", intro="", reflection_ids=[picked_before.pk])

    offered = [r.pk for r in newsletter_candidate_list(issue=issue)]

    assert offered == [picked_before.pk, validated.pk]
    assert sent_back.pk not in offered and submitted.pk not in offered
