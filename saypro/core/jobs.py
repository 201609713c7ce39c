"""A decorator that records every scheduled job's runs for the officer's job health panel."""

from __future__ import annotations

import functools
import traceback

from .services import broker_pause_reset, heartbeat_finish, heartbeat_start


def recorded(name: str):
    """Record start, end, result and error of the wrapped task body under `name`."""

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            # A scheduled job reached this worker through the broker, so the broker is back:
            # what the job queues must not be skipped for an outage this process saw earlier.
            broker_pause_reset()
            heartbeat_start(name=name)
            try:
                result = func(*args, **kwargs)
            except Exception:
                heartbeat_finish(name=name, ok=False, error=traceback.format_exc())
                raise
            heartbeat_finish(name=name, ok=True, result="" if result is None else str(result))
            return result

        return wrapper

    return decorate
