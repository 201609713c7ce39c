"""Reads of the cafés app: querysets with their joins applied and visibility filtered for the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Avg, Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from saypro.core.calendar import CalendarEntry
from saypro.core.fragments import VersionedCache
from saypro.core.learning_log import VERB_ATTENDED, VERB_PRESENTED, LogEntry, newest_first, pk_url, within
from saypro.core.models import User
from saypro.core.roles import is_officer

from .models import (
    AVERAGES_FROM,
    RATING_QUESTIONS,
    Cafe,
    Rsvp,
    SpeakerPreference,
    TalkFeedback,
    TalkInterest,
    TalkProposal,
)

AGENDA_STATES = (TalkProposal.State.ACCEPTED, TalkProposal.State.DELIVERED)

# --- cafés ------------------------------------------------------------------------------------------


def cafe_list(*, viewer: User) -> QuerySet[Cafe]:
    """Cafés the viewer may see (officers also see drafts), with seat and talk counts."""
    qs = Cafe.objects.annotate(
        going_count=Count("rsvps", filter=Q(rsvps__status=Rsvp.Status.GOING), distinct=True),
        attended_count=Count("rsvps", filter=Q(rsvps__attended=True), distinct=True),
        talk_count=Count("talks", filter=Q(talks__state__in=AGENDA_STATES), distinct=True),
    )
    if not is_officer.test(viewer):
        qs = qs.exclude(state=Cafe.State.DRAFT)
    return qs


def cafe_upcoming(*, viewer: User, now: datetime | None = None) -> QuerySet[Cafe]:
    now = now or timezone.now()
    return (
        cafe_list(viewer=viewer)
        .filter(starts_at__gte=now)
        .exclude(state__in=[Cafe.State.HELD, Cafe.State.CANCELLED])
        .order_by("starts_at", "id")
    )


def cafe_past(*, viewer: User, now: datetime | None = None) -> QuerySet[Cafe]:
    now = now or timezone.now()
    return (
        cafe_list(viewer=viewer)
        .filter(Q(starts_at__lt=now) | Q(state__in=[Cafe.State.HELD, Cafe.State.CANCELLED]))
        .order_by("-starts_at", "-id")
    )


def cafe_open_for_proposals(*, now: datetime | None = None) -> QuerySet[Cafe]:
    """Cafés a talk can still be proposed for or accepted into."""
    now = now or timezone.now()
    return Cafe.objects.filter(state__in=[Cafe.State.OPEN, Cafe.State.PUBLISHED], starts_at__gt=now).order_by(
        "starts_at", "id"
    )


@dataclass(frozen=True)
class AgendaSlot:
    number: int
    talk: TalkProposal
    starts_at: datetime
    ends_at: datetime


# The café page's agenda is the same for everyone who reads it (a speaker's own button and the
# feedback links aside, which are keyed separately): its slots and rendered HTML are kept per
# version, bumped by any save or delete of a café, a talk or a person (a speaker's name)
# (CafesConfig.ready; services that write talks in bulk call fragments.changed("cafes")).
AGENDA_CACHE = VersionedCache("cafes", seconds=600)
AGENDA_READ = ["cafes.Cafe", "cafes.TalkProposal", "core.User"]


def cafe_cached(*, pk: int) -> Cafe | None:
    """The café (for pages that only read it), from the agenda's cache: no query when cached."""
    return AGENDA_CACHE.get_or_set(f"cafe:{pk}", lambda: Cafe.objects.filter(pk=pk).first())


def cafe_agenda_cached(*, cafe: Cafe) -> list[AgendaSlot]:
    """cafe_agenda() from the cache (no query when cached); the café is the one just read."""
    return AGENDA_CACHE.get_or_set(f"agenda:{cafe.pk}", lambda: cafe_agenda(cafe=cafe))


def cafe_agenda_speakers_cached(*, cafe: Cafe) -> frozenset[int]:
    """The ids of the people who speak on the café's agenda (an empty set: no talk on it yet), kept
    beside the agenda: what a page needs to know before it shows the agenda's kept HTML."""
    return AGENDA_CACHE.get_or_set(
        f"speakers:{cafe.pk}", lambda: frozenset(slot.talk.speaker_id for slot in cafe_agenda_cached(cafe=cafe))
    )


def cafe_agenda(*, cafe: Cafe) -> list[AgendaSlot]:
    """The café's talks in slot order with their computed start times (one query)."""
    talks = (
        TalkProposal.objects.filter(cafe=cafe, state__in=AGENDA_STATES)
        .select_related("speaker")
        .order_by("position", "id")
    )
    slots = []
    at = cafe.starts_at + timedelta(minutes=cafe.opening_minutes)
    for number, talk in enumerate(talks, start=1):
        ends = at + timedelta(minutes=talk.duration_minutes)
        slots.append(AgendaSlot(number=number, talk=talk, starts_at=at, ends_at=ends))
        at = ends + timedelta(minutes=cafe.changeover_minutes)
    return slots


@dataclass(frozen=True)
class SeatCounts:
    capacity: int
    going: int
    waitlist: int

    @property
    def left(self) -> int:
        return max(0, self.capacity - self.going)


def cafe_seat_counts(*, cafe: Cafe) -> SeatCounts:
    counts = Rsvp.objects.filter(cafe=cafe).aggregate(
        going=Count("id", filter=Q(status=Rsvp.Status.GOING)),
        waitlist=Count("id", filter=Q(status=Rsvp.Status.WAITLIST)),
    )
    return SeatCounts(capacity=cafe.capacity, going=counts["going"], waitlist=counts["waitlist"])


# Every answer to a café, for its page's seat counts and the reader's own RSVP: read once per café
# and version instead of twice per page view. Bumped by any save or delete of an RSVP
# (CafesConfig.ready) and by the writes in bulk that set them (fragments.changed("cafe_rsvps")).
RSVP_CACHE = VersionedCache("cafe_rsvps", seconds=600)
RSVP_READ = ["cafes.Rsvp"]
_ANSWER_COLUMNS = ["id", "cafe_id", "person_id", "status", "attended", "answered_at"]


def cafe_seats_and_rsvp(*, cafe: Cafe, person: User) -> tuple[SeatCounts, Rsvp | None]:
    """The café's seat counts and the person's RSVP with `waitlist_place`, how many wait ahead of
    them or with them (None when no one), kept per café and person with the café's answers (no query
    when cached): reading every answer to find one person's cost more than the rest of the page.
    The RSVP holds only what the page shows (other columns load on access)."""
    going, waitlist, mine, ahead = RSVP_CACHE.get_or_set(
        f"seats:{cafe.pk}:{person.pk}", lambda: _seats_and_answer(cafe=cafe, person_id=person.pk)
    )
    seats = SeatCounts(capacity=cafe.capacity, going=going, waitlist=waitlist)
    if mine is None:
        return seats, None
    rsvp = Rsvp.from_db(DEFAULT_DB_ALIAS, _ANSWER_COLUMNS, list(mine))
    rsvp.waitlist_place = ahead or None  # type: ignore[attr-defined]  # an attribute the template reads
    return seats, rsvp


def _seats_and_answer(*, cafe: Cafe, person_id: int) -> tuple[int, int, tuple | None, int]:
    """Going, waiting, the person's answer (its columns) and how many wait ahead of them or with
    them, from the café's answers kept in the cache."""
    answers = RSVP_CACHE.get_or_set(
        f"answers:{cafe.pk}", lambda: list(Rsvp.objects.filter(cafe=cafe).values_list(*_ANSWER_COLUMNS))
    )
    going, waiting, mine = 0, [], None  # waiting: (answer time, id), the order of the waitlist
    for answer in answers:
        pk, _cafe_id, answer_person_id, status, _attended, answered_at = answer
        if status == Rsvp.Status.GOING:
            going += 1
        elif status == Rsvp.Status.WAITLIST:
            waiting.append((answered_at, pk))
        if answer_person_id == person_id:
            mine = answer
    if mine is None:
        return going, len(waiting), None, 0
    ahead = sum(1 for place in waiting if place <= (mine[5], mine[0]))
    return going, len(waiting), tuple(mine), ahead


def rsvp_going_list(*, cafe: Cafe) -> QuerySet[Rsvp]:
    return Rsvp.objects.filter(cafe=cafe, status=Rsvp.Status.GOING).select_related("person").order_by("answered_at")


def _attended_by(person: User, cafe_field: str) -> Exists:
    return Exists(Rsvp.objects.filter(cafe_id=OuterRef(cafe_field), person=person, attended=True))


def cafe_for_reflection(*, pk: int, person: User) -> Cafe | None:
    """A café the person attended: what a reflection invitation may name, or None.

    The reflections app reaches this and `talk_for_reflection` by their dotted names
    (reflections.selectors.CONTEXT_SOURCES).
    """
    return Cafe.objects.filter(pk=pk).filter(_attended_by(person, "pk")).first()


def talk_for_reflection(*, pk: int, person: User) -> TalkProposal | None:
    """A talk on the agenda of a café the person attended (a talk they heard), or None."""
    return (
        TalkProposal.objects.select_related("cafe")
        .filter(pk=pk, state__in=AGENDA_STATES)
        .filter(_attended_by(person, "cafe_id"))
        .first()
    )


# How many coming cafés the home panel keeps: it shows the first that has not started.
COMING_KEPT = 5


def cafe_next_for_cached(*, person: User, now: datetime | None = None) -> tuple[Cafe | None, str | None]:
    """cafe_next_for() from the cache (no query when cached): the coming cafés in the agenda's cache,
    the person's answer among the café's answers."""
    now = now or timezone.now()

    def read() -> list[Cafe]:
        coming = Cafe.objects.filter(state__in=[Cafe.State.OPEN, Cafe.State.PUBLISHED], starts_at__gt=now)
        return list(coming.order_by("starts_at", "id")[:COMING_KEPT])

    coming = AGENDA_CACHE.get_or_set("coming", read)
    cafe = next((c for c in coming if c.starts_at > now), None)
    if cafe is None:
        # All those kept have started: a later one may be coming that the list had no room for.
        return cafe_next_for(person=person, now=now) if len(coming) == COMING_KEPT else (None, None)
    _, rsvp = cafe_seats_and_rsvp(cafe=cafe, person=person)
    return cafe, rsvp.status if rsvp is not None else None


def cafe_next_for(*, person: User, now: datetime | None = None) -> tuple[Cafe | None, str | None]:
    """The next café open to colleagues and the status of the person's RSVP to it (None without
    one), in one query."""
    now = now or timezone.now()
    cafe = (
        Cafe.objects.filter(state__in=[Cafe.State.OPEN, Cafe.State.PUBLISHED], starts_at__gt=now)
        .annotate(rsvp_status=Subquery(Rsvp.objects.filter(cafe_id=OuterRef("pk"), person=person).values("status")[:1]))
        .order_by("starts_at", "id")
        .first()
    )
    if cafe is None:
        return None, None
    return cafe, cafe.rsvp_status


# --- talks and proposals ----------------------------------------------------------------------------


def talk_list(*, viewer: User, state: str | None = None) -> QuerySet[TalkProposal]:
    """Proposals the viewer may see, with interest counted and the viewer's own interest marked."""
    qs = TalkProposal.objects.select_related("speaker", "cafe", "practice_buddy").annotate(
        interest_count=Count("interests", distinct=True),
        viewer_interested=Exists(TalkInterest.objects.filter(talk=OuterRef("pk"), person_id=viewer.pk)),
    )
    if not is_officer.test(viewer):
        qs = qs.filter(Q(state__in=TalkProposal.PUBLIC_STATES) | Q(speaker_id=viewer.pk))
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-created_at", "-id")


def talk_waiting_list(*, cafe: Cafe) -> QuerySet[TalkProposal]:
    """Proposals waiting for the officer's decision, for this café or for none yet, the most wanted first:
    only what the agenda page lists (title, speaker, state, practice buddy asked, interest counted)."""
    return (
        TalkProposal.objects.filter(state__in=[TalkProposal.State.PROPOSED, TalkProposal.State.KEPT])
        .filter(Q(cafe=cafe) | Q(cafe__isnull=True))
        .select_related("speaker")
        .only(
            "title",
            "state",
            "wants_practice_buddy",
            "created_at",
            "speaker__first_name",
            "speaker__last_name",
            "speaker__email",
        )
        .annotate(interest_count=Count("interests"))
        .order_by("-interest_count", "created_at")
    )


# The proposals waiting, as the officer's agenda page lists them: read once per café and version,
# bumped by any save or delete of a talk, an interest in one or a person (a speaker's name), and by
# the writes in bulk that set them (fragments.changed("talks_waiting")).
WAITING_CACHE = VersionedCache("talks_waiting", seconds=600)
WAITING_READ = ["cafes.TalkProposal", "cafes.TalkInterest", "core.User"]


def talk_waiting_list_cached(*, cafe: Cafe) -> list[TalkProposal]:
    """talk_waiting_list() from the cache (no query when cached)."""
    return WAITING_CACHE.get_or_set(f"waiting:{cafe.pk}", lambda: list(talk_waiting_list(cafe=cafe)))


def talk_get(*, pk: int, viewer: User) -> TalkProposal | None:
    return talk_list(viewer=viewer).filter(pk=pk).first()


def talk_for_permission(*, pk: int) -> TalkProposal | None:
    return TalkProposal.objects.select_related("speaker", "cafe").filter(pk=pk).first()


def talks_of_speaker(*, speaker: User) -> QuerySet[TalkProposal]:
    return TalkProposal.objects.filter(speaker=speaker).select_related("cafe").order_by("-created_at", "-id")


def speaker_has_spoken(*, speaker: User, exclude_pk: int | None = None) -> bool:
    qs = TalkProposal.objects.filter(speaker=speaker, state__in=AGENDA_STATES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


# --- feedback ---------------------------------------------------------------------------------------


def feedback_refusal(*, talk: TalkProposal, person: User, now: datetime | None = None) -> str | None:
    """Why this person may not give feedback on this talk now, or None when they may."""
    now = now or timezone.now()
    if talk.speaker_id == person.pk:
        return "This is your own talk: feedback comes from the audience. Your feedback page shows what they said."
    cafe = talk.cafe
    if cafe is None or talk.state not in AGENDA_STATES:
        return "Feedback opens once the talk is on a café's agenda and the café has started."
    if cafe.state == Cafe.State.CANCELLED:
        return "This café was cancelled, so its talks take no feedback."
    if cafe.state not in (Cafe.State.PUBLISHED, Cafe.State.HELD) or now < cafe.starts_at:
        return "Feedback opens when the café starts."
    attended = Rsvp.objects.filter(cafe=cafe, person=person).filter(Q(status=Rsvp.Status.GOING) | Q(attended=True))
    if not attended.exists():
        return "Only people who were at this café (who RSVP'd going) can give feedback on its talks."
    return None


def feedback_of(*, talk: TalkProposal, giver: User) -> TalkFeedback | None:
    return TalkFeedback.objects.filter(talk=talk, giver=giver).first()


def _one_decimal(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RatingAverage:
    field: str
    question: str
    average: Decimal


@dataclass(frozen=True)
class FeedbackSummary:
    """What a speaker may see of the feedback on one talk: never who gave it."""

    count: int
    averages: list[RatingAverage]
    worked: list[str]
    try_next: list[str]

    @property
    def shows_averages(self) -> bool:
        return self.count >= AVERAGES_FROM


def talk_feedback_summary(*, talk: TalkProposal) -> FeedbackSummary:
    """Averages (from three answers on) and the texts, sorted so their order reveals nothing (one query)."""
    rows = list(
        TalkFeedback.objects.filter(talk=talk, hidden_at__isnull=True).values_list(
            "clarity", "usefulness", "delivery", "worked", "try_next"
        )
    )
    count = len(rows)
    averages = []
    if count >= AVERAGES_FROM:
        scores = [row[:3] for row in rows]  # clarity, usefulness, delivery: RATING_QUESTIONS' order
        for index, (field, question) in enumerate(RATING_QUESTIONS.items()):
            averages.append(
                RatingAverage(
                    field=field, question=question, average=_one_decimal(sum(s[index] for s in scores) / count)
                )
            )
    return FeedbackSummary(
        count=count,
        averages=averages,
        worked=sorted((r[3] for r in rows if r[3].strip()), key=str.lower),
        try_next=sorted((r[4] for r in rows if r[4].strip()), key=str.lower),
    )


def feedback_for_moderation(*, talk: TalkProposal) -> QuerySet[TalkFeedback]:
    """Every piece of feedback on a talk with its giver: for the officer acting on abuse only."""
    return TalkFeedback.objects.filter(talk=talk).select_related("giver").order_by("created_at", "id")


@dataclass(frozen=True)
class GrowthRow:
    talk: TalkProposal
    count: int
    averages: dict[str, Decimal | None]

    @property
    def shows_averages(self) -> bool:
        return self.count >= AVERAGES_FROM


def speaker_growth(*, speaker: User) -> list[GrowthRow]:
    """The speaker's talks that were on an agenda, oldest first, with feedback averages (one query).

    Averages are None for a talk with fewer than three answers, so none can be traced to a person.
    """
    visible = Q(feedback__hidden_at__isnull=True)
    talks = (
        TalkProposal.objects.filter(speaker=speaker, state__in=AGENDA_STATES)
        .select_related("cafe")
        .annotate(**{f"avg_{field}": Avg(f"feedback__{field}", filter=visible) for field in RATING_QUESTIONS})
        # A call of its own, so the type checker knows the talks carry `feedback_count` (same single join).
        .annotate(feedback_count=Count("feedback", filter=visible))
        .order_by("cafe__starts_at", "id")
    )
    rows = []
    for talk in talks:
        enough = talk.feedback_count >= AVERAGES_FROM
        rows.append(
            GrowthRow(
                talk=talk,
                count=talk.feedback_count,
                averages={
                    field: _one_decimal(getattr(talk, f"avg_{field}")) if enough else None for field in RATING_QUESTIONS
                },
            )
        )
    return rows


def speaker_preference_of(*, person: User) -> SpeakerPreference:
    """The person's speaker preferences; an unsaved default when they never chose."""
    return SpeakerPreference.objects.filter(person=person).first() or SpeakerPreference(person=person)


# --- the monthly report and the learning log ---------------------------------------------------------


def cafe_talks_delivered_in(*, start: datetime, end: datetime) -> QuerySet[TalkProposal]:
    """Talks delivered at cafés held with their start in [start, end): peer learnings shared.

    Each talk carries the speaker's department, location and job role at the time.
    """
    return (
        TalkProposal.objects.filter(
            state=TalkProposal.State.DELIVERED,
            cafe__state=Cafe.State.HELD,
            cafe__starts_at__gte=start,
            cafe__starts_at__lt=end,
        )
        .select_related("cafe", "speaker", "department", "location", "job_role")
        .order_by("cafe__starts_at", "position", "id")
    )


def cafe_attendance_in(*, start: datetime, end: datetime) -> QuerySet[Rsvp]:
    """Attendances at cafés held with their start in [start, end), with the person's placement at the time."""
    return (
        Rsvp.objects.filter(
            attended=True, cafe__state=Cafe.State.HELD, cafe__starts_at__gte=start, cafe__starts_at__lt=end
        )
        .select_related("cafe", "person", "department", "location", "job_role")
        .order_by("cafe__starts_at", "id")
    )


def learning_log_entries(*, person: User, start: datetime | None = None, end: datetime | None = None) -> list[LogEntry]:
    """Talks the person gave and cafés they attended, for the learning log (two queries)."""
    talks = within(
        TalkProposal.objects.filter(
            speaker=person, state=TalkProposal.State.DELIVERED, cafe__state=Cafe.State.HELD
        ).select_related("cafe"),
        "cafe__starts_at",
        start=start,
        end=end,
    )
    attended = within(
        Rsvp.objects.filter(person=person, attended=True, cafe__state=Cafe.State.HELD).select_related("cafe"),
        "cafe__starts_at",
        start=start,
        end=end,
    )
    entries = [
        LogEntry(
            when=talk.cafe.starts_at,
            kind="talk",
            title=f"Gave a lightning talk: {talk.title}",
            detail=talk.idea,
            url=pk_url("cafes:proposal-detail")(talk.pk),
            verb=VERB_PRESENTED,
            object_id=f"cafes.talkproposal:{talk.pk}",
        )
        for talk in talks
        if talk.cafe is not None  # always: only talks of held cafés are read
    ]
    cafe_url = pk_url("cafes:cafe-detail")
    entries.extend(
        LogEntry(
            when=rsvp.cafe.starts_at,
            kind="cafe",
            title=f"Attended a knowledge café: {rsvp.cafe.title}",
            detail=rsvp.cafe.theme,
            url=cafe_url(rsvp.cafe_id),
            verb=VERB_ATTENDED,
            object_id=f"cafes.cafe:{rsvp.cafe_id}",
        )
        for rsvp in attended
    )
    return newest_first(entries)


def calendar_entries(*, person: User, start: datetime) -> list[CalendarEntry]:
    """The cafés in the person's calendar feed from `start` on: going, waitlisted (tentative) or speaking.

    A draft café has no agreed time yet and a cancelled one leaves the feed; so does a café the
    person said they no longer come to.
    """
    speaking = TalkProposal.objects.filter(
        cafe_id=OuterRef("pk"),
        speaker=person,
        state__in=[TalkProposal.State.ACCEPTED, TalkProposal.State.DELIVERED],
    )
    cafes = (
        Cafe.objects.filter(
            state__in=[Cafe.State.OPEN, Cafe.State.PUBLISHED, Cafe.State.HELD],
            starts_at__gte=start,
        )
        .annotate(
            speaking=Exists(speaking),
            rsvp_status=Subquery(Rsvp.objects.filter(cafe_id=OuterRef("pk"), person=person).values("status")[:1]),
        )
        .filter(Q(speaking=True) | Q(rsvp_status__in=[Rsvp.Status.GOING, Rsvp.Status.WAITLIST]))
        .order_by("starts_at", "pk")
    )
    return [
        cafe_calendar_entry(cafe, tentative=not cafe.speaking and cafe.rsvp_status == Rsvp.Status.WAITLIST)
        for cafe in cafes
    ]


def cafe_calendar_entry(cafe: Cafe, *, tentative: bool = False) -> CalendarEntry:
    """A café as a calendar event: in the feed and in the e-mailed invite alike."""
    return CalendarEntry(
        uid=f"cafe-{cafe.pk}",
        sequence=cafe.sequence,
        tentative=tentative,
        summary=f"Knowledge café: {cafe.title}",
        description=cafe.theme,
        url=reverse("cafes:cafe-detail", args=[cafe.pk]),
        starts_at=cafe.starts_at,
        ends_at=cafe.ends_at,
        location=cafe.where,
    )
