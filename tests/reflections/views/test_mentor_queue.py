import pytest
from django.urls import reverse

from tests.factories.reflections import ReflectionFactory

pytestmark = pytest.mark.django_db


def _waiting(count, author, template):
    import datetime as dt

    start = dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC)
    return [
        ReflectionFactory(
            author=author, template=template, state="submitted", submitted_at=start + dt.timedelta(hours=i)
        )
        for i in range(count)
    ]


def test_mentor_queue_pages_oldest_first_by_the_waiting_count(client_for, mentor, employee, template):
    waiting = _waiting(27, employee, template)
    ReflectionFactory(author=employee, template=template, state="changes_requested")
    client = client_for(mentor)

    first = client.get(reverse("reflections:mentor-queue"))
    second = client.get(reverse("reflections:mentor-queue"), {"page": "2"})

    assert [r.pk for r in first.context["reflections"]] == [r.pk for r in waiting[:25]]
    assert (first.context["paginator"].count, first.context["paginator"].num_pages) == (27, 2)
    assert [r.pk for r in second.context["reflections"]] == [r.pk for r in waiting[25:]]
    assert first.context["counts"] == {"awaiting": 27, "changes_requested": 1, "validated_recently": 0}


@pytest.mark.parametrize("page", ["3", "abc", "0"])
def test_mentor_queue_page_that_does_not_exist_is_404(client_for, mentor, employee, template, page):
    _waiting(2, employee, template)

    response = client_for(mentor).get(reverse("reflections:mentor-queue"), {"page": page})

    assert response.status_code == 404


# --- the page kept per mentor ---------------------------------------------------------------------


def _queue(client) -> str:
    return client.get(reverse("reflections:mentor-queue")).content.decode()


def test_kept_queue_is_served_with_no_query_but_the_session(
    client_for, mentor, employee, template, django_assert_max_num_queries
):
    _waiting(3, employee, template)
    client = client_for(mentor)
    # The page's own part: the head carries a CSRF token masked anew for every response.
    first = _queue(client).split("Mentor queue</h1>")[1]

    with django_assert_max_num_queries(1):  # the session, which the test settings keep in the database
        assert _queue(client).split("Mentor queue</h1>")[1] == first


def test_a_mentees_submission_shows_in_the_kept_queue(client_for, mentor, employee, template):
    from reflections import services

    draft = ReflectionFactory(author=employee, template=template, title="Listening first")
    client = client_for(mentor)
    assert "Listening first" not in _queue(client)

    services.reflection_submit(reflection=draft, by=employee, may_be_featured=False)

    assert "Listening first" in _queue(client)


def test_a_review_comment_counts_in_the_kept_queue(client_for, mentor, employee, template):
    from reflections import services
    from reflections.models import Reflection

    (waiting,) = _waiting(1, employee, template)
    client = client_for(mentor)
    assert "<td>0</td>" in _queue(client)

    services.comment_add(reflection=waiting, by=mentor, body="Which team was it?", channel="review")

    assert "<td>1</td>" in _queue(client)
    assert Reflection.objects.get(pk=waiting.pk).state == "submitted"


def test_a_renamed_mentee_and_an_ended_mentor_link_reach_the_kept_queue(client_for, mentor, employee, template):
    from saypro.core.models import MentorLink

    _waiting(1, employee, template)
    client = client_for(mentor)
    assert employee.full_name in _queue(client)

    employee.first_name, employee.last_name = "Thandi", "Mokoena"
    employee.save()
    assert "Thandi Mokoena" in _queue(client)

    link = MentorLink.objects.get(mentor=mentor, mentee=employee)
    link.is_active = False
    link.save()
    assert "Thandi Mokoena" not in _queue(client)


def test_kept_queue_is_rendered_again_after_a_minute(client_for, mentor, employee, template, monkeypatch):
    """It says how long each reflection has waited."""
    import datetime as dt

    from django.utils import timezone

    _waiting(1, employee, template)
    client = client_for(mentor)
    _queue(client)
    later = timezone.now() + dt.timedelta(minutes=1, seconds=1)
    monkeypatch.setattr("saypro.core.fragments.timezone.now", lambda: later)
    renders = []
    monkeypatch.setattr(
        "reflections.views.board.render_to_string", lambda *args, **kwargs: renders.append(args[0]) or ""
    )

    _queue(client)

    assert renders == ["reflections/partials/mentor_queue_body.html"]


def test_an_erased_mentee_leaves_the_kept_queue(client_for, mentor, employee, officer, template):
    """Erasure ends mentor links and empties reflections in bulk, without signals."""
    from saypro.core.personal_data import personal_data_erase

    (waiting,) = _waiting(1, employee, template)
    client = client_for(mentor)
    assert waiting.title in _queue(client)

    personal_data_erase(person=employee, by=officer)

    assert waiting.title not in _queue(client)
