"""Times read one way everywhere: 24-hour clock in the organisation's zone, relative while recent."""

import datetime as dt

import pytest
from django.template import engines
from django.utils import timezone

from saypro.core.models import Notification
from saypro.core.templatetags.saypro_time import when

NOW = timezone.make_aware(dt.datetime(2026, 12, 4, 16, 0))


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (NOW - dt.timedelta(seconds=20), "just now"),
        (NOW - dt.timedelta(minutes=5), "5\xa0minutes ago"),
        (NOW - dt.timedelta(hours=3, minutes=10), "3\xa0hours ago"),
        (timezone.make_aware(dt.datetime(2026, 12, 1, 15, 50)), "1 Dec, 15:50"),
        (timezone.make_aware(dt.datetime(2025, 11, 30, 9, 5)), "30 Nov 2025, 09:05"),
        (NOW + dt.timedelta(days=2), "6 Dec, 16:00"),
        (None, ""),
    ],
)
def test_when_is_relative_while_recent_then_24_hour(moment, text):
    assert when(moment, NOW) == text


def test_a_datetime_without_a_format_prints_on_the_24_hour_clock():
    rendered = (
        engines["django"]
        .from_string("{{ moment }}|{{ moment|time }}|{{ moment|date }}")
        .render({"moment": timezone.make_aware(dt.datetime(2026, 12, 4, 15, 50))})
    )
    assert rendered == "4 Dec 2026, 15:50|15:50|4 Dec 2026"


@pytest.mark.django_db
def test_notifications_page_shows_no_am_pm(client, employee):
    older = Notification.objects.create(recipient=employee, kind="x", title="Old news")
    Notification.objects.filter(pk=older.pk).update(created_at=timezone.make_aware(dt.datetime(2025, 3, 4, 15, 50)))
    Notification.objects.create(recipient=employee, kind="x", title="Fresh news")
    client.force_login(employee)

    html = client.get("/notifications/").content.decode()

    assert "p.m." not in html and "a.m." not in html
    assert 'title="4 Mar 2025, 15:50">4 Mar 2025, 15:50</time>' in html
    assert ">just now</time>" in html
