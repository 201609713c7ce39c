"""Helpers for data migrations that give the role groups their model permissions."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions


def grant_permissions(apps, schema_editor, *, group_name: str, app_label: str, codenames: list[str]) -> None:
    """Give a group permissions of one app, creating the permission rows first.

    Permissions are normally created after all migrations ran (post_migrate); a data
    migration that assigns them must create them itself.
    """
    create_permissions(global_apps.get_app_config(app_label), apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=group_name)
    perms = Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    missing = set(codenames) - set(perms.values_list("codename", flat=True))
    if missing:
        raise RuntimeError(f"Unknown permissions for {app_label}: {sorted(missing)}")
    group.permissions.add(*perms)


def model_codenames(*models: str, actions=("add", "change", "delete", "view")) -> list[str]:
    return [f"{action}_{model}" for model in models for action in actions]
