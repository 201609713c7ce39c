"""Seed the catalogue of core topics that circles talk about."""

from django.db import migrations

TOPICS = [
    (
        "Delegation",
        "Handing over work so that it develops the person who takes it on.",
        [
            "What did you delegate recently, and what did you keep that you could have handed over?",
            "How do you agree on what 'done' looks like before you let go?",
            "When did delegating go wrong, and what would you do differently?",
        ],
    ),
    (
        "Conflict management",
        "Turning disagreement into a resource instead of a threat.",
        [
            "Think of a recent disagreement: what was the need behind the other person's position?",
            "What helps you stay curious when a conversation gets heated?",
            "Which conflict did you avoid, and what did avoiding it cost?",
        ],
    ),
    (
        "Giving feedback",
        "Saying what you see in a way that people can use.",
        [
            "Share a piece of feedback that changed how you work. What made it land?",
            "How do you prepare for feedback that will be hard to hear?",
            "What do you do to make asking for feedback normal in your team?",
        ],
    ),
    (
        "Time management",
        "Choosing what matters when everything is urgent.",
        [
            "What is one habit that protects your most important work?",
            "How do you say no, or not now, without damaging a relationship?",
            "Where did your time go last week, and would you spend it the same way again?",
        ],
    ),
    (
        "Coaching",
        "Helping others find their own answers with good questions.",
        [
            "What question helped you most when someone coached you?",
            "When is it right to give advice instead of asking a question?",
            "Share a coaching conversation you had this month: what did the other person discover?",
        ],
    ),
    (
        "Leading change",
        "Bringing people along when the way things are done has to change.",
        [
            "What change are you part of right now, and how are people feeling about it?",
            "What did a leader do in a past change that helped you trust the direction?",
            "How do you tell resistance apart from a good objection?",
        ],
    ),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("circles", "Topic")
    for name, description, prompts in TOPICS:
        if not Topic.objects.filter(name__iexact=name).exists():
            Topic.objects.create(name=name, description=description, prompts="\n".join(prompts))


class Migration(migrations.Migration):
    dependencies = [("circles", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
