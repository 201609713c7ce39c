from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "saypro.impact"
    label = "impact"
    verbose_name = "Monthly impact"
