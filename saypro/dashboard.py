"""The Advice Desk Officer's dashboard: the week ahead, the queues, job health, the snapshot and imports.

Lives in the project package (like saypro/navigation.py), not in core, because it reads every
activity app; core's dashboard view imports it by name. Each app is read only when it is
installed, so the dashboard works while an app is still being built.

Every section issues a fixed number of queries however much data there is: a queue is one
aggregate count and one sliced query of its oldest rows (plus one for the mentors of the
mentees listed), never a query per row.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import CharField, Count, Min, Q, QuerySet
from django.db.models.functions import Coalesce, Substr
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from saypro.core.fragments import VersionedCache, shared_html
from saypro.core.schedule_words import periodic_task_schedule_in_words

QUEUE_SIZE = 5
# How many of the oldest waiting reflections are read to find the QUEUE_SIZE mentees who waited longest.
WAITING_WINDOW = 500
# Board posts stay in the moderation queue this long after they appear.
MODERATION_WINDOW = timedelta(days=7)
# The task beat runs every few minutes to prove that beat and a worker are alive.
HEARTBEAT_TASK = "core.heartbeat_task"
# Without a schedule to go by, the worker counts as missing after this long.
HEARTBEAT_DEFAULT_GRACE = timedelta(minutes=15)
# How many missed heartbeats make the worker count as missing.
HEARTBEAT_MISSED_RUNS = 3
FAILED_JOBS_WINDOW = timedelta(days=7)

# Where the officer acts, by the first URL name that exists (apps are being built; the admin
# page of the object is the last resort).
LINKS: dict[str, list[str]] = {
    "feedback_sessions": ["feedback:session-list", "admin:feedback_feedbacksession_changelist"],
    "feedback_session_schedule": [
        "feedback:session-schedule",
        "feedback:session-detail",
        "admin:feedback_feedbacksession_change",
    ],
    "feedback_console": ["feedback:console", "feedback:session-detail"],
    "circle_rounds": ["circles:round-list", "admin:circles_round_changelist"],
    "circle_round": ["circles:round-detail", "admin:circles_round_change"],
    "talk_proposals": ["cafes:proposal-list", "admin:cafes_talkproposal_changelist"],
    "talk_proposal": ["cafes:proposal-decide", "cafes:proposal-detail", "admin:cafes_talkproposal_change"],
    "cafe": ["cafes:agenda", "cafes:cafe-detail", "admin:cafes_cafe_change"],
    "cafes": ["cafes:cafe-list", "admin:cafes_cafe_changelist"],
    "board": ["reflections:board", "admin:reflections_reflection_changelist"],
    "moderation": ["reflections:moderation", "admin:reflections_report_changelist"],
    "reflection": ["reflections:detail", "admin:reflections_reflection_change"],
    "newsletters": ["reflections:newsletter-list", "admin:reflections_newsletterissue_changelist"],
    "mentor_links": ["admin:core_mentorlink_changelist"],
    "mentor_link_add": ["admin:core_mentorlink_add"],
    "mentor_remind": ["reflections:mentor-remind"],
    "snapshot_report": ["impact:report"],
    "snapshot_rebuild": ["impact:rebuild"],
    "snapshot_latest": ["impact:report-latest"],
    "org_import": ["core:org-import"],
    "org_import_detail": ["core:org-import-detail"],
    "org_imports": ["core:org-import-list", "admin:core_orgimport_changelist"],
    "heard": ["feedback:heard"],
}


def link(key: str, *args) -> str | None:
    """The first URL of LINKS[key] that exists, or None while no page for it exists yet."""
    for name in LINKS[key]:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def app_ready(label: str) -> bool:
    """The app is installed and its models exist (so the dashboard works while an app is built)."""
    return apps.is_installed(label) and importlib.util.find_spec(f"{label}.models") is not None


def queue(*, key: str, title: str, count: int, items: list[dict], url: str | None, empty: str) -> dict:
    return {"key": key, "title": title, "count": count, "items": items, "url": url, "empty": empty}


def queue_of(
    waiting: QuerySet,
    *,
    oldest: QuerySet,
    item: Callable[[Any], dict],
    key: str,
    title: str,
    url: str | None,
    empty: str,
) -> dict:
    """A queue of the `waiting` rows: their count and the oldest QUEUE_SIZE of them, in two queries.

    `oldest` is the same rows ordered and joined for display; `item(row)` turns one into a dict.
    """
    count = waiting.count()
    items = [item(row) for row in oldest[:QUEUE_SIZE]]
    return queue(key=key, title=title, count=count, items=items, url=url, empty=empty)


def plural(n: int, word: str) -> str:
    """The word with an "s" unless there is exactly one ("1 circle", "3 circles")."""
    return word if n == 1 else f"{word}s"


def person_name(row: dict, prefix: str) -> str:
    """The full name (or the e-mail address) of a person read with .values(prefix + "first_name", ...)."""
    return f"{row[prefix + 'first_name']} {row[prefix + 'last_name']}".strip() or row[prefix + "email"]


def week_bounds(now: datetime) -> tuple[datetime, datetime]:
    """From the start of today to the end of Sunday, in the organisation's time zone."""
    today = timezone.localdate(now)
    start = timezone.make_aware(datetime.combine(today, time.min))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=7 - today.weekday()), time.min))
    return start, end


def month_start(day: date) -> date:
    return day.replace(day=1)


# --- queues ----------------------------------------------------------------------------------------


def feedback_sessions_to_schedule(*, now: datetime) -> dict | None:
    """Sessions the daily job proposed after a major module ended, waiting for the officer to schedule them."""
    if not app_ready("feedback"):
        return None
    from feedback.models import FeedbackSession

    proposed = FeedbackSession.objects.filter(state=FeedbackSession.State.PROPOSED)
    return queue_of(
        proposed,
        oldest=proposed.select_related("module", "module__programme").order_by("created_at", "id"),
        item=lambda session: {
            "label": session.module.title,
            "detail": f"{session.module.programme} · module ended {session.module.ends_on:%d %b %Y}",
            "since": session.created_at,
            "url": link("feedback_session_schedule", session.pk),
        },
        key="feedback",
        title="Feedback sessions to schedule",
        url=link("feedback_sessions"),
        empty="No proposed session waits for a date.",
    )


def circle_rounds_to_publish(*, now: datetime) -> dict | None:
    """Weeks whose circles were formed at the sign-up deadline and wait for the officer's review."""
    if not app_ready("circles"):
        return None
    from circles.models import Round

    formed = Round.objects.filter(state=Round.State.FORMED)
    return queue_of(
        formed,
        oldest=formed.annotate(circle_count=Count("circles")).order_by("formed_at", "signup_deadline", "id"),
        item=lambda rnd: {
            "label": str(rnd),
            "detail": f"{rnd.circle_count} {plural(rnd.circle_count, 'circle')} · meets "
            f"{timezone.localtime(rnd.meets_at):%a %d %b %H:%M}",
            "since": rnd.formed_at or rnd.signup_deadline,
            "url": link("circle_round", rnd.pk),
        },
        key="circles",
        title="Circles formed, awaiting publication",
        url=link("circle_rounds"),
        empty="No formed circles wait for review.",
    )


def talk_proposals_to_decide(*, now: datetime) -> dict | None:
    """Lightning talks proposed by employees that the officer has not accepted, kept or declined."""
    if not app_ready("cafes"):
        return None
    from cafes.models import TalkProposal

    proposed = TalkProposal.objects.filter(state=TalkProposal.State.PROPOSED)
    return queue_of(
        proposed,
        oldest=proposed.select_related("speaker", "cafe").order_by("created_at", "id"),
        item=lambda talk: {
            "label": talk.title,
            "detail": f"by {talk.speaker.full_name}" + (f" · for {talk.cafe.title}" if talk.cafe_id else ""),
            "since": talk.created_at,
            "url": link("talk_proposal", talk.pk),
        },
        key="talks",
        title="Talk proposals to decide",
        url=link("talk_proposals"),
        empty="No talk proposal waits for a decision.",
    )


def _board_reflections(Reflection):
    return Reflection.objects.filter(
        visibility=Reflection.Visibility.COLLEAGUES, is_hidden=False, first_shared_at__isnull=False
    ).exclude(state=Reflection.State.DRAFT)


def board_reports_to_resolve(*, now: datetime) -> dict | None:
    """Reflections and comments colleagues reported, the longest waiting first; and what is new on the board.

    The count is of reported reflections and comments (one resolution closes all reports of
    one), each listed with its number of open reports. A second line counts the reflections and
    comments that appeared on the board in the last MODERATION_WINDOW, for the officer to look
    over. Three queries.
    """
    if not app_ready("reflections"):
        return None
    from reflections.models import Comment, Reflection
    from reflections.selectors import report_open_list

    open_reports = report_open_list()
    count = open_reports.order_by().values("reflection_id", "comment_id").distinct().count()
    text = CharField()
    oldest = (
        open_reports.order_by()
        .annotate(
            title=Substr("reflection__title", 1, 80),
            comment_text=Substr("comment__body", 1, 80),
            on_reflection=Coalesce("reflection_id", "comment__reflection_id"),
            first_name=Coalesce("reflection__author__first_name", "comment__author__first_name", output_field=text),
            last_name=Coalesce("reflection__author__last_name", "comment__author__last_name", output_field=text),
            email=Coalesce("reflection__author__email", "comment__author__email", output_field=text),
        )
        .values(
            "reflection_id", "comment_id", "title", "comment_text", "on_reflection", "first_name", "last_name", "email"
        )
        .annotate(since=Min("created_at"), reports=Count("id"), first=Min("id"))
        .order_by("since", "first")[:QUEUE_SIZE]
    )
    moderation = link("moderation")
    items = []
    for row in oldest:
        n = row["reports"]
        if row["reflection_id"] is not None:
            label, kind = row["title"] or "Untitled reflection", "Reflection"
        else:
            label, kind = f"Comment: {row['comment_text']}", "Comment"
        items.append(
            {
                "label": label,
                "detail": f"{kind} by {person_name(row, '')} · {n} {plural(n, 'report')}",
                "since": row["since"],
                "url": f"{moderation}#report-{row['first']}"
                if moderation
                else link("reflection", row["on_reflection"]),
            }
        )
    since = now - MODERATION_WINDOW
    shared = _board_reflections(Reflection)
    new_posts = (
        shared.filter(first_shared_at__gte=since)
        .order_by()
        .values("pk")
        .union(
            Comment.objects.filter(
                channel=Comment.Channel.BOARD, is_hidden=False, created_at__gte=since, reflection__in=shared
            )
            .order_by()
            .values("pk"),
            all=True,
        )
        .count()
    )
    days = MODERATION_WINDOW.days
    return {
        **queue(
            key="moderation",
            title="Reported on the learning board",
            count=count,
            items=items,
            url=moderation,
            empty="Nothing reported.",
        ),
        "also": {
            "text": f"{new_posts} new on the board in the last {days} days, to look over",
            "url": link("board"),
        },
    }


def newsletter_candidates(*, now: datetime) -> dict | None:
    """Validated board reflections whose authors agreed to be featured, shared since last month, not in an issue."""
    if not app_ready("reflections"):
        return None
    from reflections.models import Reflection

    this_month = month_start(timezone.localdate(now))
    since = timezone.make_aware(datetime.combine(month_start(this_month - timedelta(days=1)), time.min))
    candidates = _board_reflections(Reflection).filter(
        may_be_featured=True,
        first_shared_at__gte=since,
        newsletter_items__isnull=True,
        state=Reflection.State.VALIDATED,
    )
    return queue_of(
        candidates,
        oldest=candidates.select_related("author", "department").order_by("first_shared_at", "id"),
        item=lambda reflection: {
            "label": str(reflection),
            "detail": f"by {reflection.author.full_name}"
            + (f", {reflection.department}" if reflection.department else ""),
            "since": reflection.first_shared_at,
            "url": link("reflection", reflection.pk),
        },
        key="newsletter",
        title="Newsletter candidates",
        url=link("newsletters"),
        empty="No new reflection may be featured yet.",
    )


def _longest_waiting_authors(waiting: QuerySet) -> list[dict]:
    """The QUEUE_SIZE authors whose oldest waiting reflection is oldest, with its time and their count.

    Grouping the whole waiting list to show five rows cost most of the dashboard's time with
    100,000 people (benchmarks/bench_pages.py). The oldest WAITING_WINDOW reflections, read in
    submitted_at order along the partial index reflection_awaiting_review, name the first five
    distinct authors; one grouped query then counts theirs alone. Only when the window is full
    and still names fewer than five authors (someone with hundreds waiting) is the whole list
    grouped, as before.
    """
    values = ("author_id", "author__first_name", "author__last_name", "author__email")
    window = list(waiting.order_by("submitted_at", "id").values_list("author_id", flat=True)[:WAITING_WINDOW])
    authors = list(dict.fromkeys(window))[:QUEUE_SIZE]
    if len(authors) < QUEUE_SIZE and len(window) == WAITING_WINDOW:
        grouped = waiting.order_by().values(*values)
    else:
        grouped = waiting.filter(author_id__in=authors).order_by().values(*values)
    return list(
        grouped.annotate(oldest=Min("submitted_at"), reflections=Count("id")).order_by("oldest", "author_id")[
            :QUEUE_SIZE
        ]
    )


def mentees_waiting_for_mentor(*, now: datetime) -> dict | None:
    """Mentees whose submitted reflections waited over MENTOR_QUEUE_STALE_DAYS for a mentor, with their mentors.

    Each mentee has a button that reminds their active mentors (or, without one, a link to
    assign a mentor in the admin).
    """
    if not app_ready("reflections"):
        return None
    from reflections.models import Reflection
    from saypro.core.models import MentorLink

    days = settings.MENTOR_QUEUE_STALE_DAYS
    waiting = Reflection.objects.filter(
        state__in=[Reflection.State.SUBMITTED, Reflection.State.RESUBMITTED],
        visibility__in=[Reflection.Visibility.MENTOR, Reflection.Visibility.COLLEAGUES],
        submitted_at__lt=now - timedelta(days=days),
    )
    count = waiting.aggregate(n=Count("author", distinct=True))["n"]
    rows = _longest_waiting_authors(waiting)
    mentors: dict[int, list[str]] = {}
    links = (
        MentorLink.objects.filter(mentee_id__in=[row["author_id"] for row in rows], is_active=True)
        .select_related("mentor")
        .order_by("mentor__last_name", "mentor__first_name")
    )
    for mentor_link in links:
        mentors.setdefault(mentor_link.mentee_id, []).append(mentor_link.mentor.full_name)
    changelist = link("mentor_links")
    items = []
    for row in rows:
        names = mentors.get(row["author_id"], [])
        n = row["reflections"]
        items.append(
            {
                "label": person_name(row, "author__"),
                "detail": f"{n} {plural(n, 'reflection')} waiting · "
                + (f"{plural(len(names), 'mentor')}: {', '.join(names)}" if names else "no active mentor"),
                "since": row["oldest"],
                "url": f"{changelist}?mentee__id__exact={row['author_id']}" if changelist else None,
                "warning": not names,
                "action": mentor_action(mentee_id=row["author_id"], has_mentor=bool(names)),
            }
        )
    return queue(
        key="mentors",
        title=f"Mentees waiting over {days} days for a mentor",
        count=count,
        items=items,
        url=changelist,
        empty="Every submitted reflection is with its mentor for less than a week.",
    )


def mentor_action(*, mentee_id: int, has_mentor: bool) -> dict | None:
    """What the officer can do for a waiting mentee: remind their mentors (a POST), or assign one (a link)."""
    if has_mentor:
        url = link("mentor_remind", mentee_id)
        return {"post": url, "label": "Remind the mentor"} if url else None
    url = link("mentor_link_add")
    return {"href": f"{url}?mentee={mentee_id}", "label": "Assign a mentor"} if url else None


def modules_with_new_challenges(*, now: datetime) -> dict | None:
    """Modules whose participants raised challenges in the last two weeks: their "What we heard" pages."""
    if not app_ready("feedback"):
        return None
    from feedback.heard.selectors import NEW_CHALLENGE_DAYS
    from feedback.heard.selectors import modules_with_new_challenges as modules

    waiting = modules(now=now)
    return queue_of(
        waiting,
        oldest=waiting,
        item=lambda module: {
            "label": module.title,
            "detail": f"{module.new_challenges} new {plural(module.new_challenges, 'challenge')}, "
            f"the latest {timezone.localtime(module.last_challenge_at):%d %b}",
            "url": link("heard", module.pk),
        },
        key="heard",
        title="Modules with new challenges",
        url=None,
        empty=f"No challenge was raised in the last {NEW_CHALLENGE_DAYS} days.",
    )


QUEUES = [
    feedback_sessions_to_schedule,
    circle_rounds_to_publish,
    talk_proposals_to_decide,
    board_reports_to_resolve,
    newsletter_candidates,
    mentees_waiting_for_mentor,
    modules_with_new_challenges,
]


# The queues are the same for every officer and cost most of the page (counting the mentees
# waiting over a week reads ~90,000 reflections with 100,000 people), so they are computed once
# per version and minute: any save or delete of a model they read bumps the version (services
# that write these in bulk call fragments.changed("dashboard")); the minute bounds how far "now"
# may have moved since they were computed.
QUEUES_CACHE = VersionedCache("dashboard", seconds=300)
QUEUES_READ = [
    "feedback.FeedbackSession",
    "feedback.Contribution",
    "core.Module",
    "circles.Round",
    "cafes.TalkProposal",
    "cafes.Cafe",
    "reflections.Reflection",
    "reflections.Comment",
    "reflections.Report",
    "reflections.NewsletterIssue",
    "reflections.NewsletterItem",
    "core.MentorLink",
    "core.User",
    "core.AuditEntry",
]


# The whole page below the navigation is the same for every officer as well, and rendering it was
# most of a request once the queues were kept (11 queries for the week, the jobs, the snapshot, the
# imports and the audit trail, then the template: 30 ms). It is kept rendered per version of both
# caches and per minute, the precision of the time the page shows: a save or delete of anything it
# reads shows at once; what services write in bulk (e-mail and snapshot progress, update()) shows
# within the minute.
PAGE_CACHE = VersionedCache("dashboard-page", seconds=60)
PAGE_READ = [
    *QUEUES_READ,
    "feedback.Invitation",
    "circles.Signup",
    "circles.Circle",
    "cafes.Rsvp",
    "django_celery_beat.PeriodicTask",
    "django_celery_beat.IntervalSchedule",
    "django_celery_beat.CrontabSchedule",
    "core.JobHeartbeat",
    "core.OutboundEmail",
    "core.OrgImport",
    "xapi.Statement",
    "impact.Snapshot",
]


def installed_models(labels: list[str]) -> list[str]:
    """Those of `labels` whose app is installed (apps are being built; each is read only when it is)."""
    installed = []
    for label in labels:
        try:
            apps.get_model(label)
        except LookupError:
            continue
        installed.append(label)
    return installed


def watch_for_changes() -> None:
    """Connect the queues' and the page's caches to the writes of the installed models they read (CoreConfig.ready)."""
    QUEUES_CACHE.watch(installed_models(QUEUES_READ))
    PAGE_CACHE.watch(installed_models(PAGE_READ))


def dashboard_queues(*, now: datetime) -> list[dict]:
    minute = now.replace(second=0, microsecond=0).isoformat()
    return QUEUES_CACHE.get_or_set(
        f"queues:{minute}", lambda: [q for build in QUEUES if (q := build(now=now)) is not None]
    )


# --- today and this week ---------------------------------------------------------------------------


def week_feedback_sessions(*, start: datetime, end: datetime) -> list[dict] | None:
    """Scheduled and running sessions from today to Sunday, with the link to the live console."""
    if not app_ready("feedback"):
        return None
    from feedback.models import FeedbackSession

    sessions = (
        FeedbackSession.objects.filter(
            state__in=[FeedbackSession.State.SCHEDULED, FeedbackSession.State.OPEN],
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("module", "facilitator")
        .annotate(invited=Count("invitations"))
        .order_by("starts_at", "id")[:10]
    )
    return [
        {
            "title": session.module.title,
            "starts_at": session.starts_at,
            "state": session.get_state_display(),
            "where": session.where,
            "facilitator": session.facilitator.full_name if session.facilitator_id else "",
            "invited": session.invited,
            "console_url": link("feedback_console", session.pk),
        }
        for session in sessions
    ]


def week_circle_rounds(*, start: datetime, end: datetime) -> list[dict] | None:
    """Rounds whose sign-up deadline or meeting falls between today and Sunday."""
    if not app_ready("circles"):
        return None
    from circles.models import Round

    rounds = (
        Round.objects.filter(
            Q(signup_deadline__gte=start, signup_deadline__lt=end) | Q(meets_at__gte=start, meets_at__lt=end)
        )
        .annotate(
            signup_count=Count("signups", filter=Q(signups__not_this_week=False), distinct=True),
            circle_count=Count("circles", distinct=True),
        )
        .order_by("signup_deadline", "id")[:5]
    )
    return [
        {
            "title": str(rnd),
            "state": rnd.get_state_display(),
            "signup_deadline": rnd.signup_deadline,
            "deadline_passed": rnd.signup_deadline <= timezone.now(),
            "meets_at": rnd.meets_at,
            "signups": rnd.signup_count,
            "circles": rnd.circle_count,
            "url": link("circle_round", rnd.pk),
        }
        for rnd in rounds
    ]


def next_cafe(*, now: datetime) -> dict | None:
    """The next café that is not cancelled, with the state of its agenda."""
    if not app_ready("cafes"):
        return None
    from cafes.models import Cafe, Rsvp, TalkProposal

    cafe = (
        Cafe.objects.filter(starts_at__gte=now, state__in=[Cafe.State.DRAFT, Cafe.State.OPEN, Cafe.State.PUBLISHED])
        .annotate(
            agenda_count=Count(
                "talks",
                filter=Q(talks__state__in=[TalkProposal.State.ACCEPTED, TalkProposal.State.DELIVERED]),
                distinct=True,
            ),
            going_count=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING), distinct=True),
        )
        .order_by("starts_at", "id")
        .first()
    )
    if cafe is None:
        return {"cafe": None, "url": link("cafes")}
    if cafe.state == Cafe.State.PUBLISHED:
        agenda = "Agenda published, changes not yet sent" if cafe.agenda_changed else "Agenda published"
    elif cafe.state == Cafe.State.OPEN:
        agenda = "Open for proposals, agenda not published yet"
    else:
        agenda = "Draft, not announced yet"
    return {
        "cafe": cafe,
        "title": cafe.title,
        "starts_at": cafe.starts_at,
        "agenda_state": agenda,
        "talks": cafe.agenda_count,
        "going": cafe.going_count,
        "capacity": cafe.capacity,
        "url": link("cafe", cafe.pk),
    }


def dashboard_week(*, now: datetime) -> dict:
    start, end = week_bounds(now)
    return {
        "start": start,
        "end": end - timedelta(seconds=1),
        "sessions": week_feedback_sessions(start=start, end=end),
        "rounds": week_circle_rounds(start=start, end=end),
        "cafe": next_cafe(now=now),
    }


# --- job health ------------------------------------------------------------------------------------


def schedule_seen_from(task, *, now: datetime):
    """The task's celery schedule, evaluated as if the time were `now` (in the schedule's own zone)."""
    schedule = task.schedule
    zone = getattr(schedule, "tz", None)
    schedule.nowfun = (lambda: now.astimezone(zone)) if zone else (lambda: now)
    return schedule, zone


def next_run_of(task, *, now: datetime) -> datetime | None:
    """When beat will next run a periodic task, computed from its schedule (None when it will not)."""
    if not task.enabled or (task.one_off and task.total_run_count):
        return None
    try:
        schedule, zone = schedule_seen_from(task, now=now)
        last = task.last_run_at or now
        remaining = schedule.remaining_estimate(last.astimezone(zone) if zone else last)
    except (AttributeError, TypeError, ValueError, OverflowError):
        return None
    return max(now, now + remaining)


def job_health(*, now: datetime) -> dict:
    """Each periodic job with its last run, result and next run; failures this week; e-mail sent today; the worker.

    Reads only the database (django-celery-beat's tables and the heartbeats the jobs record),
    never the broker, so the page stays up when the broker is down.
    """
    from django_celery_beat.models import PeriodicTask

    from saypro.core.models import JobHeartbeat, OutboundEmail

    heartbeats = {h.name: h for h in JobHeartbeat.objects.exclude(name__startswith="ping:")}
    tasks = list(PeriodicTask.objects.select_related("interval", "crontab", "solar", "clocked").order_by("name"))
    rows = []
    heartbeat_interval = None
    for task in tasks:
        if task.task == "celery.backend_cleanup":
            continue
        beat = heartbeats.get(task.task)
        next_run = next_run_of(task, now=now)
        if task.task == HEARTBEAT_TASK and next_run is not None:
            heartbeat_interval = interval_of(task, now=now)
        rows.append(
            {
                "name": task.name,
                "task": task.task,
                "enabled": task.enabled,
                "schedule": periodic_task_schedule_in_words(task),
                "last_run_at": task.last_run_at,
                "next_run_at": next_run,
                "heartbeat": beat,
            }
        )
    scheduled = {row["task"] for row in rows}
    unscheduled = [h for name, h in sorted(heartbeats.items()) if name not in scheduled]
    failed = sorted(
        (
            h
            for h in heartbeats.values()
            if not h.last_ok and h.last_finished_at and h.last_finished_at >= now - FAILED_JOBS_WINDOW
        ),
        key=lambda h: h.last_finished_at,
        reverse=True,
    )
    today = timezone.make_aware(datetime.combine(timezone.localdate(now), time.min))
    emails = OutboundEmail.objects.aggregate(
        sent_today=Count("id", filter=Q(status=OutboundEmail.Status.SENT, sent_at__gte=today)),
        reminders_today=Count(
            "id", filter=Q(status=OutboundEmail.Status.SENT, sent_at__gte=today, kind__endswith="_reminder")
        ),
        failed=Count("id", filter=Q(status=OutboundEmail.Status.FAILED)),
        pending=Count("id", filter=Q(status=OutboundEmail.Status.PENDING, created_at__lt=now - timedelta(minutes=10))),
    )
    heartbeat = heartbeats.get(HEARTBEAT_TASK)
    seen = heartbeat.last_finished_at if heartbeat else None
    grace = HEARTBEAT_DEFAULT_GRACE
    if heartbeat_interval is not None:
        grace = max(grace, heartbeat_interval * HEARTBEAT_MISSED_RUNS)
    return {
        "tasks": rows,
        "unscheduled": unscheduled,
        "failed": failed,
        "emails": emails,
        "worker_seen": seen,
        "worker_grace": grace,
        "worker_grace_text": duration_text(grace),
        "worker_stale": seen is None or now - seen > grace,
        "xapi": xapi_backlog(now=now),
    }


def xapi_backlog(*, now: datetime) -> dict | None:
    """The xAPI statements waiting for the Learning Record Store (one query; two while some fail)."""
    if not apps.is_installed("saypro.xapi"):
        return None
    from saypro.xapi.selectors import statement_backlog

    return statement_backlog(now=now)


def duration_text(span: timedelta) -> str:
    """A span in words: "15 minutes", "2 hours", "1 hour 30 minutes"."""
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} {plural(hours, 'hour')}"] if hours else []
    if minutes or not parts:
        parts.append(f"{minutes} {plural(minutes, 'minute')}")
    return " ".join(parts)


def interval_of(task, *, now: datetime) -> timedelta | None:
    """The time between two runs of a periodic task after `now`, from its schedule."""
    try:
        schedule, zone = schedule_seen_from(task, now=now)
        first = now + schedule.remaining_estimate(now.astimezone(zone) if zone else now)
        schedule, zone = schedule_seen_from(task, now=first)
        second = first + schedule.remaining_estimate(first.astimezone(zone) if zone else first)
    except (AttributeError, TypeError, ValueError, OverflowError):
        return None
    gap = second - first
    return gap if gap > timedelta(0) else None


# --- snapshot and org import -----------------------------------------------------------------------


def snapshot_section(*, now: datetime) -> dict | None:
    """The newest ready snapshot, and a version being built (with its progress) if there is one."""
    if not apps.is_installed("saypro.impact"):
        return None
    from saypro.impact.forms import RebuildForm
    from saypro.impact.models import Snapshot
    from saypro.impact.selectors import snapshot_ready_list

    latest = snapshot_ready_list().first()
    building = (
        Snapshot.objects.filter(status=Snapshot.Status.BUILDING)
        .select_related("requested_by")
        .order_by("-started_at", "-id")
        .first()
    )
    month = latest.month if latest else None
    month_key = f"{month:%Y-%m}" if month else None
    return {
        "latest": latest,
        "building": building,
        "report_url": link("snapshot_report", month_key) if month_key else link("snapshot_latest"),
        "rebuild_url": link("snapshot_rebuild", month_key) if month_key else None,
        "rebuild_form": RebuildForm(),
    }


def org_import_section() -> dict:
    from saypro.core.selectors import org_import_list

    imports = list(org_import_list()[:5])
    for item in imports:
        item.detail_url = link("org_import_detail", item.pk)
    return {"imports": imports, "url": link("org_import"), "history_url": link("org_imports")}


def dashboard_context(*, now: datetime | None = None) -> dict:
    """Everything the dashboard page shows."""
    from saypro.core.selectors import audit_entry_list

    now = now or timezone.now()
    return {
        "now": now,
        "dashboard_url": reverse("core:dashboard"),
        "week": dashboard_week(now=now),
        "queues": dashboard_queues(now=now),
        "jobs": job_health(now=now),
        "snapshot": snapshot_section(now=now),
        "org_import": org_import_section(),
        "audit_entries": list(audit_entry_list()[:5]),
    }


def dashboard_html(*, request, now: datetime) -> SafeString:
    """The page below the navigation, rendered once per version and minute for every officer (PAGE_CACHE)."""
    minute = now.replace(second=0, microsecond=0)
    return shared_html(
        caches=[QUEUES_CACHE, PAGE_CACHE],
        key=f"page:{minute.isoformat()}",
        template_name="core/partials/dashboard_body.html",
        context=lambda: dashboard_context(now=now),
        request=request,
    )
