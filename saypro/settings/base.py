"""Settings shared by every environment; every value that differs comes from the environment."""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("SAYPRO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable the way people write it."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "SayPro")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# A feedback session may be opened from this many minutes before its start (closed only after
# the start); the officer can still do either earlier, with a reason that is audited.
FEEDBACK_OPEN_LEAD_MINUTES = int(os.environ.get("FEEDBACK_OPEN_LEAD_MINUTES", "60"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Company sign-in (OpenID Connect); dormant, no button and no page, until OIDC_* is set below.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "django_celery_beat",
    "rules.apps.AutodiscoverRulesConfig",
    "js_lib_bootstrap5",
    "js_lib_htmx",
    "rest_framework",
    "drf_spectacular",
    "saypro.core",
    "reflections",
    "feedback",
    "circles",
    "cafes",
    "saypro.impact",
    "saypro.api",
    "saypro.xapi",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "saypro.core.second_factor.SecondFactorRequiredMiddleware",
]

ROOT_URLCONF = "saypro.urls"
WSGI_APPLICATION = "saypro.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "saypro.core.context_processors.navigation",
            ],
            # html_datetime for <time datetime>, in every template without a {% load %}.
            "builtins": ["saypro.core.templatetags.saypro_html"],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A kept connection the database dropped (restart, failover, an idle timeout) is found
        # and replaced before it is used, in requests and in Celery tasks alike, instead of
        # failing the first request or job after the drop (tests/reliability/test_database_dropped.py).
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The monthly snapshot's large aggregates spent more time in PostgreSQL's JIT compiler than
    # running (benchmarks/bench_impact_snapshot.py: 3.4 s with JIT, 1.9 s without).
    # PostgreSQL's default random_page_cost (4.0) prices an index probe for spinning disks; on SSD
    # storage it made the planner read all 100,000 people to join a round's 2,000 sign-ups
    # (benchmarks/bench_pages.py with 1.1: formed round 69 -> 56 ms, console 43 -> 30 ms, open
    # round 29 -> 22 ms, no page slower). DB_RANDOM_PAGE_COST=4 restores the default.
    page_cost = float(os.environ.get("DB_RANDOM_PAGE_COST", "1.1"))
    DATABASES["default"]["OPTIONS"] = {"options": f"-c jit=off -c random_page_cost={page_cost}"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web process, a worker and beat share the file: wait for locks instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Django's and allauth's, with the signed-in person read from the cache (saypro/core/auth_backends.py).
    "saypro.core.auth_backends.ModelBackend",
    "saypro.core.auth_backends.AuthenticationBackend",
]

LANGUAGE_CODE = "en-gb"
# Dates and times without a format of their own: 24-hour clock (saypro/formats), never "3:50 p.m.".
FORMAT_MODULE_PATH = ["saypro.formats"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Africa/Johannesburg")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "account_login"

# --- mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))  # seconds; a hung relay must not hold a worker
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH") or None  # for EMAIL_BACKEND=...filebased.EmailBackend
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SayPro Share Learnings <learning@saypro.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- sign-in (django-allauth) -----------------------------------------------------------------
ACCOUNT_ADAPTER = "saypro.core.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_FORMS = {"add_email": "saypro.core.adapters.AddEmailForm"}
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{ORGANISATION_NAME}] "
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key", "login": "30/m/ip"}
# Rate limits count per client address. Behind the TLS proxy every request comes from the
# proxy, so one stranger's failed logins would lock everyone out: trust the last N entries of
# X-Forwarded-For (N = the proxies you run, which append the address they saw) or a header the
# proxy sets and clients cannot (e.g. X-Real-IP). Left at 0 / empty: the connection's address,
# right when nothing stands in front (a client could otherwise forge its address).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("ALLAUTH_TRUSTED_CLIENT_IP_HEADER", "").strip() or None
# A second factor (allauth.mfa): an authenticator app, passkeys / security keys, recovery codes.
# Required of officers, staff and superusers (saypro/core/second_factor.py); OFFICER_MFA_REQUIRED=false
# relaxes that, as `make run` does for the demo logins.
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = f"{ORGANISATION_NAME} Share Learnings"
# Codes of the 30 seconds before and after count too: phones' clocks drift (RFC 6238 advises one step).
MFA_TOTP_TOLERANCE = 1
OFFICER_MFA_REQUIRED = env_bool("OFFICER_MFA_REQUIRED", True)
# People arrive by import or invitation; open sign-up only for listed e-mail domains.
SIGNUP_ALLOWED_DOMAINS = [d.lower() for d in env_list("SIGNUP_ALLOWED_DOMAINS")]

# --- company sign-in: OpenID Connect through allauth.socialaccount (saypro/core/company_signin.py) ---
# Configured only here, from the environment (no SocialApp rows): with OIDC_SERVER_URL or
# OIDC_CLIENT_ID unset there is no button and the sign-in URLs answer 404.
OIDC_PROVIDER_ID = os.environ.get("OIDC_PROVIDER_ID", "company").strip() or "company"
OIDC_NAME = os.environ.get("OIDC_NAME", "").strip() or f"Sign in with {ORGANISATION_NAME}"
OIDC_SERVER_URL = os.environ.get("OIDC_SERVER_URL", "").strip().rstrip("/")
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
# People the provider vouches for but HR has not imported may create their account only for
# these e-mail domains; empty: nobody unknown gets in.
OIDC_SIGNUP_DOMAINS = [d.lower() for d in env_list("OIDC_SIGNUP_DOMAINS")]
# The ID token's amr values (RFC 8176) or acr values that mean the provider asked for a second
# factor; then an officer is not asked for the site's own.
OIDC_MFA_AMR = env_list("OIDC_MFA_AMR", "mfa,otp,hwk,swk")
OIDC_MFA_ACR = env_list("OIDC_MFA_ACR")
# The claim that says the e-mail address is verified (must be true to match a person).
OIDC_EMAIL_VERIFIED_CLAIM = os.environ.get("OIDC_EMAIL_VERIFIED_CLAIM", "").strip() or "email_verified"
SOCIALACCOUNT_ADAPTER = "saypro.core.adapters.SocialAccountAdapter"
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # matching to a person is the adapter's, on the verified claim only
SOCIALACCOUNT_STORE_TOKENS = False  # the site calls no API of the provider
SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX = "oidc"

# The officer's dashboard lists mentees whose submitted reflections have waited longer than this for a mentor.
MENTOR_QUEUE_STALE_DAYS = int(os.environ.get("MENTOR_QUEUE_STALE_DAYS", "7"))

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- caches (login rate limits need a shared cache in production) -----------------------------
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("CACHE_URL"):
    CACHES = {"default": {"BACKEND": "saypro.core.cache.RedisCache", "LOCATION": os.environ["CACHE_URL"]}}

# --- content security policy: no inline script, no third-party origin ------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

if OIDC_SERVER_URL:
    # The sign-in button posts here and is redirected to the provider: form-action covers redirects.
    _oidc = urlsplit(OIDC_SERVER_URL)
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(f"{_oidc.scheme}://{_oidc.netloc}")

# --- Celery -------------------------------------------------------------------------------
# Without a broker URL the worker and beat use kombu's filesystem transport: real queues on
# disk that need no server, so `make run` runs scheduled jobs like production does.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "store_processed": False,
        # Exchange bindings; kombu's default is a folder "control" in the working directory.
        "control_folder": str(VAR_DIR / "celery-control"),
    }
else:
    # Chosen, not defaulted (issue 18). Redis hands an unacknowledged message (acks_late) to
    # another worker after visibility_timeout: kombu's default of an hour left a killed
    # worker's jobs waiting that long. Fifteen minutes is longer than any task may run (the
    # time limits below), so a slow task is never handed out twice while it still runs.
    # Publishing gives up after one connection attempt of at most 2 s (max_retries 0): a web
    # request never waits on a broker that is down; what it owed is already in the database
    # (OutboundEmail rows, states) and the sweeping jobs pick it up once the broker is back.
    # A worker looks for such messages every unacked_restore_interval seconds, scanning on every
    # 10th look (kombu's throttle): every 100 s by default, a tenth of that at 1.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "900")),
        "unacked_restore_interval": int(os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL", "10")),
        "max_retries": 0,
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
        "socket_keepalive": True,
        "health_check_interval": 30,
    }
# A task that runs past its limit is stopped (soft: an exception it may catch; hard: the
# process is killed), keeping every run shorter than the visibility timeout above.
CELERY_TASK_SOFT_TIME_LIMIT = 8 * 60
CELERY_TASK_TIME_LIMIT = 10 * 60
# Seconds the web process waits to open a broker connection when publishing, and no publish
# retries (Celery's default retries cost 0.6 s per message while the broker is down).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Every periodic job in one place; django-celery-beat copies them into the database on start,
# where officers can change them in the admin.
CELERY_BEAT_SCHEDULE = {
    # Every day at 01:00 organisation time: mark modules whose end date has passed as ended.
    "core-modules-mark-ended": {
        "task": "core.module_mark_ended_task",
        "schedule": crontab(minute=0, hour=1),
    },
    # Every day at 17:00 organisation time: e-mail each person the digest of the day's notifications.
    "core-notification-digest": {
        "task": "core.notification_digest_task",
        "schedule": crontab(minute=0, hour=17),
    },
    # Every five minutes: record that beat and a worker are alive, for the officer's job health.
    "core-heartbeat": {
        "task": "core.heartbeat_task",
        "schedule": crontab(minute="*/5"),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

CELERY_BEAT_SCHEDULE.update(
    {
        # Every minute: relay the outbox, sending e-mails a broker outage or a crash left unsent.
        "core-email-sweep": {"task": "core.email_sweep_task", "schedule": crontab(minute="*")},
        # Every 5 minutes: queue again org imports whose message was lost or whose worker died.
        "core-org-import-sweep": {"task": "core.org_import_sweep_task", "schedule": crontab(minute="*/5")},
    }
)

# --- per-app scheduled jobs (each app edits only its own block) ------------------------------
CELERY_BEAT_SCHEDULE.update(
    {
        # reflections: BEGIN
        # On the first day of every month at 06:00 organisation time: start that month's newsletter draft.
        "reflections-newsletter-draft": {
            "task": "reflections.newsletter_draft_for_month_task",
            "schedule": crontab(minute=0, hour=6, day_of_month=1),
        },
        # Every 15 minutes: resume sending any published newsletter whose batches stopped.
        "reflections-newsletter-resume": {
            "task": "reflections.newsletter_sending_resume_task",
            "schedule": crontab(minute="*/15"),
        },
        # Every day at 09:00 organisation time: ask "Did you try it?" of everyone whose commitment is due.
        "reflections-commitment-nudges": {
            "task": "reflections.commitment_nudges_send_task",
            "schedule": crontab(minute=0, hour=9),
        },
        # reflections: END
        # feedback: BEGIN
        # Every day at 06:00: propose a feedback session for each major module that ended (or ends within a week).
        "feedback-sessions-propose": {
            "task": "feedback.session_propose_due_task",
            "schedule": crontab(minute=0, hour=6),
        },
        # Every 10 minutes (at :05, :15, ...): send the day-before and hour-before reminders that are
        # due and not yet sent (and any invites or summaries owed). The hour reminder is due for
        # 70 minutes, so a tick missed in an outage is caught by the next one (issue 18).
        "feedback-sessions-remind": {
            "task": "feedback.session_reminders_send_task",
            "schedule": crontab(minute="5-59/10"),
        },
        # Every hour at :35: group the challenges raised since the last run into "What we heard" themes.
        "feedback-challenge-themes-update": {
            "task": "feedback.challenge_themes_update_task",
            "schedule": crontab(minute=35),
        },
        # feedback: END
        # circles: BEGIN
        # Every Monday at 06:00: open next week's circle round (topics, deadline, meeting slot).
        "circles-round-open-next": {
            "task": "circles.circle_round_open_next_task",
            "schedule": crontab(minute=0, hour=6, day_of_week="mon"),
        },
        # Every 15 minutes: form the circles of rounds whose sign-up deadline has passed.
        "circles-rounds-form-due": {"task": "circles.circle_rounds_form_due_task", "schedule": crontab(minute="*/15")},
        # Every 10 minutes (at :05, :15, ...): remind members a day and an hour before their circle meets,
        # whatever is due and not yet sent, so a tick missed in an outage is caught by the next one.
        "circles-reminders-send": {"task": "circles.circle_reminders_send_task", "schedule": crontab(minute="5-59/10")},
        # Every 15 minutes at :05, :20, :35, :50: e-mail members of published rounds a lost task left untold.
        "circles-rounds-announce-pending": {
            "task": "circles.circle_rounds_announce_pending_task",
            "schedule": crontab(minute="5,20,35,50"),
        },
        # circles: END
        # cafes: BEGIN
        # On the 1st of every month at 07:00: draft next month's knowledge café for the officers.
        "cafes-draft-next-month": {
            "task": "cafes.cafe_draft_next_month_task",
            "schedule": crontab(minute=0, hour=7, day_of_month=1),
        },
        # Every 10 minutes: send café reminders (a day and an hour before) due and not yet sent, each at
        # most once, so a tick missed in an outage is caught by the next one.
        "cafes-send-reminders": {"task": "cafes.cafe_send_reminders_task", "schedule": crontab(minute="*/10")},
        # Every 10 minutes: invite attendees of cafés held in the last fortnight that no invitation reached yet.
        "cafes-reflection-prompts-due": {
            "task": "cafes.cafe_send_reflection_prompts_due_task",
            "schedule": crontab(minute="*/10"),
        },
        # cafes: END
        # impact: BEGIN
        # On the 1st of each month at 02:00 organisation time: build last month's snapshot.
        "impact-snapshot-build": {
            "task": "impact.snapshot_build_task",
            "schedule": crontab(minute=0, hour=2, day_of_month=1),
        },
        # Every 5 minutes: take over snapshot builds and PDFs whose worker died or whose message was lost.
        "impact-snapshot-leases-sweep": {
            "task": "impact.snapshot_leases_sweep_task",
            "schedule": crontab(minute="*/5"),
        },
        # impact: END
        # xapi: BEGIN
        # Every 2 minutes: send the xAPI statements that are due to the Learning Record Store.
        "xapi-statements-sync": {"task": "xapi.statements_send_task", "schedule": crontab(minute="*/2")},
        # xapi: END
    }
)

# --- xAPI: the Learning Record Store (docs/xapi.md) ------------------------------------------------
# Its statements resource is {XAPI_LRS_ENDPOINT}/statements, with basic auth by key and secret.
# Empty endpoint: nothing is sent, and the outbox still fills until one is configured.
XAPI_LRS_ENDPOINT = os.environ.get("XAPI_LRS_ENDPOINT", "").rstrip("/")
XAPI_LRS_KEY = os.environ.get("XAPI_LRS_KEY", "")
XAPI_LRS_SECRET = os.environ.get("XAPI_LRS_SECRET", "")

# --- API (/api/v1/) -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "saypro.api.authentication.PersonalAccessTokenAuthentication",
        # The browser's session; DRF checks its CSRF token on every write.
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "saypro.api.authentication.TokenScope",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "saypro.api.schema.ApiSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_RATE_LIMIT", "2000/hour")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SayPro Share Learnings API",
    "DESCRIPTION": (
        "A person's learning log, reflections, circle sign-up and café RSVPs; monthly snapshots for "
        "managers and officers. Authenticate with a personal access token (Authorization: Bearer spl_…) "
        "made at /account/tokens/, or with the browser session."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
}
