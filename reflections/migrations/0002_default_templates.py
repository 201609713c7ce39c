"""The default set of reflection templates: one per kind of activity, plus a general one."""

from django.db import migrations

FOLLOW_UP = [
    ("What will I try, and when?", "Be concrete: the situation, the first step, and a date.", 150),
    ("What challenge do I expect?", "What might get in the way, and how will you handle it?", 100),
    ("Who else should know this?", "A colleague, a team or a department that would benefit, and why.", 80),
]

TEMPLATES = [
    (
        "General reflection",
        "general",
        "Take ten minutes. Write as you would speak to a colleague; short and honest beats long and polished.",
        ("What did I learn?", "The idea, skill or insight, in your own words.", 150),
    ),
    (
        "After a feedback session",
        "feedback_session",
        "The module is closed and the room has spoken. Capture what you heard before it fades.",
        ("What did I learn in the session?", "An insight, a challenge someone shared, or a success story.", 150),
    ),
    (
        "After a peer sharing circle",
        "circle",
        "Your circle met this week. What did your peers give you?",
        ("What did I learn from my peers?", "One thing someone said that changed how you see the topic.", 150),
    ),
    (
        "After a knowledge café",
        "cafe",
        "Five-minute talks, one big idea each. Which one will you carry forward?",
        ("Which talk stayed with me, and why?", "The speaker, the technique, and what made it land.", 150),
    ),
    (
        "After a module",
        "module",
        "You finished a module. Turn it into practice.",
        ("What was the most useful idea of this module?", "The idea in your own words, with an example.", 150),
    ),
]


def create_templates(apps, schema_editor):
    ReflectionTemplate = apps.get_model("reflections", "ReflectionTemplate")
    GuidingQuestion = apps.get_model("reflections", "GuidingQuestion")
    for name, applies_to, intro, first in TEMPLATES:
        if ReflectionTemplate.objects.filter(name=name, applies_to=applies_to).exists():
            continue
        template = ReflectionTemplate.objects.create(name=name, applies_to=applies_to, intro=intro)
        for position, (text, help_text, limit) in enumerate([first, *FOLLOW_UP], start=1):
            GuidingQuestion.objects.create(
                template=template, position=position, text=text, help_text=help_text, word_limit=limit
            )


def remove_templates(apps, schema_editor):
    ReflectionTemplate = apps.get_model("reflections", "ReflectionTemplate")
    ReflectionTemplate.objects.filter(name__in=[t[0] for t in TEMPLATES], reflections__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("reflections", "0001_initial")]

    operations = [migrations.RunPython(create_templates, remove_templates)]
