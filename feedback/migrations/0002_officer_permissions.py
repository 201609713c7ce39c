"""Give Advice Desk Officers the feedback models' permissions (for the admin)."""

from django.db import migrations

from saypro.core.migration_helpers import grant_permissions, model_codenames


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        schema_editor,
        group_name="Advice Desk Officer",
        app_label="feedback",
        codenames=model_codenames("feedbacksession", "invitation", "contribution", "suggestion"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_role_groups"),
        ("feedback", "0001_initial"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
