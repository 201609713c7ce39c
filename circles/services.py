"""Writes of the circles app: topics, rounds, sign-ups, forming, publishing, meetings and learnings.

Every service validates and raises ``ValidationError`` (with field names where a form shows
them) before it writes anything, so a refused request leaves no trace.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from reflections.services import reflection_invite
from saypro.core import fragments, roles
from saypro.core.calendar import ics_invite_for
from saypro.core.markdown import render_markdown, word_count
from saypro.core.models import User
from saypro.core.services import audit_record, notify, submitted_once, task_enqueue
from saypro.core.text import text_clean, text_raise
from saypro.xapi.services import statement_record, statement_retract, statements_record_many

from . import selectors
from .forming import Formation, FormingImpossible, form_circles
from .models import (
    MAX_SIZE,
    MIN_SIZE,
    TARGET_SIZE,
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

# The weekly rhythm: a round opens on Monday for the week after; sign-up closes on Thursday
# at 17:00 of the opening week; circles meet on Wednesday at 12:30 of their week.
DEADLINE_WEEKDAY, DEADLINE_TIME = 3, time(17, 0)
MEETING_WEEKDAY, MEETING_TIME = 2, time(12, 30)
TOPICS_OFFERED = 4
MAX_PREFERENCES = 3
LEARNING_MAX_WORDS = 200
# Character limits (saypro.core.text): a learning of 200 words fits well inside its limit, and
# one "word" of a megabyte does not get through.
LEARNING_MAX_CHARS = 2_000
TOPIC_NAME_MAX_CHARS = 120
TOPIC_TEXT_MAX_CHARS = 2_000
PLACE_MAX_CHARS = 200
REASON_MAX_CHARS = 300


def _at(day: date, at: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, at))


# --- topics ---------------------------------------------------------------------------------------


def topic_save(
    *, by: User, name: str, description: str, prompts: str, is_active: bool, topic: Topic | None = None
) -> Topic:
    """Create or change a topic of the catalogue (retire it with is_active=False). Side effect: audit entry."""
    errors: dict[str, list[str]] = {}
    name = text_clean(
        name, field="name", max_chars=TOPIC_NAME_MAX_CHARS, single_line=True, label="the name", errors=errors
    )
    description = text_clean(
        description, field="description", max_chars=TOPIC_TEXT_MAX_CHARS, label="the description", errors=errors
    )
    prompts = text_clean(prompts, field="prompts", max_chars=TOPIC_TEXT_MAX_CHARS, label="the prompts", errors=errors)
    text_raise(errors)
    if not name:
        raise ValidationError({"name": "Give the topic a name."})
    clash = Topic.objects.filter(name__iexact=name)
    if topic is not None:
        clash = clash.exclude(pk=topic.pk)
    if clash.exists():
        raise ValidationError({"name": "A topic with this name already exists."})
    created = topic is None
    topic = topic or Topic()
    topic.name, topic.description, topic.prompts, topic.is_active = (
        name,
        description,
        prompts,
        is_active,
    )
    with transaction.atomic():
        topic.save()
        audit_record(actor=by, action="circles.topic_create" if created else "circles.topic_update", target=topic)
    return topic


# --- rounds ---------------------------------------------------------------------------------------


def _topics_to_offer() -> list[Topic]:
    """The active topics offered least recently, so the catalogue rotates week by week."""
    return list(
        Topic.objects.filter(is_active=True)
        .annotate(last_offered=Max("rounds__week_starts_on"))
        .order_by(F("last_offered").asc(nulls_first=True), "name")[:TOPICS_OFFERED]
    )


def round_open(*, week_starts_on: date, by: User | None = None) -> tuple[Round, bool]:
    """Open the round of a week with the default topics, deadline and slot; idempotent.

    Returns (round, created). Side effects: standing opt-ins become sign-ups for the new round;
    an audit entry when an officer opened it.
    """
    if week_starts_on.weekday() != 0:
        raise ValidationError({"week_starts_on": "A round's week starts on a Monday."})
    existing = Round.objects.filter(week_starts_on=week_starts_on).first()
    if existing is not None:
        return existing, False
    topics = _topics_to_offer()
    if not topics:
        raise ValidationError("There is no active topic to offer; add or reactivate one first.")
    opening_monday = week_starts_on - timedelta(days=7)
    with transaction.atomic():
        round = Round.objects.create(
            week_starts_on=week_starts_on,
            signup_deadline=_at(opening_monday + timedelta(days=DEADLINE_WEEKDAY), DEADLINE_TIME),
            meets_at=_at(week_starts_on + timedelta(days=MEETING_WEEKDAY), MEETING_TIME),
        )
        round.topics.set(topics)
        _standing_materialise(round=round)
        if by is not None:
            audit_record(actor=by, action="circles.round_open", target=round)
    return round, True


def circle_round_open_next(*, today: date | None = None) -> Round | None:
    """Open next week's round (the job runs on Mondays); returns it when newly opened, else None."""
    today = today or timezone.localdate()
    next_monday = today + timedelta(days=7 - today.weekday())
    try:
        round, created = round_open(week_starts_on=next_monday)
    except ValidationError:
        return None
    return round if created else None


def round_update(
    *,
    round: Round,
    by: User,
    signup_deadline: datetime,
    meets_at: datetime,
    duration_minutes: int,
    place: str,
    topics: Sequence[Topic],
) -> Round:
    """Change a round's deadline, meeting slot, place or offered topics before it is published.

    Side effect: audit entry.
    """
    errors: dict[str, str] = {}
    if round.state not in (Round.State.OPEN, Round.State.FORMED):
        raise ValidationError("A published round can no longer be changed.")
    if meets_at <= signup_deadline:
        errors["meets_at"] = "The meeting must be after the sign-up deadline."
    if duration_minutes < 15:
        errors["duration_minutes"] = "A circle meets for at least 15 minutes."
    if not topics:
        errors["topics"] = "Offer at least one topic."
    retired = [t.name for t in topics if not t.is_active]
    if retired:
        errors["topics"] = f"Retired topics cannot be offered: {', '.join(retired)}."
    place_errors: dict[str, list[str]] = {}
    place = text_clean(
        place, field="place", max_chars=PLACE_MAX_CHARS, single_line=True, label="the place", errors=place_errors
    )
    if not place:
        errors["place"] = "Say where the circles meet."
    elif place_errors:
        errors["place"] = " ".join(place_errors["place"])
    if errors:
        raise ValidationError(errors)
    round.signup_deadline, round.meets_at = signup_deadline, meets_at
    round.duration_minutes, round.place = duration_minutes, place
    with transaction.atomic():
        round.save(update_fields=["signup_deadline", "meets_at", "duration_minutes", "place"])
        round.topics.set(topics)
        audit_record(actor=by, action="circles.round_update", target=round)
    return round


# --- sign-ups -------------------------------------------------------------------------------------


def _clean_preferences(*, topic_ids: Iterable[int | None], offered: Iterable[Topic] | None) -> list[Topic]:
    """Check ranked topic ids: no repeats, active, offered by the round. Raises on the `topics` field."""
    ids = [int(t) for t in topic_ids if t]
    if len(ids) != len(set(ids)):
        raise ValidationError({"topics": "Choose each topic only once."})
    if len(ids) > MAX_PREFERENCES:
        raise ValidationError({"topics": f"Rank at most {MAX_PREFERENCES} topics."})
    found = Topic.objects.in_bulk(ids)
    if len(found) != len(ids):
        raise ValidationError({"topics": "That topic does not exist."})
    topics = [found[i] for i in ids]
    retired = [t.name for t in topics if not t.is_active]
    if retired:
        raise ValidationError({"topics": f"{', '.join(retired)} is retired and can no longer be chosen."})
    if offered is not None:
        offered_ids = {t.pk for t in offered}
        missing = [t.name for t in topics if t.pk not in offered_ids]
        if missing:
            raise ValidationError({"topics": f"{', '.join(missing)} is not offered this week."})
    return topics


def _write_choices(signup: Signup, topics: Sequence[Topic]) -> None:
    signup.choices.all().delete()
    SignupChoice.objects.bulk_create(
        [SignupChoice(signup=signup, topic=t, rank=rank) for rank, t in enumerate(topics, start=1)]
    )
    fragments.changed("circle_signups")  # choices written in bulk, without signals
    selectors.MINE_CACHE.people_changed(person_ids=[signup.person_id])  # ... which "My circles" lists


def signup_save(
    *,
    round: Round,
    person: User,
    topic_ids: Sequence[int | None],
    not_this_week: bool = False,
    every_week: bool | None = None,
    now: datetime | None = None,
) -> Signup:
    """Sign a person up for a round (or say "not this week"); a second sign-up updates the first.

    With `every_week` True the preferences also become the person's standing opt-in; False
    stops an active standing opt-in; None leaves it as it is.
    """
    now = now or timezone.now()
    if round.state != Round.State.OPEN:
        raise ValidationError("This week's circles are already formed; sign-up is closed.")
    if now >= round.signup_deadline:
        raise ValidationError("The sign-up deadline for this week has passed.")
    topics = [] if not_this_week else _clean_preferences(topic_ids=topic_ids, offered=round.topics.all())
    if not not_this_week and not topics:
        raise ValidationError({"topics": "Choose at least your first-choice topic, or tick “not this week”."})
    with transaction.atomic():
        signup, created = Signup.objects.select_for_update().get_or_create(
            round=round, person=person, defaults={"not_this_week": not_this_week, "created_at": now, "updated_at": now}
        )
        if not created:
            signup.not_this_week, signup.source, signup.updated_at = not_this_week, Signup.Source.PERSON, now
            signup.save(update_fields=["not_this_week", "source", "updated_at"])
        _write_choices(signup, topics)
        if every_week and topics:
            StandingSignup.objects.update_or_create(
                person=person, defaults={"topic_ids": [t.pk for t in topics], "is_active": True, "updated_at": now}
            )
        elif every_week is False:
            StandingSignup.objects.filter(person=person, is_active=True).update(is_active=False, updated_at=now)
            fragments.changed("circle_signups")  # an update() sends no signal
            selectors.MINE_CACHE.people_changed(person_ids=[person.pk])
    return signup


def standing_save(
    *, person: User, topic_ids: Sequence[int | None], is_active: bool, paused_until: date | None
) -> StandingSignup:
    """Save a person's standing opt-in ("sign me up every week") and its pause.

    Side effect: when it applies to the round open now and the person has not signed up
    for it, they are signed up for it too.
    """
    topics = _clean_preferences(topic_ids=topic_ids, offered=None)
    if is_active and not topics:
        raise ValidationError({"topics": "Choose at least your first-choice topic."})
    if paused_until is not None and paused_until < timezone.localdate():
        raise ValidationError({"paused_until": "Choose a date from today on, or leave it empty."})
    with transaction.atomic():
        standing, _ = StandingSignup.objects.update_or_create(
            person=person,
            defaults={
                "topic_ids": [t.pk for t in topics],
                "is_active": is_active,
                "paused_until": paused_until,
                "updated_at": timezone.now(),
            },
        )
        open_round = selectors.round_open_get()
        if open_round is not None:
            _standing_materialise(round=open_round, people=[person.pk])
    return standing


def _standing_materialise(*, round: Round, people: Sequence[int] | None = None) -> int:
    """Turn standing opt-ins into sign-ups for a round, for people who have none yet; returns how many."""
    offered = {t.pk: t for t in round.topics.filter(is_active=True)}
    standing = StandingSignup.objects.filter(is_active=True).filter(
        Q(paused_until__isnull=True) | Q(paused_until__lt=round.week_starts_on)
    )
    if people is not None:
        standing = standing.filter(person_id__in=people)
    standing = standing.exclude(person__circle_signups__round=round).filter(person__is_active=True)
    opt_ins = list(standing.values_list("person_id", "topic_ids"))
    signups = Signup.objects.bulk_create(
        [Signup(round=round, person_id=pid, source=Signup.Source.STANDING) for pid, _ in opt_ins], batch_size=1000
    )
    SignupChoice.objects.bulk_create(
        [
            SignupChoice(signup=signup, topic=topic, rank=rank)
            for signup, (_, topic_ids) in zip(signups, opt_ins, strict=True)
            for rank, topic in enumerate([offered[t] for t in topic_ids if t in offered][:MAX_PREFERENCES], start=1)
        ],
        batch_size=1000,
    )
    if signups:
        fragments.changed("circle_signups")  # sign-ups written in bulk, without signals
        fragments.changed("home_panels")  # ... which their home panels show
    return len(signups)


def never_with_add(*, person: User, email: str) -> NeverWith:
    """Add a colleague the person must never share a circle with (e.g. their line manager)."""
    email = email.strip().lower()
    other = User.objects.filter(email=email, is_active=True).first()
    if other is None:
        raise ValidationError({"email": "Nobody in the organisation has this e-mail address."})
    if other.pk == person.pk:
        raise ValidationError({"email": "That is your own address."})
    if NeverWith.objects.filter(person=person, other=other).exists():
        raise ValidationError({"email": f"{other.full_name} is already on your list."})
    return NeverWith.objects.create(person=person, other=other)


def never_with_remove(*, person: User, rule_id: int) -> bool:
    return NeverWith.objects.filter(person=person, pk=rule_id).delete()[0] > 0


# --- forming --------------------------------------------------------------------------------------


def circle_round_form_groups(*, round: Round, by: User | None = None, seed: int | None = None) -> Formation | None:
    """Form (or re-form) a round's circles from its sign-ups, keeping locked circles.

    Run by the deadline job (`by` None: only an open round whose deadline passed) or by an
    officer (forming early closes sign-up; a re-run uses a new seed unless one is given).
    Returns the formation, or None when there was nothing to do.

    Side effects: unlocked proposed circles are replaced; with fewer than three people to
    place the round is marked "too few sign-ups" and everyone signed up is told; an audit
    entry when an officer formed it.
    """
    now = timezone.now()
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if by is None and (round.state != Round.State.OPEN or now < round.signup_deadline):
            return None
        if round.state not in (Round.State.OPEN, Round.State.FORMED):
            raise ValidationError("This round is already published (or had too few sign-ups) and cannot be re-formed.")
        if seed is None:
            seed = round.pk if round.formation_seed is None else round.formation_seed + 1
        locked = list(round.circles.filter(is_locked=True).values_list("pk", "number"))
        locked_people = set(
            Membership.objects.filter(circle__is_locked=True, round=round).values_list("person_id", flat=True)
        )
        signups = [s for s in selectors.forming_signups(round=round) if s.person_id not in locked_people]
        topic_ids = list(round.topics.order_by("name").values_list("pk", flat=True))
        round.circles.filter(is_locked=False).delete()
        formation: Formation | None = None
        if not locked and len(signups) < MIN_SIZE:
            reason = (
                "Nobody signed up this week, so no circles were formed."
                if not signups
                else f"Only {len(signups)} {'person' if len(signups) == 1 else 'people'} signed up; a circle needs "
                f"at least {MIN_SIZE}, so there are no circles this week."
            )
            round.state = Round.State.NO_CIRCLES
            _tell_no_circle(round=round, person_ids=[s.person_id for s in signups], reason=reason)
        else:
            history = selectors.meeting_history(week_starts_on=round.week_starts_on, round=round)
            never = selectors.never_with_pairs(round=round)
            try:
                formation = form_circles(
                    signups=signups,
                    topic_ids=topic_ids,
                    history=history,
                    never_with=never,
                    seed=seed,
                    target_size=TARGET_SIZE,
                    min_size=MIN_SIZE,
                    max_size=MAX_SIZE,
                )
                reason = formation.reason
                _save_formation(round=round, formation=formation, taken={n for _, n in locked})
            except FormingImpossible as exc:
                reason = (
                    f"The circles could not be formed automatically: {exc} Place people by hand, or call the week off."
                )
            if formation is not None and formation.unplaced:
                reason += f" {len(formation.unplaced)} could not be placed automatically; move them into a circle."
            round.state = Round.State.FORMED
        round.formation_seed, round.formation_reason, round.formed_at = seed, reason, now
        round.save(update_fields=["state", "formation_seed", "formation_reason", "formed_at"])
        if by is not None:
            audit_record(actor=by, action="circles.round_form", target=round, data={"seed": seed}, reason=reason)
    return formation


def _tell_no_circle(*, round: Round, person_ids: Iterable[int], reason: str) -> None:
    for person in User.objects.filter(pk__in=list(person_ids)):
        notify(
            recipient=person,
            kind="circle_round_not_formed",
            key=f"round:{round.pk}:not-formed",
            title=f"No circle in the week of {round.week_starts_on:%d %b}",
            body=f"Thank you for signing up. {reason} Your sign-up stays welcome next week.",
            url=reverse("circles:mine"),
            email_template="email/notification",
        )


def circle_round_cancel(*, round: Round, by: User, reason: str) -> Round:
    """Call off a week's circles before they are published (e.g. a public holiday, or no workable circles).

    Side effects: proposed circles are removed; everyone signed up is told why; audit entry.
    """
    errors: dict[str, list[str]] = {}
    reason = text_clean(reason, field="reason", max_chars=1_000, label="the reason", errors=errors)
    text_raise(errors)
    if not reason:
        raise ValidationError({"reason": "Say why the circles are called off; everyone signed up is told."})
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.state not in (Round.State.OPEN, Round.State.FORMED):
            raise ValidationError("Only a round that is not yet published can be called off.")
        round.circles.all().delete()
        round.state, round.formation_reason = Round.State.NO_CIRCLES, f"Called off: {reason}"
        round.save(update_fields=["state", "formation_reason"])
        people = Signup.objects.filter(round=round, not_this_week=False).values_list("person_id", flat=True)
        _tell_no_circle(round=round, person_ids=people, reason=f"This week's circles are called off: {reason}")
        audit_record(actor=by, action="circles.round_cancel", target=round, reason=reason)
    return round


def _save_formation(*, round: Round, formation: Formation, taken: set[int]) -> None:
    numbers = (n for n in range(1, 10**6) if n not in taken)
    fragments.changed("rounds")  # circles created in bulk, without signals: the round's count changes
    fragments.changed("round_members")  # ... and their memberships likewise
    fragments.changed("home_panels")  # ... which the members' home panels show
    circles = Circle.objects.bulk_create(
        [
            Circle(
                round=round,
                topic_id=formed.topic_id,
                number=next(numbers),
                explanation=selectors.explanation_to_json(formed.explanation),
            )
            for formed in formation.circles
        ]
    )
    ids = [pid for formed in formation.circles for pid in formed.member_ids]
    places = {
        person.pk: Membership.placement_of(person)
        for person in User.objects.filter(pk__in=ids).only("pk", *Membership.PLACEMENT_FIELDS)
    }
    Membership.objects.bulk_create(
        [
            Membership(
                circle=circle,
                round=round,
                person_id=pid,
                **places[pid],
            )
            for circle, formed in zip(circles, formation.circles, strict=True)
            for pid in formed.member_ids
        ],
        batch_size=500,
    )


def circle_rounds_form_due(*, now: datetime | None = None) -> int:
    """Form every open round whose sign-up deadline has passed; returns how many were handled."""
    now = now or timezone.now()
    due = list(Round.objects.filter(state=Round.State.OPEN, signup_deadline__lte=now).order_by("signup_deadline"))
    handled = 0
    for round in due:
        if (
            circle_round_form_groups(round=round) is not None
            or Round.objects.get(pk=round.pk).state != Round.State.OPEN
        ):
            handled += 1
    return handled


def _refresh_explanation(circle: Circle) -> None:
    member_ids = list(circle.memberships.filter(left_at__isnull=True).values_list("person_id", flat=True))
    circle.explanation = selectors.explanation_to_json(selectors.circle_explain(circle=circle, member_ids=member_ids))
    circle.save(update_fields=["explanation"])


def circle_membership_move(
    *,
    round: Round,
    person: User,
    by: User,
    to_circle: Circle | None = None,
    new_circle_topic: Topic | None = None,
    together_with: Sequence[User] = (),
) -> Circle:
    """Move a signed-up person into another proposed circle, or into a new one on `new_circle_topic`
    (also how someone not yet placed is placed).

    A new circle starts with at least MIN_SIZE people: `person` and `together_with` move into it
    together, and fewer are refused at the move (before, a one-person circle was made here and
    refused only at publishing). Also refused when the round is not awaiting review, a circle is
    locked, the target is full, or it would break a "never with" rule; all or nothing. Side
    effects: the circles' explanations are recomputed; a circle left empty is removed; one audit
    entry per person moved.
    """
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.state != Round.State.FORMED:
            raise ValidationError("Circles can only be adjusted while they await review, before publishing.")
        group = [person, *(p for p in together_with if p.pk != person.pk)]
        if to_circle is None:
            if new_circle_topic is None or not round.topics.filter(pk=new_circle_topic.pk, is_active=True).exists():
                raise ValidationError({"to_circle": "Choose a circle, or a topic offered this week for a new one."})
            if len(group) < MIN_SIZE:
                raise ValidationError(
                    {
                        "together_with": f"A new circle needs at least {MIN_SIZE} people: choose "
                        f"{MIN_SIZE - len(group)} more to move with {person.full_name}, or move them "
                        "into a circle with room."
                    }
                )
            number = (round.circles.aggregate(n=Max("number"))["n"] or 0) + 1
            to_circle = Circle.objects.create(round=round, topic=new_circle_topic, number=number)
        elif len(group) > 1:
            raise ValidationError({"together_with": "People move together only into a new circle."})
        if to_circle.round_id != round.pk:
            raise ValidationError({"to_circle": "That circle belongs to another week."})
        sources = [_membership_move_one(round=round, person=member, to_circle=to_circle, by=by) for member in group]
        _refresh_explanation(to_circle)
        for source in {s.pk: s for s in sources if s is not None}.values():
            if source.memberships.exists():
                _refresh_explanation(source)
            else:
                source.delete()
    return to_circle


def _membership_move_one(*, round: Round, person: User, to_circle: Circle, by: User) -> Circle | None:
    """Move one person into `to_circle` (checks included); returns the circle they left, if any."""
    if not Signup.objects.filter(round=round, person=person, not_this_week=False).exists():
        raise ValidationError(f"{person.full_name} did not sign up for this week.")
    membership = Membership.objects.filter(round=round, person=person).select_related("circle").first()
    source = membership.circle if membership else None
    if source is not None and source.pk == to_circle.pk:
        raise ValidationError({"to_circle": f"{person.full_name} is already in that circle."})
    if to_circle.is_locked or (source is not None and source.is_locked):
        raise ValidationError({"to_circle": "Unlock the circle first: a locked circle keeps its members."})
    members = set(to_circle.memberships.filter(left_at__isnull=True).values_list("person_id", flat=True))
    if len(members) >= MAX_SIZE:
        raise ValidationError({"to_circle": f"Circle {to_circle.number} is full ({MAX_SIZE} people)."})
    if selectors.never_with_pairs(person_ids=members | {person.pk}) & {frozenset((person.pk, m)) for m in members}:
        raise ValidationError(
            {"to_circle": f"{person.full_name} and someone in circle {to_circle.number} asked never to share a circle."}
        )
    if membership is None:
        membership = Membership(round=round, person=person, **Membership.placement_of(person))
    membership.circle = to_circle
    membership.save()
    audit_record(
        actor=by,
        action="circles.membership_move",
        target=to_circle,
        data={"person": person.pk, "from": source.number if source else None, "to": to_circle.number},
    )
    return source


def circle_lock(*, circle: Circle, by: User, locked: bool) -> Circle:
    """Lock a proposed circle (a re-run keeps it) or unlock it. Side effect: audit entry."""
    if circle.round.state != Round.State.FORMED:
        raise ValidationError("Circles can only be locked while they await review.")
    circle.is_locked = locked
    with transaction.atomic():
        circle.save(update_fields=["is_locked"])
        audit_record(actor=by, action="circles.circle_lock" if locked else "circles.circle_unlock", target=circle)
    return circle


# --- publishing and meetings ----------------------------------------------------------------------


def _host_order(person_ids: Iterable[int]) -> dict[int, tuple]:
    """A sort key per person: never hosted first, then who hosted least recently, then fewest times."""
    person_ids = list(person_ids)
    hosted = {
        row["host_id"]: (row["last"], row["n"])
        for row in Circle.objects.filter(host_id__in=person_ids, round__state=Round.State.PUBLISHED)
        .values("host_id")
        .annotate(last=Max("round__meets_at"), n=Count("id"))
    }
    return {
        pid: (pid in hosted, hosted.get(pid, (None, 0))[0], hosted.get(pid, (None, 0))[1], pid) for pid in person_ids
    }


def _choose_host(member_ids: Sequence[int], order: dict[int, tuple]) -> int | None:
    return min(member_ids, key=lambda pid: order[pid]) if member_ids else None


def _circle_url(circle: Circle) -> str:
    return reverse("circles:circle-detail", kwargs={"pk": circle.pk})


def circle_invite(*, circle: Circle, members: Sequence[User]) -> dict:
    """The calendar invite of a circle, as an e-mail attachment dict."""
    return ics_invite_for(selectors.circle_calendar_entry(circle), attendee_emails=[m.email for m in members])


def _host_notify(*, circle: Circle, host: User) -> None:
    notify(
        recipient=host,
        kind="circle_host",
        key=f"circle:{circle.pk}:host:{host.pk}",
        title=f"You host circle {circle.number} on {circle.topic.name}",
        body=(
            "Hosting is light work: open the meeting, keep time, make sure everyone is heard, and "
            "afterwards record who came. Hosting rotates, so next time it is someone else's turn."
        ),
        url=_circle_url(circle),
        email_template="email/notification",
    )


def circle_round_publish(*, round: Round, by: User) -> Round:
    """Publish a formed round: choose each circle's host, then tell every member.

    Refused while someone signed up is unplaced or a circle has fewer than three or more
    than six members. Side effects: audit entry; after commit, the announcement task
    (`circle_round_announce`), which the 15-minute job repeats for any round a broker outage
    or a crash left unannounced.
    """
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.state != Round.State.FORMED:
            raise ValidationError("Only formed circles awaiting review can be published.")
        circles = list(selectors.round_circle_list(round=round))
        if not circles:
            raise ValidationError("There is no circle to publish.")
        if selectors.round_unplaced_list(round=round).exists():
            raise ValidationError("Place everyone who signed up in a circle before publishing.")
        wrong = [c.number for c in circles if not MIN_SIZE <= len(c.memberships.all()) <= MAX_SIZE]
        if wrong:
            raise ValidationError(
                f"Every circle needs {MIN_SIZE} to {MAX_SIZE} members; check circle {', '.join(map(str, wrong))}."
            )
        order = _host_order(m.person_id for c in circles for m in c.memberships.all())
        for circle in circles:
            circle.host_id = _choose_host([m.person_id for m in circle.memberships.all()], order)
            circle.is_locked = False
        Circle.objects.bulk_update(circles, ["host", "is_locked"])
        round.state, round.published_at = Round.State.PUBLISHED, timezone.now()
        round.save(update_fields=["state", "published_at"])
        audit_record(actor=by, action="circles.round_publish", target=round, data={"circles": len(circles)})
        round_id = round.pk
        transaction.on_commit(lambda: _announce_later(round_id))
    return round


def _announce_later(round_id: int) -> None:
    from .tasks import circle_round_announce_task

    task_enqueue(circle_round_announce_task, round_id=round_id)


def circle_round_announce(*, round: Round) -> int:
    """Tell every member of a published round about their circle; returns how many were newly told.

    Each member gets an e-mail with the members, topic, prompts, time, place and a calendar
    invite, and each host a host notice. Circle by circle, each in its own transaction, and
    at most once per person (the notification keys): safe to run twice, concurrently, or
    again after a crash part-way. Marks the round announced when done.
    """
    round = Round.objects.get(pk=round.pk)
    if round.state != Round.State.PUBLISHED:
        return 0
    told = 0
    for circle in selectors.round_circle_list(round=round):
        circle.round = round
        with transaction.atomic():
            told += _circle_announce(circle=circle)
    Round.objects.filter(pk=round.pk, announced_at__isnull=True).update(announced_at=timezone.now())
    fragments.changed("rounds")  # the round page says when every member was told
    return told


def circle_rounds_announce_pending(*, now: datetime | None = None) -> int:
    """Announce published rounds not yet announced (the task was lost to a broker outage or a crash).

    Only rounds that have not met yet: an invitation to a meeting that is over is noise, so a
    round whose announcement was lost until after it met stays untold.
    """
    now = now or timezone.now()
    told = 0
    pending = Round.objects.filter(state=Round.State.PUBLISHED, announced_at__isnull=True, meets_at__gt=now)
    for round in pending.order_by("pk"):
        told += circle_round_announce(round=round)
    return told


def _circle_announce(*, circle: Circle) -> int:
    memberships = [m for m in circle.memberships.all() if not m.has_left]
    members = [m.person for m in memberships]
    host = next((p for p in members if p.pk == circle.host_id), None)
    attachment = circle_invite(circle=circle, members=members)
    round = circle.round
    told = 0
    for person in members:
        told += notify(
            recipient=person,
            kind="circle_published",
            key=f"circle:{circle.pk}:published",
            title=f"Your circle on {circle.topic.name}, {timezone.localtime(round.meets_at):%a %d %b at %H:%M}",
            body=ngettext(
                "You meet with %(n)d colleague from across the organisation.",
                "You meet with %(n)d colleagues from across the organisation.",
                len(members) - 1,
            )
            % {"n": len(members) - 1}
            + " The invite is attached.",
            url=_circle_url(circle),
            email_template="circles/email/circle_published",
            context={"circle": circle, "round": round, "memberships": memberships, "host": host},
            attachments=[attachment],
        )
    if host is not None:
        _host_notify(circle=circle, host=host)
    return told


def circle_reminders_send(*, now: datetime | None = None) -> int:
    """Remind members of published circles a day and an hour before they meet; returns reminders sent.

    Each reminder is at most once per person (the notification key), so retries and a
    concurrent second run send nothing twice. Within the last hour only the hour reminder
    goes out.
    """
    now = now or timezone.now()
    sent = 0
    memberships = (
        Membership.objects.filter(
            left_at__isnull=True,
            round__state=Round.State.PUBLISHED,
            round__meets_at__gt=now,
            round__meets_at__lte=now + timedelta(hours=24),
        )
        .select_related("person", "circle__topic", "round")
        .order_by("round_id", "circle_id", "person_id")
    )
    for membership in memberships.iterator(chunk_size=500):
        round, circle = membership.round, membership.circle
        soon = round.meets_at - now <= timedelta(hours=1)
        when = timezone.localtime(round.meets_at)
        sent += notify(
            recipient=membership.person,
            kind="circle_reminder",
            key=f"circle:{circle.pk}:reminder-{'hour' if soon else 'day'}",
            title=(
                f"In under an hour: your circle on {circle.topic.name} at {when:%H:%M}"
                if soon
                else f"Reminder: your circle on {circle.topic.name}, {when:%a %d %b at %H:%M}"
            ),
            body=f"Circle {circle.number} meets {when:%A %d %B at %H:%M} — {round.place}.",
            url=_circle_url(circle),
            email_template="email/notification",
        )
    return sent


def circle_membership_leave(
    *, membership: Membership, by: User, reason: str = "", now: datetime | None = None
) -> Membership:
    """Leave a published circle before it meets.

    Side effects: the host is told (when the host leaves, the next host by rotation takes over
    and is told); the officer's round page shows the gap.
    """
    now = now or timezone.now()
    if by.pk != membership.person_id:
        raise ValidationError("Only the member can leave their circle.")
    errors: dict[str, list[str]] = {}
    reason = text_clean(reason, field="reason", max_chars=REASON_MAX_CHARS, label="the reason", errors=errors)
    text_raise(errors)
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update().select_related("circle__topic", "round").get(pk=membership.pk)
        )
        circle, round = membership.circle, membership.round
        if round.state != Round.State.PUBLISHED:
            raise ValidationError("This circle is not published yet; change your sign-up instead.")
        if membership.left_at is not None:
            raise ValidationError("You already left this circle.")
        if now >= round.meets_at:
            raise ValidationError("This circle has already met; leaving is no longer possible.")
        membership.left_at, membership.left_reason = now, reason
        membership.save(update_fields=["left_at", "left_reason"])
        remaining = list(circle.memberships.filter(left_at__isnull=True).values_list("person_id", flat=True))
        if circle.host_id == membership.person_id:
            circle.host_id = _choose_host(remaining, _host_order(remaining))
            circle.save(update_fields=["host"])
            if circle.host_id is not None:
                _host_notify(circle=circle, host=User.objects.get(pk=circle.host_id))
        if circle.host_id is not None:
            notify(
                recipient=User.objects.get(pk=circle.host_id),
                kind="circle_member_left",
                key=f"circle:{circle.pk}:left:{membership.person_id}",
                title=f"{by.full_name} left circle {circle.number}",
                body=(f"Their reason: {membership.left_reason}" if membership.left_reason else "")
                + ngettext(" %(n)d member remains.", " %(n)d members remain.", len(remaining)) % {"n": len(remaining)},
                url=_circle_url(circle),
                email_template="email/notification",
            )
    return membership


def _may_run_circle(*, circle: Circle, by: User) -> bool:
    return by.pk == circle.host_id or roles.is_officer.test(by)


def circle_attendance_record(
    *, circle: Circle, by: User, attended_person_ids: Iterable[int], now: datetime | None = None
) -> Circle:
    """The host (or an officer) records who came, once the circle has met.

    Side effects: each attendee is invited to write a reflection on the circle; attendees'
    xAPI statements are recorded and those of people no longer marked present taken back;
    audit entry when an officer records it for the host.
    """
    now = now or timezone.now()
    attended = {int(pid) for pid in attended_person_ids}
    if not _may_run_circle(circle=circle, by=by):
        raise ValidationError("Only the circle's host records attendance.")
    round = circle.round
    if round.state != Round.State.PUBLISHED or now < round.meets_at:
        raise ValidationError("Attendance can be recorded once the circle has met.")
    memberships = list(circle.memberships.filter(left_at__isnull=True).select_related("person"))
    unknown = attended - {m.person_id for m in memberships}
    if unknown:
        raise ValidationError({"attended": "Only members of this circle can be marked as present."})
    with transaction.atomic():
        for m in memberships:
            m.attended = m.person_id in attended
        Membership.objects.bulk_update(memberships, ["attended"])
        fragments.changed("learning_log")  # the attendees' logs list the circle; bulk_update() sends no signal
        circle.attendance_recorded_at = now
        circle.save(update_fields=["attendance_recorded_at"])
        key = f"circles.circle:{circle.pk}"
        statements_record_many(
            event="circle_attended",
            rows=[(key, m.person_id) for m in memberships if m.attended],
            path=_circle_url(circle),
            name=f"Peer sharing circle: {circle.topic.name}",
            when=round.meets_at,
        )
        statement_retract(event="circle_attended", keys=[(key, m.person_id) for m in memberships if not m.attended])
        for m in memberships:
            if m.attended:
                reflection_invite(
                    person=m.person, context=circle, kind="circle", title=f"your circle on {circle.topic.name}"
                )
        if by.pk != circle.host_id:
            audit_record(
                actor=by, action="circles.attendance_record", target=circle, data={"attended": sorted(attended)}
            )
    return circle


def circle_learning_record(
    *,
    circle: Circle,
    author: User,
    body: str,
    now: datetime | None = None,
    submission_token: uuid.UUID | None = None,
) -> Learning:
    """A member records one of the circle's learnings (short, safe Markdown), once the circle has met.

    Counts as a peer learning shared, in the author's department at the time. Side effect:
    the author is invited to turn it into a reflection; the author's xAPI statement. The same
    `submission_token` twice (a double click) returns the first learning.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    body = text_clean(body, field="body", max_chars=LEARNING_MAX_CHARS, label="the learning", errors=errors)
    if not Membership.objects.filter(circle=circle, person=author, left_at__isnull=True).exists():
        raise ValidationError("Only members of the circle record its learnings.")
    round = circle.round
    if round.state != Round.State.PUBLISHED or now < round.meets_at:
        raise ValidationError("Learnings can be recorded once the circle has met.")
    text_raise(errors)
    if not body:
        raise ValidationError({"body": "Write what the circle learned."})
    words = word_count(body)
    if words > LEARNING_MAX_WORDS:
        raise ValidationError({"body": f"Keep it short: at most {LEARNING_MAX_WORDS} words (this has {words})."})

    def create() -> Learning:
        learning = Learning.objects.create(
            circle=circle,
            author=author,
            **Learning.placement_of(author),
            body=body,
            body_html=render_markdown(body),
            created_at=now,
        )
        reflection_invite(person=author, context=circle, kind="circle", title=f"your circle on {circle.topic.name}")
        statement_record(
            event="learning_shared",
            key=f"circles.learning:{learning.pk}",
            actor=author,
            path=_circle_url(circle),
            name=f"Learning shared in a circle on {circle.topic.name}",
            when=now,
        )
        return learning

    with transaction.atomic():
        learning, _ = submitted_once(person=author, token=submission_token, create=create)
    if learning is None:
        raise ValidationError("This learning was recorded and then removed.")
    return learning


def circle_learning_hide(*, learning: Learning, by: User, reason: str) -> Learning:
    """Hide a learning that breaks the rules (officers); the reason is kept. Side effect: audit entry."""
    if not roles.is_officer.test(by):
        raise ValidationError("Only an officer hides learnings.")
    errors: dict[str, list[str]] = {}
    reason = text_clean(reason, field="reason", max_chars=REASON_MAX_CHARS, label="the reason", errors=errors)
    text_raise(errors)
    if not reason:
        raise ValidationError({"reason": "Say why it is hidden."})
    learning.is_hidden, learning.hidden_reason = True, reason
    with transaction.atomic():
        learning.save(update_fields=["is_hidden", "hidden_reason"])
        audit_record(actor=by, action="circles.learning_hide", target=learning, reason=reason)
    return learning
