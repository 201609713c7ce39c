"""Demo data for cafés: five past monthly cafés with talks and feedback, and one coming café open for RSVP.

Deterministic for the organisation's random generator and safe to run twice: each café is
keyed by its title, and a café that exists is left as it is. Written straight to the tables
(no services), so seeding sends no e-mail.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from saypro.core import fragments
from saypro.core.demo import DemoOrg

from .models import Cafe, Rsvp, SpeakerPreference, TalkFeedback, TalkInterest, TalkProposal
from .services import _third_thursday

TALKS = [
    ("The two-minute check-in", "Open each one-to-one with two minutes on how the person really is."),
    ("Feedforward, not feedback", "Ask for two suggestions about the future instead of judgement of the past."),
    ("Delegate the problem, not the task", "Hand over the outcome and the why; let the person choose the how."),
    ("Silence is a tool", "Count to five after asking a question; the best answers come after the pause."),
    ("One page, one decision", "Put every decision you need on one page with the options and your advice."),
    ("Name the conflict early", "Say 'I think we see this differently' before positions harden."),
    ("The learning log habit", "Write three lines every Friday: what worked, what didn't, what next."),
    ("Coaching with three questions", "What's on your mind? And what else? What do you want?"),
    ("Meetings that end early", "End every meeting with the decision, the owner and the date, then stop."),
    ("Praise in public, precisely", "Name the exact behaviour and its effect, within a day."),
    ("The pre-mortem", "Before starting, imagine the project failed and list why."),
    ("Ask, don't tell", "Replace your next instruction with a question and see who owns the answer."),
    ("Energy, not time", "Plan your hardest task for the hour you think most clearly."),
    ("Walk the floor", "Spend twenty minutes a week where the work happens, only listening."),
    ("Say no with a yes", "Decline by saying what you can do instead."),
    ("The five whys at the coffee machine", "Ask why five times before proposing a fix."),
    ("Handovers that hold", "A written handover with open risks saves a week of questions."),
    ("Celebrate the small wins", "Close the week by naming one thing the team did well."),
]
WORKED = [
    "The story at the start made the idea concrete.",
    "One clear idea and a practical next step.",
    "Good energy and you kept to five minutes.",
    "The example from your own team was convincing.",
    "I could picture trying it tomorrow.",
]
TRY_NEXT = [
    "Leave a pause after the key point.",
    "Show the one slide a little longer.",
    "Tell us what happened when you first tried it.",
    "Slow down at the start; the first minute was rushed.",
    "End with the one thing to try, repeated.",
]


def _month_start(today: date, back: int) -> date:
    year, month = today.year, today.month - back
    while month <= 0:
        month += 12
        year -= 1
    return date(year, month, 1)


def seed(*, org: DemoOrg) -> None:
    rng = org.rng
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localdate()
    crowd = [p for p in org.people if p.pk not in {org.officer.pk, org.manager.pk}]
    talk_texts = iter(TALKS * 2)

    for back in range(5, 0, -1):
        month = _month_start(today, back)
        starts = datetime.combine(_third_thursday(month), time(15, 0), tzinfo=tz)
        title = f"Knowledge café — {month:%B %Y}"
        if Cafe.objects.filter(title=title).exists():
            for _ in range(3):
                next(talk_texts)
            continue
        cafe = Cafe.objects.create(
            title=title,
            theme=rng.choice(["Leading yourself", "Feedback that lands", "Delegation", "Conflict as a resource"]),
            starts_at=starts,
            place="Johannesburg office, learning room",
            online_url="https://meet.saypro.demo/cafe",
            capacity=25,
            state=Cafe.State.HELD,
            agenda_published_at=starts - timedelta(days=7),
            held_at=starts + timedelta(hours=1),
            created_by=org.officer,
        )
        speakers = rng.sample(crowd[4:], 3)
        if back % 2:
            # The demo employee speaks every other month, so their growth chart has a few points.
            speakers[0] = org.employee
        others = [p for p in crowd if p not in speakers]
        attendees = rng.sample(others, min(18, len(others)))
        Rsvp.objects.bulk_create(
            [
                Rsvp(
                    cafe=cafe,
                    person=p,
                    status=Rsvp.Status.GOING,
                    attended=i < 16,
                    answered_at=starts - timedelta(days=10, minutes=i),
                    **Rsvp.placement_of(p),
                )
                for i, p in enumerate(attendees)
            ]
        )
        for position, speaker in enumerate(speakers, start=1):
            talk_title, idea = next(talk_texts)
            talk = TalkProposal.objects.create(
                speaker=speaker,
                cafe=cafe,
                title=talk_title,
                idea=idea,
                why_it_matters="Small habits change how a team works more than big programmes do.",
                audience_can_try="Try it once this week and notice what changes.",
                state=TalkProposal.State.DELIVERED,
                position=position,
                delivered_at=starts,
                decided_by=org.officer,
                decided_at=starts - timedelta(days=14),
                created_at=starts - timedelta(days=20),
                updated_at=starts,
                **TalkProposal.placement_of(speaker),
            )
            # Ratings drift upward over the months, more so for the demo employee.
            lift = (5 - back) * (0.35 if speaker.pk == org.employee.pk else 0.15)
            givers = [p for p in attendees[:16] if rng.random() < 0.6]
            TalkFeedback.objects.bulk_create(
                [
                    TalkFeedback(
                        talk=talk,
                        giver=g,
                        clarity=max(1, min(5, round(rng.uniform(2.5, 4.0) + lift))),
                        usefulness=max(1, min(5, round(rng.uniform(2.8, 4.2) + lift))),
                        delivery=max(1, min(5, round(rng.uniform(2.2, 3.8) + lift))),
                        worked=rng.choice(WORKED),
                        try_next=rng.choice(TRY_NEXT),
                        created_at=starts + timedelta(hours=2),
                        updated_at=starts + timedelta(hours=2),
                    )
                    for g in givers
                ]
            )

    title = "Knowledge café — coming up"
    if not Cafe.objects.filter(title=title).exists():
        day = today + timedelta(days=10)
        day += timedelta(days=(3 - day.weekday()) % 7)  # the Thursday after, as cafés usually are
        starts = datetime.combine(day, time(15, 0), tzinfo=tz)
        cafe = Cafe.objects.create(
            title=title,
            theme="Habits that help a team learn",
            starts_at=starts,
            place="Johannesburg office, learning room",
            online_url="https://meet.saypro.demo/cafe",
            capacity=20,
            state=Cafe.State.PUBLISHED,
            agenda_published_at=now - timedelta(days=1),
            created_by=org.officer,
        )
        speakers = rng.sample(crowd[4:], 3)
        for position, speaker in enumerate(speakers, start=1):
            talk_title, idea = TALKS[(position + 14) % len(TALKS)]
            TalkProposal.objects.create(
                speaker=speaker,
                cafe=cafe,
                title=talk_title,
                idea=idea,
                why_it_matters="It costs nothing and shows results within a week.",
                audience_can_try="Pick one meeting this week to try it in.",
                state=TalkProposal.State.ACCEPTED,
                position=position,
                decided_by=org.officer,
                decided_at=now - timedelta(days=3),
                **TalkProposal.placement_of(speaker),
            )
        others = [p for p in crowd if p not in speakers and p.pk != org.employee.pk]
        going = rng.sample(others, min(12, len(others)))
        Rsvp.objects.bulk_create(
            [
                Rsvp(
                    cafe=cafe,
                    person=p,
                    status=Rsvp.Status.GOING,
                    answered_at=now - timedelta(hours=i),
                    **Rsvp.placement_of(p),
                )
                for i, p in enumerate(going)
            ]
        )
        waiting = TalkProposal.objects.create(
            speaker=rng.choice(crowd[4:]),
            cafe=cafe,
            title="Retrospectives in ten minutes",
            idea="Three questions, ten minutes, every Friday: keep, stop, try.",
            why_it_matters="Teams that look back briefly and often improve faster than teams that look back rarely.",
            audience_can_try="Run one ten-minute retrospective with your team this Friday.",
            first_talk=True,
            wants_practice_buddy=True,
        )
        TalkInterest.objects.bulk_create(
            [TalkInterest(talk=waiting, person=p) for p in rng.sample(crowd, min(7, len(crowd)))], ignore_conflicts=True
        )
    SpeakerPreference.objects.get_or_create(
        person=org.employee, defaults={"notify_new_feedback": True, "share_with_mentor": True}
    )
    # The answers and interests above were written in bulk, without signals.
    fragments.changed("cafe_rsvps")
    fragments.changed("talks_waiting")
