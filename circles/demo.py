"""Demo circles: six past weeks (so history matters when forming), attendance and learnings, and an open round.

Deterministic (org.rng) and idempotent: past weeks are made once, by their Monday.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from saypro.core.markdown import render_markdown

from . import selectors
from .forming import form_circles
from .models import MAX_SIZE, MIN_SIZE, TARGET_SIZE, Circle, Learning, Membership, Round, Signup, SignupChoice, Topic
from .services import MEETING_TIME, MEETING_WEEKDAY, _at, round_open

PAST_WEEKS = 6
LEARNINGS = [
    "Agree on what *done* looks like **before** handing work over.",
    "Ask “what do you need from me?” instead of offering a fix.",
    "A ten-minute check-in on Fridays keeps delegated work on track.",
    "Name the need behind a position; the argument gets smaller.",
    "Feedback lands better when it is about one recent, concrete moment.",
    "Block the first hour of the day for the one thing that matters most.",
    "- Listen for the feeling\n- Reflect it back\n- Then ask what would help",
    "Saying *not now* with a date is kinder than a vague yes.",
]


def _signups_for(org, round: Round, people, topics) -> None:
    for person in people:
        if Signup.objects.filter(round=round, person=person).exists():
            continue
        signup = Signup.objects.create(round=round, person=person)
        ranked = org.rng.sample(topics, k=min(3, len(topics)))
        SignupChoice.objects.bulk_create(
            [SignupChoice(signup=signup, topic=t, rank=r) for r, t in enumerate(ranked, start=1)]
        )


def _past_week(org, week_starts_on, topics) -> None:
    if Round.objects.filter(week_starts_on=week_starts_on).exists():
        return
    meets_at = _at(week_starts_on + timedelta(days=MEETING_WEEKDAY), MEETING_TIME)
    round = Round.objects.create(
        week_starts_on=week_starts_on,
        signup_deadline=meets_at - timedelta(days=6),
        meets_at=meets_at,
        state=Round.State.PUBLISHED,
        formed_at=meets_at - timedelta(days=6),
        published_at=meets_at - timedelta(days=5),
        # Members were told when it was published; the announcement job must not tell them now.
        announced_at=meets_at - timedelta(days=5),
    )
    offered = org.rng.sample(topics, k=4)
    round.topics.set(offered)
    people = [p for p in org.people if p != org.officer and org.rng.random() < 0.6]
    if org.employee not in people:
        people.append(org.employee)
    _signups_for(org, round, people, offered)
    formation = form_circles(
        signups=selectors.forming_signups(round=round),
        topic_ids=[t.pk for t in offered],
        history=selectors.meeting_history(week_starts_on=week_starts_on, round=round),
        never_with=selectors.never_with_pairs(round=round),
        seed=week_starts_on.toordinal(),
        target_size=TARGET_SIZE,
        min_size=MIN_SIZE,
        max_size=MAX_SIZE,
    )
    round.formation_seed, round.formation_reason = week_starts_on.toordinal(), formation.reason
    round.save(update_fields=["formation_seed", "formation_reason"])
    by_id = {p.pk: p for p in people}
    # Hosting rotates: whoever hosted least recently (never first) hosts this week.
    last_hosted = dict(
        Circle.objects.filter(round__state=Round.State.PUBLISHED, host__isnull=False)
        .order_by("round__week_starts_on")
        .values_list("host_id", "round__week_starts_on")
    )
    for number, formed in enumerate(formation.circles, start=1):
        members = [by_id[pid] for pid in formed.member_ids]
        host = min(members, key=lambda p: (p.pk in last_hosted, last_hosted.get(p.pk), p.pk))
        last_hosted[host.pk] = week_starts_on
        circle = Circle.objects.create(
            round=round,
            topic_id=formed.topic_id,
            number=number,
            host=host,
            explanation=selectors.explanation_to_json(formed.explanation),
            attendance_recorded_at=meets_at + timedelta(hours=2),
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    circle=circle,
                    round=round,
                    person=p,
                    **Membership.placement_of(p),
                    attended=p == host or org.rng.random() < 0.85,
                )
                for p in members
            ]
        )
        for author in org.rng.sample(members, k=org.rng.randint(1, 2)):
            body = org.rng.choice(LEARNINGS)
            Learning.objects.create(
                circle=circle,
                author=author,
                **Learning.placement_of(author),
                body=body,
                body_html=render_markdown(body),
                created_at=meets_at + timedelta(hours=3),
            )


def seed(*, org) -> None:
    topics = list(Topic.objects.filter(is_active=True).order_by("name"))
    if len(topics) < 4:
        return
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    for weeks_ago in range(PAST_WEEKS, 0, -1):
        _past_week(org, this_monday - timedelta(weeks=weeks_ago), topics)
    round, created = round_open(week_starts_on=this_monday + timedelta(weeks=1))
    if created:
        # The demo opens the round today, whatever the weekday, so sign-up stays open for a few days.
        round.signup_deadline = timezone.now() + timedelta(days=3)
        round.meets_at = max(round.meets_at, round.signup_deadline + timedelta(days=1))
        round.save(update_fields=["signup_deadline", "meets_at"])
    crowd = [p for p in org.people if p not in (org.employee, org.officer, org.mentor, org.manager)]
    _signups_for(org, round, crowd[: max(0, len(crowd) * 2 // 3)], list(round.topics.all()))
