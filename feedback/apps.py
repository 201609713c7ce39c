from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback sessions"

    def ready(self) -> None:
        # The console's kept attendance list and participation counts are bumped by any save or delete
        # of what they show.
        from .selectors import ATTENDANCE_CACHE, ATTENDANCE_READ, PARTICIPATION_CACHE, PARTICIPATION_READ

        ATTENDANCE_CACHE.watch(ATTENDANCE_READ)
        PARTICIPATION_CACHE.watch(PARTICIPATION_READ)

        # The console's session and board fingerprint kept per session.
        from .selectors import CONSOLE_KEPT, CONSOLE_SHARED, suggestion_session_ids

        CONSOLE_SHARED.watch(["core.Module"])
        CONSOLE_KEPT.watch_objects("feedback.FeedbackSession", lambda session: [session.pk])
        CONSOLE_KEPT.watch_objects("feedback.Contribution", lambda contribution: [contribution.session_id])
        CONSOLE_KEPT.watch_objects("feedback.Suggestion", suggestion_session_ids)

        # The home panels kept per person (panels.py).
        from saypro.core.selectors import HOME_PANELS

        from .panels import HEARD_HOME_CACHE, HOME_CACHE, contribution_heard_readers

        HOME_PANELS.watch(["feedback.FeedbackSession", "core.Module"])
        HOME_CACHE.watch_people("feedback.Invitation", lambda invitation: [invitation.person_id])
        HOME_CACHE.watch_people("feedback.Contribution", lambda contribution: [contribution.author_id])
        HEARD_HOME_CACHE.watch_people("feedback.Contribution", contribution_heard_readers)

        # The learning log kept per person (saypro.core.learning_log.LOG_CACHE).
        from saypro.core.learning_log import LOG_CACHE, LOG_SHARED

        LOG_SHARED.watch(["feedback.FeedbackSession"])
        LOG_CACHE.watch_people("feedback.Invitation", lambda invitation: [invitation.person_id])
        LOG_CACHE.watch_people("feedback.Contribution", lambda contribution: [contribution.author_id])
