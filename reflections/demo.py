"""Demo data for reflections: every state, mentor reviews, board talk across departments, one newsletter.

Deterministic for the seed (org.rng) and safe to run twice: nothing is added when the demo
reflections exist. Rows are written directly (not through the services) so that they can carry
dates spread over the past five months — the monthly impact report needs history — and so
that seeding sends no e-mail.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from saypro.core.demo import DemoOrg
from saypro.core.markdown import render_markdown
from saypro.core.models import PlacementSnapshot, User

from .models import (
    Adoption,
    Answer,
    Comment,
    MentorReview,
    NewsletterIssue,
    NewsletterItem,
    Reflection,
    ReflectionEvent,
    ReflectionTemplate,
    Report,
)
from .selectors import template_for_kind

# (title, key takeaway, what was learned)
LEARNINGS = [
    (
        "Delegating the outcome, not the task",
        "Hand over the result you need and let the person own the how.",
        "When I delegate I used to list the steps. Naming the **outcome** and the deadline, then asking "
        "how they would approach it, got me a better plan than mine.",
    ),
    (
        "Feedback in the first five minutes",
        "Say the hard part early, kindly and specifically.",
        "Saving critical feedback for the end of a one-to-one made both of us tense. Starting with it, "
        "with one concrete example, kept the conversation honest.",
    ),
    (
        "Conflict as information",
        "A disagreement tells me what each person is protecting.",
        "In the budget meeting the argument was not about numbers; each side protected a team. Asking "
        "*what are you worried about?* turned it into a planning conversation.",
    ),
    (
        "Coaching with one question",
        "Ask “what have you tried?” before offering an answer.",
        "I answer too fast. One question first — *what have you tried so far?* — and people often solve "
        "it themselves, and remember it.",
    ),
    (
        "Stand-ups that end on time",
        "Three questions, ten minutes, problems taken offline.",
        "Our daily stand-up grew to forty minutes. We now keep to three questions and park problems for "
        "a smaller group straight after.",
    ),
    (
        "Saying no with an alternative",
        "A clear no plus what I can do keeps trust.",
        "Agreeing to everything made me late on everything. Saying no, with an option I *can* deliver, "
        "was received better than I feared.",
    ),
    (
        "Listening without fixing",
        "Summarise what I heard before I suggest anything.",
        "When a colleague vents, my urge is to fix. Summarising back what I heard first made them feel "
        "heard and often the fix was theirs.",
    ),
    (
        "Writing the decision down",
        "Every meeting ends with who decided what, by when.",
        "Meetings felt productive but nothing moved. A two-line decision note at the end, sent within an "
        "hour, changed that.",
    ),
    (
        "Energy before agenda",
        "Check the room's energy before diving into the agenda.",
        "After a tough week the team was flat. Two minutes of check-in changed the quality of the whole meeting.",
    ),
    (
        "Purpose in one sentence",
        "If I can't say why in one sentence, the team can't either.",
        "Writing our team's purpose in one sentence exposed that we disagreed about priorities. The "
        "discussion that followed was overdue.",
    ),
    (
        "Recognising effort publicly",
        "Thank people specifically and in front of the team.",
        "Specific, public thanks — naming what the person did and why it mattered — lifted the team more "
        "than the bonus conversation did.",
    ),
    (
        "Asking for feedback on myself",
        "Ask “what should I stop doing?” and wait.",
        "I asked my team what I should stop doing, then stayed quiet. The silence was hard; the answers were worth it.",
    ),
]
TRY_ANSWERS = [
    "In next Tuesday's team meeting I will try it with one piece of work and ask how it felt.",
    "This week, with my two newest team members, starting in our one-to-ones.",
    "From Monday, for the whole month, and I will note each time I forget.",
    "At the next project kick-off — it is on the calendar for the 14th.",
]
CHALLENGE_ANSWERS = [
    "Time pressure: when things are urgent I fall back to doing it myself.",
    "My own habit of talking first. I will put a note on my notebook.",
    "People may be surprised by the change; I will explain why I am doing it.",
    "Remote meetings make it harder to read the room.",
]
WHO_ANSWERS = [
    "The other team leads in my department, and the new coordinators.",
    "Anyone running weekly meetings — the finance and IT leads in particular.",
    "My peers in the circle, and my manager.",
    "New managers in their first year.",
]
BOARD_COMMENTS = [
    "We tried something similar in Durban — it works best when you say why you're doing it.",
    "Thank you for writing this down. I needed it this week.",
    "How did your team react the first time?",
    "Going to share this with my team lead.",
    "This matches what we heard in the café last month.",
    "Simple and practical. Stealing it for Monday.",
]
TRIED_NOTES = [
    "Tried it in our Monday meeting — quieter start, better discussion.",
    "Worked well one-to-one; harder in the big group.",
    "The team noticed straight away. Keeping it.",
    "Mixed first week, better second week.",
]
MENTOR_NOTES = {
    1: "You describe what happened well. Why did it matter to *you*?",
    2: "Good — you explain why it matters. How does it connect to the way you lead day to day?",
    3: "Clear link to your own practice. Validated.",
    4: "A concrete change with a date: exactly what this is for. Validated.",
}


COMMITMENT_TEXTS = [
    "Try it in Tuesday's team meeting with one agenda item",
    "Use it in my next two one-to-ones",
    "Run it once with the new coordinators",
    "Try it at the project kick-off on the 14th",
    "Use it in the weekly planning call",
    "",
]
WONT_REASONS = ["My team works differently; it does not fit our shifts.", "", "Changed roles; no team to try it with."]
NOT_YET_REASONS = ["Month-end took every hour.", "", "Waiting for the new team to start."]


def _commitment(will_try: Adoption, *, tried: Adoption | None, now: datetime) -> None:
    """Make a demo "I'll try this" a commitment with a believable answer (issue 16).

    Its own random stream (seeded by the reflection and the person), so the rest of the demo
    stays as it was. About half are tried (a few after their due date), the rest answer "won't",
    "not yet" (moved a week, some closed) or have not answered since the nudge.
    """
    pick = random.Random(f"{will_try.reflection.title}|{will_try.person.email}")
    made = timezone.localtime(will_try.created_at).date()
    late = tried is not None and pick.random() < 0.15
    will_try.commitment_due = made + timedelta(days=7 if late else pick.choice([14, 21, 21, 21, 28]))
    will_try.commitment_text = pick.choice(COMMITMENT_TEXTS)
    today = timezone.localdate(now)
    nudge_at = _at_day(will_try.commitment_due, 9)
    if tried is not None:
        will_try.outcome, will_try.outcome_at = Adoption.Outcome.TRIED, tried.created_at
        will_try.outcome_text = tried.note[:200]
        if tried.created_at > nudge_at:
            will_try.nudged_at = nudge_at
        return
    if will_try.commitment_due >= today:
        return
    will_try.nudged_at = nudge_at
    roll = pick.random()
    answered_at = min(now, nudge_at + timedelta(hours=pick.randint(1, 30)))
    if roll < 0.35:
        will_try.outcome, will_try.outcome_at = Adoption.Outcome.WONT, answered_at
        will_try.outcome_text = pick.choice(WONT_REASONS)
    elif roll < 0.7:
        will_try.snoozed_once = True
        will_try.commitment_due = timezone.localtime(answered_at).date() + timedelta(days=7)
        will_try.nudged_at = None
        if will_try.commitment_due < today:
            will_try.nudged_at = _at_day(will_try.commitment_due, 9)
            if pick.random() < 0.6:
                will_try.outcome, will_try.outcome_text = Adoption.Outcome.NOT_YET, pick.choice(NOT_YET_REASONS)
                will_try.outcome_at = min(now, will_try.nudged_at + timedelta(hours=3))


def _at_day(day, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def _at(now: datetime, days_ago: float, hour: int = 10) -> datetime:
    local = timezone.localtime(now - timedelta(days=days_ago))
    return local.replace(hour=hour, minute=0, second=0, microsecond=0)


def _write(
    *,
    author: User,
    template: ReflectionTemplate,
    learning: tuple[str, str, str],
    rng,
    state: str,
    visibility: str,
    started: datetime,
    featured: bool = False,
    context=None,
) -> Reflection:
    title, takeaway, learned = learning
    texts = [learned, rng.choice(TRY_ANSWERS), rng.choice(CHALLENGE_ANSWERS), rng.choice(WHO_ANSWERS)]
    submitted = started + timedelta(hours=2) if state != Reflection.State.DRAFT else None
    shared = submitted if submitted and visibility == Reflection.Visibility.COLLEAGUES else None
    reflection = Reflection.objects.create(
        author=author,
        template=template,
        title=title,
        key_takeaway=takeaway,
        visibility=visibility,
        state=state,
        may_be_featured=featured,
        context_kind="module" if context is not None else "general",
        context_type=ContentType.objects.get_for_model(context) if context is not None else None,
        context_id=context.pk if context is not None else None,
        context_label=str(context)[:255] if context is not None else "",
        search_text="\n\n".join(texts),
        created_at=started,
        updated_at=submitted or started,
        first_submitted_at=submitted,
        submitted_at=submitted,
        validated_at=submitted if state == Reflection.State.VALIDATED else None,
        first_shared_at=shared,
        department_id=author.department_id if shared else None,
        location_id=author.location_id if shared else None,
        job_role_id=author.job_role_id if shared else None,
    )
    Answer.objects.bulk_create(
        [
            Answer(reflection=reflection, question=q, text=text, html=render_markdown(text))
            for q, text in zip(template.questions.all(), texts, strict=False)
        ]
    )
    events = [
        ReflectionEvent(reflection=reflection, actor=author, action="created", to_state="draft", created_at=started)
    ]
    if submitted:
        events.append(
            ReflectionEvent(
                reflection=reflection,
                actor=author,
                action="submitted",
                from_state="draft",
                to_state="submitted",
                created_at=submitted,
            )
        )
    ReflectionEvent.objects.bulk_create(events)
    return reflection


def _review(reflection: Reflection, mentor: User, *, depth: int, validated: bool, at: datetime) -> None:
    note = MENTOR_NOTES[depth]
    decision = MentorReview.Decision.VALIDATED if validated else MentorReview.Decision.CHANGES_REQUESTED
    MentorReview.objects.create(
        reflection=reflection,
        mentor=mentor,
        depth=depth,
        decision=decision,
        note=note,
        note_html=render_markdown(note),
        created_at=at,
    )
    ReflectionEvent.objects.create(
        reflection=reflection,
        actor=mentor,
        action=decision,
        from_state=Reflection.State.SUBMITTED,
        to_state=decision,
        note=note,
        data={"depth": depth},
        created_at=at,
    )
    fields = {"depth": depth, "updated_at": at}
    if validated:
        fields.update(validated_at=at, validated_by=mentor)
    Reflection.objects.filter(pk=reflection.pk).update(**fields)


def seed(*, org: DemoOrg) -> None:
    titles = [learning[0] for learning in LEARNINGS]
    if Reflection.objects.filter(author__email__endswith="@saypro.demo", title__in=titles).exists():
        return
    rng, now = org.rng, timezone.now()
    general = template_for_kind(kind="general")
    after_module = template_for_kind(kind="module")
    people = [p for p in org.people if p.pk not in {org.employee.pk, org.mentor.pk, org.officer.pk, org.manager.pk}]
    mentee_ids = set(org.mentor.mentee_links.filter(is_active=True).values_list("mentee_id", flat=True))
    mentees = [p for p in people if p.pk in mentee_ids]
    others = [p for p in people if p.pk not in mentee_ids]
    S, V = Reflection.State, Reflection.Visibility

    # The demo employee: one reflection in each state.
    employee = org.employee
    own: dict[str, Reflection] = {}
    # (template, learning, state, visibility, days ago, featured, context, depth of the mentor's request for changes)
    for template, learning, state, visibility, days, featured, context, review_depth in (
        (general, LEARNINGS[0], S.DRAFT, V.MENTOR, 1, False, None, None),
        (after_module, LEARNINGS[1], S.SUBMITTED, V.MENTOR, 3, False, org.modules[2], None),
        (general, LEARNINGS[2], S.CHANGES_REQUESTED, V.COLLEAGUES, 12, True, None, 1),
        (general, LEARNINGS[3], S.RESUBMITTED, V.COLLEAGUES, 20, True, None, 2),
        (general, LEARNINGS[9], S.SUBMITTED, V.PRIVATE, 40, False, None, None),
    ):
        reflection = _write(
            author=employee,
            template=template,
            learning=learning,
            rng=rng,
            state=state,
            visibility=visibility,
            started=_at(now, days),
            featured=featured,
            context=context,
        )
        own.setdefault(state, reflection)
        if review_depth is not None:
            _review(reflection, org.mentor, depth=review_depth, validated=False, at=_at(now, days - 2, 15))
        if state == S.RESUBMITTED:
            Reflection.objects.filter(pk=reflection.pk).update(submitted_at=_at(now, 16), updated_at=_at(now, 16))
            ReflectionEvent.objects.create(
                reflection=reflection,
                actor=employee,
                action="resubmitted",
                from_state="changes_requested",
                to_state="resubmitted",
                created_at=_at(now, 16),
            )
    revising = own[S.CHANGES_REQUESTED]
    board: list[Reflection] = []
    for days, learning, context in ((55, LEARNINGS[4], org.modules[1]), (120, LEARNINGS[5], org.modules[0])):
        validated = _write(
            author=employee,
            template=after_module,
            learning=learning,
            rng=rng,
            state=S.VALIDATED,
            visibility=V.COLLEAGUES,
            started=_at(now, days),
            featured=True,
            context=context,
        )
        _review(validated, org.mentor, depth=rng.choice([3, 4]), validated=True, at=_at(now, days - 2, 16))
        board.append(validated)

    # Colleagues across departments, spread over the past five months.
    for i, author in enumerate(mentees[:10] + others[:14]):
        learning = LEARNINGS[(i + 6) % len(LEARNINGS)]
        days = 3 + (i * 6) % 148
        is_mentee = author.pk in mentee_ids
        if i % 7 == 6:
            state, visibility = S.DRAFT, V.PRIVATE
        elif is_mentee and i % 3 == 1:
            state, visibility = S.SUBMITTED, rng.choice([V.MENTOR, V.COLLEAGUES])
        elif is_mentee:
            state, visibility = S.VALIDATED, V.COLLEAGUES
        else:
            state, visibility = S.SUBMITTED, V.COLLEAGUES
        reflection = _write(
            author=author,
            template=general,
            learning=learning,
            rng=rng,
            state=state,
            visibility=visibility,
            started=_at(now, days, 8 + i % 8),
            featured=i % 2 == 0,
        )
        if state == S.VALIDATED:
            _review(reflection, org.mentor, depth=rng.choice([3, 4]), validated=True, at=_at(now, days - 1, 17))
        if visibility == V.COLLEAGUES and state != S.DRAFT:
            board.append(reflection)

    # Talk on the board: comments, "I'll try this" and "I tried it" from other departments.
    comments, adoptions = [], []
    for reflection in board:
        shared = reflection.first_shared_at
        audience = [p for p in people if p.pk != reflection.author_id and p.department_id != reflection.department_id]
        for person in rng.sample(audience, k=min(len(audience), rng.randint(1, 3))):
            body = rng.choice(BOARD_COMMENTS)
            comments.append(
                Comment(
                    reflection=reflection,
                    author=person,
                    channel=Comment.Channel.BOARD,
                    body=body,
                    body_html=render_markdown(body),
                    created_at=min(now, shared + timedelta(days=rng.randint(0, 5))),
                    **PlacementSnapshot.placement_of(person),
                )
            )
        for person in rng.sample(audience, k=min(len(audience), rng.randint(1, 4))):
            will_try_at = min(now, shared + timedelta(days=rng.randint(1, 7)))
            will_try = Adoption(
                reflection=reflection,
                person=person,
                kind=Adoption.Kind.WILL_TRY,
                created_at=will_try_at,
                **PlacementSnapshot.placement_of(person),
            )
            adoptions.append(will_try)
            tried = None
            if rng.random() < 0.5 and will_try_at + timedelta(days=10) < now:
                tried = Adoption(
                    reflection=reflection,
                    person=person,
                    kind=Adoption.Kind.TRIED,
                    note=rng.choice(TRIED_NOTES),
                    created_at=min(now, will_try_at + timedelta(days=rng.randint(7, 14))),
                    **PlacementSnapshot.placement_of(person),
                )
                adoptions.append(tried)
            _commitment(will_try, tried=tried, now=now)
    # The demo employee's own commitment, due today and already asked (so a fresh demo's first
    # job run e-mails no one about it): the reflection's page asks "Did you try it?".
    theirs = next(r for r in board if r.author_id != employee.pk and r.department_id != employee.department_id)
    adoptions.append(
        Adoption(
            reflection=theirs,
            person=employee,
            kind=Adoption.Kind.WILL_TRY,
            created_at=now - timedelta(days=21),
            commitment_text=COMMITMENT_TEXTS[0],
            commitment_due=timezone.localdate(now),
            nudged_at=now,
            **PlacementSnapshot.placement_of(employee),
        )
    )
    Comment.objects.bulk_create(comments)
    Adoption.objects.bulk_create(adoptions, ignore_conflicts=True)
    reply = "Thank you, I'm glad it helps."
    Comment.objects.create(
        reflection=board[0],
        author=employee,
        channel=Comment.Channel.BOARD,
        body=reply,
        body_html=render_markdown(reply),
        parent=Comment.objects.filter(reflection=board[0]).order_by("pk").first(),
        created_at=min(now, board[0].first_shared_at + timedelta(days=6)),
        **PlacementSnapshot.placement_of(employee),
    )
    answer = "It mattered because my team stopped bringing problems to me — they felt ignored."
    Comment.objects.create(
        reflection=revising,
        author=employee,
        channel=Comment.Channel.REVIEW,
        body=answer,
        body_html=render_markdown(answer),
        created_at=_at(now, 9),
        **PlacementSnapshot.placement_of(employee),
    )

    # One comment reported to the Advice Desk by the demo employee, for the moderation queue.
    reported = Comment.objects.filter(channel=Comment.Channel.BOARD, reflection__in=board).exclude(author=employee)
    reported = reported.order_by("created_at", "pk").first()
    if reported is not None:
        Report.objects.create(
            comment=reported,
            reporter=employee,
            reason="This reads as a dig at a named colleague rather than a comment on the learning.",
            created_at=min(now, reported.created_at + timedelta(hours=3)),
        )

    # One published newsletter: last month's featured learnings.
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    if not NewsletterIssue.objects.filter(month=month).exists():
        intro = "Learnings colleagues shared on the board last month — pick one to try with your team this week."
        published_at = timezone.make_aware(datetime.combine(timezone.localdate().replace(day=1), datetime.min.time()))
        issue = NewsletterIssue.objects.create(
            month=month,
            title=f"Learnings of {month:%B %Y}",
            intro=intro,
            intro_html=render_markdown(intro),
            state=NewsletterIssue.State.PUBLISHED,
            created_by=org.officer,
            published_at=published_at,
            published_by=org.officer,
            sending_finished_at=published_at,
        )
        featured = [r for r in board if r.may_be_featured and r.state != S.DRAFT][:4]
        NewsletterItem.objects.bulk_create(
            [NewsletterItem(issue=issue, reflection=r, position=i) for i, r in enumerate(featured, start=1)]
        )
