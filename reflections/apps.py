from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ReflectionsConfig(AppConfig):
    name = "reflections"
    verbose_name = "Learning reflections"

    def ready(self) -> None:
        # Cache freshness, not business logic: every write to what the board lists (however
        # it is made) makes the cached board stale.
        from .board_cache import board_changed
        from .models import Adoption, Comment, Reflection

        for model in (Reflection, Comment, Adoption):
            post_save.connect(board_changed, sender=model, dispatch_uid=f"board-cache-{model.__name__}-save")
            post_delete.connect(board_changed, sender=model, dispatch_uid=f"board-cache-{model.__name__}-delete")
