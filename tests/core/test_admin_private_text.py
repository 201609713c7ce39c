"""Officers never read through the admin what the site hides from them (issue 11, item 4).

A mentor-only reflection's title, a mentor's "ask for more depth" note and a review comment
reach the author as notifications and e-mails; the admin shows officers their metadata only:
not in the list, the change page, the search or the CSV export. Superusers see the text
(saypro/core/admin.py says why).
"""

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from reflections import services as reflection_services
from reflections.models import Comment, Reflection
from saypro.core.models import Notification, OutboundEmail
from tests.factories import UserFactory
from tests.factories.reflections import ReflectionFactory

pytestmark = pytest.mark.django_db

TITLE = "Mentor-only SECRETTITLE about my manager"
NOTE = "DEPTHNOTE say what you felt"
COMMENT = "REVIEWCOMMENT between us"
PRIVATE = (TITLE, NOTE, COMMENT, "SECRETTITLE", "DEPTHNOTE", "REVIEWCOMMENT")

MODELS = {"notification": Notification, "outboundemail": OutboundEmail}


@pytest.fixture
def private_text(employee, mentor):
    """A mentor asked for more depth on a mentor-only reflection and commented in its review thread."""
    reflection = ReflectionFactory(
        author=employee, title=TITLE, state=Reflection.State.SUBMITTED, visibility=Reflection.Visibility.MENTOR
    )
    reflection_services.reflection_request_changes(reflection=reflection, by=mentor, depth=2, note=NOTE)
    reflection_services.comment_add(reflection=reflection, by=mentor, body=COMMENT, channel=Comment.Channel.REVIEW)
    # The fixture is only useful if the text really sits in both tables.
    assert Notification.objects.filter(recipient=employee, title__contains="SECRETTITLE", body=NOTE).exists()
    assert Notification.objects.filter(recipient=employee, body=COMMENT).exists()
    assert OutboundEmail.objects.filter(recipient=employee, body_text__contains=NOTE).exists()
    return reflection


@pytest.fixture
def superuser(db):
    return UserFactory(is_staff=True, is_superuser=True)


def leaked(html: str) -> list[str]:
    return [text for text in PRIVATE if text in html]


@pytest.mark.parametrize("model", list(MODELS))
def test_officer_changelist_shows_no_private_text(client_for, officer, private_text, model):
    response = client_for(officer).get(f"/admin/core/{model}/")

    assert response.status_code == 200
    assert response.context["cl"].result_count == MODELS[model].objects.count() >= 2
    assert leaked(response.content.decode()) == []


@pytest.mark.parametrize("model", list(MODELS))
def test_officer_change_pages_show_no_private_text(client_for, officer, private_text, model):
    client = client_for(officer)

    pages = {
        pk: client.get(f"/admin/core/{model}/{pk}/change/") for pk in MODELS[model].objects.values_list("pk", flat=True)
    }

    assert {pk: page.status_code for pk, page in pages.items()} == dict.fromkeys(pages, 200)
    assert {pk: leaked(page.content.decode()) for pk, page in pages.items()} == dict.fromkeys(pages, [])


@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("words", ["SECRETTITLE", "DEPTHNOTE", "REVIEWCOMMENT"])
def test_officer_search_does_not_look_into_private_text(client_for, officer, employee, private_text, model, words):
    client = client_for(officer)

    found = client.get(f"/admin/core/{model}/", {"q": words})
    by_recipient = client.get(f"/admin/core/{model}/", {"q": employee.email})

    assert (found.status_code, found.context["cl"].result_count) == (200, 0)
    assert by_recipient.context["cl"].result_count == MODELS[model].objects.filter(recipient=employee).count() >= 1
    assert list(found.context["cl"].result_list) == []


@pytest.mark.parametrize("model", list(MODELS))
def test_officer_csv_export_has_no_private_text(client_for, officer, private_text, model):
    ids = [str(pk) for pk in MODELS[model].objects.values_list("pk", flat=True)]

    response = client_for(officer).post(f"/admin/core/{model}/", {"action": "export_as_csv", ACTION_CHECKBOX_NAME: ids})

    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert len(body.strip().splitlines()) == len(ids) + 1
    assert leaked(body) == []


@pytest.mark.parametrize(
    ("model", "private_fields"),
    [("notification", {"title", "body"}), ("outboundemail", {"subject", "body_text", "body_html", "last_error"})],
)
def test_officer_change_page_lists_metadata_fields_only(client_for, officer, private_text, model, private_fields):
    obj = MODELS[model].objects.first()

    response = client_for(officer).get(f"/admin/core/{model}/{obj.pk}/change/")

    shown = {field for fieldset in response.context["adminform"] for line in fieldset for field in line.fields}
    assert shown & private_fields == set()
    assert {"recipient", "kind", "created_at"} <= shown


@pytest.mark.parametrize("model", list(MODELS))
def test_superuser_sees_and_searches_the_text(client_for, superuser, private_text, model):
    """The documented decision: superusers, the operators, see the full text."""
    client = client_for(superuser)
    obj = MODELS[model].objects.filter(recipient=private_text.author).order_by("pk").first()

    page = client.get(f"/admin/core/{model}/{obj.pk}/change/")
    found = client.get(f"/admin/core/{model}/", {"q": "SECRETTITLE"})

    assert "SECRETTITLE" in page.content.decode()
    assert found.context["cl"].result_count >= 1


def test_every_admin_with_private_text_hides_it_from_officers():
    """A new field of these models is private unless listed as metadata here."""
    metadata = {
        "notification": {"id", "recipient", "kind", "key", "url", "created_at", "read_at", "digest_pending"},
        "outboundemail": {
            "id",
            "recipient",
            "kind",
            "key",
            "attachments",
            "status",
            "attempts",
            "claimed_at",
            "created_at",
            "sent_at",
        },
    }
    for name, model in MODELS.items():
        fields = {field.name for field in model._meta.concrete_fields}
        assert fields - metadata[name] == set(admin.site._registry[model].private_fields), name
