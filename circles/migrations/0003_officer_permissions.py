"""Give Advice Desk Officers the model permissions of circles, for the admin."""

from django.db import migrations

from saypro.core.migration_helpers import grant_permissions, model_codenames


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        schema_editor,
        group_name="Advice Desk Officer",
        app_label="circles",
        # Sign-ups, standing opt-ins and "never with" rules stay private to each person:
        # officers see them only as counts on the round page.
        codenames=model_codenames("topic", "round", "circle", "membership", "learning"),
    )


class Migration(migrations.Migration):
    dependencies = [("circles", "0002_seed_topics"), ("core", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
