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

        # The home panel kept per person (panels.py): its author's and their mentors' counts; and
        # the mentor queue kept per mentor (selectors.review), which the same writes make stale.
        from .panels import HOME_CACHE, reflection_home_readers
        from .selectors.review import MENTOR_QUEUE_CACHE, MENTOR_QUEUE_SHARED, review_comment_queue_readers

        HOME_CACHE.watch_people("reflections.Reflection", reflection_home_readers, also=[MENTOR_QUEUE_CACHE])
        HOME_CACHE.watch_people(
            "core.MentorLink", lambda link: [link.mentor_id, link.mentee_id], also=[MENTOR_QUEUE_CACHE]
        )
        MENTOR_QUEUE_CACHE.watch_people("reflections.Comment", review_comment_queue_readers)
        MENTOR_QUEUE_SHARED.watch(["core.User", "core.Department", "reflections.ReflectionTemplate"])

        # The learning log kept per person (saypro.core.learning_log.LOG_CACHE).
        from saypro.core.learning_log import LOG_CACHE

        from .selectors.log import reflection_log_readers, review_log_readers

        LOG_CACHE.watch_people("reflections.Reflection", reflection_log_readers)
        LOG_CACHE.watch_people("reflections.MentorReview", review_log_readers)
        LOG_CACHE.watch_people("reflections.Adoption", lambda adoption: [adoption.person_id])

        # The reflection page kept per reflection and audience (selectors.page).
        from .selectors.page import watch_for_changes

        watch_for_changes()
