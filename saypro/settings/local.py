"""Settings for a developer's machine: `make run`."""

from .base import *  # noqa: F403 -- settings modules extend the base by design
from .base import SECRET_KEY as _BASE_SECRET_KEY

DEBUG = True
SECRET_KEY = _BASE_SECRET_KEY or "local-development-only-not-secret"
