"""A person's knowledge-café data, for "export and delete my data" (see saypro/personal_data.py).

Export: the person's talk proposals and, for talks they gave, the feedback as the speaker sees
it in the app — how many answers, the averages (only from three answers on) and the texts in
an order that reveals nothing, never who gave them; the feedback the person gave others; their
RSVPs, "I'd like to hear this" and speaker preferences.

Erase decides per record:

- Delivered talks are peer learnings the monthly report counts: they stay, with their text and
  the feedback on them, under the anonymised name. So does an accepted talk at a café that has
  already started (it becomes delivered when the café is marked held).
- Every other proposal (proposed, kept, declined, withdrawn, or accepted for a coming café) is
  withdrawn through the cafés app's own service, so a talk on a coming agenda leaves it and the
  agenda is marked changed, and then deleted with the interest it drew.
- Going or waitlisted RSVPs to coming cafés are cancelled through the cafés app's own service,
  so a freed seat goes to the first on the waitlist, who is told. RSVPs to past cafés stay
  (attendance counts).
- Feedback the person gave stays, still anonymous to the speaker, so the speaker's averages and
  growth do not change. "I'd like to hear this" and speaker preferences are deleted; the person
  stops being the practice buddy of talks not yet delivered.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from saypro.core.models import User
from saypro.core.personal_data import jsonable

from . import services
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

SECTION_TITLE = "Knowledge cafés"
ERASE_EXPLAINED = [
    "Talks you gave stay on past cafés' agendas under the name “Former colleague”, because they count in the "
    "monthly reports; every other proposal is withdrawn (taken off a coming agenda) and deleted.",
    "Your seats at coming cafés are given up (the waitlist moves up); your attendance at past cafés stays.",
    "Feedback you gave speakers stays, anonymous as always; your “I'd like to hear this” and speaker "
    "preferences are deleted.",
]


def _one_decimal(total: int, count: int) -> float:
    return float((Decimal(total) / Decimal(count)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _cafe(cafe: Cafe | None) -> dict | None:
    if cafe is None:
        return None
    return {"title": cafe.title, "starts_at": jsonable(cafe.starts_at), "state": cafe.state}


def _feedback_received(rows: list[tuple]) -> dict:
    """What the speaker sees of one talk's visible feedback: counts, averages from three answers, texts."""
    count = len(rows)
    averages = None
    if count >= AVERAGES_FROM:
        averages = {field: _one_decimal(sum(r[i] for r in rows), count) for i, field in enumerate(RATING_QUESTIONS)}
    return {
        "answers": count,
        "averages": averages,
        "averages_shown_from": AVERAGES_FROM,
        # Sorted, so the order reveals nothing about who wrote what.
        "worked": sorted((r[3] for r in rows if r[3].strip()), key=str.lower),
        "try_next": sorted((r[4] for r in rows if r[4].strip()), key=str.lower),
    }


def export(*, person: User) -> dict:
    """The person's talks with the feedback they received, feedback given, RSVPs and interests (six queries)."""
    talks = list(TalkProposal.objects.filter(speaker=person).select_related("cafe").order_by("created_at", "id"))
    received: dict[int, list[tuple]] = defaultdict(list)
    for talk_id, *values in TalkFeedback.objects.filter(talk__speaker=person, hidden_at__isnull=True).values_list(
        "talk_id", *RATING_QUESTIONS, "worked", "try_next"
    ):
        received[talk_id].append(tuple(values))
    given = TalkFeedback.objects.filter(giver=person).select_related("talk__cafe").order_by("created_at", "id")
    rsvps = Rsvp.objects.filter(person=person).select_related("cafe").order_by("cafe__starts_at", "id")
    interests = TalkInterest.objects.filter(person=person).select_related("talk").order_by("created_at", "id")
    preference = SpeakerPreference.objects.filter(person=person).first()
    return {
        "talks": [
            {
                "title": t.title,
                "idea": t.idea,
                "why_it_matters": t.why_it_matters,
                "audience_can_try": t.audience_can_try,
                "reflection_url": t.reflection_url,
                "duration_minutes": t.duration_minutes,
                "state": t.state,
                "decision_note": t.decision_note,
                "cafe": _cafe(t.cafe),
                "position": t.position,
                "wants_practice_buddy": t.wants_practice_buddy,
                "practice_buddy_assigned": t.practice_buddy_id is not None,
                "created_at": jsonable(t.created_at),
                "delivered_at": jsonable(t.delivered_at),
                "feedback_received": _feedback_received(received.get(t.pk, []))
                if t.state == TalkProposal.State.DELIVERED or t.pk in received
                else None,
            }
            for t in talks
        ],
        "feedback_given": [
            {
                "talk": f.talk.title,
                "cafe": _cafe(f.talk.cafe),
                **{field: getattr(f, field) for field in RATING_QUESTIONS},
                "worked": f.worked,
                "try_next": f.try_next,
                "hidden": f.hidden_at is not None,
                "created_at": jsonable(f.created_at),
                "updated_at": jsonable(f.updated_at),
            }
            for f in given
        ],
        "rsvps": [
            {"cafe": _cafe(r.cafe), "status": r.status, "attended": r.attended, "answered_at": jsonable(r.answered_at)}
            for r in rsvps
        ],
        "talks_you_would_like_to_hear": [i.talk.title for i in interests],
        "speaker_preferences": (
            {
                "notify_new_feedback": preference.notify_new_feedback,
                "share_with_mentor": preference.share_with_mentor,
            }
            if preference
            else None
        ),
    }


def erase(*, person: User) -> dict:
    """Give up coming seats, withdraw and delete undelivered proposals; keep delivered talks and feedback given.

    Runs inside the caller's transaction. Returns counts of what changed.
    Side effects: through the cafés services, a freed seat goes to the waitlist (who is told) and a
    coming agenda a talk leaves is marked changed.
    """
    now = timezone.now()
    coming_rsvps = list(
        Rsvp.objects.filter(
            person=person,
            status__in=[Rsvp.Status.GOING, Rsvp.Status.WAITLIST],
            cafe__state__in=services.OPEN_STATES,
            cafe__starts_at__gt=now,
        ).select_related("cafe")
    )
    for rsvp in coming_rsvps:
        services.rsvp_cancel(cafe=rsvp.cafe, person=person, now=now)

    withdrawable = TalkProposal.objects.filter(speaker=person).filter(
        state__in=[TalkProposal.State.PROPOSED, TalkProposal.State.KEPT]
    ) | TalkProposal.objects.filter(speaker=person, state=TalkProposal.State.ACCEPTED, cafe__starts_at__gt=now)
    withdrawn = 0
    for talk in list(withdrawable.select_related("cafe")):
        services.talk_withdraw(talk=talk, by=person)
        withdrawn += 1
    undelivered = TalkProposal.objects.filter(
        speaker=person, state__in=[TalkProposal.State.WITHDRAWN, TalkProposal.State.DECLINED]
    )
    undelivered_count = undelivered.count()
    undelivered.delete()

    interests_deleted, _ = TalkInterest.objects.filter(person=person).delete()
    preferences_deleted, _ = SpeakerPreference.objects.filter(person=person).delete()
    buddy_released = (
        TalkProposal.objects.filter(practice_buddy=person)
        .exclude(state=TalkProposal.State.DELIVERED)
        .update(practice_buddy=None)
    )
    return {
        "coming_rsvps_cancelled": len(coming_rsvps),
        "talks_withdrawn": withdrawn,
        "talks_deleted": undelivered_count,
        "interests_deleted": interests_deleted,
        "speaker_preferences_deleted": preferences_deleted,
        "practice_buddy_released": buddy_released,
        "talks_kept": TalkProposal.objects.filter(speaker=person).count(),
        "feedback_given_kept": TalkFeedback.objects.filter(giver=person).count(),
        "rsvps_kept": Rsvp.objects.filter(person=person).count(),
    }
