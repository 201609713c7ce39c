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
