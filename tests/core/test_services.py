"""Writes of the shared core: placements, training, audit trail, notifications and e-mail."""

import datetime as dt
from unittest import mock

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from saypro.core import services
from saypro.core.fragments import is_version_bump
from saypro.core.models import (
    AuditEntry,
    Enrolment,
    Module,
    Notification,
    OutboundEmail,
    Placement,
    User,
)
from saypro.core.tasks import email_send_batch_task
from tests.factories import (
    DepartmentFactory,
    EnrolmentFactory,
    JobRoleFactory,
    LocationFactory,
    ModuleFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MOVE_AT = dt.datetime(2026, 3, 15, 9, 30, tzinfo=dt.UTC)


def _notify(person, *, key="session:1:reminder-day", kind="activity_news", template="email/notification"):
    return services.notify(
        recipient=person, kind=kind, key=key, title="Feedback session tomorrow", url="/x/", email_template=template
    )


# --- placements ---------------------------------------------------------------------------------


def test_person_place_closes_old_placement_at_move_time_and_opens_new():
    person = UserFactory()
    old_department = person.department
    department, location, job_role = DepartmentFactory(), LocationFactory(), JobRoleFactory()

    changed = services.person_place(
        person=person, department=department, location=location, job_role=job_role, at=MOVE_AT
    )

    assert changed is True
    rows = list(Placement.objects.filter(person=person).order_by("valid_from"))
    assert [(p.department_id, p.valid_to) for p in rows] == [(old_department.pk, MOVE_AT), (department.pk, None)]
    assert (rows[1].location_id, rows[1].job_role_id, rows[1].valid_from) == (location.pk, job_role.pk, MOVE_AT)
    person.refresh_from_db()
    assert (person.department_id, person.location_id, person.job_role_id) == (department.pk, location.pk, job_role.pk)


def test_person_place_unchanged_is_a_no_op():
    person = UserFactory()
    before = list(Placement.objects.filter(person=person).values_list("pk", "valid_from", "valid_to"))

    changed = services.person_place(
        person=person, department=person.department, location=person.location, job_role=person.job_role, at=MOVE_AT
    )

    assert changed is False
    assert list(Placement.objects.filter(person=person).values_list("pk", "valid_from", "valid_to")) == before


def test_person_place_opens_a_placement_for_someone_without_one():
    person = User.objects.create_user(email="new@example.org")

    changed = services.person_place(person=person, department=None, location=None, job_role=None, at=MOVE_AT)

    assert changed is True
    assert list(Placement.objects.filter(person=person).values_list("department_id", "valid_from", "valid_to")) == [
        (None, MOVE_AT, None)
    ]


# --- training -----------------------------------------------------------------------------------


def test_module_mark_ended_marks_only_modules_whose_end_date_passed():
    today = dt.date(2026, 5, 20)
    ended = ModuleFactory(starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 5, 19))
    ends_today = ModuleFactory(starts_on=dt.date(2026, 5, 1), ends_on=today)

    ids = services.module_mark_ended(today=today)

    assert ids == [ended.pk]
    assert Module.objects.get(pk=ended.pk).ended_at is not None
    assert Module.objects.get(pk=ends_today.pk).ended_at is None


def test_module_mark_ended_is_idempotent_and_keeps_first_time():
    today = dt.date(2026, 5, 20)
    module = ModuleFactory(starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 5, 19))
    services.module_mark_ended(today=today)
    first = Module.objects.get(pk=module.pk).ended_at

    again = services.module_mark_ended(today=today + dt.timedelta(days=3))

    assert again == []
    assert Module.objects.get(pk=module.pk).ended_at == first


def test_enrolment_withdraw_records_the_time_once():
    enrolment = EnrolmentFactory()

    services.enrolment_withdraw(enrolment=enrolment, at=MOVE_AT)
    services.enrolment_withdraw(enrolment=enrolment, at=MOVE_AT + dt.timedelta(days=1))

    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.withdrawn_at) == (Enrolment.Status.WITHDRAWN, MOVE_AT)


def test_enrolment_create_many_adds_only_the_missing_people():
    module = ModuleFactory()
    done = EnrolmentFactory(module=module, status=Enrolment.Status.COMPLETED)
    newcomers = [UserFactory(), UserFactory()]

    added = services.enrolment_create_many(module=module, people=[done.person, *newcomers])

    assert added == 2
    assert sorted(module.enrolments.values_list("person_id", "status")) == sorted(
        [(done.person_id, "completed"), (newcomers[0].pk, "enrolled"), (newcomers[1].pk, "enrolled")]
    )


# --- audit trail --------------------------------------------------------------------------------


def test_audit_record_with_target():
    officer, module = UserFactory(), ModuleFactory(title="Delegation")

    entry = services.audit_record(actor=officer, action="module.rename", target=module, reason="typo", data={"a": 1})

    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor_id, entry.action, entry.target_id, entry.target_repr, entry.reason, entry.data) == (
        officer.pk,
        "module.rename",
        str(module.pk),
        str(module),
        "typo",
        {"a": 1},
    )
    assert entry.target == module


def test_audit_record_without_target_or_actor():
    entry = services.audit_record(actor=None, action="snapshot.rebuild")

    assert (entry.actor_id, entry.target_type_id, entry.target_id, entry.target_repr) == (None, None, "", "")


# --- notify and e-mail: at most once ------------------------------------------------------------


def test_notify_at_most_once_per_recipient_kind_and_key():
    person, other = UserFactory(), UserFactory()

    results = [
        _notify(person),
        _notify(person),
        _notify(person, key="session:2:reminder-day"),
        _notify(person, kind="other_kind"),
        _notify(other),
    ]

    assert results == [True, False, True, True, True]
    assert Notification.objects.count() == 4
    assert OutboundEmail.objects.count() == 4
    once = OutboundEmail.objects.filter(recipient=person, kind="activity_news", key="session:1:reminder-day")
    assert once.count() == 1


def test_notify_in_app_only_is_at_most_once_too():
    person = UserFactory()

    first = services.notify(recipient=person, kind="board_comment", key="reflection:1:comment:5", title="A comment")
    second = services.notify(recipient=person, kind="board_comment", key="reflection:1:comment:5", title="A comment")

    assert (first, second) == (True, False)
    assert Notification.objects.filter(recipient=person).count() == 1
    assert OutboundEmail.objects.count() == 0


def test_notify_without_key_is_refused():
    with pytest.raises(ValueError, match="needs a key"):
        services.notify(recipient=UserFactory(), kind="x", key="", title="t")
    assert Notification.objects.count() == 0


def test_email_queue_at_most_once_per_recipient_kind_and_key():
    person = UserFactory()
    kwargs = {"recipient": person, "kind": "k", "key": "a", "subject": "S", "template": "email/notification"}

    first = services.email_queue(**kwargs, context={"title": "Hello"})
    second = services.email_queue(**kwargs, context={"title": "Hello again"})

    assert first is not None
    assert second is None
    assert OutboundEmail.objects.get().subject == "[SayPro] S"


# --- sending ------------------------------------------------------------------------------------


def test_email_send_claims_once(mailoutbox):
    person = UserFactory(email="zoe@example.org")
    _notify(person)
    email = OutboundEmail.objects.get()

    results = [services.email_send(email_id=email.pk), services.email_send(email_id=email.pk)]

    assert results == [True, False]
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["zoe@example.org"]
    assert mailoutbox[0].subject == "[SayPro] Feedback session tomorrow"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)
    assert email.sent_at is not None


def test_email_send_failure_is_recorded_and_retried_by_the_sweeper(mailoutbox):
    person = UserFactory()
    _notify(person)
    email = OutboundEmail.objects.get()

    with mock.patch.object(EmailMultiAlternatives, "send", side_effect=OSError("SMTP down")):
        assert services.email_send(email_id=email.pk) is False
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (OutboundEmail.Status.FAILED, 1, "SMTP down")
    assert mailoutbox == []

    sent = services.email_sweep(older_than_seconds=0)

    assert sent == 1
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 2)


def test_email_sent_again_after_a_crash_before_the_mark_carries_the_same_message_id(mailoutbox):
    """At least once, documented: the copy the sweeper sends after a crash between the relay's
    acceptance and the 'sent' mark is the same message to mail systems (one Message-ID)."""
    _notify(UserFactory())
    email = OutboundEmail.objects.get()
    assert services.email_send(email_id=email.pk) is True
    # The crash: the relay took the message, the worker died before marking the row sent.
    long_ago = timezone.now() - dt.timedelta(minutes=16)
    OutboundEmail.objects.filter(pk=email.pk).update(status=OutboundEmail.Status.SENDING, claimed_at=long_ago)

    assert services.email_sweep(older_than_seconds=0) == 1

    first, second = mailoutbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.message()["Message-ID"] == second.message()["Message-ID"]
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_email_sweep_gives_up_after_max_attempts(mailoutbox):
    person = UserFactory()
    _notify(person)
    OutboundEmail.objects.update(status=OutboundEmail.Status.FAILED, attempts=5)

    assert services.email_sweep(older_than_seconds=0, max_attempts=5) == 0
    assert mailoutbox == []


def test_email_sweep_leaves_fresh_pending_mail_to_the_queued_task(mailoutbox):
    _notify(UserFactory())

    assert services.email_sweep(older_than_seconds=60) == 0
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.PENDING


def test_broker_outage_keeps_the_email_pending_for_the_sweeper(django_capture_on_commit_callbacks, mailoutbox):
    person = UserFactory()

    with (
        mock.patch.object(email_send_batch_task, "apply_async", side_effect=ConnectionError("broker down")) as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = _notify(person)

    assert result is True
    assert queued.call_count == 1
    email = OutboundEmail.objects.get()
    assert email.status == OutboundEmail.Status.PENDING
    assert mailoutbox == []

    assert services.email_sweep(older_than_seconds=0) == 1
    assert len(mailoutbox) == 1
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_notify_email_is_queued_only_after_commit(django_capture_on_commit_callbacks, settings, mailoutbox):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    person = UserFactory(email="zoe@example.org")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _notify(person)
    assert mailoutbox == []
    # Cached pages' version bumps (saypro/core/fragments.py) aside.
    [send] = [c for c in callbacks if not is_version_bump(c)]

    send()

    assert [m.to for m in mailoutbox] == [["zoe@example.org"]]
    body = mailoutbox[0].body
    assert "Feedback session tomorrow" in body
    assert f"Open: {settings.SITE_URL}/x/" in body


# --- reading notifications ----------------------------------------------------------------------


def test_notifications_mark_read_marks_only_the_persons_own():
    person, other = UserFactory(), UserFactory()
    mine = [
        services.notification_create(recipient=person, kind="k", title="one"),
        services.notification_create(recipient=person, kind="k", title="two"),
    ]
    theirs = services.notification_create(recipient=other, kind="k", title="theirs")

    count = services.notifications_mark_read(recipient=person, ids=[mine[0].pk, theirs.pk])

    assert count == 1
    assert set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True)) == {mine[0].pk}


def test_notifications_mark_read_all_of_the_persons_own():
    person, other = UserFactory(), UserFactory()
    for title in ("one", "two"):
        services.notification_create(recipient=person, kind="k", title=title)
    services.notification_create(recipient=other, kind="k", title="theirs")

    assert services.notifications_mark_read(recipient=person) == 2
    assert Notification.objects.filter(recipient=other, read_at__isnull=True).count() == 1
    assert services.notifications_mark_read(recipient=person) == 0


def test_notification_create_clips_long_titles():
    note = services.notification_create(recipient=UserFactory(), kind="k", title="x" * 300)

    assert len(note.title) == 200
    assert timezone.now() - note.created_at < dt.timedelta(minutes=1)


def test_email_sweep_leaves_a_freshly_claimed_old_email_to_its_sender(employee):
    """An e-mail created long ago but claimed a moment ago is not sent a second time."""
    import datetime as dt

    from django.core import mail
    from django.utils import timezone

    from saypro.core.models import OutboundEmail
    from saypro.core.services import email_sweep

    old = timezone.now() - dt.timedelta(hours=2)
    OutboundEmail.objects.create(
        recipient=employee, kind="k", key="claimed", subject="s", body_text="b",
        status=OutboundEmail.Status.SENDING, created_at=old, claimed_at=timezone.now(), attempts=1,
    )  # fmt: skip
    stale = OutboundEmail.objects.create(
        recipient=employee, kind="k", key="stale", subject="s", body_text="b",
        status=OutboundEmail.Status.SENDING, created_at=old, claimed_at=old, attempts=1,
    )  # fmt: skip
    assert email_sweep(older_than_seconds=0) == 1
    assert [m.subject for m in mail.outbox] == ["s"]
    stale.refresh_from_db()
    assert stale.status == OutboundEmail.Status.SENT
    assert OutboundEmail.objects.get(key="claimed").status == OutboundEmail.Status.SENDING


# --- subjects built from what people type ---------------------------------------------------------


HOSTILE_TITLE = "Delegation\r\nBcc: everyone@example.org\n\x1b\u2028" + "x" * 400


def test_email_subject_is_one_printable_line_of_limited_length():
    subject = services.email_subject(HOSTILE_TITLE)

    assert subject.startswith("Delegation Bcc: everyone@example.org xxx")
    assert subject.endswith("…")
    assert len(subject) == services.EMAIL_SUBJECT_MAX_CHARS
    assert subject.isprintable()
    assert services.email_subject("  Plain   title ") == "Plain title"


def test_notification_e_mail_from_a_hostile_title_is_sent(mailoutbox):
    """A title with CR/LF once made the e-mail fail on every retry ("Header values can't contain newlines")."""
    person = UserFactory(email="zoe@example.org")
    services.notify(
        recipient=person, kind="activity_news", key="k", title=HOSTILE_TITLE, email_template="email/notification"
    )
    email = OutboundEmail.objects.get()

    assert services.email_send(email_id=email.pk) is True

    assert "\n" not in email.subject and "\r" not in email.subject
    assert mailoutbox[0].subject == email.subject
    assert mailoutbox[0].subject.startswith("[SayPro] Delegation Bcc: everyone@example.org")
    assert mailoutbox[0].extra_headers.get("Bcc") is None and mailoutbox[0].bcc == []
    assert "\n" not in Notification.objects.get().title


def test_an_e_mail_queued_with_a_line_break_in_its_subject_still_goes_out(mailoutbox):
    """Rows queued before subjects were cleaned where they are built are cleaned when sent."""
    person = UserFactory()
    _notify(person)
    email = OutboundEmail.objects.get()
    OutboundEmail.objects.filter(pk=email.pk).update(subject="[SayPro] Old\r\ntitle")

    assert services.email_send(email_id=email.pk) is True

    assert mailoutbox[0].subject == "[SayPro] Old title"
