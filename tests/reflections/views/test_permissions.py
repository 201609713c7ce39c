"""Every reflection view x every role x every visibility and state -> the exact outcome.

The expectations are written out as the product's promise (DESIGN.md "People and what they
may do"), independently of reflections/rules.py: private is the author's alone, "mentor" adds
*active* mentors, only "colleagues" reaches the board, a draft never leaves its author, and
officers see board reflections plus hidden ones for moderation.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse

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
        "hide": role == "officer" and visibility == "colleagues" and state != "draft",
        "unhide": role == "officer" and visibility == "colleagues" and state != "draft",
        "huddle_card": author or on_board(visibility, state, hidden),
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
    "hide": ("post", "reflections:hide", {"reason": "Breaks the rules"}, 302),
    "unhide": ("post", "reflections:unhide", {}, 302),
    "huddle_card": ("get", "reflections:huddle-card", None, 200),
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
def pages(db, employee, template):
    from tests.factories.reflections import CommentFactory, NewsletterIssueFactory

    board = ReflectionFactory(author=employee, template=template, visibility="colleagues", state="validated")
    private = ReflectionFactory(author=employee, template=template, visibility="private", state="submitted")
    draft_issue = NewsletterIssueFactory(month=dt.date(2026, 1, 1))
    published = NewsletterIssueFactory(
        month=dt.date(2026, 2, 1), state="published", published_at=dt.datetime(2026, 2, 2, 9, tzinfo=dt.UTC)
    )
    return {
        "board_comment": CommentFactory(reflection=board, channel="board"),
        "private_comment": CommentFactory(reflection=private, channel="review", author=employee),
        "draft_issue": draft_issue,
        "published": published,
    }


PAGES = {
    # name: (method, url builder, POST data, {role: status})
    "mine": ("get", lambda p: reverse("reflections:mine"), None, dict.fromkeys(PAGE_ROLES[1:], 200)),
    "write": ("get", lambda p: reverse("reflections:write"), None, dict.fromkeys(PAGE_ROLES[1:], 200)),
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
    "comment_hide_private": (
        "post",
        lambda p: reverse("reflections:comment-hide", args=[p["private_comment"].pk]),
        {"reason": "Rude"},
        {"other_employee": 404, "mentor": 404, "officer": 404, "manager": 404},
    ),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_page_permissions(request, client, pages, page):
    method, build_url, data, expected = PAGES[page]
    url = build_url(pages)
    outcome = {}
    for role in PAGE_ROLES:
        with transaction.atomic():
            client.logout()
            if role != "anonymous":
                client.force_login(request.getfixturevalue(role))
            response = client.get(url) if method == "get" else client.post(url, data or {})
            outcome[role] = response.status_code
            if role == "anonymous":
                assert response.url.startswith("/accounts/login/")
            transaction.set_rollback(True)

    assert outcome == {"anonymous": 302, **expected}
