"""Reads of feedback sessions, visibility already applied for the viewer.

The participation selectors at the end (`feedback_sessions_held_in`, `feedback_participation`,
`feedback_learnings_shared_in`) are what the monthly impact snapshot calls; they follow the
definitions in DESIGN.md and compute everything in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from saypro.core import roles
from saypro.core.calendar import CalendarEntry
from saypro.core.fragments import ObjectCache, VersionedCache
from saypro.core.learning_log import VERB_ATTENDED, VERB_SHARED, LogEntry, markdown_detail, newest_first, pk_url, within
from saypro.core.models import Module, Placement, User

from .models import Contribution, FeedbackSession, Invitation, Suggestion

State = FeedbackSession.State
Kind = Contribution.Kind

# The kinds that count as peer learnings shared (a challenge asks; it does not share).
LEARNING_KINDS = (Kind.INSIGHT, Kind.SUCCESS_STORY)

VISIBLE = Q(hidden_at__isnull=True, withdrawn_at__isnull=True)


# --- sessions -----------------------------------------------------------------------------------


def session_list(
    *, person: User, state: str | None = None, module_id: int | None = None, upcoming: bool | None = None
) -> QuerySet[FeedbackSession]:
    """Sessions the person may see: every session for an officer, their invitations for anyone else."""
    qs = FeedbackSession.objects.select_related("module__programme", "facilitator")
    if not roles.is_officer.test(person):
        qs = qs.filter(Exists(Invitation.objects.filter(session_id=OuterRef("pk"), person=person)))
    if state:
        qs = qs.filter(state=state)
    if module_id:
        qs = qs.filter(module_id=module_id)
    if upcoming is True:
        qs = qs.filter(ends_at__gte=timezone.now()).order_by("starts_at", "pk")
    elif upcoming is False:
        qs = qs.filter(ends_at__lt=timezone.now())
    return qs


def session_get(*, person: User, pk: int) -> FeedbackSession | None:
    """One session, if the person may see it (officers: any; others: the ones they are invited to)."""
    return session_list(person=person).filter(pk=pk).first()


def session_invitation_for(*, session: FeedbackSession, person: User) -> Invitation | None:
    return Invitation.objects.filter(session=session, person=person).first()


def session_for_reflection(*, pk: int, person: User) -> FeedbackSession | None:
    """A session the person was invited to: what a reflection invitation may name, or None.

    Officers see every session, but reflect only on the ones they were invited to. The reflections
    app reaches this by its dotted name (reflections.selectors.CONTEXT_SOURCES).
    """
    return (
        FeedbackSession.objects.select_related("module")
        .filter(pk=pk)
        .filter(Exists(Invitation.objects.filter(session_id=OuterRef("pk"), person=person)))
        .first()
    )


# How many people one page of the console's attendance list shows; the search box finds anyone else.
ATTENDANCE_PAGE_SIZE = 25
# Words of a search that are matched (each must match); more are ignored.
SEARCH_WORDS = 5


# The console (feedback.views.console.console_html), with its attendance list (a page of invitations
# with their people's names, departments and locations), is kept as HTML per version of this cache,
# bumped by any save or delete of an invitation, a person, a department or a location
# (FeedbackConfig.ready) and by the writes in bulk of invitations or people (fragments.changed("attendance")).
ATTENDANCE_CACHE = VersionedCache("attendance", seconds=600)
ATTENDANCE_READ = ["feedback.Invitation", "core.User", "core.Department", "core.Location"]


def session_invitations(*, session: FeedbackSession, search: str = "") -> QuerySet[Invitation]:
    """The session's invitations by name, each with the person's department and location.

    `search` keeps the people whose name, e-mail, department or location contains every one of
    its words (case-insensitive), so two people with the same name are told apart by where they work.
    """
    qs = session.invitations.select_related("person__department", "person__location").only(
        "pk",
        "session_id",
        "attendance",
        "person__first_name",
        "person__last_name",
        "person__email",
        "person__department__name",
        "person__location__name",
    )
    for word in search.split()[:SEARCH_WORDS]:
        qs = qs.filter(
            Q(person__first_name__icontains=word)
            | Q(person__last_name__icontains=word)
            | Q(person__email__icontains=word)
            | Q(person__department__name__icontains=word)
            | Q(person__location__name__icontains=word)
        )
    return qs.order_by("person__last_name", "person__first_name", "pk")


def contribution_get(*, person: User, pk: int) -> Contribution | None:
    """A contribution (not withdrawn) of a session the person may see."""
    visible_sessions = session_list(person=person).values("pk")
    return (
        Contribution.objects.filter(pk=pk, session__in=visible_sessions, withdrawn_at__isnull=True)
        .select_related("session__module", "author")
        .first()
    )


def suggestion_get(*, person: User, pk: int) -> Suggestion | None:
    visible_sessions = session_list(person=person).values("pk")
    return (
        Suggestion.objects.filter(pk=pk, contribution__session__in=visible_sessions)
        .select_related("contribution__session", "author")
        .first()
    )


def session_contributions(
    *, session: FeedbackSession, viewer: User, facilitating: bool = False
) -> QuerySet[Contribution]:
    """The session's contributions as the viewer may see them.

    The facilitating officer sees hidden ones too (marked); a participant sees what is visible
    plus their own hidden ones, with the reason. Withdrawn ones are shown to nobody.
    """
    qs = Contribution.objects.filter(session=session, withdrawn_at__isnull=True)
    suggestions = Suggestion.objects.select_related("author").order_by("created_at", "pk")
    if not facilitating:
        qs = qs.filter(Q(hidden_at__isnull=True) | Q(author=viewer))
        suggestions = suggestions.filter(Q(hidden_at__isnull=True) | Q(author=viewer))
    return (
        qs.select_related("author", "recorded_by")
        .prefetch_related(Prefetch("suggestions", queryset=suggestions))
        .order_by("created_at", "pk")
    )


# Headings of the three groups; the kinds' labels are singular ("Success story").
KIND_PLURALS: dict[str, str] = {
    Kind.INSIGHT: "Insights",
    Kind.CHALLENGE: "Challenges",
    Kind.SUCCESS_STORY: "Success stories",
}


@dataclass
class KindGroup:
    kind: str
    label: str
    contributions: list[Contribution] = field(default_factory=list)

    @property
    def plural_label(self) -> str:
        return KIND_PLURALS[self.kind]

    @property
    def count(self) -> int:
        return len(self.contributions)


def group_by_kind(contributions) -> list[KindGroup]:
    """Contributions in three groups (insights, challenges, success stories), in order of arrival."""
    groups = {kind: KindGroup(kind=kind, label=label) for kind, label in Kind.choices}
    for contribution in contributions:
        groups[contribution.kind].contributions.append(contribution)
    return list(groups.values())


def console_version(*, session: FeedbackSession) -> str:
    """A fingerprint of what the console shows; it changes whenever a contribution or suggestion does."""
    row = Contribution.objects.filter(session=session).aggregate(
        n=Count("pk", distinct=True), last=Max("updated_at"), s=Count("suggestions", distinct=True)
    )
    last = row["last"].timestamp() if row["last"] else 0
    return f"{row['n']}-{row['s']}-{last:.6f}"


# What the console reads on every view besides its kept HTML, kept per session: the session's row
# with its module (the officer's permission check) and the board's fingerprint (console_version).
# Under load each query left on the page cost more than the rest of it (benchmarks/bench_throughput.py).
# Stale on every save or delete of the session, its contributions and their suggestions
# (FeedbackConfig.ready), of any module (CONSOLE_SHARED), and after the services' update() of
# these (console_changed). The board's own polling still reads the fingerprint from the database,
# so a board kept under an older fingerprint is replaced on its first poll.
CONSOLE_SHARED = VersionedCache("console", seconds=600)
CONSOLE_KEPT = ObjectCache("console", seconds=600, shared=[CONSOLE_SHARED])


def console_session_kept(*, pk: int) -> FeedbackSession | None:
    """The session with its module, as kept for the console (officers see every session)."""
    return CONSOLE_KEPT.get_or_set_for(
        object_id=pk,
        part="session",
        compute=lambda: (FeedbackSession.objects.select_related("module").filter(pk=pk).first(), None),
    )


def console_version_kept(*, session: FeedbackSession) -> str:
    """console_version() as kept for the session: no query when kept."""
    return CONSOLE_KEPT.get_or_set_for(
        object_id=session.pk, part="version", compute=lambda: (console_version(session=session), None)
    )


def console_changed(*, session_ids: list[int]) -> None:
    """A service wrote these sessions or their contributions with update(): their kept reads are stale."""
    CONSOLE_KEPT.objects_changed(object_ids=session_ids)


def suggestion_session_ids(suggestion: Suggestion) -> list[int]:
    """The session a suggestion is in, for CONSOLE_KEPT (none when its contribution is gone with it)."""
    try:
        return [suggestion.contribution.session_id]
    except Contribution.DoesNotExist:
        return []


def session_summary(*, session: FeedbackSession) -> dict[str, list[Contribution]]:
    """What attendees get afterwards: highlighted contributions, challenges with suggestions, success stories."""
    contributions = list(
        Contribution.objects.filter(VISIBLE, session=session)
        .select_related("author", "recorded_by")
        .prefetch_related(
            Prefetch(
                "suggestions",
                queryset=Suggestion.objects.filter(hidden_at__isnull=True).select_related("author").order_by("pk"),
            )
        )
        .order_by("created_at", "pk")
    )
    return {
        "highlighted": [c for c in contributions if c.highlighted],
        "challenges": [c for c in contributions if c.kind == Kind.CHALLENGE],
        "success_stories": [c for c in contributions if c.kind == Kind.SUCCESS_STORY],
    }


def next_session_for(*, person: User) -> FeedbackSession | None:
    """The person's next scheduled or open session (for the home panel)."""
    return (
        session_list(person=person)
        .filter(
            Exists(Invitation.objects.filter(session_id=OuterRef("pk"), person=person)),
            state__in=(State.SCHEDULED, State.OPEN),
            ends_at__gte=timezone.now(),
        )
        .annotate(
            my_contributions=Subquery(
                Contribution.objects.filter(VISIBLE, session_id=OuterRef("pk"), author=person)
                .values("session_id")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            )
        )
        .order_by("starts_at", "pk")
        .first()
    )


def session_next_for_home(*, person: User) -> tuple[FeedbackSession | None, bool]:
    """The home panel's read, in one query: the person's next scheduled or open session they are
    invited to (None if none is coming), and whether they may see any session at all.

    The sessions the person may see are sorted with that next session first, so one row answers
    both; only the columns the panel shows are read.
    """
    invited = Exists(Invitation.objects.filter(session_id=OuterRef("pk"), person=person))
    coming = invited & Q(state__in=(State.SCHEDULED, State.OPEN), ends_at__gte=timezone.now())
    first = (
        session_list(person=person)
        .select_related(None)
        .select_related("module")
        .only("state", "starts_at", "ends_at", "place", "online_url", "module__title")
        .annotate(
            is_next=Case(When(coming, then=Value(True)), default=Value(False), output_field=BooleanField()),
            my_contributions=Subquery(
                Contribution.objects.filter(VISIBLE, session_id=OuterRef("pk"), author=person)
                .values("session_id")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )
        .order_by(F("is_next").desc(), "starts_at", "pk")
        .first()
    )
    if first is None:
        return None, False
    return (first if first.is_next else None), True


def feedback_newsletter_candidates(
    *, start: datetime | None = None, end: datetime | None = None
) -> QuerySet[Contribution]:
    """Highlighted, visible contributions of held sessions: what the officer may pick for the newsletter.

    `start`/`end` bound the session's scheduled start, [start, end).
    """
    qs = Contribution.objects.filter(VISIBLE, highlighted=True, session__state=State.HELD)
    if start is not None:
        qs = qs.filter(session__starts_at__gte=start)
    if end is not None:
        qs = qs.filter(session__starts_at__lt=end)
    return qs.select_related("author", "recorded_by", "session__module", "department").order_by(
        "-session__starts_at", "created_at", "pk"
    )


# --- participation (DESIGN.md definitions) ------------------------------------------------------


def feedback_sessions_held_in(*, start: datetime, end: datetime) -> QuerySet[FeedbackSession]:
    """Sessions in state held whose scheduled start falls in [start, end)."""
    return FeedbackSession.objects.filter(state=State.HELD, starts_at__gte=start, starts_at__lt=end)


def _placement_at_start(field_name: str) -> Subquery:
    """The person's `field_name` in the placement covering the session's start (valid_from <= t < valid_to)."""
    return Subquery(
        Placement.objects.filter(person_id=OuterRef("person_id"), valid_from__lte=OuterRef("starts_at"))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("starts_at")))
        .order_by("-valid_from")
        .values(field_name)[:1]
    )


def eligibility_rows(*, sessions: QuerySet[FeedbackSession]) -> QuerySet:
    """One row per (eligible person, session), as dicts.

    Eligible: an enrolment in the session's module not withdrawn before the session's scheduled
    start (a withdrawal at or after the start does not matter). Active: at least one visible
    contribution (not hidden, not withdrawn; their own or recorded on their behalf) in that
    session. Keys: session_id, module_id, person_id, starts_at, department_id, location_id,
    job_role_id (from the placement at the session's start), is_active.
    """
    return (
        _eligible(sessions=sessions)
        .annotate(
            department_id=_placement_at_start("department_id"),
            location_id=_placement_at_start("location_id"),
            job_role_id=_placement_at_start("job_role_id"),
        )
        .values(
            "session_id",
            "module_id",
            "person_id",
            "starts_at",
            "department_id",
            "location_id",
            "job_role_id",
            "is_active",
        )
        .order_by("session_id", "person_id")
    )


def _eligible(*, sessions: QuerySet[FeedbackSession]) -> QuerySet:
    """eligibility_rows without the placements: what counting people needs (each placement was a
    subquery per row, and a console counts on every view)."""
    return (
        sessions.filter(
            Q(module__enrolments__withdrawn_at__isnull=True) | Q(module__enrolments__withdrawn_at__gte=F("starts_at"))
        )
        .annotate(person_id=F("module__enrolments__person_id"), session_id=F("pk"))
        .annotate(
            is_active=Exists(
                Contribution.objects.filter(VISIBLE, session_id=OuterRef("pk"), author_id=OuterRef("person_id"))
            )
        )
    )


@dataclass(frozen=True)
class Participation:
    """Eligible and active people over a set of sessions, each person counted once."""

    sessions: int
    eligible: int
    active: int
    rows: QuerySet  # eligibility_rows: one dict per (eligible person, session)

    @property
    def has_sessions(self) -> bool:
        return self.sessions > 0


def _distinct_counts(rows: QuerySet) -> dict[str, int]:
    return rows.order_by().aggregate(
        eligible=Count("person_id", distinct=True),
        active=Count("person_id", distinct=True, filter=Q(is_active=True)),
    )


def feedback_participation(*, start: datetime, end: datetime) -> Participation:
    """Participation in the sessions held in [start, end), as DESIGN.md defines it.

    eligible = distinct people eligible through at least one such session; active = distinct
    eligible people with a visible contribution in a session they are eligible through.
    Three queries, whatever the number of people.
    """
    sessions = feedback_sessions_held_in(start=start, end=end)
    counts = _distinct_counts(_eligible(sessions=sessions))
    return Participation(
        sessions=sessions.count(),
        eligible=counts["eligible"],
        active=counts["active"],
        rows=eligibility_rows(sessions=sessions),
    )


def session_participation(*, session: FeedbackSession) -> dict[str, int]:
    """Eligible, attended and active counts for one session (the session and module pages).

    Also `invited` and `unrecorded` (invited people whose attendance is not recorded yet), from
    the same query as `attended`.
    """
    counts = _distinct_counts(_eligible(sessions=FeedbackSession.objects.filter(pk=session.pk)))
    counts.update(
        session.invitations.aggregate(
            attended=Count("pk", filter=Q(attendance__in=Invitation.ATTENDED)),
            unrecorded=Count("pk", filter=Q(attendance=Invitation.Attendance.UNKNOWN)),
            invited=Count("pk"),
        )
    )
    return counts


# The console's participation counts of a session are kept per version of this cache, bumped by any
# save or delete of an invitation, a contribution or an enrolment (FeedbackConfig.ready) and by the
# writes in bulk of those (fragments.changed("participation")). The session's module and start, which
# decide who is eligible, are part of the key: a session moved by update() is counted again too.
PARTICIPATION_CACHE = VersionedCache("participation", seconds=600)
PARTICIPATION_READ = ["feedback.Invitation", "feedback.Contribution", "core.Enrolment"]


def session_participation_cached(*, session: FeedbackSession) -> dict[str, int]:
    """session_participation() from the cache (no query when kept): its two queries were over a third
    of the console's time."""
    key = f"session:{session.pk}:{session.module_id}:{session.starts_at.isoformat()}"
    return PARTICIPATION_CACHE.get_or_set(key, lambda: session_participation(session=session))


def module_sessions(*, module: Module) -> list[dict[str, Any]]:
    """A module's sessions, newest first, each with its participation counts."""
    sessions = list(module.feedback_sessions.select_related("facilitator").order_by("-starts_at", "-pk"))
    return [
        {
            "session": s,
            "counts": session_participation(session=s) if s.state != State.CANCELLED else None,
        }
        for s in sessions
    ]


def feedback_learnings_shared_in(*, start: datetime, end: datetime) -> QuerySet:
    """Peer learnings shared through feedback sessions held in [start, end), each counted once.

    Visible insights and success stories (not challenges), with the sharer's department,
    location and job role when they shared it. Keys: id, session_id, author_id, kind,
    department_id, location_id, job_role_id, created_at.
    """
    return (
        Contribution.objects.filter(
            VISIBLE,
            kind__in=LEARNING_KINDS,
            session__in=feedback_sessions_held_in(start=start, end=end),
        )
        .values("id", "session_id", "author_id", "kind", "department_id", "location_id", "job_role_id", "created_at")
        .order_by("id")
    )


# --- the learning log ---------------------------------------------------------------------------


def learning_log_entries(*, person: User, start: datetime | None = None, end: datetime | None = None) -> list[LogEntry]:
    """The person's feedback sessions attended and contributions shared, for the learning log."""
    attended = within(
        Invitation.objects.filter(
            person=person, attendance__in=Invitation.ATTENDED, session__state=State.HELD
        ).select_related("session__module"),
        "session__starts_at",
        start=start,
        end=end,
    )
    contributions = within(
        Contribution.objects.filter(VISIBLE, author=person).exclude(session__state=State.CANCELLED),
        "created_at",
        start=start,
        end=end,
    )
    session_url = pk_url("feedback:session-detail")
    entries = [
        LogEntry(
            when=invitation.session.starts_at,
            kind="feedback_session",
            title=f"Feedback session: {invitation.session.module.title}",
            detail=f"Attended ({invitation.get_attendance_display().lower()})",
            url=session_url(invitation.session_id),
            verb=VERB_ATTENDED,
            object_id=f"feedback.feedbacksession:{invitation.session_id}",
        )
        for invitation in attended
    ]
    entries += [
        LogEntry(
            when=contribution.created_at,
            kind="contribution",
            title=f"{contribution.get_kind_display()} in the feedback session on {contribution.session.module.title}",
            detail=markdown_detail(
                contribution.text, suffix=" (recorded by the officer)" if contribution.recorded_by_id else ""
            ),
            url=session_url(contribution.session_id),
            verb=VERB_SHARED,
            object_id=f"feedback.contribution:{contribution.pk}",
        )
        for contribution in contributions.select_related("session__module")
    ]
    return newest_first(entries)


def calendar_entries(*, person: User, start: datetime) -> list[CalendarEntry]:
    """The sessions in the person's calendar feed: invited to or facilitating, scheduled from `start` on.

    Proposed sessions have no agreed time yet and cancelled ones leave the feed, so a calendar
    program that polls it drops them.
    """
    sessions = (
        FeedbackSession.objects.filter(
            Q(facilitator=person) | Exists(Invitation.objects.filter(session_id=OuterRef("pk"), person=person)),
            state__in=[FeedbackSession.State.SCHEDULED, FeedbackSession.State.OPEN, FeedbackSession.State.HELD],
            ends_at__gte=start,
        )
        .select_related("module")
        .order_by("starts_at", "pk")
    )
    return [session_calendar_entry(session) for session in sessions]


def session_calendar_entry(session: FeedbackSession) -> CalendarEntry:
    """A session as a calendar event: in the feed and in the e-mailed invite alike."""
    return CalendarEntry(
        uid=f"feedback-session-{session.pk}",
        summary=f"Feedback session: {session.module.title}",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        location=session.where,
        description="\n".join(session.prompt_list),
        url=reverse("feedback:session-detail", kwargs={"pk": session.pk}),
        sequence=session.sequence,
    )
