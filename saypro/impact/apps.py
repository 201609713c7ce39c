from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "saypro.impact"
    label = "impact"
    verbose_name = "Monthly impact"

    def ready(self) -> None:
        # The report page's cached parts are bumped by any save or delete of what they show.
        from .views import HISTORY_CACHE, PDF_CACHE, SECTIONS_CACHE, SECTIONS_READ

        SECTIONS_CACHE.watch(SECTIONS_READ)
        HISTORY_CACHE.watch(["impact.Snapshot"])
        PDF_CACHE.watch(["impact.ReportPdf"])
