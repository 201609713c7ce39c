from django.apps import AppConfig


class CafesConfig(AppConfig):
    name = "cafes"
    verbose_name = "Knowledge cafés"

    def ready(self) -> None:
        # The café page's cached agenda is bumped by any save or delete of what it shows.
        from .selectors import AGENDA_CACHE, AGENDA_READ

        AGENDA_CACHE.watch(AGENDA_READ)
