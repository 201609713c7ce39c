"""The Advice Desk Officer's admin permissions on reflections: templates and newsletters."""

from django.db import migrations

from saypro.core.migration_helpers import grant_permissions, model_codenames


def grant(apps, schema_editor):
    grant_permissions(
        apps,
        schema_editor,
        group_name="Advice Desk Officer",
        app_label="reflections",
        codenames=[
            *model_codenames("reflectiontemplate", "guidingquestion", "newsletterissue", "newsletteritem"),
            # No permission on reflections, answers, comments or reviews: officers moderate the
            # board in the app, and the admin must not open private reflections to them.
        ],
    )


class Migration(migrations.Migration):
    dependencies = [("reflections", "0002_default_templates"), ("core", "0002_role_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
