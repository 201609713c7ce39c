"""Settings for the test suite: fast hashing, mail in memory, same database choice as base."""

import os

from .base import *  # noqa: F403 -- settings modules extend the base by design

SECRET_KEY = "test-only-not-secret"  # noqa: S105 -- tests only
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# pytest's own process always uses the in-memory outbox (pytest-django forces it); a live Celery
# worker started by the integration tests is told through the environment to write mail to files.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH")
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
