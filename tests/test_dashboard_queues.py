"""The officer dashboard's sections (saypro/dashboard.py): counts, oldest first, at most five, links."""

import datetime as dt

import pytest
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from saypro import dashboard
from saypro.core.models import JobHeartbeat, OutboundEmail
from tests.factories import MentorLinkFactory, ModuleFactory, UserFactory
from tests.factories.feedback import ContributionFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def days_ago(n: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=n)


# --- builders shared with the view tests (the feedback app has no factories yet) --------------------


def proposed_session(*, created_at=None, module=None):
    from feedback.models import FeedbackSession

    module = module or ModuleFactory()
    starts = timezone.now() + dt.timedelta(days=10)
    return FeedbackSession.objects.create(
        module=module,
        state=FeedbackSession.State.PROPOSED,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        created_at=created_at or timezone.now(),
    )


def scheduled_session(*, starts_at, facilitator, state="scheduled"):
    from feedback.models import FeedbackSession

    return FeedbackSession.objects.create(
        module=ModuleFactory(),
        state=state,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        place="Room 4",
        facilitator=facilitator,
    )


def formed_round(*, formed_at=None, circles=1):
    from circles.models import Round
    from tests.factories.circles import CircleFactory, RoundFactory

    rnd = RoundFactory(
        state=Round.State.FORMED,
        formed_at=formed_at or timezone.now(),
        signup_deadline=timezone.now() - dt.timedelta(hours=1),
        meets_at=timezone.now() + dt.timedelta(days=2),
    )
    for _ in range(circles):
        CircleFactory(round=rnd)
    return rnd


def proposed_talk(*, created_at=None, **kwargs):
    from tests.factories.cafes import TalkFactory

    return TalkFactory(created_at=created_at or timezone.now(), **kwargs)


def board_reflection(*, shared_at=None, **kwargs):
    from reflections.models import Reflection
    from tests.factories.reflections import ReflectionFactory

    kwargs.setdefault("state", Reflection.State.SUBMITTED)
    return ReflectionFactory(
        visibility=Reflection.Visibility.COLLEAGUES,
        now=shared_at or timezone.now(),
        answered=False,
        **kwargs,
    )


def report(*, reporter=None, created_at=None, **target):
    """An open report on a reflection or comment (by a new colleague unless `reporter` is given)."""
    from reflections.models import Report

    return Report.objects.create(
        reporter=reporter or UserFactory(),
        reason="Breaks the rules.",
        created_at=created_at or timezone.now(),
        **target,
    )


def waiting_reflection(*, author, submitted_at, visibility="mentor", state="submitted"):
    from tests.factories.reflections import ReflectionFactory

    return ReflectionFactory(author=author, state=state, visibility=visibility, now=submitted_at, answered=False)


def fill_every_queue(size: int, *, officer) -> None:
    """`size` rows in every queue and in every part of the week."""
    from reflections.models import Reflection
    from tests.factories.cafes import CafeFactory, RsvpFactory, on_agenda
    from tests.factories.reflections import CommentFactory

    mentor = UserFactory()
    for i in range(size):
        proposed_session(created_at=days_ago(i + 1))
        formed_round(formed_at=days_ago(i + 1))
        proposed_talk(created_at=days_ago(i + 1))
        # Validated, so it is a newsletter candidate too.
        reflection = board_reflection(shared_at=days_ago(1), may_be_featured=True, state=Reflection.State.VALIDATED)
        comment = CommentFactory(reflection=reflection, created_at=days_ago(1))
        report(reflection=reflection, created_at=days_ago(i + 1))
        report(comment=comment, created_at=days_ago(i + 1))
        mentee = UserFactory()
        MentorLinkFactory(mentor=mentor, mentee=mentee)
        waiting_reflection(author=mentee, submitted_at=days_ago(10 + i))
        session = scheduled_session(starts_at=timezone.now() + dt.timedelta(minutes=30 + i), facilitator=officer)
        ContributionFactory(session=session, kind="challenge", created_at=days_ago(1))
    assert Reflection.objects.count() == 2 * size
    cafe = CafeFactory(starts_at=timezone.now() + dt.timedelta(days=3))
    on_agenda(cafe, count=size)
    for _ in range(size):
        RsvpFactory(cafe=cafe)
    JobHeartbeat.objects.create(name="core.heartbeat_task", last_finished_at=timezone.now())


# --- queues --------------------------------------------------------------------------------------


def test_heard_queue_lists_modules_with_challenges_of_the_last_two_weeks_most_first():
    from tests.factories.feedback import FeedbackSessionFactory

    sessions = [FeedbackSessionFactory(module=ModuleFactory(title=t)) for t in ("Coaching", "Delegation", "Old news")]
    for session, ages in zip(sessions, ([1], [2, 3], [20]), strict=True):
        for age in ages:
            ContributionFactory(session=session, kind="challenge", created_at=days_ago(age))
    ContributionFactory(session=sessions[0], kind="insight", created_at=days_ago(1))
    ContributionFactory(
        session=sessions[0], kind="challenge", created_at=days_ago(1), hidden_at=timezone.now(), hidden_reason="x"
    )

    queue = dashboard.modules_with_new_challenges(now=timezone.now())

    assert (queue["title"], queue["count"]) == ("Modules with new challenges", 2)
    assert [(item["label"], item["detail"][:16], item["url"]) for item in queue["items"]] == [
        ("Delegation", "2 new challenges", f"/feedback/modules/{sessions[1].module_id}/heard/"),
        ("Coaching", "1 new challenge,", f"/feedback/modules/{sessions[0].module_id}/heard/"),
    ]


def test_feedback_queue_lists_proposed_sessions_oldest_first_at_most_five():
    sessions = [proposed_session(created_at=days_ago(n)) for n in (3, 9, 1, 7, 5, 2)]
    from feedback.models import FeedbackSession

    scheduled = sessions[0]
    FeedbackSession.objects.filter(pk=sessions[2].pk).update(state="cancelled")
    assert scheduled.state == "proposed"

    queue = dashboard.feedback_sessions_to_schedule(now=timezone.now())

    assert queue["count"] == 5
    assert [item["label"] for item in queue["items"]] == [
        sessions[1].module.title,
        sessions[3].module.title,
        sessions[4].module.title,
        sessions[0].module.title,
        sessions[5].module.title,
    ]
    assert queue["title"] == "Feedback sessions to schedule"


def test_circles_queue_lists_formed_rounds_with_their_circle_counts():
    older = formed_round(formed_at=days_ago(2), circles=3)
    newer = formed_round(formed_at=days_ago(1), circles=1)
    from tests.factories.circles import RoundFactory

    RoundFactory()  # open, not formed

    queue = dashboard.circle_rounds_to_publish(now=timezone.now())

    assert queue["count"] == 2
    assert [item["label"] for item in queue["items"]] == [str(older), str(newer)]
    assert queue["items"][0]["detail"].startswith("3 circles · meets ")
    assert queue["items"][1]["detail"].startswith("1 circle · meets ")


def test_talk_queue_lists_only_proposed_talks_oldest_first():
    from cafes.models import TalkProposal

    first = proposed_talk(created_at=days_ago(4))
    second = proposed_talk(created_at=days_ago(2))
    proposed_talk(created_at=days_ago(9), state=TalkProposal.State.DECLINED)
    proposed_talk(created_at=days_ago(9), state=TalkProposal.State.KEPT)

    queue = dashboard.talk_proposals_to_decide(now=timezone.now())

    assert queue["count"] == 2
    assert [item["label"] for item in queue["items"]] == [first.title, second.title]
    assert queue["items"][0]["detail"] == f"by {first.speaker.full_name} · for {first.cafe.title}"


def test_moderation_queue_lists_reported_reflections_and_comments_oldest_first_with_their_report_counts():
    from reflections.models import Reflection, Report
    from tests.factories.reflections import CommentFactory, ReflectionFactory

    author = UserFactory(first_name="Ada", last_name="Author")
    listening = board_reflection(shared_at=days_ago(20), title="Listening first", author=author)
    comment = CommentFactory(reflection=listening, body="Tried it with my team", author=UserFactory(first_name="Cy"))
    first = report(reflection=listening, created_at=days_ago(2))
    report(reflection=listening, created_at=days_ago(1))
    oldest = report(comment=comment, created_at=days_ago(3))
    report(reflection=board_reflection(), created_at=days_ago(0.5))
    Report.objects.create(
        reflection=board_reflection(),
        reporter=UserFactory(),
        reason="x",
        resolved_at=timezone.now(),
        resolution="dismissed",
    )
    private = ReflectionFactory(state=Reflection.State.SUBMITTED, visibility=Reflection.Visibility.PRIVATE)
    report(reflection=private, created_at=days_ago(9))

    queue = dashboard.board_reports_to_resolve(now=timezone.now())

    assert (queue["count"], queue["title"]) == (3, "Reported on the learning board")
    assert [(item["label"], item["detail"], item["url"]) for item in queue["items"][:2]] == [
        (
            "Comment: Tried it with my team",
            f"Comment by {comment.author.full_name} · 1 report",
            f"/reflections/moderation/#report-{oldest.pk}",
        ),
        ("Listening first", "Reflection by Ada Author · 2 reports", f"/reflections/moderation/#report-{first.pk}"),
    ]
    assert [item["since"] for item in queue["items"]] == sorted(item["since"] for item in queue["items"])


def test_moderation_queue_counts_what_is_new_on_the_board_but_not_hidden_private_or_old_posts():
    from reflections.models import Reflection
    from tests.factories.reflections import CommentFactory, ReflectionFactory

    shared = board_reflection(shared_at=days_ago(3), title="Listening first")
    CommentFactory(reflection=shared, created_at=days_ago(1), body="Tried it with my team")
    CommentFactory(reflection=shared, created_at=days_ago(1), is_hidden=True, hidden_reason="Off topic")
    CommentFactory(reflection=shared, created_at=days_ago(1), channel="review")
    board_reflection(shared_at=days_ago(2), is_hidden=True, hidden_reason="Names a colleague")
    board_reflection(shared_at=days_ago(20))
    ReflectionFactory(state=Reflection.State.SUBMITTED, visibility=Reflection.Visibility.MENTOR, answered=False)

    queue = dashboard.board_reports_to_resolve(now=timezone.now())

    assert (queue["count"], queue["items"]) == (0, [])
    assert queue["also"] == {
        "text": "2 new on the board in the last 7 days, to look over",
        "url": "/reflections/board/",
    }


def test_newsletter_queue_lists_validated_consenting_board_reflections_not_yet_in_an_issue():
    from reflections.models import NewsletterItem, Reflection
    from tests.factories.reflections import NewsletterIssueFactory

    validated = Reflection.State.VALIDATED
    candidate = board_reflection(shared_at=days_ago(1), may_be_featured=True, state=validated)
    board_reflection(shared_at=days_ago(1), may_be_featured=False, state=validated)
    picked = board_reflection(shared_at=days_ago(1), may_be_featured=True, state=validated)
    NewsletterItem.objects.create(issue=NewsletterIssueFactory(), reflection=picked, position=1)
    board_reflection(shared_at=days_ago(70), may_be_featured=True, state=validated)
    board_reflection(shared_at=days_ago(1), may_be_featured=True, state=Reflection.State.CHANGES_REQUESTED)
    board_reflection(shared_at=days_ago(1), may_be_featured=True)  # submitted, not reviewed yet

    queue = dashboard.newsletter_candidates(now=timezone.now())

    assert queue["count"] == 1
    assert [item["label"] for item in queue["items"]] == [candidate.title]


def test_mentor_queue_lists_mentees_waiting_over_the_setting_with_their_mentors(settings):
    settings.MENTOR_QUEUE_STALE_DAYS = 7
    mentor_a = UserFactory(first_name="Ada", last_name="Aalto")
    mentor_b = UserFactory(first_name="Ben", last_name="Botha")
    waiting_long = UserFactory(first_name="Wanda", last_name="Long")
    MentorLinkFactory(mentor=mentor_a, mentee=waiting_long)
    MentorLinkFactory(mentor=mentor_b, mentee=waiting_long)
    MentorLinkFactory(mentor=UserFactory(), mentee=waiting_long, is_active=False)
    waiting_reflection(author=waiting_long, submitted_at=days_ago(12))
    waiting_reflection(author=waiting_long, submitted_at=days_ago(8), state="resubmitted")
    orphan = UserFactory(first_name="Otto", last_name="Alone")
    waiting_reflection(author=orphan, submitted_at=days_ago(9), visibility="colleagues")
    recent = UserFactory()
    MentorLinkFactory(mentor=mentor_a, mentee=recent)
    waiting_reflection(author=recent, submitted_at=days_ago(3))
    waiting_reflection(author=UserFactory(), submitted_at=days_ago(30), visibility="private")
    waiting_reflection(author=UserFactory(), submitted_at=days_ago(30), state="validated")

    queue = dashboard.mentees_waiting_for_mentor(now=timezone.now())

    assert queue["count"] == 2
    assert queue["title"] == "Mentees waiting over 7 days for a mentor"
    assert [(item["label"], item["detail"], item["warning"]) for item in queue["items"]] == [
        ("Wanda Long", "2 reflections waiting · mentors: Ada Aalto, Ben Botha", False),
        ("Otto Alone", "1 reflection waiting · no active mentor", True),
    ]
    assert queue["items"][0]["url"] == f"/admin/core/mentorlink/?mentee__id__exact={waiting_long.pk}"


def test_mentor_queue_offers_to_remind_the_mentors_or_to_assign_one(settings):
    settings.MENTOR_QUEUE_STALE_DAYS = 7
    with_mentor = UserFactory(first_name="Wanda", last_name="Long")
    MentorLinkFactory(mentee=with_mentor)
    waiting_reflection(author=with_mentor, submitted_at=days_ago(12))
    orphan = UserFactory(first_name="Otto", last_name="Alone")
    waiting_reflection(author=orphan, submitted_at=days_ago(9))

    queue = dashboard.mentees_waiting_for_mentor(now=timezone.now())

    assert [item["action"] for item in queue["items"]] == [
        {"post": f"/reflections/mentees/{with_mentor.pk}/remind-mentors/", "label": "Remind the mentor"},
        {"href": f"/admin/core/mentorlink/add/?mentee={orphan.pk}", "label": "Assign a mentor"},
    ]


def test_mentor_queue_reads_only_the_oldest_window_to_find_the_five_mentees(settings, monkeypatch):
    settings.MENTOR_QUEUE_STALE_DAYS = 7
    monkeypatch.setattr(dashboard, "WAITING_WINDOW", 8)
    people = [UserFactory(first_name=f"P{i}", last_name="Waiting") for i in range(7)]
    for i, person in enumerate(people):
        for extra in range(3):
            waiting_reflection(author=person, submitted_at=days_ago(40 - i - extra * 10))

    queue = dashboard.mentees_waiting_for_mentor(now=timezone.now())

    # Oldest reflections: P0 at 40 days, P1 at 39, ... each person also has two newer ones.
    assert queue["count"] == 7
    assert [(item["label"], item["detail"].split(" · ")[0]) for item in queue["items"]] == [
        (f"P{i} Waiting", "3 reflections waiting") for i in range(5)
    ]


def test_mentor_queue_groups_everything_when_the_window_names_fewer_than_five_mentees(settings, monkeypatch):
    settings.MENTOR_QUEUE_STALE_DAYS = 7
    monkeypatch.setattr(dashboard, "WAITING_WINDOW", 4)
    busy = UserFactory(first_name="Busy", last_name="Writer")
    for n in range(6):
        waiting_reflection(author=busy, submitted_at=days_ago(60 - n))
    later = [UserFactory(first_name=f"L{i}", last_name="Later") for i in range(2)]
    for i, person in enumerate(later):
        waiting_reflection(author=person, submitted_at=days_ago(20 - i))

    queue = dashboard.mentees_waiting_for_mentor(now=timezone.now())

    assert [(item["label"], item["detail"].split(" · ")[0]) for item in queue["items"]] == [
        ("Busy Writer", "6 reflections waiting"),
        ("L0 Later", "1 reflection waiting"),
        ("L1 Later", "1 reflection waiting"),
    ]


def test_mentor_queue_follows_the_setting(settings):
    settings.MENTOR_QUEUE_STALE_DAYS = 2
    waiting_reflection(author=UserFactory(), submitted_at=days_ago(3))

    assert dashboard.mentees_waiting_for_mentor(now=timezone.now())["count"] == 1


def test_queues_leave_out_an_app_that_is_not_there(monkeypatch):
    monkeypatch.setattr(dashboard, "app_ready", lambda label: label != "cafes")

    keys = [q["key"] for q in dashboard.dashboard_queues(now=timezone.now())]

    assert keys == ["feedback", "circles", "moderation", "newsletter", "mentors", "heard"]
    assert dashboard.next_cafe(now=timezone.now()) is None


def test_link_falls_back_to_the_next_url_name_that_exists(monkeypatch):
    monkeypatch.setitem(dashboard.LINKS, "probe", ["nowhere:page", "core:audit-list"])
    monkeypatch.setitem(dashboard.LINKS, "missing", ["nowhere:page"])

    assert dashboard.link("probe") == "/dashboard/audit/"
    assert dashboard.link("missing") is None


# --- today and this week ---------------------------------------------------------------------------


def test_week_bounds_run_from_today_to_the_end_of_sunday_in_johannesburg():
    wednesday_late = timezone.make_aware(dt.datetime(2026, 3, 4, 23, 30))

    start, end = dashboard.week_bounds(wednesday_late)

    assert start == timezone.make_aware(dt.datetime(2026, 3, 4, 0, 0))
    assert end == timezone.make_aware(dt.datetime(2026, 3, 9, 0, 0))


def test_week_lists_scheduled_sessions_in_the_week_with_the_console_link(officer):
    now = timezone.now()
    start, end = dashboard.week_bounds(now)
    inside = scheduled_session(starts_at=start + dt.timedelta(minutes=1), facilitator=officer)
    scheduled_session(starts_at=end + dt.timedelta(minutes=1), facilitator=officer)
    proposed_session()

    sessions = dashboard.week_feedback_sessions(start=start, end=end)

    assert [s["title"] for s in sessions] == [inside.module.title]
    assert sessions[0]["where"] == "Room 4"
    assert sessions[0]["facilitator"] == officer.full_name


def test_week_lists_rounds_whose_deadline_or_meeting_falls_in_it():
    from tests.factories.circles import RoundFactory, SignupFactory

    now = timezone.now()
    start, end = dashboard.week_bounds(now)
    this_week = RoundFactory(signup_deadline=start + dt.timedelta(minutes=5), meets_at=end + dt.timedelta(days=1))
    SignupFactory(round=this_week)
    SignupFactory(round=this_week, not_this_week=True)
    RoundFactory(signup_deadline=end + dt.timedelta(days=1), meets_at=end + dt.timedelta(days=2))

    rounds = dashboard.week_circle_rounds(start=start, end=end)

    assert [(r["title"], r["signups"], r["circles"]) for r in rounds] == [(str(this_week), 1, 0)]


def test_next_cafe_says_how_far_its_agenda_is():
    from cafes.models import Cafe
    from tests.factories.cafes import CafeFactory, RsvpFactory, on_agenda

    soon = CafeFactory(starts_at=timezone.now() + dt.timedelta(days=2), state=Cafe.State.PUBLISHED, capacity=12)
    CafeFactory(starts_at=timezone.now() + dt.timedelta(days=1), state=Cafe.State.CANCELLED)
    CafeFactory(starts_at=timezone.now() + dt.timedelta(days=30))
    on_agenda(soon, count=2)
    proposed_talk(cafe=soon)
    RsvpFactory(cafe=soon)
    RsvpFactory(cafe=soon, status="waitlist")

    cafe = dashboard.next_cafe(now=timezone.now())

    assert (cafe["title"], cafe["agenda_state"], cafe["talks"], cafe["going"], cafe["capacity"]) == (
        soon.title,
        "Agenda published",
        2,
        1,
        12,
    )


def test_next_cafe_is_empty_when_none_is_planned():
    assert dashboard.next_cafe(now=timezone.now())["cafe"] is None


# --- job health ------------------------------------------------------------------------------------


def crontab_task(name: str, task: str, *, minute="0", hour="1", last_run_at=None, enabled=True) -> PeriodicTask:
    schedule, _ = CrontabSchedule.objects.get_or_create(
        minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Africa/Johannesburg"
    )
    return PeriodicTask.objects.create(name=name, task=task, crontab=schedule, last_run_at=last_run_at, enabled=enabled)


def test_job_health_computes_the_next_run_from_each_schedule():
    now = timezone.make_aware(dt.datetime(2026, 3, 4, 10, 7))
    crontab_task("modules", "core.module_mark_ended_task", last_run_at=now - dt.timedelta(hours=9))
    every, _ = IntervalSchedule.objects.get_or_create(every=30, period=IntervalSchedule.MINUTES)
    PeriodicTask.objects.create(name="sweep", task="core.email_sweep_task", interval=every, last_run_at=now)
    crontab_task("off", "core.notification_digest_task", enabled=False)

    jobs = dashboard.job_health(now=now)

    assert [(t["name"], t["next_run_at"]) for t in jobs["tasks"]] == [
        ("modules", timezone.make_aware(dt.datetime(2026, 3, 5, 1, 0))),
        ("off", None),
        ("sweep", now + dt.timedelta(minutes=30)),
    ]
    # In words, not "0 1 * * * (m/h/dM/MY/d) Africa/Johannesburg".
    assert [t["schedule"] for t in jobs["tasks"]] == ["Every day at 01:00", "Every day at 01:00", "Every 30 minutes"]


def test_job_health_lists_failures_of_the_last_week_with_their_error():
    now = timezone.now()
    JobHeartbeat.objects.create(
        name="circles.round_form_task", last_finished_at=now - dt.timedelta(days=1), last_ok=False, last_error="Boom"
    )
    JobHeartbeat.objects.create(name="old.task", last_finished_at=now - dt.timedelta(days=8), last_ok=False)
    JobHeartbeat.objects.create(name="fine.task", last_finished_at=now, last_ok=True, last_result="3")

    jobs = dashboard.job_health(now=now)

    assert [(h.name, h.last_error) for h in jobs["failed"]] == [("circles.round_form_task", "Boom")]
    assert [h.name for h in jobs["unscheduled"]] == ["circles.round_form_task", "fine.task", "old.task"]


def test_job_health_warns_when_the_heartbeat_is_older_than_three_of_its_intervals():
    now = timezone.now()
    crontab_task("heartbeat", "core.heartbeat_task", minute="*/10", hour="*")
    JobHeartbeat.objects.create(name="core.heartbeat_task", last_finished_at=now - dt.timedelta(minutes=29))

    fresh = dashboard.job_health(now=now)
    stale = dashboard.job_health(now=now + dt.timedelta(minutes=2))

    assert (fresh["worker_grace"], fresh["worker_stale"], stale["worker_stale"]) == (
        dt.timedelta(minutes=30),
        False,
        True,
    )


@pytest.mark.parametrize(
    ("minutes", "text"), [(15, "15 minutes"), (60, "1 hour"), (90, "1 hour 30 minutes"), (121, "2 hours 1 minute")]
)
def test_duration_text_reads_like_words(minutes, text):
    assert dashboard.duration_text(dt.timedelta(minutes=minutes)) == text


def test_job_health_warns_when_no_heartbeat_was_ever_recorded():
    jobs = dashboard.job_health(now=timezone.now())

    assert (jobs["worker_seen"], jobs["worker_stale"], jobs["worker_grace"]) == (None, True, dt.timedelta(minutes=15))


def test_job_health_counts_emails_and_reminders_sent_today():
    now = timezone.now()
    person = UserFactory()
    yesterday = now - dt.timedelta(days=1, hours=1)
    for i, (kind, status, sent_at) in enumerate(
        [
            ("circle_reminder", "sent", now),
            ("session_reminder", "sent", now),
            ("talk_accepted", "sent", now),
            ("circle_reminder", "sent", yesterday),
            ("talk_declined", "failed", None),
        ]
    ):
        OutboundEmail.objects.create(
            recipient=person, kind=kind, key=str(i), subject="s", body_text="b", status=status, sent_at=sent_at
        )

    emails = dashboard.job_health(now=now)["emails"]

    assert emails == {"sent_today": 3, "reminders_today": 2, "failed": 1, "pending": 0}


# --- snapshot --------------------------------------------------------------------------------------


def test_snapshot_section_shows_the_newest_ready_version_and_the_one_building(officer):
    from saypro.impact.models import Snapshot

    month = dt.date(2026, 2, 1)
    Snapshot.objects.create(month=month, version=1, status="ready", time_zone="Africa/Johannesburg", built_at=NOW)
    ready = Snapshot.objects.create(
        month=month, version=2, status="ready", time_zone="Africa/Johannesburg", built_at=NOW
    )
    building = Snapshot.objects.create(
        month=month, version=3, status="building", progress=40, requested_by=officer, time_zone="Africa/Johannesburg"
    )

    section = dashboard.snapshot_section(now=NOW)

    assert (section["latest"], section["building"]) == (ready, building)
    assert section["rebuild_url"] == "/impact/2026-02/rebuild/"
    assert section["report_url"] == "/impact/2026-02/"


def test_snapshot_section_without_a_snapshot_offers_no_rebuild():
    section = dashboard.snapshot_section(now=NOW)

    assert (section["latest"], section["building"], section["rebuild_url"]) == (None, None, None)
