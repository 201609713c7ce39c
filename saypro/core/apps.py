from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saypro.core"
    label = "core"
    verbose_name = "People and training"

    def ready(self) -> None:
        # The receivers that remember in the session whether a person has a second factor (and
        # that a company sign-in whose provider asked for one counts as having it).
        from . import company_signin, second_factor  # noqa: F401 -- imported for their signal receivers
