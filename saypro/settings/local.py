"""Settings for a developer's machine: `make run`."""

from .base import *  # noqa: F403 -- settings modules extend the base by design
from .base import SECRET_KEY as _BASE_SECRET_KEY
from .base import env_bool

DEBUG = True
SECRET_KEY = _BASE_SECRET_KEY or "local-development-only-not-secret"
# The demo officer signs in with a password alone; set OFFICER_MFA_REQUIRED=true to try the real rule.
OFFICER_MFA_REQUIRED = env_bool("OFFICER_MFA_REQUIRED", False)
# Passkeys need https, except on this machine's own http://127.0.0.1.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
