"""The template filters that keep pages valid HTML."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template

from saypro.core.templatetags.saypro_html import html_datetime


def test_html_datetime_drops_microseconds_and_keeps_the_local_offset(settings):
    settings.TIME_ZONE = "Africa/Johannesburg"
    moment = dt.datetime(2026, 12, 4, 16, 2, 48, 409631, tzinfo=dt.UTC)

    assert html_datetime(moment) == "2026-12-04T18:02:48+02:00"


def test_html_datetime_of_a_naive_datetime_and_a_date():
    assert html_datetime(dt.datetime(2026, 3, 1, 9, 30, 5, 123)) == "2026-03-01T09:30:05"
    assert html_datetime(dt.date(2026, 3, 1)) == "2026-03-01"


@pytest.mark.parametrize("value", [None, "", "not a date"])
def test_html_datetime_of_nothing_is_empty(value):
    assert html_datetime(value) == ""


def test_html_datetime_is_there_in_every_template_without_load(settings):
    settings.TIME_ZONE = "UTC"
    moment = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=ZoneInfo("UTC"))

    rendered = Template('<time datetime="{{ t|html_datetime }}">x</time>').render(Context({"t": moment}))

    assert rendered == '<time datetime="2026-01-02T03:04:05+00:00">x</time>'
