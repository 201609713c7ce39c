from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "circles"
    verbose_name = "Peer sharing circles"

    def ready(self) -> None:
        # The round page's cached round, sign-up counts and circles, and the circle cards, are bumped
        # by any save or delete of what they show.
        from .selectors import (
            LEARNINGS_CACHE,
            LEARNINGS_READ,
            ROUND_MEMBERS_CACHE,
            ROUND_MEMBERS_READ,
            ROUNDS_CACHE,
            ROUNDS_READ,
            SIGNUP_COUNTS_CACHE,
            SIGNUP_COUNTS_READ,
        )

        SIGNUP_COUNTS_CACHE.watch(SIGNUP_COUNTS_READ)
        ROUNDS_CACHE.watch(ROUNDS_READ)
        ROUND_MEMBERS_CACHE.watch(ROUND_MEMBERS_READ)
        LEARNINGS_CACHE.watch(LEARNINGS_READ)

        # The home panel kept per person (panels.py).
        from saypro.core.selectors import HOME_PANELS

        from .panels import HOME_CACHE

        HOME_PANELS.watch(["circles.Round", "circles.Circle", "circles.Topic"])
        HOME_CACHE.watch_people("circles.Membership", lambda membership: [membership.person_id])
        HOME_CACHE.watch_people("circles.Signup", lambda signup: [signup.person_id])

        # "My circles" kept per person (selectors.my_circles_cached).
        from .selectors import MINE_CACHE

        for label in ("circles.Membership", "circles.Signup", "circles.StandingSignup"):
            MINE_CACHE.watch_people(label, lambda row: [row.person_id])

        # The learning log kept per person (saypro.core.learning_log.LOG_CACHE).
        from saypro.core.learning_log import LOG_CACHE, LOG_SHARED

        LOG_SHARED.watch(["circles.Round", "circles.Circle", "circles.Topic"])
        LOG_CACHE.watch_people("circles.Membership", lambda membership: [membership.person_id])
        LOG_CACHE.watch_people("circles.Learning", lambda learning: [learning.author_id])
