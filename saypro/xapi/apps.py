from django.apps import AppConfig


class XapiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "saypro.xapi"
    label = "xapi"
    verbose_name = "Learning Record Store (xAPI)"
