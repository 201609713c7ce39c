from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback sessions"

    def ready(self) -> None:
        # The console's kept attendance list is bumped by any save or delete of what it shows.
        from .selectors import ATTENDANCE_CACHE, ATTENDANCE_READ

        ATTENDANCE_CACHE.watch(ATTENDANCE_READ)
