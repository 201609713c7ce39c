"""Production settings: PostgreSQL, Redis, gunicorn behind a TLS-terminating proxy."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403 -- settings modules extend the base by design
from .base import DATABASES, SECRET_KEY, env_bool

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")

DEBUG = False
# Production sends through the SMTP relay the environment names (see the README's table);
# another backend (e.g. files, for a dry run) is still one EMAIL_BACKEND away.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "saypro.core.static_storage.StaticFilesStorage"},
}
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Database connections are kept between requests (a new PostgreSQL connection costs several
# milliseconds, more than most pages' queries) and checked before reuse, so a connection the
# database closed in the meantime is replaced instead of failing the request.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("CONN_MAX_AGE", "60"))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("CONN_HEALTH_CHECKS", True)
# Sessions are read on every signed-in request: from the cache (Redis, CACHE_URL), falling back
# to the database, which stays the record, so a cache flush signs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
