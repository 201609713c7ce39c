"""Beat drops scheduled runs while the broker is down: reminders must still go out, once.

Issue 18, item 5. Every reminder service sends what is due and not yet sent (the
notification key says what was sent), so the only question is whether another run comes
while a reminder is still due. The hour-before reminder is due for about an hour; the
beat schedule must bring at least two runs inside that window, so that a dropped tick is
caught by the next one. The simulation drives the real schedule and the real service.
"""

import datetime as dt
from collections import Counter

import pytest
from django.conf import settings
from django.utils import timezone

from cafes import services as cafe_services
from cafes.models import Rsvp
from feedback import services as feedback_services
from saypro.core.models import OutboundEmail
from tests.factories import UserFactory
from tests.factories.cafes import CafeFactory, RsvpFactory

HOUR_WINDOWS = {
    "cafes-send-reminders": cafe_services.REMINDER_HOUR_WINDOW,
    "feedback-sessions-remind": feedback_services.HOUR_REMINDER_WINDOW,
    "circles-reminders-send": dt.timedelta(hours=1),
}


def _ticks(schedule, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The minutes in [start, end) at which beat runs `schedule` (a crontab in the organisation's time)."""
    moment = timezone.localtime(start).replace(second=0, microsecond=0)
    ticks = []
    while moment < end:
        if moment.minute in schedule.minute and moment.hour in schedule.hour:
            ticks.append(moment)
        moment += dt.timedelta(minutes=1)
    return ticks


@pytest.mark.parametrize("entry", sorted(HOUR_WINDOWS))
def test_every_hour_reminder_window_holds_two_runs_so_a_dropped_one_is_caught(entry):
    schedule = settings.CELERY_BEAT_SCHEDULE[entry]["schedule"]
    window = HOUR_WINDOWS[entry]
    base = timezone.localtime().replace(minute=0, second=0, microsecond=0)

    fewest = min(len(_ticks(schedule, base + dt.timedelta(minutes=m), base + dt.timedelta(minutes=m) + window))
                 for m in range(60))  # fmt: skip

    assert fewest >= 2, f"{entry}: an hour-before reminder is due during only {fewest} run(s)"


@pytest.mark.django_db
def test_cafe_reminders_with_ticks_dropped_reach_everyone_once_each():
    starts = timezone.localtime().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    cafe = CafeFactory(starts_at=starts)
    people = UserFactory.create_batch(3)
    for person in people:
        RsvpFactory(cafe=cafe, person=person, status=Rsvp.Status.GOING)
    schedule = settings.CELERY_BEAT_SCHEDULE["cafes-send-reminders"]["schedule"]
    ticks = _ticks(schedule, starts - dt.timedelta(hours=26), starts)
    # The broker is down for the first run of each reminder's window: beat drops those ticks.
    first_day = next(t for t in ticks if starts - t <= cafe_services.REMINDER_DAY_WINDOW)
    first_hour = next(t for t in ticks if starts - t <= cafe_services.REMINDER_HOUR_WINDOW)

    for tick in ticks:
        if tick not in (first_day, first_hour):
            cafe_services.cafe_send_reminders(now=tick)

    sent = Counter(OutboundEmail.objects.filter(kind="cafe_reminder").values_list("recipient_id", "key"))
    assert sent == Counter({(p.pk, f"cafe:{cafe.pk}:reminder-{which}"): 1 for p in people for which in ("day", "hour")})
