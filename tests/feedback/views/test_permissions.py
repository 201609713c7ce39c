"""Every feedback page × every role → the exact outcome.

Only invited participants contribute; only officers facilitate. A signed-in person who may not
see a session gets 404 (its existence is private); one who sees it but lacks the role gets 403.
"""

import pytest
from django.urls import reverse

from feedback.models import ChallengeTheme, ChallengeThemeMember, Contribution
from tests.factories.feedback import ContributionFactory, SuggestionFactory
from tests.permissions import ANONYMOUS, SIGN_IN, person_for, redirect_path

ROLES = ["anonymous", "employee", "peer", "outsider", "officer", "mentor", "manager"]


def outcome(*codes):
    """Expected status per role, in the order of ROLES."""
    return dict(zip(ROLES, codes, strict=True))


SEES_ALL = outcome(302, 200, 200, 200, 200, 200, 200)
PARTICIPANT_PAGE = outcome(302, 200, 200, 404, 200, 404, 404)
OFFICER_ONLY = outcome(302, 403, 403, 403, 200, 403, 403)
FACILITATE_GET = outcome(302, 403, 403, 404, 200, 404, 404)
FACILITATE_POST = outcome(302, 403, 403, 404, 302, 404, 404)
CONTRIBUTE = outcome(302, 200, 200, 404, 403, 404, 404)
AUTHOR_ONLY = outcome(302, 200, 403, 404, 403, 404, 404)
PEERS_ONLY = outcome(302, 403, 200, 404, 403, 404, 404)
READS_PARTICIPATION = outcome(302, 403, 403, 403, 200, 403, 200)
# "What we heard": officers and the module's owner (tests/feedback/views/test_heard.py checks the owner).
OFFICER_POST = outcome(302, 403, 403, 403, 302, 403, 403)

# (url name, which object's pk, method, expected per role)
VIEWS = [
    ("feedback:session-list", None, "get", SEES_ALL),
    ("feedback:session-detail", "session", "get", PARTICIPANT_PAGE),
    ("feedback:session-create", None, "get", OFFICER_ONLY),
    ("feedback:session-edit", "session", "get", FACILITATE_GET),
    ("feedback:session-schedule", "session", "get", FACILITATE_GET),
    ("feedback:session-cancel", "session", "get", FACILITATE_GET),
    ("feedback:session-open", "session", "get", FACILITATE_GET),
    ("feedback:session-open", "session", "post", FACILITATE_POST),
    ("feedback:session-close", "session", "get", FACILITATE_GET),
    ("feedback:session-close", "session", "post", FACILITATE_POST),
    ("feedback:console", "session", "get", FACILITATE_GET),
    ("feedback:console-board", "session", "get", FACILITATE_GET),
    ("feedback:attendance", "session", "post", FACILITATE_POST),
    # Without htmx the attendance list's page sends the officer to the console that shows it.
    ("feedback:attendance-list", "session", "get", FACILITATE_POST),
    ("feedback:contribution-add", "session", "get", CONTRIBUTE),
    ("feedback:contribution-record", "session", "get", FACILITATE_GET),
    ("feedback:contribution-edit", "challenge", "get", AUTHOR_ONLY),
    ("feedback:contribution-withdraw", "challenge", "get", AUTHOR_ONLY),
    ("feedback:contribution-mark", "challenge", "post", FACILITATE_POST),
    ("feedback:contribution-mark", "hidden", "post", FACILITATE_POST),
    ("feedback:contribution-hide", "challenge", "get", FACILITATE_GET),
    ("feedback:suggestion-add", "challenge", "get", PEERS_ONLY),
    ("feedback:suggestion-hide", "suggestion", "get", FACILITATE_GET),
    ("feedback:module-participation", "module", "get", READS_PARTICIPATION),
    ("feedback:newsletter-candidates", None, "get", OFFICER_ONLY),
    ("feedback:heard", "module", "get", OFFICER_ONLY),
    ("feedback:heard-csv", "module", "get", OFFICER_ONLY),
    ("feedback:heard-pdf", "module", "get", OFFICER_ONLY),
    ("feedback:heard-update", "module", "post", OFFICER_POST),
    ("feedback:theme-rename", "theme", "post", OFFICER_POST),
    ("feedback:theme-merge", "theme", "post", OFFICER_POST),
    ("feedback:theme-addressed", "theme", "post", OFFICER_POST),
    ("feedback:theme-reopen", "theme", "post", OFFICER_POST),
]

# What a POST carries where a view needs more than the CSRF token: the marks form's pressed button
# (on the hidden contribution, the Put back button).
POST_DATA = {
    # The fixture's session starts in two days: opening or closing it now is early and needs a reason.
    ("feedback:session-open", "session"): {"reason": "The room is free early."},
    ("feedback:session-close", "session"): {"reason": "Held early by agreement."},
    ("feedback:contribution-mark", "challenge"): {"highlighted": "1"},
    ("feedback:contribution-mark", "hidden"): {"unhide": ""},
    # The theme forms carry the theme's prefix: filled in by post_data() from the objects.
    ("feedback:theme-rename", "theme"): lambda o: {f"rename-{o['theme'].pk}-name": "Delegation takes longer"},
    ("feedback:theme-merge", "theme"): lambda o: {f"merge-{o['theme'].pk}-into": o["other_theme"].pk},
    ("feedback:theme-addressed", "theme"): lambda o: {f"addressed-{o['theme'].pk}-note": "A new exercise."},
}


def post_data(name, target, objects):
    data = POST_DATA.get((name, target), {})
    return data(objects) if callable(data) else data


# Opening and closing answer a GET with the page that asks the reason of an early transition.
ASKS_REASON = {"feedback:session-open", "feedback:session-close"}


def case_suffix(name, target, method):
    if target == "hidden":
        return "-unhide"
    return "-form" if name in ASKS_REASON and method == "get" else ""


CASES = [
    pytest.param(
        name,
        target,
        method,
        role,
        expected[role],
        id=f"{name.split(':')[1]}{case_suffix(name, target, method)}-{role}",
    )
    for name, target, method, expected in VIEWS
    for role in ROLES
]


@pytest.fixture
def objects(session, employee, peer):
    challenge = ContributionFactory(session=session, author=employee, kind=Contribution.Kind.CHALLENGE)
    suggestion = SuggestionFactory(contribution=challenge, author=peer)
    hidden = ContributionFactory(
        session=session, author=employee, hidden_at=session.starts_at, hidden_reason="Off topic"
    )
    theme = ChallengeTheme.objects.create(module=session.module, name="Delegation")
    ChallengeThemeMember.objects.create(theme=theme, contribution=challenge)
    return {
        "theme": theme,
        "other_theme": ChallengeTheme.objects.create(module=session.module, name="Feedback upwards"),
        "session": session,
        "challenge": challenge,
        "suggestion": suggestion,
        "hidden": hidden,
        "module": session.module,
    }


@pytest.mark.parametrize(("name", "target", "method", "role", "expected"), CASES)
def test_feedback_view_permission(
    request, client_for, objects, outsider, mentor, manager, name, target, method, role, expected
):
    kwargs = {}
    if target == "module" or name.startswith("feedback:heard"):
        kwargs["module_pk"] = objects["module"].pk
    elif target:
        kwargs["pk"] = objects[target].pk
    url = reverse(name, kwargs=kwargs)
    response = getattr(client_for(person_for(request, role)), method)(url, post_data(name, target, objects))

    assert response.status_code == expected
    if role == ANONYMOUS:
        assert redirect_path(response) == SIGN_IN
