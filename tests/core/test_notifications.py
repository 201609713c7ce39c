"""Notification preferences: e-mail now, daily digest or in-app only, per category."""

import datetime as dt
import re

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from saypro.core import selectors, services
from saypro.core.models import (
    JobHeartbeat,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboundEmail,
)
from saypro.core.tasks import notification_digest_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

EMAIL, DIGEST, IN_APP = (
    NotificationPreference.Delivery.EMAIL,
    NotificationPreference.Delivery.DIGEST,
    NotificationPreference.Delivery.IN_APP,
)
DAY = dt.date(2026, 6, 3)
# A fine-grained kind the apps notify with, for every category.
SAMPLE_KIND = {
    NotificationKind.REMINDERS: "session_reminder",
    NotificationKind.REFLECTION_PROMPTS: "reflection_prompt",
    NotificationKind.MENTOR_FEEDBACK: "reflection_validated",
    NotificationKind.BOARD: "board_comment",
    NotificationKind.TALK_FEEDBACK: "talk_feedback",
    NotificationKind.ACTIVITY: "circle_assigned",
    NotificationKind.NEWSLETTER: "newsletter_issue",
    NotificationKind.REPORTS: "snapshot_built",
}


def _at(hour: int, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _notify(person, kind="session_reminder", key="session:1:reminder-day", title="Session tomorrow", **extra):
    return services.notify(
        recipient=person,
        kind=kind,
        key=key,
        title=title,
        body="Bring one insight.",
        url="/feedback/1/",
        email_template="email/notification",
        **extra,
    )


def _prefer(person, category, delivery):
    NotificationPreference.objects.create(person=person, kind=category, delivery=delivery)


# --- the catalogue ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "category"),
    [
        ("reminders", NotificationKind.REMINDERS),
        ("session_reminder", NotificationKind.REMINDERS),
        ("circle_reminder", NotificationKind.REMINDERS),
        ("cafe_reminder", NotificationKind.REMINDERS),
        ("reflection_prompt", NotificationKind.REFLECTION_PROMPTS),
        ("reflection_changes_requested", NotificationKind.MENTOR_FEEDBACK),
        ("mentor_feedback", NotificationKind.MENTOR_FEEDBACK),
        ("board_try", NotificationKind.BOARD),
        ("talk_feedback", NotificationKind.TALK_FEEDBACK),
        ("cafe_rsvp_promoted", NotificationKind.ACTIVITY),
        ("newsletter", NotificationKind.NEWSLETTER),
        ("snapshot_built", NotificationKind.REPORTS),
        ("session_day_reminder", NotificationKind.REMINDERS),
        ("reflection_review", NotificationKind.MENTOR_FEEDBACK),
        ("reflection_adoption", NotificationKind.BOARD),
        ("talk_feedback_received", NotificationKind.TALK_FEEDBACK),
        ("cafe_proposal", NotificationKind.ACTIVITY),
        ("impact_report", NotificationKind.REPORTS),
        ("moderation", None),
        ("contribution_hidden", None),
        ("something_new", None),
        ("", None),
    ],
)
def test_notification_kind_of_maps_fine_grained_kinds_to_categories(kind, category):
    assert NotificationKind.of(kind) == category


def test_notification_delivery_defaults_to_email_now():
    person = UserFactory()

    assert selectors.notification_preferences_of(person=person) == dict.fromkeys(NotificationKind.values, EMAIL)
    assert selectors.notification_delivery_for(person=person, kind="session_reminder") == EMAIL


# --- notify honours the preference --------------------------------------------------------------


@pytest.mark.parametrize("delivery", [EMAIL, DIGEST, IN_APP])
@pytest.mark.parametrize("category", list(NotificationKind), ids=NotificationKind.values)
def test_notify_follows_the_preference_of_the_category(category, delivery):
    person = UserFactory()
    _prefer(person, category, delivery)

    assert _notify(person, kind=SAMPLE_KIND[category], key="k") is True

    note = Notification.objects.get(recipient=person)
    assert (note.kind, note.key, note.digest_pending) == (SAMPLE_KIND[category], "k", delivery == DIGEST)
    emails = list(OutboundEmail.objects.filter(recipient=person).values_list("kind", "key"))
    assert emails == ([(SAMPLE_KIND[category], "k")] if delivery == EMAIL else [])


@pytest.mark.parametrize("delivery", [DIGEST, IN_APP])
def test_notify_is_at_most_once_whatever_the_delivery(delivery):
    person = UserFactory()
    _prefer(person, NotificationKind.REMINDERS, delivery)

    assert [_notify(person), _notify(person)] == [True, False]
    assert Notification.objects.filter(recipient=person).count() == 1


def test_notify_unknown_kind_is_emailed_now_whatever_the_preferences():
    person = UserFactory()
    for category in NotificationKind:
        _prefer(person, category, IN_APP)

    _notify(person, kind="account_notice", key="a")

    assert list(OutboundEmail.objects.values_list("kind", flat=True)) == ["account_notice"]


def test_notify_preference_of_another_person_does_not_apply():
    person, other = UserFactory(), UserFactory()
    _prefer(other, NotificationKind.REMINDERS, IN_APP)

    _notify(person)

    assert OutboundEmail.objects.filter(recipient=person).count() == 1


def test_notify_without_template_never_emails_nor_waits_for_the_digest():
    person = UserFactory()
    _prefer(person, NotificationKind.BOARD, DIGEST)

    services.notify(recipient=person, kind="board_comment", key="c:1", title="A comment")

    assert OutboundEmail.objects.count() == 0
    assert Notification.objects.get().digest_pending is False


def test_notify_when_the_email_already_exists_adds_no_second_notification():
    person = UserFactory()
    services.email_queue(recipient=person, kind="session_reminder", key="k", subject="s", template="email/notification")

    assert _notify(person, key="k") is False
    assert Notification.objects.count() == 0


# --- saving preferences -------------------------------------------------------------------------


def test_notification_preferences_save_stores_only_changes():
    person = UserFactory()

    changed = services.notification_preferences_save(
        person=person, deliveries={"reminders": DIGEST, "newsletter": IN_APP, "board": EMAIL}
    )

    assert changed == 2
    assert set(NotificationPreference.objects.filter(person=person).values_list("kind", "delivery")) == {
        ("reminders", DIGEST),
        ("newsletter", IN_APP),
    }
    assert services.notification_preferences_save(person=person, deliveries={"reminders": DIGEST}) == 0
    assert services.notification_preferences_save(person=person, deliveries={"reminders": EMAIL}) == 1
    assert selectors.notification_delivery_for(person=person, kind="session_reminder") == EMAIL


@pytest.mark.parametrize("deliveries", [{"reminders": "sms"}, {"nonsense": EMAIL}, {"reminders": DIGEST, "x": "y"}])
def test_notification_preferences_save_refuses_unknown_values_and_saves_nothing(deliveries):
    person = UserFactory()

    with pytest.raises(ValueError, match="Unknown notification categories or deliveries"):
        services.notification_preferences_save(person=person, deliveries=deliveries)

    assert NotificationPreference.objects.count() == 0


def test_switching_to_in_app_only_drops_what_waited_for_the_digest():
    person = UserFactory()
    _prefer(person, NotificationKind.REMINDERS, DIGEST)
    _prefer(person, NotificationKind.ACTIVITY, DIGEST)
    _notify(person, key="r")
    _notify(person, kind="circle_assigned", key="c")

    services.notification_preferences_save(person=person, deliveries={"reminders": IN_APP})

    assert dict(Notification.objects.values_list("key", "digest_pending")) == {"r": False, "c": True}


# --- the daily digest ---------------------------------------------------------------------------


@pytest.fixture
def digest_person():
    person = UserFactory(email="zoe@example.org")
    _prefer(person, NotificationKind.REMINDERS, DIGEST)
    return person


def _waiting(person, key, title, at):
    _notify(person, key=key, title=title)
    Notification.objects.filter(recipient=person, key=key).update(created_at=at)


def test_digest_sends_one_email_with_the_days_notifications(digest_person):
    _waiting(digest_person, "a", "Session tomorrow at 10:00", _at(9))
    _waiting(digest_person, "b", "Circle on Thursday", _at(11))
    _notify(digest_person, kind="circle_assigned", key="now", title="Sent at once")

    queued = services.notification_digest_send(day=DAY, now=_at(17))

    assert queued == 1
    digest = OutboundEmail.objects.get(kind="digest")
    assert (digest.recipient_id, digest.key) == (digest_person.pk, "digest:2026-06-03")
    assert digest.subject == f"[{settings.ORGANISATION_NAME}] Your daily digest: 2 updates"
    body = digest.body_text
    assert "Here is what happened for you on Wednesday 3 June 2026:" in body
    assert body.index("Session tomorrow at 10:00") < body.index("Circle on Thursday")
    assert "Sent at once" not in body
    assert f"{settings.SITE_URL}/feedback/1/" in body
    assert "Session tomorrow at 10:00" in digest.body_html
    assert not Notification.objects.filter(digest_pending=True).exists()


def test_digest_twice_the_same_day_sends_nothing_more(digest_person):
    _waiting(digest_person, "a", "First", _at(9))
    services.notification_digest_send(day=DAY, now=_at(17))
    _waiting(digest_person, "b", "Late", _at(18))

    again = services.notification_digest_send(day=DAY, now=_at(19))

    assert again == 0
    assert OutboundEmail.objects.filter(kind="digest").count() == 1
    assert Notification.objects.get(key="b").digest_pending is True  # waits for tomorrow's digest


def test_digest_next_day_carries_what_arrived_after_the_last_one(digest_person):
    _waiting(digest_person, "a", "First", _at(9))
    services.notification_digest_send(day=DAY, now=_at(17))
    _waiting(digest_person, "b", "Late", _at(18))
    next_day = DAY + dt.timedelta(days=1)

    services.notification_digest_send(day=next_day, now=_at(17, next_day))

    emails = list(OutboundEmail.objects.filter(kind="digest").order_by("key").values_list("key", flat=True))
    assert emails == ["digest:2026-06-03", "digest:2026-06-04"]
    late = OutboundEmail.objects.get(key="digest:2026-06-04").body_text
    assert ("Late" in late, "First" in late) == (True, False)


def test_digest_for_a_past_day_leaves_later_notifications_waiting(digest_person):
    _waiting(digest_person, "a", "That day", _at(9))
    _waiting(digest_person, "b", "The next day", _at(9, DAY + dt.timedelta(days=1)))

    services.notification_digest_send(day=DAY, now=_at(12, DAY + dt.timedelta(days=2)))

    body = OutboundEmail.objects.get(kind="digest").body_text
    assert ("That day" in body, "The next day" in body) == (True, False)
    assert Notification.objects.get(key="b").digest_pending is True


def test_digest_one_email_per_person_with_only_their_notifications(digest_person):
    other = UserFactory()
    _prefer(other, NotificationKind.REMINDERS, DIGEST)
    _waiting(digest_person, "a", "For Zoe", _at(9))
    _waiting(other, "a", "For the other", _at(9))

    assert services.notification_digest_send(day=DAY, now=_at(17)) == 2

    bodies = dict(OutboundEmail.objects.filter(kind="digest").values_list("recipient_id", "body_text"))
    assert ("For Zoe" in bodies[digest_person.pk], "For the other" in bodies[digest_person.pk]) == (True, False)
    assert ("For the other" in bodies[other.pk], "For Zoe" in bodies[other.pk]) == (True, False)


def test_digest_nothing_waiting_sends_nothing(digest_person):
    _notify(digest_person, kind="circle_assigned", key="now")

    assert services.notification_digest_send(day=DAY, now=_at(17)) == 0
    assert not OutboundEmail.objects.filter(kind="digest").exists()


def test_digest_skips_inactive_people(digest_person):
    _waiting(digest_person, "a", "First", _at(9))
    digest_person.is_active = False
    digest_person.save(update_fields=["is_active"])

    assert services.notification_digest_send(day=DAY, now=_at(17)) == 0


def test_digest_task_runs_for_today_and_is_recorded(digest_person, mailoutbox):
    _notify(digest_person, key="a", title="Waiting")

    first, second = notification_digest_task(), notification_digest_task()

    assert (first, second) == (1, 0)
    digest = OutboundEmail.objects.get(kind="digest")
    assert digest.key == f"digest:{timezone.localdate().isoformat()}"
    assert JobHeartbeat.objects.get(name="core.notification_digest_task").last_ok is True
    assert services.email_send(email_id=digest.pk) is True
    assert [m.to for m in mailoutbox] == [["zoe@example.org"]]


def test_digest_beat_entry_runs_every_day_at_17():
    entry = settings.CELERY_BEAT_SCHEDULE["core-notification-digest"]

    assert entry["task"] == "core.notification_digest_task"
    assert entry["schedule"] == crontab(minute=0, hour=17)
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE


# --- the preferences page -----------------------------------------------------------------------

URL = "/notifications/preferences/"


def _html(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_preferences_page_needs_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_preferences_page_lists_every_category_with_the_current_choice(client_for, employee):
    _prefer(employee, NotificationKind.NEWSLETTER, IN_APP)

    response = client_for(employee).get(URL)

    html = _html(response)
    assert response.status_code == 200
    assert "<title>Notification preferences · SayPro Share Learnings</title>" in html
    for category in NotificationKind:
        shown = category != NotificationKind.REPORTS  # monthly reports go to managers and officers only
        assert (category.label.replace("'", "&#x27;") in html) is shown
        for delivery in (EMAIL, DIGEST, IN_APP):
            assert (f'name="{category.value}" value="{delivery}"' in html) is shown
    assert re.search(r'name="newsletter" value="in_app"[^>]*checked', html)
    assert re.search(r'name="reminders" value="email"[^>]*checked', html)


@pytest.mark.parametrize("person_fixture", ["manager", "officer"])
def test_preferences_page_offers_monthly_reports_to_managers_and_officers(request, client_for, person_fixture):
    person = request.getfixturevalue(person_fixture)

    html = _html(client_for(person).get(URL))

    assert NotificationKind.REPORTS.label in html
    assert 'name="reports" value="digest"' in html


def test_preferences_page_saves_the_choices(client_for, manager):
    client = client_for(manager)
    data = dict.fromkeys(NotificationKind.values, EMAIL) | {
        "reminders": DIGEST,
        "newsletter": IN_APP,
        "reports": DIGEST,
    }

    response = client.post(URL, data)

    assert response.status_code == 302
    assert response["Location"] == URL
    assert selectors.notification_preferences_of(person=manager) == data
    assert "Your notification preferences are saved." in client.get(URL).content.decode()


def test_preferences_page_ignores_reports_for_people_who_do_not_get_them(client_for, employee):
    client_for(employee).post(URL, {"reports": IN_APP, "reminders": DIGEST})

    assert set(NotificationPreference.objects.values_list("kind", "delivery")) == {("reminders", DIGEST)}


def test_preferences_page_category_left_out_keeps_its_setting(client_for, employee):
    _prefer(employee, NotificationKind.NEWSLETTER, IN_APP)

    client_for(employee).post(URL, {"reminders": DIGEST})

    assert set(NotificationPreference.objects.values_list("kind", "delivery")) == {
        ("newsletter", IN_APP),
        ("reminders", DIGEST),
    }


def test_preferences_page_bad_value_is_refused_next_to_the_field_and_keeps_the_rest(client_for, employee):
    response = client_for(employee).post(URL, {"reminders": "carrier-pigeon", "newsletter": DIGEST})

    assert response.status_code == 200
    html = _html(response)
    assert (
        '<div id="id_reminders_error" class="invalid-feedback"> <p id="error_1_id_reminders"><strong>'
        "Select a valid choice. carrier-pigeon is not one of the available choices.</strong></p> </div>"
    ) in html
    assert re.search(r'name="newsletter" value="digest"[^>]*checked', html)
    assert NotificationPreference.objects.count() == 0


def test_preferences_page_changes_only_the_signed_in_persons_settings(client_for, employee, other_employee):
    client_for(employee).post(URL, {"reminders": IN_APP})

    assert selectors.notification_delivery_for(person=other_employee, kind="session_reminder") == EMAIL
