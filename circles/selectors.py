"""Reads of the circles app, with joins and visibility already applied for the viewer."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from saypro.core.calendar import CalendarEntry
from saypro.core.fragments import PersonalCache, VersionedCache
from saypro.core.learning_log import VERB_ATTENDED, VERB_SHARED, LogEntry, markdown_detail, newest_first, pk_url, within
from saypro.core.models import User
from saypro.core.selectors import HOME_PANELS

from .forming import CircleExplanation, explain
from .forming import Signup as FormingSignup
from .models import (
    MAX_SIZE,
    MIN_SIZE,
    Circle,
    Learning,
    Membership,
    NeverWith,
    Round,
    Signup,
    SignupChoice,
    StandingSignup,
    Topic,
)

# How far back "who met whom" reaches when forming circles.
HISTORY_WEEKS = 12

# --- topics and rounds ---------------------------------------------------------------------------


def topic_list(*, active_only: bool = False) -> QuerySet[Topic]:
    qs = Topic.objects.all()
    return qs.filter(is_active=True) if active_only else qs


def round_open_get(*, now: datetime | None = None) -> Round | None:
    """The round people can sign up for now (the earliest open one whose deadline is ahead)."""
    now = now or timezone.now()
    return (
        Round.objects.filter(state=Round.State.OPEN, signup_deadline__gt=now)
        .prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
        .order_by("signup_deadline")
        .first()
    )


def round_open_for_home(*, person: User, now: datetime | None = None) -> Round | None:
    """The round open for sign-up (as round_open_get), with `signed_up` telling whether the person
    has signed up for it, in one query and without the topics the home panel does not show."""
    now = now or timezone.now()
    return (
        Round.objects.filter(state=Round.State.OPEN, signup_deadline__gt=now)
        .only("week_starts_on", "signup_deadline")
        .annotate(signed_up=Exists(Signup.objects.filter(round_id=OuterRef("pk"), person=person, not_this_week=False)))
        .order_by("signup_deadline")
        .first()
    )


def round_list() -> QuerySet[Round]:
    """Rounds for the officer, newest first, with sign-up and circle counts."""
    return Round.objects.annotate(
        signup_count=Count("signups", filter=Q(signups__not_this_week=False), distinct=True),
        circle_count=Count("circles", distinct=True),
    ).order_by("-week_starts_on")


def round_get(*, pk: int) -> Round | None:
    return (
        Round.objects.prefetch_related(Prefetch("topics", queryset=Topic.objects.order_by("name")))
        .filter(pk=pk)
        .first()
    )


# The officer's round page reads its round (with the topics offered) and how many circles it has
# on every view: kept per version, bumped by any save or delete of a round, its topics, a topic or a
# circle (CirclesConfig.ready) and by the writes in bulk that change them (fragments.changed("rounds")).
ROUNDS_CACHE = VersionedCache("rounds", seconds=600)
ROUNDS_READ = ["circles.Round", "circles.Topic", "circles.Circle"]


def round_get_cached(*, pk: int) -> tuple[Round | None, int]:
    """round_get() and how many circles the round has, from the cache (no query when cached)."""

    def read() -> tuple[Round | None, int]:
        round = round_get(pk=pk)
        return round, Circle.objects.filter(round=round).count() if round is not None else 0

    return ROUNDS_CACHE.get_or_set(f"round:{pk}", read)


# The officer's round page shows a round's circles, each with its members' names, departments and
# locations, and who is not placed yet, as HTML kept per version of ROUNDS_CACHE and this one (and
# of SIGNUP_COUNTS_CACHE for who is not placed). This one is bumped by any save or delete of a
# membership, a person, a department or a location (CirclesConfig.ready) and by the writes in bulk
# of memberships or people (fragments.changed("round_members")).
ROUND_MEMBERS_CACHE = VersionedCache("round_members", seconds=600)
ROUND_MEMBERS_READ = ["circles.Membership", "core.User", "core.Department", "core.Location"]


@dataclass(frozen=True)
class RoundCounts:
    """Sign-up figures an officer may see: counts only, never who chose what."""

    signed_up: int
    not_this_week: int
    standing: int
    by_first_choice: list[tuple[str, int]]
    by_department: list[tuple[str, int]]


# The officer's round page counts a round's sign-ups (2,000 of them read with their people's
# departments); the counts are kept per version, bumped by any save or delete of a sign-up, its
# choices, an "every week" opt-in, a round, a person or a department (CirclesConfig.ready; services
# that write these in bulk call fragments.changed("circle_signups")).
SIGNUP_COUNTS_CACHE = VersionedCache("circle_signups", seconds=300)
SIGNUP_COUNTS_READ = [
    "circles.Signup",
    "circles.SignupChoice",
    "circles.StandingSignup",
    "circles.Round",
    "core.User",
    "core.Department",
]


def round_signup_counts_cached(*, round: Round) -> RoundCounts:
    """round_signup_counts() from the cache (no query when cached)."""
    return SIGNUP_COUNTS_CACHE.get_or_set(f"round:{round.pk}", lambda: round_signup_counts(round=round))


def round_signup_counts(*, round: Round) -> RoundCounts:
    """Count a round's sign-ups by first-choice topic and by department, in the database."""
    # "Every week" counts whoever will be signed up again next week: a sign-up the standing
    # opt-in made, and one a person made this week while opting in (its source is the person).
    opted_in = StandingSignup.objects.filter(person=OuterRef("person"), is_active=True).filter(
        Q(paused_until__isnull=True) | Q(paused_until__lt=round.week_starts_on)
    )
    totals = (
        Signup.objects.filter(round=round)
        .annotate(opted_in=Exists(opted_in))
        .aggregate(
            n_signed_up=Count("id", filter=Q(not_this_week=False)),
            n_declined=Count("id", filter=Q(not_this_week=True)),
            n_standing=Count(
                "id", filter=Q(not_this_week=False) & (Q(source=Signup.Source.STANDING) | Q(opted_in=True))
            ),
        )
    )
    by_topic = (
        SignupChoice.objects.filter(signup__round=round, signup__not_this_week=False, rank=1)
        .values("topic__name")
        .annotate(n=Count("id"))
        .order_by("-n", "topic__name")
    )
    by_department = (
        Signup.objects.filter(round=round, not_this_week=False)
        .values("person__department__name")
        .annotate(n=Count("id"))
        .order_by("-n", "person__department__name")
    )
    return RoundCounts(
        signed_up=totals["n_signed_up"],
        not_this_week=totals["n_declined"],
        standing=totals["n_standing"],
        by_first_choice=[(row["topic__name"], row["n"]) for row in by_topic],
        by_department=[(row["person__department__name"] or "No department", row["n"]) for row in by_department],
    )


def _member_prefetch() -> Prefetch:
    return Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("person", "department", "location", "job_role").order_by(
            "left_at", "person__last_name", "person__first_name", "person_id"
        ),
    )


def round_circle_list(*, round: Round) -> QuerySet[Circle]:
    """A round's circles with topic, host and members (including those who left, to show the gap)."""
    return round.circles.select_related("topic", "host").prefetch_related(_member_prefetch()).order_by("number")


def _member_names_prefetch() -> Prefetch:
    """Circles' members (those who left too) with only their names and the department and location they
    had: what the lists of circles show."""
    return Prefetch(
        "memberships",
        queryset=Membership.objects.select_related("person", "department", "location")
        .only(
            "circle_id",
            "person_id",
            "left_at",
            "left_reason",
            "person__first_name",
            "person__last_name",
            "person__email",
            "department__name",
            "location__name",
        )
        .order_by("left_at", "person__last_name", "person__first_name", "person_id"),
    )


def round_circle_review_list(*, round: Round) -> QuerySet[Circle]:
    """A round's circles as the officer's round page shows them: only the columns it reads, and the
    members (those who left too) with their names and the department and location they had."""
    return (
        round.circles.select_related("topic")
        .only("round_id", "number", "host_id", "is_locked", "explanation", "topic__name")
        .prefetch_related(_member_names_prefetch())
        .order_by("number")
    )


def circle_review_rows(*, circles: Iterable[Circle]) -> list[dict]:
    """Circles from `round_circle_review_list` as the officer reviews them: who is in, who left, whether
    the size is right, how many got their first choice, and who met before (by name)."""
    circles = list(circles)
    names = {m.person_id: m.person.full_name for c in circles for m in c.memberships.all()}
    rows = []
    for circle in circles:
        explanation = circle.explanation or {}
        active = [m for m in circle.memberships.all() if not m.has_left]
        rows.append(
            {
                "circle": circle,
                "active": active,
                "left": [m for m in circle.memberships.all() if m.has_left],
                "size_ok": MIN_SIZE <= len(active) <= MAX_SIZE,
                "first_choice": len(explanation.get("first_choice_member_ids", [])),
                "repeats": [
                    (names.get(a, "someone"), names.get(b, "someone"), weeks)
                    for a, b, weeks in explanation.get("repeated_pairs", [])
                ],
            }
        )
    return rows


def circle_circles_before(*, circle: Circle) -> int:
    """How many circles of its round come before this one (its place on the round's pages)."""
    return Circle.objects.filter(round_id=circle.round_id, number__lt=circle.number).count()


def round_unplaced_list(*, round: Round) -> QuerySet[User]:
    """People signed up for a formed round who are in no circle of it."""
    # Sign-ups without a membership first, people after: the people's rows are read only for those.
    unplaced = (
        Signup.objects.filter(round=round, not_this_week=False)
        .exclude(Exists(Membership.objects.filter(round=round, person_id=OuterRef("person_id"))))
        .values("person_id")
    )
    return (
        User.objects.filter(pk__in=unplaced)
        .select_related("department", "location")
        .only("first_name", "last_name", "email", "department__name", "location__name")
        .order_by("last_name", "first_name", "pk")
    )


# --- what a person sees --------------------------------------------------------------------------


def signup_get(*, round: Round, person: User) -> Signup | None:
    return (
        Signup.objects.filter(round=round, person=person)
        .prefetch_related(Prefetch("choices", queryset=SignupChoice.objects.select_related("topic").order_by("rank")))
        .first()
    )


def standing_get(*, person: User) -> StandingSignup | None:
    return StandingSignup.objects.filter(person=person).first()


def never_with_list(*, person: User) -> QuerySet[NeverWith]:
    return NeverWith.objects.filter(person=person).select_related("other", "other__department").order_by("created_at")


def _with_members_and_learnings(circles: QuerySet[Circle]) -> QuerySet[Circle]:
    """Circles with topic, round, host, members and `visible_learnings` loaded (the circle page's needs)."""
    return circles.select_related("topic", "round", "host").prefetch_related(
        _member_prefetch(),
        Prefetch(
            "learnings",
            queryset=Learning.objects.filter(is_hidden=False).select_related("author").order_by("created_at", "id"),
            to_attr="visible_learnings",
        ),
    )


def circle_ids_for(*, person: User, limit: int) -> list[tuple[int, datetime]]:
    """The newest `limit` published circles a person is (or was) a member of: each one's id and end."""
    rows = (
        Circle.objects.filter(round__state=Round.State.PUBLISHED, memberships__person=person)
        .order_by("-round__meets_at", "-pk")
        .values_list("pk", "round__meets_at", "round__duration_minutes")[:limit]
    )
    return [(pk, meets_at + timedelta(minutes=minutes)) for pk, meets_at, minutes in rows]


@dataclass(frozen=True)
class MyCircles:
    """What "My circles" shows of the person besides the circles' cards."""

    circles: list[tuple[int, datetime]]  # circle_ids_for()
    open_round: Round | None
    signup: Signup | None
    standing: StandingSignup | None


# "My circles" per person: stale when one of their memberships, sign-ups (and its choices) or their
# every-week sign-up is written (CirclesConfig.ready, and the services that write them in bulk),
# when a round, a circle or a topic is (HOME_PANELS), and when the open round's sign-up closes.
MINE_CACHE = PersonalCache("circles:mine", shared=[HOME_PANELS])
MY_CIRCLES_SHOWN = 20


def my_circles_cached(*, person: User) -> MyCircles:
    """The person's circles (ids and ends), the round open for sign-up with their sign-up, and their
    every-week sign-up: from the cache (no query when cached; five when not)."""

    def read() -> tuple[MyCircles, datetime | None]:
        open_round = round_open_get()
        mine = MyCircles(
            circles=circle_ids_for(person=person, limit=MY_CIRCLES_SHOWN),
            open_round=open_round,
            signup=signup_get(round=open_round, person=person) if open_round else None,
            standing=standing_get(person=person),
        )
        return mine, (open_round.signup_deadline if open_round else None)

    return MINE_CACHE.get_or_set(person_id=person.pk, compute=read)


def circles_with_members_and_learnings(*, ids: Iterable[int]) -> list[Circle]:
    """These circles as their cards show them: topic, round, host, members and visible learnings."""
    return list(_with_members_and_learnings(Circle.objects.filter(pk__in=list(ids))))


# A circle's card (on its members' "My circles") is the same for each of them: kept as HTML per
# version of ROUNDS_CACHE, ROUND_MEMBERS_CACHE and this one, bumped by any save or delete of a
# learning (CirclesConfig.ready).
LEARNINGS_CACHE = VersionedCache("circle_learnings", seconds=600)
LEARNINGS_READ = ["circles.Learning"]


def circle_get_for(*, pk: int, person: User) -> Circle | None:
    """A circle with members and visible learnings, or None (the view decides who may see it)."""
    return _with_members_and_learnings(Circle.objects.filter(pk=pk)).first()


def membership_get(*, circle: Circle, person: User) -> Membership | None:
    return Membership.objects.filter(circle=circle, person=person).first()


def circle_for_reflection(*, pk: int, person: User) -> Circle | None:
    """A published circle the person was a member of: what a reflection invitation may name, or None.

    The reflections app reaches this by its dotted name (reflections.selectors.CONTEXT_SOURCES).
    """
    return (
        Circle.objects.select_related("round", "topic")
        .filter(pk=pk, round__state=Round.State.PUBLISHED, memberships__person=person)
        .first()
    )


@dataclass(frozen=True)
class MetPerson:
    person: User
    times: int
    last_met_on: date


def people_met_list(*, person: User) -> list[MetPerson]:
    """Who a person has shared a published circle with (neither having left it), most recent first."""
    mine = Membership.objects.filter(
        person=person, left_at__isnull=True, round__state=Round.State.PUBLISHED, round__meets_at__lte=timezone.now()
    ).values("circle_id")
    rows = list(
        Membership.objects.filter(circle_id__in=mine, left_at__isnull=True)
        .exclude(person=person)
        .values("person_id")
        .annotate(times=Count("id"), last=Max("round__week_starts_on"))
        .order_by("-last", "person_id")
    )
    people = User.objects.select_related("department", "location").in_bulk([row["person_id"] for row in rows])
    return [MetPerson(person=people[row["person_id"]], times=row["times"], last_met_on=row["last"]) for row in rows]


# --- forming inputs ------------------------------------------------------------------------------


def meeting_history(
    *, week_starts_on: date, person_ids: set[int] | None = None, round: Round | None = None
) -> dict[frozenset[int], int]:
    """Who met whom in the published circles of the last weeks: {pair: weeks ago}, the most recent meeting.

    Either `round` (everybody signed up for it, joined in the database) or `person_ids`
    narrows the people; a pair counts when both were members and neither had left.
    """
    since = week_starts_on - timedelta(weeks=HISTORY_WEEKS)
    qs = Membership.objects.filter(
        round__state=Round.State.PUBLISHED,
        round__week_starts_on__gte=since,
        round__week_starts_on__lt=week_starts_on,
        left_at__isnull=True,
    )
    if round is not None:
        qs = qs.filter(Exists(Signup.objects.filter(round=round, person_id=OuterRef("person_id"), not_this_week=False)))
    if person_ids is not None:
        qs = qs.filter(person_id__in=person_ids)
    circles: dict[int, tuple[date, list[int]]] = {}
    for circle_id, person_id, week in qs.values_list("circle_id", "person_id", "round__week_starts_on").iterator():
        circles.setdefault(circle_id, (week, []))[1].append(person_id)
    history: dict[frozenset[int], int] = {}
    for week, members in circles.values():
        weeks_ago = max(1, (week_starts_on - week).days // 7)
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = frozenset((a, b))
                if weeks_ago < history.get(pair, HISTORY_WEEKS + 1):
                    history[pair] = weeks_ago
    return history


def never_with_pairs(*, round: Round | None = None, person_ids: set[int] | None = None) -> set[frozenset[int]]:
    """The "never with" rules among the people of a round (or a set of people), as unordered pairs."""
    qs = NeverWith.objects.all()
    if round is not None:
        signed = Signup.objects.filter(round=round, not_this_week=False)
        qs = qs.filter(
            Exists(signed.filter(person_id=OuterRef("person_id"))),
            Exists(signed.filter(person_id=OuterRef("other_id"))),
        )
    if person_ids is not None:
        qs = qs.filter(person_id__in=person_ids, other_id__in=person_ids)
    return {frozenset(pair) for pair in qs.values_list("person_id", "other_id")}


def forming_signups(*, round: Round, person_ids: set[int] | None = None) -> list[FormingSignup]:
    """A round's sign-ups as the forming algorithm takes them (current department, location, role)."""
    signups = Signup.objects.filter(round=round, not_this_week=False)
    choices = SignupChoice.objects.filter(signup__round=round, signup__not_this_week=False)
    if person_ids is not None:
        signups = signups.filter(person_id__in=person_ids)
        choices = choices.filter(signup__person_id__in=person_ids)
    ranked: dict[int, list[int]] = {}
    for person_id, topic_id in choices.order_by("signup__person_id", "rank").values_list(
        "signup__person_id", "topic_id"
    ):
        ranked.setdefault(person_id, []).append(topic_id)
    rows = signups.values_list("person_id", "person__department_id", "person__location_id", "person__job_role_id")
    return [
        FormingSignup(
            person_id=pid, department_id=dept, location_id=loc, job_role_id=role, preferences=tuple(ranked.get(pid, ()))
        )
        for pid, dept, loc, role in rows.order_by("person_id")
    ]


def circle_explain(*, circle: Circle, member_ids: list[int]) -> CircleExplanation:
    """The forming explanation of a circle with the given members, computed now."""
    round = circle.round
    ids = set(member_ids)
    signups = {s.person_id: s for s in forming_signups(round=round, person_ids=ids)}
    # Somebody placed by hand without a sign-up still has a department, location and role.
    missing = ids - signups.keys()
    for pid, dept, loc, role in User.objects.filter(pk__in=missing).values_list(
        "pk", "department_id", "location_id", "job_role_id"
    ):
        signups[pid] = FormingSignup(person_id=pid, department_id=dept, location_id=loc, job_role_id=role)
    history = meeting_history(week_starts_on=round.week_starts_on, person_ids=ids)
    return explain(sorted(ids), circle.topic_id, signups, history)


def explanation_to_json(explanation: CircleExplanation) -> dict:
    data = dataclasses.asdict(explanation)
    data["repeated_pairs"] = [list(p) for p in explanation.repeated_pairs]
    data["first_choice_member_ids"] = list(explanation.first_choice_member_ids)
    return data


def circle_active_members(*, circle: Circle) -> list[Membership]:
    return list(
        circle.memberships.filter(left_at__isnull=True).select_related("person__department", "person__location")
    )


def round_signed_up_people(*, round: Round) -> QuerySet[User]:
    """The people signed up for the round (not "not this week"), by name, with where they work."""
    return (
        User.objects.filter(circle_signups__round=round, circle_signups__not_this_week=False)
        .select_related("department", "location")
        .order_by("last_name", "first_name", "pk")
    )


def circle_move_targets(*, round: Round) -> QuerySet[Circle]:
    """Circles a person may be moved into: unlocked, with room."""
    return (
        round.circles.filter(is_locked=False)
        .select_related("topic")
        .annotate(size=Count("memberships", filter=Q(memberships__left_at__isnull=True)))
        .filter(size__lt=MAX_SIZE)
        .order_by("number")
    )


# --- the monthly report --------------------------------------------------------------------------


def circle_learnings_shared_in(*, start: datetime, end: datetime) -> QuerySet[Learning]:
    """Visible circle learnings recorded in [start, end), with the sharer's department at the time."""
    return (
        Learning.objects.filter(is_hidden=False, created_at__gte=start, created_at__lt=end)
        .select_related("department")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class CircleCohesion:
    """Cohesion of the circles meeting in a span: attendance and department mix.

    `per_circle` holds (circle id, members, distinct departments among members); the mix
    index is the mean over circles of departments ÷ members, kept as an exact fraction.
    """

    circles: int
    memberships: int
    attended: int
    per_circle: list[tuple[int, int, int]]

    @property
    def attendance_rate(self) -> Fraction | None:
        return Fraction(self.attended, self.memberships) if self.memberships else None

    @property
    def mix_index(self) -> Fraction | None:
        ratios = [Fraction(departments, members) for _, members, departments in self.per_circle if members]
        return sum(ratios, Fraction(0)) / len(ratios) if ratios else None


def circle_cohesion_in(*, start: datetime, end: datetime) -> CircleCohesion:
    """Memberships, attended memberships and departments per circle, for published circles meeting in [start, end).

    A member who left before the meeting is not counted; members are those still in the circle.
    """
    rows = list(
        Circle.objects.filter(round__state=Round.State.PUBLISHED, round__meets_at__gte=start, round__meets_at__lt=end)
        .annotate(
            members=Count("memberships", filter=Q(memberships__left_at__isnull=True), distinct=True),
            departments=Count("memberships__department", filter=Q(memberships__left_at__isnull=True), distinct=True),
            attended=Coalesce(
                Sum(
                    Value(1, output_field=IntegerField()),
                    filter=Q(memberships__left_at__isnull=True, memberships__attended=True),
                ),
                0,
            ),
        )
        .values_list("pk", "members", "departments", "attended")
        .order_by("pk")
    )
    return CircleCohesion(
        circles=len(rows),
        memberships=sum(r[1] for r in rows),
        attended=sum(r[3] for r in rows),
        per_circle=[(r[0], r[1], r[2]) for r in rows],
    )


def learning_log_entries(*, person: User, start: datetime | None = None, end: datetime | None = None) -> list[LogEntry]:
    """A person's circle meetings attended and learnings shared, for the learning log."""
    memberships = within(
        Membership.objects.filter(person=person, attended=True, round__state=Round.State.PUBLISHED),
        "round__meets_at",
        start=start,
        end=end,
    )
    learnings = within(Learning.objects.filter(author=person, is_hidden=False), "created_at", start=start, end=end)
    circle_url = pk_url("circles:circle-detail")
    entries = [
        LogEntry(
            when=m.round.meets_at,
            kind="circle",
            title=f"Peer sharing circle: {m.circle.topic.name}",
            detail=f"Circle {m.circle.number}, week of {m.round.week_starts_on:%d %b %Y}",
            url=circle_url(m.circle_id),
            verb=VERB_ATTENDED,
            object_id=f"circles.circle:{m.circle_id}",
        )
        for m in memberships.select_related("round", "circle__topic")
    ]
    entries += [
        LogEntry(
            when=learning.created_at,
            kind="circle",
            title=f"Learning shared in a circle on {learning.circle.topic.name}",
            detail=markdown_detail(learning.body, limit=300),
            url=circle_url(learning.circle_id),
            verb=VERB_SHARED,
            object_id=f"circles.learning:{learning.pk}",
        )
        for learning in learnings.select_related("circle__topic")
    ]
    return newest_first(entries)


def calendar_entries(*, person: User, start: datetime) -> list[CalendarEntry]:
    """The published circles the person is a member of (and has not left), meeting from `start` on."""
    circles = (
        Circle.objects.filter(
            round__state=Round.State.PUBLISHED,
            round__meets_at__gte=start,
            memberships__person=person,
            memberships__left_at__isnull=True,
        )
        .select_related("round", "topic")
        .order_by("round__meets_at", "pk")
    )
    return [circle_calendar_entry(circle) for circle in circles]


def circle_calendar_entry(circle: Circle) -> CalendarEntry:
    """A circle as a calendar event: in the feed and in the e-mailed invite alike."""
    prompts = "\n".join(f"- {prompt}" for prompt in circle.topic.prompt_list)
    return CalendarEntry(
        uid=f"circle-{circle.pk}",
        summary=f"Peer sharing circle: {circle.topic.name}",
        starts_at=circle.round.meets_at,
        ends_at=circle.round.ends_at,
        location=circle.round.place,
        description=f"{circle.topic.description}\n\nPrompts:\n{prompts}".strip(),
        url=reverse("circles:circle-detail", kwargs={"pk": circle.pk}),
    )
