"""Every reflection view x every role x every visibility and state -> the exact outcome.

The expectations are written out as the product's promise (DESIGN.md "People and what they
may do"), independently of reflections/rules.py: private is the author's alone, "mentor" adds
*active* mentors, only "colleagues" reaches the board, a draft never leaves its author, and
officers see board reflections plus hidden ones for moderation.
"""

import datetime as dt
import uuid

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from reflections.models import Reflection
from tests.factories.reflections import ReflectionFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "author", "other_employee", "mentor", "former_mentor", "other_mentor", "officer", "manager"]
STATES = ["draft", "submitted", "changes_requested", "validated"]
VISIBILITIES = ["private", "mentor", "colleagues"]
# (visibility, state, hidden)
CASES = [(v, s, False) for v in VISIBILITIES for s in STATES] + [("colleagues", "submitted", True)]


def may_read(role: str, visibility: str, state: str, hidden: bool) -> bool:
    if role == "author":
        return True
    if state == "draft":
        return False
    if role == "mentor":
        return visibility in {"mentor", "colleagues"}
    if role == "officer":
        return visibility == "colleagues"
    return visibility == "colleagues" and not hidden


def on_board(visibility: str, state: str, hidden: bool) -> bool:
    return visibility == "colleagues" and state != "draft" and not hidden


def allowed(view: str, role: str, visibility: str, state: str, hidden: bool) -> bool:
    """Whether `role` may do `view` to a reflection it can read."""
    author = role == "author"
    return {
        "detail": True,
        "edit": author and state in {"draft", "changes_requested"},
        "autosave": author and state in {"draft", "changes_requested"},
        "withdraw": author and state in {"submitted", "changes_requested"},
        "visibility": author,
        "delete": author,
        "review": role == "mentor" and state == "submitted" and visibility != "private",
        "comment_review": (author or role == "mentor") and state != "draft" and visibility != "private",
        "comment_board": on_board(visibility, state, hidden),
        "will_try": not author and on_board(visibility, state, hidden),
        "tried": not author and on_board(visibility, state, hidden),
        "commitment_answer": True,
        "hide": role == "officer" and visibility == "colleagues" and state != "draft",
        "unhide": role == "officer" and visibility == "colleagues" and state != "draft",
        "huddle_card": author or on_board(visibility, state, hidden),
        # The board discussion, earlier pages: wherever the reflection page shows it.
        "comments": author or (visibility == "colleagues" and state != "draft"),
    }[view]


# view -> (method, url name, POST data, status when allowed)
VIEWS = {
    "detail": ("get", "reflections:detail", None, 200),
    "edit": ("get", "reflections:edit", None, 200),
    "autosave": ("post", "reflections:autosave", {"title": "T", "visibility": "mentor"}, 204),
    "withdraw": ("post", "reflections:withdraw", {}, 302),
    "visibility": ("post", "reflections:visibility", {"visibility": "mentor"}, 302),
    "delete": ("get", "reflections:delete", None, 200),
    "review": ("post", "reflections:review", {"depth": "3", "decision": "validated", "note": ""}, 302),
    "comment_review": ("post", "reflections:comment-add", {"body": "Hello"}, 302),
    "comment_board": ("post", "reflections:comment-add", {"body": "Hello"}, 302),
    "will_try": ("post", "reflections:will-try", {}, 302),
    # "I tried it" needs no earlier "I'll try this" (DESIGN.md): saved, back to the reflection.
    "tried": ("post", "reflections:tried", {"note": "Went well"}, 302),
    # Nobody here holds a commitment on the reflection: whoever may read it has nothing of theirs
    # to answer (404). The committer's own answer is in test_commitments.py.
    "commitment_answer": ("post", "reflections:commitment-answer", {"answer": "wont"}, 404),
    "hide": ("post", "reflections:hide", {"reason": "Breaks the rules"}, 302),
    "unhide": ("post", "reflections:unhide", {}, 302),
    "huddle_card": ("get", "reflections:huddle-card", None, 200),
    "comments": ("get", "reflections:comment-list", None, 200),
}


def expected_status(view: str, role: str, visibility: str, state: str, hidden: bool) -> int:
    method, _, _, ok = VIEWS[view]
    if role == "anonymous":
        return 302
    if not may_read(role, visibility, state, hidden):
        return 404
    if allowed(view, role, visibility, state, hidden):
        return ok
    if view == "edit" and role == "author":
        return 302  # back to the reflection page, with a note to withdraw first
    return 403


def url_for(view: str, reflection: Reflection) -> str:
    name = VIEWS[view][1]
    if view == "comment_review":
        return reverse(name, args=[reflection.pk, "review"])
    if view == "comment_board":
        return reverse(name, args=[reflection.pk, "board"])
    return reverse(name, args=[reflection.pk])


@pytest.mark.parametrize(("visibility", "state", "hidden"), CASES)
@pytest.mark.parametrize("view", list(VIEWS))
def test_reflection_view_permissions(request, client, employee, template, view, visibility, state, hidden):
    """One reflection per case; each role's request runs in a savepoint that is rolled back."""
    reflection = ReflectionFactory(
        author=employee,
        template=template,
        visibility=visibility,
        state=state,
        is_hidden=hidden,
        hidden_reason="Off topic" if hidden else "",
        may_be_featured=True,
    )
    people = {role: request.getfixturevalue(role) for role in ROLES if role not in {"anonymous", "author"}}
    people["author"] = employee
    method, _, data, _ = VIEWS[view]
    url = url_for(view, reflection)
    outcome, login_redirects = {}, {}
    for role in ROLES:
        with transaction.atomic():
            client.logout()
            if role != "anonymous":
                client.force_login(people[role])
            response = client.get(url) if method == "get" else client.post(url, data or {})
            outcome[role] = response.status_code
            if role == "anonymous":
                login_redirects[role] = response.url.startswith("/accounts/login/")
            transaction.set_rollback(True)

    assert outcome == {role: expected_status(view, role, visibility, state, hidden) for role in ROLES}
    assert login_redirects == {"anonymous": True}


def test_permission_table_covers_every_reflection_url():
    from reflections.urls import urlpatterns

    per_reflection = {p.name for p in urlpatterns if str(p.pattern).startswith("<int:pk>/")}
    covered = {spec[1].split(":")[1] for spec in VIEWS.values()}

    assert per_reflection - {"comment-add"} <= covered


# --- pages that are not about one reflection -------------------------------------------------------

PAGE_ROLES = ["anonymous", "other_employee", "mentor", "officer", "manager"]


@pytest.fixture
def pages(db, employee, other_employee, template):
    from reflections.models import Adoption
    from reflections.services import commitment_answer_links
    from tests.factories.reflections import CommentFactory, NewsletterIssueFactory

    board = ReflectionFactory(author=employee, template=template, visibility="colleagues", state="validated")
    private = ReflectionFactory(author=employee, template=template, visibility="private", state="submitted")
    draft_issue = NewsletterIssueFactory(month=dt.date(2026, 1, 1))
    published = NewsletterIssueFactory(
        month=dt.date(2026, 2, 1), state="published", published_at=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC)
    )
    commitment = Adoption.objects.create(
        reflection=board, person=other_employee, kind="will_try", commitment_due=dt.date(2026, 3, 1)
    )
    return {
        "commitment_link": commitment_answer_links(adoption=commitment)["tried"],
        "board_comment": CommentFactory(reflection=board, channel="board"),
        "private_comment": CommentFactory(reflection=private, channel="review", author=employee),
        "draft_issue": draft_issue,
        "published": published,
    }


PAGES = {
    # name: (method, url builder, POST data, {role: status})
    "mine": ("get", lambda p: reverse("reflections:mine"), None, dict.fromkeys(PAGE_ROLES[1:], 200)),
    "write": ("get", lambda p: reverse("reflections:write"), None, dict.fromkeys(PAGE_ROLES[1:], 200)),
    "write_template": (
        "get",
        lambda p: f"{reverse('reflections:write')}?template={Reflection.objects.first().template_id}",
        None,
        dict.fromkeys(PAGE_ROLES[1:], 200),
    ),
    # A save without the page's start key is refused before anything is read or written.
    "write_post": ("post", lambda p: reverse("reflections:write"), {}, dict.fromkeys(PAGE_ROLES[1:], 400)),
    "write_autosave": (
        "post",
        lambda p: reverse("reflections:write-autosave"),
        {},
        dict.fromkeys(PAGE_ROLES[1:], 400),
    ),
    "board": ("get", lambda p: reverse("reflections:board"), None, dict.fromkeys(PAGE_ROLES[1:], 200)),
    "log": ("get", lambda p: reverse("reflections:log"), None, dict.fromkeys(PAGE_ROLES[1:], 200)),
    "log_csv": ("get", lambda p: reverse("reflections:log-csv"), None, dict.fromkeys(PAGE_ROLES[1:], 200)),
    "log_xapi": ("get", lambda p: reverse("reflections:log-xapi"), None, dict.fromkeys(PAGE_ROLES[1:], 200)),
    "export": ("get", lambda p: reverse("reflections:export"), None, dict.fromkeys(PAGE_ROLES[1:], 200)),
    "mentor_queue": (
        "get",
        lambda p: reverse("reflections:mentor-queue"),
        None,
        {"other_employee": 403, "mentor": 200, "officer": 403, "manager": 403},
    ),
    "moderation": (
        "get",
        lambda p: reverse("reflections:moderation"),
        None,
        {"other_employee": 403, "mentor": 403, "officer": 200, "manager": 403},
    ),
    "template_list": (
        "get",
        lambda p: reverse("reflections:template-list"),
        None,
        {"other_employee": 403, "mentor": 403, "officer": 200, "manager": 403},
    ),
    "template_create": (
        "get",
        lambda p: reverse("reflections:template-create"),
        None,
        {"other_employee": 403, "mentor": 403, "officer": 200, "manager": 403},
    ),
    "template_edit": (
        "get",
        lambda p: reverse("reflections:template-edit", args=[Reflection.objects.first().template_id]),
        None,
        {"other_employee": 403, "mentor": 403, "officer": 200, "manager": 403},
    ),
    "newsletter_list": (
        "get",
        lambda p: reverse("reflections:newsletter-list"),
        None,
        dict.fromkeys(PAGE_ROLES[1:], 200),
    ),
    "newsletter_create": (
        "post",
        lambda p: reverse("reflections:newsletter-create"),
        {"month": "2026-05"},
        {"other_employee": 403, "mentor": 403, "officer": 302, "manager": 403},
    ),
    "newsletter_draft": (
        "get",
        lambda p: reverse("reflections:newsletter-detail", args=[p["draft_issue"].pk]),
        None,
        {"other_employee": 404, "mentor": 404, "officer": 200, "manager": 404},
    ),
    "newsletter_published": (
        "get",
        lambda p: reverse("reflections:newsletter-detail", args=[p["published"].pk]),
        None,
        dict.fromkeys(PAGE_ROLES[1:], 200),
    ),
    "newsletter_edit": (
        "get",
        lambda p: reverse("reflections:newsletter-edit", args=[p["draft_issue"].pk]),
        None,
        {"other_employee": 404, "mentor": 404, "officer": 200, "manager": 404},
    ),
    "newsletter_preview_published": (
        "get",
        lambda p: reverse("reflections:newsletter-preview", args=[p["published"].pk]),
        None,
        {"other_employee": 403, "mentor": 403, "officer": 200, "manager": 403},
    ),
    "newsletter_publish": (
        "post",
        lambda p: reverse("reflections:newsletter-publish", args=[p["draft_issue"].pk]),
        {},
        {"other_employee": 404, "mentor": 404, "officer": 302, "manager": 404},
    ),
    "comment_hide_board": (
        "post",
        lambda p: reverse("reflections:comment-hide", args=[p["board_comment"].pk]),
        {"reason": "Rude"},
        {"other_employee": 403, "mentor": 403, "officer": 302, "manager": 403},
    ),
    "comment_unhide_board": (
        "post",
        lambda p: reverse("reflections:comment-unhide", args=[p["board_comment"].pk]),
        {},
        {"other_employee": 403, "mentor": 403, "officer": 302, "manager": 403},
    ),
    # A nudge's one-click answer: only the person it was sent to (the link is signed for them).
    "commitment_link": (
        "get",
        lambda p: p["commitment_link"],
        None,
        {"other_employee": 200, "mentor": 403, "officer": 403, "manager": 403},
    ),
    "commitment_link_post": (
        "post",
        lambda p: p["commitment_link"],
        {"answer": "wont"},
        {"other_employee": 302, "mentor": 403, "officer": 403, "manager": 403},
    ),
    "comment_hide_private": (
        "post",
        lambda p: reverse("reflections:comment-hide", args=[p["private_comment"].pk]),
        {"reason": "Rude"},
        {"other_employee": 404, "mentor": 404, "officer": 404, "manager": 404},
    ),
}


def _as_each_role(request, client, roles: list[str], act) -> dict:
    """What `act(client, role)` returns for each role signed in, each in a savepoint rolled back."""
    outcome = {}
    for role in roles:
        with transaction.atomic():
            client.logout()
            if role != "anonymous":
                client.force_login(request.getfixturevalue(role))
            outcome[role] = act(client, role)
            transaction.set_rollback(True)
    return outcome


@pytest.mark.parametrize("page", list(PAGES))
def test_page_permissions(request, client, pages, page):
    method, build_url, data, expected = PAGES[page]
    url = build_url(pages)

    def act(client, role):
        response = client.get(url) if method == "get" else client.post(url, data or {})
        if role == "anonymous":
            assert response.url.startswith("/accounts/login/")
        return response.status_code

    assert _as_each_role(request, client, PAGE_ROLES, act) == {"anonymous": 302, **expected}


# --- invitation links: which activity a link may name, for whom -------------------------------------

CONTEXT_ROLES = ["anonymous", "employee", "other_employee", "mentor", "officer", "manager"]


def _start_post(client, url: str) -> int:
    """Open the page and save it once (the first save is what creates the draft)."""
    page = client.get(url)
    if page.status_code != 200:
        return page.status_code
    data = {"title": "T", "key_takeaway": "", "visibility": "private"}
    data |= page.context["start_fields"]
    return client.post(reverse("reflections:write"), data).status_code


@pytest.mark.parametrize("model", ["circles.circle", "feedback.feedbacksession", "cafes.cafe", "cafes.talkproposal"])
def test_invitation_link_permissions(request, client, reflection_contexts, model):
    """The person who took part (`employee`) opens and saves the page; anyone else gets 404 and writes nothing."""
    from tests.reflections.conftest import context_link

    kind, activity = reflection_contexts[model]
    url = context_link(kind, activity)

    def act(client, role):
        opened = client.get(url).status_code
        saved = _start_post(client, url) if role != "anonymous" else None
        return opened, saved, Reflection.objects.count()

    assert _as_each_role(request, client, CONTEXT_ROLES, act) == {
        "anonymous": (302, None, 0),
        "employee": (200, 302, 1),
        **dict.fromkeys(CONTEXT_ROLES[2:], (404, 404, 0)),
    }


def test_invitation_link_table_covers_every_context_source():
    from reflections.selectors import CONTEXT_SOURCES

    offered = {model for models in CONTEXT_SOURCES.values() for model in models}

    assert offered == {"circles.circle", "feedback.feedbacksession", "cafes.cafe", "cafes.talkproposal"}


@pytest.fixture
def refused_contexts(employee, other_employee):
    """Objects tied to `employee` (or near it) that no invitation link may name: (kind, "app.model", pk)."""
    from cafes.models import Cafe, TalkProposal
    from circles.models import NeverWith, Round
    from feedback.models import FeedbackSession
    from tests.factories import ModuleFactory
    from tests.factories.cafes import CafeFactory, RsvpFactory, TalkFactory
    from tests.factories.circles import CircleFactory, MembershipFactory
    from tests.factories.feedback import ContributionFactory, FeedbackSessionFactory

    held = CafeFactory(state=Cafe.State.HELD)
    RsvpFactory(cafe=held, person=employee, attended=True)
    going_only = CafeFactory(state=Cafe.State.HELD)
    rsvp = RsvpFactory(cafe=going_only, person=employee, attended=False)
    declined = TalkFactory(cafe=held, speaker=employee, state=TalkProposal.State.DECLINED, title="Declined idea")
    proposed = TalkFactory(cafe=held, state=TalkProposal.State.PROPOSED)
    never = NeverWith.objects.create(person=employee, other=other_employee)
    not_mine = CircleFactory(round__state=Round.State.PUBLISHED)
    MembershipFactory(circle=not_mine)
    unpublished = CircleFactory(round__state=Round.State.FORMED)
    MembershipFactory(circle=unpublished, person=employee)
    session = FeedbackSessionFactory(state=FeedbackSession.State.HELD)
    hidden = ContributionFactory(
        session=session, author=employee, hidden_at=timezone.now(), hidden_reason="Names a client"
    )
    return {
        "never_with": ("circle", f"circles.neverwith:{never.pk}"),
        "declined_proposal": ("cafe", f"cafes.talkproposal:{declined.pk}"),
        "proposed_talk": ("cafe", f"cafes.talkproposal:{proposed.pk}"),
        "rsvp": ("cafe", f"cafes.rsvp:{rsvp.pk}"),
        "cafe_not_attended": ("cafe", f"cafes.cafe:{going_only.pk}"),
        "hidden_contribution": ("feedback_session", f"feedback.contribution:{hidden.pk}"),
        "session_not_invited": ("feedback_session", f"feedback.feedbacksession:{session.pk}"),
        "circle_not_a_member": ("circle", f"circles.circle:{not_mine.pk}"),
        "circle_not_published": ("circle", f"circles.circle:{unpublished.pk}"),
        "circle_as_cafe": ("cafe", f"circles.circle:{not_mine.pk}"),
        "module": ("module", f"core.module:{ModuleFactory().pk}"),
        "person": ("general", f"core.user:{other_employee.pk}"),
        "huge_id": ("circle", "circles.circle:99999999999999999999"),
        "negative_id": ("circle", "circles.circle:-1"),
    }


REFUSED = [
    "never_with",
    "declined_proposal",
    "proposed_talk",
    "rsvp",
    "cafe_not_attended",
    "hidden_contribution",
    "session_not_invited",
    "circle_not_a_member",
    "circle_not_published",
    "circle_as_cafe",
    "module",
    "person",
    "huge_id",
    "negative_id",
]


@pytest.mark.parametrize("case", REFUSED)
@pytest.mark.parametrize("role", ["employee", "other_employee", "officer"])
def test_invitation_link_to_anything_else_is_404_and_writes_nothing(
    request, client, refused_contexts, template, case, role
):
    from urllib.parse import urlencode

    kind, token = refused_contexts[case]
    client.force_login(request.getfixturevalue(role))
    query = urlencode({"kind": kind, "context": token})

    get = client.get(f"{reverse('reflections:write')}?{query}")
    post = client.post(
        reverse("reflections:write"),
        {"kind": kind, "context": token, "start_key": str(uuid.uuid4()), "title": "T", "visibility": "private"},
    )
    autosave = client.post(
        reverse("reflections:write-autosave"),
        {"kind": kind, "context": token, "start_key": str(uuid.uuid4()), "title": "T", "visibility": "private"},
    )

    assert (get.status_code, post.status_code, autosave.status_code) == (404, 404, 404)
    assert "Declined idea" not in get.content.decode()
    assert Reflection.objects.count() == 0


# Pages reached otherwise than by the tables above, each with the test that holds its rows.
COVERED_ELSEWHERE = {
    "report": "tests/reflections/views/test_reports.py::test_reflection_report_permission_table",
    "comment-report": "tests/reflections/views/test_reports.py::test_comment_report_permission_table",
    "report-resolve": "tests/reflections/views/test_reports.py::test_report_resolve_permission_table",
    "mentor-remind": "tests/reflections/views/test_mentor_remind.py::test_mentor_remind_permission_table",
}


def test_permission_tables_cover_every_reflections_url(pages):
    """A new door of the app without a row in a table (or a named test elsewhere) fails here."""
    from django.urls import resolve

    from reflections.urls import urlpatterns

    covered = {resolve(build(pages).partition("?")[0]).url_name for _, build, _, _ in PAGES.values()}
    covered |= {spec[1].split(":")[1] for spec in VIEWS.values()}

    assert {p.name for p in urlpatterns} - covered - set(COVERED_ELSEWHERE) == set()
