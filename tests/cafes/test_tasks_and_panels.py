import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from cafes import panels, tasks
from cafes.models import Cafe, Rsvp
from saypro.core.models import JobHeartbeat
from tests.factories.cafes import CafeFactory, RsvpFactory

pytestmark = pytest.mark.django_db


def test_draft_task_is_idempotent_and_recorded(officer):
    first = tasks.cafe_draft_next_month_task()
    second = tasks.cafe_draft_next_month_task()
    assert (Cafe.objects.filter(pk=first).count(), second) == (1, None)
    assert JobHeartbeat.objects.get(name="cafes.cafe_draft_next_month_task").last_ok is True


def test_reminders_task_sends_once():
    cafe = CafeFactory(starts_at=timezone.now() + dt.timedelta(hours=5))
    RsvpFactory(cafe=cafe)
    assert (tasks.cafe_send_reminders_task(), tasks.cafe_send_reminders_task()) == (1, 0)


def test_beat_schedule_names_the_cafes_tasks():
    schedule = settings.CELERY_BEAT_SCHEDULE
    draft, remind = schedule["cafes-draft-next-month"], schedule["cafes-send-reminders"]
    assert draft["task"] == "cafes.cafe_draft_next_month_task"
    assert (draft["schedule"].day_of_month, draft["schedule"].hour, draft["schedule"].minute) == ({1}, {7}, {0})
    assert remind["task"] == "cafes.cafe_send_reminders_task"
    assert remind["schedule"].minute == {0, 10, 20, 30, 40, 50}


def test_home_panel_none_without_a_coming_cafe(employee):
    assert panels.home_panel(person=employee) is None


def test_home_panel_shows_next_cafe_and_my_rsvp(employee, django_assert_num_queries):
    cafe = CafeFactory()
    RsvpFactory(cafe=cafe, person=employee, status=Rsvp.Status.WAITLIST)
    # The coming cafés and the café's answers, then from the cache (issue 12: was one query each time).
    with django_assert_num_queries(2):
        panel = panels.home_panel(person=employee)
    with django_assert_num_queries(0):
        assert panels.home_panel(person=employee) == panel
    assert (panel["cafe"], panel["rsvp_status"], panel["template"]) == (
        cafe,
        Rsvp.Status.WAITLIST,
        "cafes/partials/home_panel.html",
    )


def test_home_panel_follows_an_answer_a_new_cafe_and_a_cancelled_one(employee, other_employee, officer):
    from cafes import services

    later = CafeFactory(starts_at=timezone.now() + dt.timedelta(days=20))
    assert panels.home_panel(person=employee)["cafe"] == later

    services.rsvp_going(cafe=later, person=employee)
    services.rsvp_going(cafe=later, person=other_employee)
    assert panels.home_panel(person=employee)["rsvp_status"] == Rsvp.Status.GOING
    services.rsvp_cancel(cafe=later, person=employee)
    assert panels.home_panel(person=employee)["rsvp_status"] == Rsvp.Status.CANCELLED

    sooner = CafeFactory(starts_at=timezone.now() + dt.timedelta(days=5))
    assert (panels.home_panel(person=employee)["cafe"], panels.home_panel(person=employee)["rsvp_status"]) == (
        sooner,
        None,
    )

    services.cafe_cancel(cafe=sooner, by=officer, reason="The speakers are away.")
    assert panels.home_panel(person=employee)["cafe"] == later


def test_home_panel_skips_kept_cafes_that_have_started(employee):
    from cafes import selectors

    now = timezone.now()
    soon = [CafeFactory(starts_at=now + dt.timedelta(hours=i + 1)) for i in range(selectors.COMING_KEPT)]
    beyond = CafeFactory(starts_at=now + dt.timedelta(days=9))
    assert selectors.cafe_next_for_cached(person=employee, now=now)[0] == soon[0]

    # Later the same day (the list kept): the next not yet started, then the one beyond the list.
    assert selectors.cafe_next_for_cached(person=employee, now=now + dt.timedelta(minutes=90))[0] == soon[1]
    assert selectors.cafe_next_for_cached(person=employee, now=now + dt.timedelta(hours=6))[0] == beyond


def test_home_panel_kept_per_person_moves_on_when_the_cafe_starts(employee, other_employee, monkeypatch):
    now = timezone.now()
    first = CafeFactory(starts_at=now + dt.timedelta(hours=1))
    second = CafeFactory(starts_at=now + dt.timedelta(days=3))
    assert panels.home_panel(person=employee)["cafe"] == first
    RsvpFactory(cafe=first, person=other_employee)  # someone else's answer
    assert panels.home_panel(person=employee)["rsvp_status"] is None

    monkeypatch.setattr(timezone, "now", lambda: first.starts_at + dt.timedelta(seconds=1))

    assert panels.home_panel(person=employee)["cafe"] == second
