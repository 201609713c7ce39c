"""Settings for the test suite: fast hashing, mail in memory, same database choice as base."""

from .base import *  # noqa: F403 -- settings modules extend the base by design

SECRET_KEY = "test-only-not-secret"  # noqa: S105 -- tests only
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
ALLOWED_HOSTS = ["*"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
