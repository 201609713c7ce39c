"""Demo data for feedback sessions: a held session after each past major module, one coming session.

Deterministic for the organisation's random generator and safe to run twice: a module that
already has a session is left as it is. Written straight to the tables (no services), so
seeding sends no e-mail; held sessions are marked as followed up for the same reason.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from saypro.core import fragments
from saypro.core.demo import DemoOrg
from saypro.core.markdown import render_markdown

from .models import Contribution, FeedbackSession, Invitation, Suggestion

INSIGHTS = [
    "Asking **“what would you do?”** before giving my answer made the team bring their own ideas.",
    "Writing down the decision, the owner and the date at the end of each meeting halved the follow-up e-mails.",
    "A two-minute check-in at the start of one-to-ones changes the whole conversation.",
    "When I explain *why* a task matters, people make better choices about the how without asking me.",
    "Feedback lands better when I name the exact behaviour and its effect, the same day.",
    "Silence after a question is not awkward for long; the best answers come after the pause.",
    "Agreeing in advance how much freedom a task has (decide, recommend, or ask) stops most confusion.",
    "Blocking the first hour of the day for the hardest task made me far less reactive.",
]
CHALLENGES = [
    "How do I delegate to someone more senior than me without it feeling like I am giving orders?",
    "My team waits for me to decide everything. How do I stop being the bottleneck?",
    "I find it hard to give critical feedback to a colleague who is also a friend.",
    "Remote team members speak less in meetings. How do I bring them in without putting them on the spot?",
    "When two people in my team disagree, they both come to me to settle it. What should I do instead?",
    "I start coaching conversations well but end up telling people the answer anyway.",
]
SUCCESS_STORIES = [
    "I handed the monthly report to Lerato with a clear brief and a check-in halfway. It came back better than mine.",
    "We started a ten-minute Friday round of 'what worked this week'. The mood in the team is visibly better.",
    "After the module I asked my manager for feedback first. It made the hard conversation on my side much easier.",
    "Our site in Durban tried the written handover template; questions after shift change dropped to almost none.",
    "I used three coaching questions with a new analyst; she found the fix for the reconciliation herself.",
    "Naming the disagreement early in the project meeting saved us a week of e-mails.",
]
SUGGESTIONS = [
    "Agree the decision rights at the start, in writing, so it is about the task and not about rank.",
    "Try answering every 'what should I do?' with 'what do you suggest?' for two weeks.",
    "Separate the two: book a proper feedback slot so the friendship chat stays the friendship chat.",
    "Use a round at the start of the meeting where everyone says one sentence; it makes speaking normal.",
    "Bring both people together and ask them to propose one option they can both live with.",
    "Count to five before offering an answer, and ask 'and what else?' at least once.",
    "Share the criteria you would use rather than the decision itself.",
]
PROMPTS = (
    "What did you try from this module, and what happened?\n"
    "What is still hard?\n"
    "What would you tell a colleague starting the module?"
)
HIDDEN_TEXT = "Honestly the problem is just Pieter in Finance, everyone knows he never replies."
HIDDEN_REASON = "Names a colleague who is not here; please describe the situation instead of the person."


def _session_start(day) -> datetime:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(10, 0), tzinfo=timezone.get_current_timezone())


def _invite(session: FeedbackSession, people, *, notified: bool) -> list[Invitation]:
    Invitation.objects.bulk_create(
        [
            Invitation(
                session=session, person=p, invited_at=session.created_at, notified_sequence=0 if notified else -1
            )
            for p in people
        ],
        ignore_conflicts=True,
    )
    fragments.changed("attendance")  # written in bulk, without signals
    return list(session.invitations.select_related("person"))


def _contribution(session, author, kind, text, at, **extra) -> Contribution:
    return Contribution(
        session=session,
        author=author,
        kind=kind,
        text=text,
        text_html=render_markdown(text),
        **Contribution.placement_of(author),
        created_at=at,
        updated_at=at,
        **extra,
    )


def _held_session(*, org: DemoOrg, module, participants, starts_at=None, voices_share: float = 0.0) -> None:
    rng = org.rng
    starts_at = starts_at or _session_start(module.ends_on + timedelta(days=3))
    session = FeedbackSession.objects.create(
        module=module,
        state=FeedbackSession.State.HELD,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        place="Boardroom 2, Johannesburg office",
        online_url="https://meet.saypro.demo/feedback",
        facilitator=org.officer,
        prompts=PROMPTS,
        created_by=org.officer,
        created_at=starts_at - timedelta(days=10),
        scheduled_at=starts_at - timedelta(days=10),
        opened_at=starts_at,
        held_at=starts_at + timedelta(minutes=90),
        follow_up_sent_at=starts_at + timedelta(minutes=91),
    )
    invitations = _invite(session, participants, notified=True)
    for invitation in invitations:
        roll = rng.random()
        invitation.attendance = "present" if roll < 0.75 else "late" if roll < 0.85 else "absent"
        if invitation.person_id == org.employee.pk:
            invitation.attendance = "present"
        invitation.attendance_recorded_at = starts_at + timedelta(minutes=10)
    Invitation.objects.bulk_update(invitations, ["attendance", "attendance_recorded_at"])
    fragments.changed("attendance")  # written in bulk, without signals

    people = [i.person for i in invitations if i.person_id not in (org.officer.pk,)]
    others = [p for p in people if p.pk != org.employee.pk]
    voices = [org.employee] + rng.sample(others, k=min(max(14, round(voices_share * len(people))), len(others)))
    before = starts_at - timedelta(days=2)
    contributions = [
        _contribution(session, org.employee, Contribution.Kind.INSIGHT, rng.choice(INSIGHTS), before, highlighted=True),
        _contribution(session, org.employee, Contribution.Kind.CHALLENGE, rng.choice(CHALLENGES), before),
    ]
    kinds = [Contribution.Kind.INSIGHT, Contribution.Kind.CHALLENGE, Contribution.Kind.SUCCESS_STORY]
    banks = {Contribution.Kind.INSIGHT: INSIGHTS, Contribution.Kind.CHALLENGE: CHALLENGES}
    banks[Contribution.Kind.SUCCESS_STORY] = SUCCESS_STORIES
    for n, person in enumerate(voices[1:]):
        kind = kinds[n % 3]
        at = (
            starts_at - timedelta(hours=rng.randint(1, 72))
            if n % 4
            else starts_at + timedelta(minutes=rng.randint(5, 60))
        )
        contributions.append(
            _contribution(
                session, person, kind, rng.choice(banks[kind]), at, discussed=rng.random() < 0.7, highlighted=n % 5 == 0
            )
        )
    # One recorded by the officer for someone who said it aloud, one hidden for naming a colleague.
    contributions.append(
        _contribution(
            session,
            voices[-1],
            Contribution.Kind.SUCCESS_STORY,
            rng.choice(SUCCESS_STORIES),
            starts_at + timedelta(minutes=40),
            recorded_by=org.officer,
            discussed=True,
        )
    )
    contributions.append(
        _contribution(
            session,
            voices[-2],
            Contribution.Kind.CHALLENGE,
            HIDDEN_TEXT,
            starts_at - timedelta(hours=5),
            hidden_at=starts_at + timedelta(minutes=2),
            hidden_by=org.officer,
            hidden_reason=HIDDEN_REASON,
        )
    )
    Contribution.objects.bulk_create(contributions)

    suggestions = []
    for challenge in session.contributions.filter(kind=Contribution.Kind.CHALLENGE, hidden_at__isnull=True):
        peers = [p for p in voices if p.pk != challenge.author_id]
        for peer in rng.sample(peers, k=min(len(peers), rng.randint(1, 2))):
            text = rng.choice(SUGGESTIONS)
            suggestions.append(
                Suggestion(
                    contribution=challenge,
                    author=peer,
                    text=text,
                    text_html=render_markdown(text),
                    created_at=challenge.created_at + timedelta(hours=1),
                )
            )
    Suggestion.objects.bulk_create(suggestions)


def _upcoming_session(*, org: DemoOrg, module, participants) -> None:
    rng = org.rng
    starts_at = _session_start(module.ends_on + timedelta(days=2))
    now = timezone.now()
    session = FeedbackSession.objects.create(
        module=module,
        state=FeedbackSession.State.SCHEDULED,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=90),
        place="Training room, Cape Town office",
        online_url="https://meet.saypro.demo/feedback",
        facilitator=org.officer,
        prompts=PROMPTS,
        created_by=org.officer,
        created_at=now,
        scheduled_at=now,
    )
    invitations = _invite(session, participants, notified=True)
    early = rng.sample([i.person for i in invitations if i.person_id not in (org.employee.pk, org.officer.pk)], k=3)
    kinds = [Contribution.Kind.INSIGHT, Contribution.Kind.CHALLENGE, Contribution.Kind.SUCCESS_STORY]
    banks = [INSIGHTS, CHALLENGES, SUCCESS_STORIES]
    Contribution.objects.bulk_create(
        [
            _contribution(session, person, kind, rng.choice(bank), now - timedelta(hours=n + 1))
            for n, (person, kind, bank) in enumerate(zip(early, kinds, banks, strict=True))
        ]
    )


def seed(*, org: DemoOrg) -> None:
    """Held sessions for the past major modules, one scheduled session for the coming one."""
    today = timezone.localdate()
    for module in org.modules:
        if not module.is_major or FeedbackSession.objects.filter(module=module).exists():
            continue
        participants = [
            e.person for e in module.enrolments.exclude(status="withdrawn").select_related("person").order_by("pk")
        ]
        if module.ends_on < today - timedelta(days=4):
            _held_session(org=org, module=module, participants=participants)
        elif len(participants) > 4:
            _upcoming_session(org=org, module=module, participants=participants)
    _last_month_session(org=org, today=today)
    # "What we heard": an owner for the newest held session's module, its challenges in themes.
    from .heard.demo import seed as seed_heard

    seed_heard(org=org)


def _last_month_session(*, org: DemoOrg, today) -> None:
    """A held session in the newest complete month, so the manager's first report (last
    month's) has sessions and a participation rate, as a real month would.

    Modules end every four weeks, so one ends shortly before or within last month; when it
    has no session yet (a module that is not major, whose group asked for one anyway), it gets
    one held a few days after it ended, and most of its participants speak.
    """
    first_of_month = today.replace(day=1)
    last_month = (first_of_month - timedelta(days=1)).replace(day=1)
    start, end = (
        datetime.combine(d, time(0, 0), tzinfo=timezone.get_current_timezone()) for d in (last_month, first_of_month)
    )
    if FeedbackSession.objects.filter(
        state=FeedbackSession.State.HELD, starts_at__gte=start, starts_at__lt=end
    ).exists():
        return
    for module in reversed(org.modules):
        starts_at = _session_start(max(module.ends_on + timedelta(days=3), last_month + timedelta(days=1)))
        if not start <= starts_at < end or starts_at.date() >= today or module.feedback_sessions.exists():
            continue
        participants = [
            e.person for e in module.enrolments.exclude(status="withdrawn").select_related("person").order_by("pk")
        ]
        if len(participants) > 4:
            _held_session(org=org, module=module, participants=participants, starts_at=starts_at, voices_share=0.82)
        return
