"""The admin as an officer sees it: every registered model's list, and change pages that hold private text.

The officer is staff with the Advice Desk Officer group's permissions (never superuser). A
model registered in the admin without a row here fails the sweep, so a new door gets decided.
Private text (issue 11, item 4): what the site hides from officers stays hidden in the admin.
"""

import pytest
from django.contrib import admin

from reflections import services as reflection_services
from reflections.models import Comment, NewsletterItem, Reflection
from saypro.core.models import Notification, OutboundEmail
from tests.factories import UserFactory
from tests.factories.reflections import NewsletterIssueFactory, ReflectionFactory
from tests.permissions import outcome

pytestmark = pytest.mark.django_db

OPEN, REFUSED = 200, 403

# Every model in the admin → what an officer gets on its list page.
CHANGELIST_AS_OFFICER = {
    **dict.fromkeys(["account.emailaddress", "auth.group", "sites.site"], REFUSED),
    # Authenticators hold the secrets of people's second factors.
    "mfa.authenticator": REFUSED,
    # Company sign-in's connected accounts hold the provider's claims; apps and tokens are not used (settings only).
    **dict.fromkeys(["socialaccount.socialaccount", "socialaccount.socialapp", "socialaccount.socialtoken"], REFUSED),
    **dict.fromkeys(
        ["cafes.cafe", "cafes.rsvp", "cafes.speakerpreference", "cafes.talkfeedback", "cafes.talkinterest"], OPEN
    ),
    "cafes.talkproposal": OPEN,
    **dict.fromkeys(
        ["circles.circle", "circles.learning", "circles.membership", "circles.round", "circles.topic"], OPEN
    ),
    # A person's never-with list and sign-ups are theirs; officers form circles in the app.
    **dict.fromkeys(["circles.neverwith", "circles.signup", "circles.signupchoice", "circles.standingsignup"], REFUSED),
    **dict.fromkeys(
        [
            "core.auditentry",
            "core.department",
            "core.enrolment",
            "core.jobheartbeat",
            "core.jobrole",
            "core.location",
            "core.managerscope",
            "core.mentorlink",
            "core.module",
            "core.notification",
            "core.orgimport",
            "core.outboundemail",
            "core.placement",
            "core.programme",
            "core.user",
        ],
        OPEN,
    ),
    "core.notificationpreference": REFUSED,
    **dict.fromkeys(
        [
            "django_celery_beat.clockedschedule",
            "django_celery_beat.crontabschedule",
            "django_celery_beat.intervalschedule",
            "django_celery_beat.periodictask",
            "django_celery_beat.solarschedule",
        ],
        OPEN,
    ),
    **dict.fromkeys(
        ["feedback.contribution", "feedback.feedbacksession", "feedback.invitation", "feedback.suggestion"], OPEN
    ),
    **dict.fromkeys(["impact.figure", "impact.snapshot"], OPEN),
    **dict.fromkeys(
        [
            "reflections.guidingquestion",
            "reflections.newsletterissue",
            "reflections.newsletteritem",
            "reflections.reflectiontemplate",
        ],
        OPEN,
    ),
    # Reflection content stays out of the officer's admin: they moderate the board in the app.
    **dict.fromkeys(
        [
            "reflections.adoption",
            "reflections.comment",
            "reflections.mentorreview",
            "reflections.reflection",
            "reflections.reflectionevent",
            "reflections.report",
        ],
        REFUSED,
    ),
}

SECRET = "SECRETTITLE"
PRIVATE = (SECRET, "DEPTHNOTE", "REVIEWCOMMENT")


def registered() -> set[str]:
    return {f"{model._meta.app_label}.{model._meta.model_name}" for model in admin.site._registry}


def test_every_admin_model_has_a_row():
    assert sorted(registered() ^ set(CHANGELIST_AS_OFFICER)) == []


@pytest.mark.parametrize("label", sorted(CHANGELIST_AS_OFFICER))
def test_officer_changelist(client_for, officer, label):
    app_label, model_name = label.split(".")

    response = client_for(officer).get(f"/admin/{app_label}/{model_name}/")

    assert response.status_code == CHANGELIST_AS_OFFICER[label]


@pytest.fixture
def world(employee, mentor):
    """A mentor-only reflection with a review and a review comment; a newsletter naming it and a board reflection."""
    private = ReflectionFactory(
        author=employee, title=f"{SECRET} about my manager", state="submitted", visibility="mentor"
    )
    reflection_services.reflection_request_changes(reflection=private, by=mentor, depth=2, note="DEPTHNOTE more")
    comment = reflection_services.comment_add(
        reflection=private, by=mentor, body="REVIEWCOMMENT here", channel=Comment.Channel.REVIEW
    )
    on_board = ReflectionFactory(title="BOARDTITLE ask first", state="validated", visibility="colleagues")
    issue = NewsletterIssueFactory()
    # Chosen while shared with colleagues; the author has since made it mentor-only again.
    hidden_item = NewsletterItem.objects.create(issue=issue, reflection=private, position=1)
    board_item = NewsletterItem.objects.create(issue=issue, reflection=on_board, position=2)
    return {
        "notification": Notification.objects.filter(recipient=employee).order_by("pk").first(),
        "outboundemail": OutboundEmail.objects.filter(recipient=employee).order_by("pk").first(),
        "newsletteritem": hidden_item,
        "newsletteritem-board": board_item,
        "newsletterissue": issue,
        "reflection": private,
        "comment": comment,
        "user": employee,
    }


# Change pages as an officer: (row, admin URL of the object) → status, and no private text on any 200.
CHANGE_PAGES_AS_OFFICER = [
    ("notification", "core/notification", OPEN),
    ("outboundemail", "core/outboundemail", OPEN),
    ("newsletteritem", "reflections/newsletteritem", OPEN),
    ("newsletteritem-board", "reflections/newsletteritem", OPEN),
    ("newsletterissue", "reflections/newsletterissue", OPEN),
    ("user", "core/user", OPEN),
    ("reflection", "reflections/reflection", REFUSED),
    ("comment", "reflections/comment", REFUSED),
]


@pytest.mark.parametrize(
    ("row", "path", "expected"), CHANGE_PAGES_AS_OFFICER, ids=[r[0] for r in CHANGE_PAGES_AS_OFFICER]
)
def test_officer_change_page(client_for, officer, world, row, path, expected):
    response = client_for(officer).get(f"/admin/{path}/{world[row].pk}/change/")

    assert outcome(response) == expected
    assert [text for text in PRIVATE if text in response.content.decode()] == []


def test_officer_newsletter_item_names_only_a_reflection_the_officer_may_read(client_for, officer, world):
    client = client_for(officer)

    listed = client.get("/admin/reflections/newsletteritem/").content.decode()
    searched = client.get("/admin/reflections/newsletteritem/", {"q": SECRET})
    issue_page = client.get(
        f"/admin/reflections/newsletterissue/{world['newsletterissue'].pk}/change/"
    ).content.decode()

    hidden = f"Reflection #{world['reflection'].pk} (not shared with you)"
    assert hidden in listed and "BOARDTITLE ask first" in listed
    assert hidden in issue_page and "BOARDTITLE ask first" in issue_page
    assert searched.context["cl"].result_count == 0
    assert client.get("/admin/reflections/newsletteritem/", {"q": "Learnings of"}).context["cl"].result_count == 2
    assert client.get("/admin/reflections/newsletteritem/add/").status_code == REFUSED


def test_superuser_sees_every_newsletter_items_reflection(client_for, world):
    client = client_for(UserFactory(is_staff=True, is_superuser=True))

    listed = client.get("/admin/reflections/newsletteritem/").content.decode()
    item = client.get(f"/admin/reflections/newsletteritem/{world['newsletteritem'].pk}/change/").content.decode()

    assert f"{SECRET} about my manager" in listed
    assert SECRET in item
    assert Reflection.objects.filter(pk=world["reflection"].pk, visibility="mentor").exists()
