from django.apps import AppConfig


class CafesConfig(AppConfig):
    name = "cafes"
    verbose_name = "Knowledge cafés"

    def ready(self) -> None:
        # The café page's cached agenda and answers are bumped by any save or delete of what they show.
        from .selectors import AGENDA_CACHE, AGENDA_READ, RSVP_CACHE, RSVP_READ, WAITING_CACHE, WAITING_READ

        AGENDA_CACHE.watch(AGENDA_READ)
        RSVP_CACHE.watch(RSVP_READ)
        WAITING_CACHE.watch(WAITING_READ)

        # The home panel kept per person (panels.py).
        from .panels import HOME_CACHE

        HOME_CACHE.watch_people("cafes.Rsvp", lambda rsvp: [rsvp.person_id])

        # The learning log kept per person (saypro.core.learning_log.LOG_CACHE).
        from saypro.core.learning_log import LOG_CACHE, LOG_SHARED

        LOG_SHARED.watch(["cafes.Cafe"])
        LOG_CACHE.watch_people("cafes.Rsvp", lambda rsvp: [rsvp.person_id])
        LOG_CACHE.watch_people("cafes.TalkProposal", lambda talk: [talk.speaker_id])
