from django.db import migrations

from saypro.core.migration_helpers import grant_permissions


def grant(apps, schema_editor):
    grant_permissions(
        apps, schema_editor, group_name="Advice Desk Officer", app_label="impact", codenames=["view_snapshot", "view_figure"]
    )


class Migration(migrations.Migration):
    dependencies = [("impact", "0001_initial"), ("core", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
