"""One of anything is singular: counts shown to people go through pluralize or ngettext."""

from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string

from circles.forming import Signup, form_circles
from circles.forms import MoveForm
from saypro.core.services import notification_digest_send, notification_preferences_save, notify


def test_forming_with_one_sign_up_says_sign_up_in_the_singular():
    formation = form_circles(
        signups=[Signup(person_id=1, department_id=1, location_id=1, job_role_id=1)],
        topic_ids=[1],
        history={},
        never_with=[],
        seed=1,
    )
    assert formation.reason == "Only 1 sign-up; a circle needs at least 3 people, so no circles were formed."


def test_move_form_names_a_one_person_circle_with_one_member():
    circle = SimpleNamespace(pk=7, number=2, size=1, topic=SimpleNamespace(name="Delegation"))
    form = MoveForm(targets=[circle], topics=[])
    assert dict(form.fields["to_circle"].choices)["7"] == "Circle 2: Delegation (1 member)"


def test_move_preview_counts_in_the_singular():
    explanation = {
        "departments": 1,
        "locations": 1,
        "job_roles": 1,
        "repeated_pairs": [],
        "first_choice_member_ids": [3],
    }
    html = render_to_string(
        "circles/partials/move_preview.html", {"explanation": explanation, "size": 1, "circle": {"number": 4}}
    )
    assert "would have 1 member: 1 department,\n  1 location, 1 role, 0 pairs who met recently" in html


@pytest.mark.django_db
def test_newsletter_queued_for_one_person(client, officer):
    from django.urls import reverse
    from django.utils import timezone

    from tests.factories.reflections import NewsletterIssueFactory

    issue = NewsletterIssueFactory(state="published", published_at=timezone.now(), recipients_queued=1)
    client.force_login(officer)
    html = client.get(reverse("reflections:newsletter-detail", args=[issue.pk])).content.decode()
    assert "e-mail queued for 1 person (sending)" in html


@pytest.mark.django_db
def test_daily_digest_of_one_update_says_update(employee):
    from django.utils import timezone

    notification_preferences_save(person=employee, deliveries={"reminders": "digest"})
    notify(recipient=employee, kind="circle_reminder", key="k", title="A comment", email_template="email/notification")
    assert notification_digest_send(day=timezone.localdate()) == 1
    from saypro.core.models import OutboundEmail

    assert OutboundEmail.objects.get(kind="digest").subject.endswith("Your daily digest: 1 update")


def test_feedback_summary_says_success_stories():
    """The kinds are named in the plural by words, never by adding an "s" ("Success storys")."""
    summary = render_to_string(
        "feedback/partials/summary.html",
        {"summary": {"highlighted": [], "challenges": [], "success_stories": []}},
    )
    assert '<h3 class="h6 mt-3">Success stories</h3>' in summary
    assert "No success story was shared." in summary
    assert "storys" not in summary.lower()


def test_contribution_groups_are_headed_in_the_plural_by_words():
    from feedback.selectors import group_by_kind

    assert [group.plural_label for group in group_by_kind([])] == ["Insights", "Challenges", "Success stories"]
