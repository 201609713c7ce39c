"""The four roles as Django groups, with the officer's model permissions on the core."""

from django.db import migrations

from saypro.core.migration_helpers import grant_permissions, model_codenames

EMPLOYEE, OFFICER, MENTOR, MANAGER = "Employee", "Advice Desk Officer", "Mentor", "Manager"


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in (EMPLOYEE, OFFICER, MENTOR, MANAGER):
        Group.objects.get_or_create(name=name)
    grant_permissions(
        apps,
        schema_editor,
        group_name=OFFICER,
        app_label="core",
        codenames=[
            *model_codenames("department", "location", "jobrole", "programme", "module", "enrolment"),
            *model_codenames("mentorlink", "managerscope"),
            "add_user", "change_user", "view_user",
            "view_placement", "view_auditentry", "view_notification", "view_outboundemail",
            "view_jobheartbeat", "view_orgimport", "add_orgimport",
        ],
    )
    grant_permissions(
        apps,
        schema_editor,
        group_name=OFFICER,
        app_label="django_celery_beat",
        codenames=[
            *model_codenames("periodictask", "crontabschedule", "intervalschedule"),
            "view_clockedschedule", "view_solarschedule",
        ],
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=(EMPLOYEE, OFFICER, MENTOR, MANAGER)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
