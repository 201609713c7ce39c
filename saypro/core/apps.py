from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saypro.core"
    label = "core"
    verbose_name = "People and training"

    def ready(self) -> None:
        # The receivers that remember in the session whether a person has a second factor (and
        # that a company sign-in whose provider asked for one counts as having it).
        # The officer dashboard's cached queues are bumped by the writes of what they read; the
        # dashboard reads every app, so it is named, not imported, here.
        from django.utils.module_loading import import_string

        from . import company_signin, person_cache, second_factor  # noqa: F401 -- imported for their signal receivers
        from .selectors import MANAGER_SCOPES, MENTEES, PLACEMENT_NAMES

        person_cache.watch_for_changes()
        MANAGER_SCOPES.watch(["core.ManagerScope"])
        MENTEES.watch_people("core.MentorLink", lambda link: [link.mentor_id])
        PLACEMENT_NAMES.watch(["core.Department", "core.Location", "core.JobRole"])
        import_string("saypro.dashboard.watch_for_changes")()

        # The learning log kept per person shows module titles and people's names (learning_log.LOG_CACHE).
        from .learning_log import LOG_SHARED

        LOG_SHARED.watch(["core.User", "core.Module"])
