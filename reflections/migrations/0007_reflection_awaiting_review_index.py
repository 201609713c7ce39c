from django.db import migrations, models


class Migration(migrations.Migration):
    """A partial index on the reflections waiting for a mentor, in the order they were submitted.

    The officer's dashboard reads the oldest few hundred of them to find the mentees who waited
    longest, instead of grouping the whole waiting list (benchmarks/bench_pages.py).
    """

    dependencies = [
        ("reflections", "0006_board_rows_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reflection",
            index=models.Index(
                condition=models.Q(("state__in", ["submitted", "resubmitted"])),
                fields=["submitted_at", "author"],
                name="reflection_awaiting_review",
            ),
        ),
    ]
