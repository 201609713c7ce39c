from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "saypro.core"
    label = "core"
    verbose_name = "People and training"

    def ready(self) -> None:
        # The receivers that remember in the session whether a person has a second factor.
        from . import second_factor  # noqa: F401 -- imported for its signal receivers
