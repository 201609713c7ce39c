from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "saypro.impact"
    label = "impact"
    verbose_name = "Monthly impact"

    def ready(self) -> None:
        # The report page's cached sections are bumped by any save or delete of what they show.
        from .views import SECTIONS_CACHE, SECTIONS_READ

        SECTIONS_CACHE.watch(SECTIONS_READ)
