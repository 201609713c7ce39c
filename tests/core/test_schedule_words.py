"""Job schedules in plain words: every schedule the project ships reads as a sentence."""

import pytest
from django.conf import settings
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from saypro.core.schedule_words import crontab_in_words, periodic_task_schedule_in_words


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"minute": "0", "hour": "7", "day_of_month": "1"}, "Every month on the 1st at 07:00"),
        ({"minute": "0", "hour": "1"}, "Every day at 01:00"),
        ({"minute": "*/5"}, "Every 5 minutes"),
        ({"minute": "5-59/10"}, "Every 10 minutes from :05"),
        ({"minute": "5-20/10"}, "Minute 5-20/10, hour *, day of month *, month *, day of week * (cron)"),
        ({"minute": "5"}, "Every hour at :05"),
        ({"minute": "5,20,35,50"}, "Every hour at :05, :20, :35 and :50"),
        ({"minute": "0", "hour": "6", "day_of_week": "mon"}, "Every Monday at 06:00"),
        ({"minute": "0", "hour": "6", "day_of_week": "1"}, "Every Monday at 06:00"),
        ({"minute": "30", "hour": "8", "day_of_week": "1-5"}, "Every weekday at 08:30"),
        ({"minute": "0", "hour": "9", "day_of_week": "sun,thu"}, "Every Thursday and Sunday at 09:00"),
        ({"minute": "0", "hour": "6,18"}, "Every day at 06:00 and 18:00"),
        (
            {"minute": "0", "hour": "2", "day_of_month": "1", "month_of_year": "1"},
            "Every month on the 1st in January at 02:00",
        ),
        ({"minute": "15", "hour": "*/2"}, "Every 2 hours at :15"),
        ({"minute": "0", "hour": "7", "day_of_month": "22"}, "Every month on the 22nd at 07:00"),
        ({"minute": "0", "hour": "7", "day_of_month": "11"}, "Every month on the 11th at 07:00"),
        ({"minute": "*"}, "Every minute"),
        (
            {"minute": "0", "hour": "7", "day_of_month": "1", "day_of_week": "mon"},
            "Minute 0, hour 7, day of month 1, month *, day of week mon (cron)",
        ),
        (
            {"minute": "0", "hour": "7", "day_of_week": "funday"},
            "Minute 0, hour 7, day of month *, month *, day of week funday (cron)",
        ),
    ],
)
def test_crontab_in_words(fields, words):
    assert crontab_in_words(**fields) == words


def test_every_shipped_schedule_reads_as_a_sentence_without_cron_fields():
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        s = entry["schedule"]
        words = crontab_in_words(
            minute=s._orig_minute,
            hour=s._orig_hour,
            day_of_month=s._orig_day_of_month,
            month_of_year=s._orig_month_of_year,
            day_of_week=s._orig_day_of_week,
        )
        assert words.startswith("Every ") and "(cron)" not in words and "*" not in words, (name, words)


@pytest.mark.django_db
def test_periodic_task_schedules_in_words():
    monthly, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="7", day_of_month="1")
    every, _ = IntervalSchedule.objects.get_or_create(every=30, period=IntervalSchedule.MINUTES)
    hourly, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    tasks = [
        PeriodicTask.objects.create(name="a", task="x", crontab=monthly),
        PeriodicTask.objects.create(name="b", task="x", interval=every),
        PeriodicTask.objects.create(name="c", task="x", interval=hourly),
    ]
    assert [periodic_task_schedule_in_words(t) for t in tasks] == [
        "Every month on the 1st at 07:00",
        "Every 30 minutes",
        "Every hour",
    ]
