"""The notification kinds feedback sessions use fall in the preference categories people choose from."""

from saypro.core.models import NotificationKind


def test_feedback_notification_kinds_have_the_expected_categories():
    assert {
        kind: NotificationKind.of(kind)
        for kind in (
            "session_scheduled",
            "session_changed",
            "session_cancelled",
            "session_summary",
            "session_day_reminder",
            "session_hour_reminder",
        )
    } == {
        "session_scheduled": NotificationKind.ACTIVITY,
        "session_changed": NotificationKind.ACTIVITY,
        "session_cancelled": NotificationKind.ACTIVITY,
        "session_summary": NotificationKind.ACTIVITY,
        "session_day_reminder": NotificationKind.REMINDERS,
        "session_hour_reminder": NotificationKind.REMINDERS,
    }
