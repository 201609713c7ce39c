import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reflections.models import NewsletterIssue, Reflection, ReflectionTemplate
from saypro.core.models import OutboundEmail
from tests.factories.reflections import NewsletterIssueFactory, ReflectionFactory

pytestmark = pytest.mark.django_db


def _template_post(name="Coaching", questions=(("What did I notice?", "", "120"),), **extra):
    data = {
        "name": name,
        "intro": "Short and honest.",
        "applies_to": "general",
        "is_active": "on",
        "questions-TOTAL_FORMS": str(len(questions) + 1),
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "10",
    }
    for i, (text, help_text, limit) in enumerate(questions):
        data.update(
            {f"questions-{i}-text": text, f"questions-{i}-help_text": help_text, f"questions-{i}-word_limit": limit}
        )
    data.update({f"questions-{len(questions)}-text": "", f"questions-{len(questions)}-word_limit": "150"})
    data.update(extra)
    return data


def test_template_create_through_form(client_for, officer):
    response = client_for(officer).post(reverse("reflections:template-create"), _template_post())

    assert response.url == reverse("reflections:template-list")
    template = ReflectionTemplate.objects.get(name="Coaching")
    assert list(template.questions.values_list("text", "word_limit")) == [("What did I notice?", 120)]


def test_template_create_bad_input_keeps_what_was_typed(client_for, officer):
    before = ReflectionTemplate.objects.count()

    response = client_for(officer).post(
        reverse("reflections:template-create"),
        _template_post(name="", questions=(("Kept question?", "", "5"),)),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["This field is required."]}
    assert response.context["formset"].errors[0] == {
        "word_limit": ["Ensure this value is greater than or equal to 10."]
    }
    assert "Kept question?" in response.content.decode()
    assert ReflectionTemplate.objects.count() == before


def test_template_create_without_questions_says_so(client_for, officer):
    response = client_for(officer).post(reverse("reflections:template-create"), _template_post(questions=()))

    assert response.context["form"].non_field_errors() == ["Add at least one guiding question."]


def test_template_edit_with_reflections_makes_new_version(client_for, officer, template, employee):
    ReflectionFactory(author=employee, template=template)

    response = client_for(officer).post(
        reverse("reflections:template-edit", args=[template.pk]),
        _template_post(name=template.name, questions=(("Brand new?", "", "100"),)),
        follow=True,
    )

    assert "Saved as version 2; reflections already written keep version 1." in response.content.decode()
    assert ReflectionTemplate.objects.filter(lineage=template.lineage).count() == 2


def _board_reflection(**kwargs):
    kwargs.setdefault("state", "validated")
    kwargs.setdefault("visibility", "colleagues")
    kwargs.setdefault("may_be_featured", True)
    return ReflectionFactory(**kwargs)


def test_newsletter_build_preview_publish_and_archive(
    client_for, officer, other_employee, django_capture_on_commit_callbacks, settings
):
    first = _board_reflection(title="Huddles that work")
    second = _board_reflection(title="<b>Bold</b> delegation")
    _board_reflection(title="Not consenting", may_be_featured=False)
    client = client_for(officer)

    created = client.post(reverse("reflections:newsletter-create"), {"month": "2026-04"})
    issue = NewsletterIssue.objects.get()
    edit = client.get(created.url)
    saved = client.post(
        created.url,
        {
            "title": "April learnings",
            "intro": "Three *good* ideas.",
            f"pick_{first.pk}": "on",
            f"position_{first.pk}": "2",
            f"pick_{second.pk}": "on",
            f"position_{second.pk}": "1",
        },
    )
    preview_html = client.get(reverse("reflections:newsletter-preview", args=[issue.pk])).content.decode()
    preview_text = client.get(reverse("reflections:newsletter-preview", args=[issue.pk]) + "?format=text")
    client.force_login(other_employee)
    hidden_draft = client.get(issue.get_absolute_url())
    client.force_login(officer)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reflections:newsletter-publish", args=[issue.pk]))
    client.force_login(other_employee)
    archive = client.get(issue.get_absolute_url()).content.decode()

    assert [r.title for r in edit.context["form"].candidates] == ["<b>Bold</b> delegation", "Huddles that work"]
    assert saved.url == issue.get_absolute_url()
    assert list(issue.items.values_list("reflection_id", flat=True)) == [second.pk, first.pk]
    assert "&lt;b&gt;Bold&lt;/b&gt; delegation" in preview_html
    assert preview_text["Content-Type"] == "text/plain; charset=utf-8"
    assert "1. <b>Bold</b> delegation" in preview_text.content.decode()
    assert hidden_draft.status_code == 404
    assert archive.index("&lt;b&gt;Bold&lt;/b&gt; delegation") < archive.index("Huddles that work")
    assert "<p>Three <em>good</em> ideas.</p>" in archive
    from saypro.core.models import User

    assert OutboundEmail.objects.filter(kind="newsletter").count() == User.objects.filter(is_active=True).count()


def test_newsletter_edit_bad_input_keeps_typing(client_for, officer):
    reflection = _board_reflection()
    issue = NewsletterIssueFactory()

    response = client_for(officer).post(
        reverse("reflections:newsletter-edit", args=[issue.pk]),
        {"title": "", "intro": "Kept intro", f"pick_{reflection.pk}": "on", f"position_{reflection.pk}": "0"},
    )

    form = response.context["form"]
    assert form.errors == {
        "title": ["This field is required."],
        f"position_{reflection.pk}": ["Ensure this value is greater than or equal to 1."],
    }
    assert "Kept intro" in response.content.decode()
    assert issue.items.count() == 0


def test_newsletter_create_bad_month_shows_error(client_for, officer):
    response = client_for(officer).post(reverse("reflections:newsletter-create"), {"month": "April"})

    assert response.context["create_form"].errors == {"month": ["Give the month as YYYY-MM, for example 2026-03."]}
    assert NewsletterIssue.objects.count() == 0


def test_newsletter_publish_empty_issue_says_why(client_for, officer):
    issue = NewsletterIssueFactory()

    response = client_for(officer).post(reverse("reflections:newsletter-publish", args=[issue.pk]), follow=True)

    assert "Pick at least one reflection before publishing." in response.content.decode()
    issue.refresh_from_db()
    assert issue.state == "draft"


def test_newsletter_archive_drops_reflection_made_private(client_for, officer, other_employee):
    reflection = _board_reflection(title="Soon private")
    issue = NewsletterIssueFactory(state="published", published_at=timezone.now(), month=dt.date(2026, 1, 1))
    issue.items.create(reflection=reflection, position=1)
    Reflection.objects.filter(pk=reflection.pk).update(visibility="private")

    html = client_for(other_employee).get(issue.get_absolute_url()).content.decode()

    assert "Soon private" not in html
