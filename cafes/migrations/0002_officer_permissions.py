"""The Advice Desk Officer's model permissions on cafés (for the admin)."""

from django.db import migrations

from saypro.core.migration_helpers import grant_permissions, model_codenames


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        schema_editor,
        group_name="Advice Desk Officer",
        app_label="cafes",
        codenames=[
            *model_codenames("cafe", "talkproposal", "rsvp"),
            "view_talkinterest",
            "view_talkfeedback",
            "change_talkfeedback",
            "view_speakerpreference",
        ],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cafes", "0001_initial"),
        ("core", "0002_role_groups"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
