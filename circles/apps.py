from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circles"
    verbose_name = "Peer sharing circles"

    def ready(self) -> None:
        # The round page's cached round and sign-up counts are bumped by any save or delete of what
        # they show.
        from .selectors import ROUNDS_CACHE, ROUNDS_READ, SIGNUP_COUNTS_CACHE, SIGNUP_COUNTS_READ

        SIGNUP_COUNTS_CACHE.watch(SIGNUP_COUNTS_READ)
        ROUNDS_CACHE.watch(ROUNDS_READ)
