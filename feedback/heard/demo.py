"""Demo data for "What we heard": an owner for the newest held session's module, and challenges in its words.

Participants who already spoke in that session raise a few more challenges, worded as people
do, so they form several themes: two raised by many, two by fewer than five people (which the
monthly report shows as "fewer than 5"). Only people already active in the session write, so
the session's participation figures stay as the feedback seed made them. Safe to run twice:
a module that already has an owner is left as it is. Its own random generator keeps the
other seeders' data unchanged.
"""

from __future__ import annotations

import random
from datetime import timedelta

from saypro.core.demo import DemoOrg
from saypro.core.markdown import render_markdown

from ..models import Contribution, FeedbackSession
from .services import challenge_themes_update_due

# Each theme's wordings; one person raises one of them.
THEMES = [
    [
        "My team waits for me to decide everything, so I am the bottleneck on every task.",
        "Everything waits for my decision; I am the bottleneck and the team stops when I am out.",
        "The team waits for me to decide even small things, and I become the bottleneck again.",
        "I am still the bottleneck: my team waits for me to decide before they move.",
        "Being the bottleneck for every decision is exhausting, the team waits for me.",
        "How do I stop being the bottleneck when the team waits for me to decide?",
    ],
    [
        "There is no time to practise the coaching questions between the module sessions.",
        "I had no time to practise coaching questions at work before the next session.",
        "Finding time to practise the coaching questions with real people is hard.",
        "No time to practise: the coaching questions fade before I can use them.",
        "Time to practise the coaching questions is the first thing that goes in a busy week.",
    ],
    [
        "Remote colleagues stay quiet in our online meetings and I do not know how to bring them in.",
        "In online meetings the remote colleagues stay quiet unless I ask them by name.",
        "Remote colleagues are quiet in online meetings; the room does all the talking.",
    ],
    [
        "Giving critical feedback to a friend at work still feels impossible.",
        "Critical feedback to a colleague who is a friend feels like a betrayal.",
    ],
]


def seed(*, org: DemoOrg) -> None:
    session = (
        FeedbackSession.objects.filter(state=FeedbackSession.State.HELD, module__owner__isnull=True)
        .select_related("module")
        .order_by("-starts_at")
        .first()
    )
    if session is None or FeedbackSession.objects.filter(module__owner__isnull=False).exists():
        challenge_themes_update_due()
        return
    module = session.module
    module.owner = org.mentor
    module.save(update_fields=["owner"])

    rng = random.Random(16)
    voices = list({c.author for c in session.contributions.filter(hidden_at__isnull=True).select_related("author")})
    voices.sort(key=lambda p: p.pk)
    rng.shuffle(voices)
    contributions = []
    for wordings in THEMES:
        for text in wordings:
            if not voices:
                break
            author = voices.pop()
            at = session.starts_at - timedelta(hours=rng.randint(2, 70))
            contributions.append(
                Contribution(
                    session=session,
                    author=author,
                    kind=Contribution.Kind.CHALLENGE,
                    text=text,
                    text_html=render_markdown(text),
                    anonymous=rng.random() < 0.2,
                    **Contribution.placement_of(author),
                    created_at=at,
                    updated_at=at,
                )
            )
    Contribution.objects.bulk_create(contributions)
    challenge_themes_update_due()
