"""Production settings for the throughput benchmark's gunicorn, with three benchmark-only changes.

- ROOT_URLCONF adds `/bench/ok/`, a trivial `HttpResponse("ok")` view every page is compared with.
- A middleware counts each response's SQL queries into an `X-Bench-Queries` header, so the
  benchmark reads the queries of the page as this very server answered it.
- No TLS proxy stands in front, so cookies are not marked Secure (a load generator speaking
  plain HTTP would not send them back); nothing else differs from saypro.settings.production.
"""

from saypro.settings.production import *  # noqa: F403 -- extends production by design
from saypro.settings.production import MIDDLEWARE

ROOT_URLCONF = "benchmarks.throughput.urls"
MIDDLEWARE = ["benchmarks.throughput.middleware.count_queries", *MIDDLEWARE]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
