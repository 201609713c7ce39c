"""The production stack as described by docker-compose.yml and the Dockerfile, and production settings.

There is no Docker engine on a developer's machine or CI, so the files are read and every
command's targets are resolved against the code: a renamed module or a mistyped flag fails here.
"""

import importlib
import importlib.util
import json
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.utils.module_loading import import_string
from gunicorn.config import Config

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")
STATIC_TAG = re.compile(r"""\{%\s*static\s+["']([^"']+)["']""")
# Production settings, collecting into a folder given as argv[1]; the manifest storage without
# WhiteNoise's compression step (which only adds .gz/.br copies and takes half a minute).
COLLECTSTATIC = """
import sys
import django
from django.conf import settings
django.setup()
settings.STATIC_ROOT = sys.argv[1]
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
from django.core.management import call_command
call_command("collectstatic", "--noinput", verbosity=0)
"""


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def argv(service: dict) -> list[str]:
    command = service["command"]
    return list(command) if isinstance(command, list) else shlex.split(command)


def web_steps(services) -> list[list[str]]:
    """The web service's shell command split into its `&&` steps."""
    command = argv(services["web"])
    assert command[:2] == ["sh", "-c"]
    return [shlex.split(step) for step in command[2].split("&&")]


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_compose_has_the_six_services(services):
    assert sorted(services) == ["beat", "mailpit", "postgres", "redis", "web", "worker"]


def test_compose_web_worker_and_beat_share_one_image(services):
    builds = {name: (services[name]["build"], services[name]["image"]) for name in APP_SERVICES}

    assert set(builds.values()) == {(".", "saypro-share-learnings:latest")}


def test_compose_app_services_share_one_production_environment(services):
    environments = [services[name]["environment"] for name in APP_SERVICES]
    env = environments[0]

    assert environments[1] == env and environments[2] == env
    assert env["DJANGO_SETTINGS_MODULE"] == "saypro.settings.production"
    assert importlib.util.find_spec(env["DJANGO_SETTINGS_MODULE"]) is not None
    assert env["DATABASE_URL"] == "postgres://saypro:${POSTGRES_PASSWORD:-saypro}@postgres:5432/saypro"
    assert env["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert env["CACHE_URL"] == "redis://redis:6379/1"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "ALLOWED_HOSTS" in env
    assert env["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert env["EMAIL_HOST"] == "${EMAIL_HOST:-mailpit}"
    assert env["EMAIL_PORT"] == "${EMAIL_PORT:-1025}"
    assert env["SECURE_SSL_REDIRECT"] == "${SECURE_SSL_REDIRECT:-false}"
    assert import_string(env["EMAIL_BACKEND"]).__name__ == "EmailBackend"


def test_compose_app_services_count_login_failures_per_client_behind_one_proxy(services):
    """Behind the TLS proxy every request comes from the proxy: rate limits need the client's address."""
    env = services["web"]["environment"]

    assert env["ALLAUTH_TRUSTED_PROXY_COUNT"] == "${ALLAUTH_TRUSTED_PROXY_COUNT:-1}"
    assert env["ALLAUTH_TRUSTED_CLIENT_IP_HEADER"] == "${ALLAUTH_TRUSTED_CLIENT_IP_HEADER:-}"


def test_compose_postgres_redis_and_web_have_healthchecks(services):
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    web_check = services["web"]["healthcheck"]["test"]
    assert web_check[:3] == ["CMD", "python", "-c"]
    assert "http://127.0.0.1:8000/accounts/login/" in web_check[3]
    compile(web_check[3], "healthcheck", "exec")


def test_compose_app_services_wait_for_healthy_dependencies(services):
    for name in APP_SERVICES:
        depends = services[name]["depends_on"]
        assert depends["postgres"] == {"condition": "service_healthy"}, name
        assert depends["redis"] == {"condition": "service_healthy"}, name
    assert services["worker"]["depends_on"]["web"] == {"condition": "service_healthy"}
    assert services["beat"]["depends_on"]["web"] == {"condition": "service_healthy"}


def test_compose_web_runs_migrations_then_gunicorn(services):
    steps = web_steps(services)

    assert steps[0] == ["python", "manage.py", "migrate", "--noinput"]
    assert steps[1][:2] == ["exec", "gunicorn"]


def test_compose_gunicorn_command_targets_the_wsgi_application(services):
    gunicorn_args = web_steps(services)[1][2:]
    parsed = Config().parser().parse_args(gunicorn_args)
    module_name, attribute = parsed.args[0].split(":")

    assert parsed.args == ["saypro.wsgi:application"]
    assert parsed.bind == ["0.0.0.0:8000"]
    assert parsed.workers == 3
    assert "--no-control-socket" in gunicorn_args
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_compose_worker_and_beat_load_the_celery_app_and_database_scheduler(services):
    worker, beat = argv(services["worker"]), argv(services["beat"])

    assert worker[:4] == ["celery", "-A", "saypro", "worker"]
    assert beat[:4] == ["celery", "-A", "saypro", "beat"]
    assert importlib.import_module("saypro").celery_app.main == "saypro"
    scheduler = option(beat, "--scheduler")
    assert scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert import_string(scheduler.replace(":", ".")).__name__ == "DatabaseScheduler"


def test_compose_mailpit_catches_mail_on_1025_with_web_ui_on_8025(services):
    mailpit = services["mailpit"]

    assert mailpit["image"] == "axllent/mailpit"
    assert mailpit["ports"] == ["8025:8025"]
    assert mailpit["expose"] == ["1025"]


def test_dockerfile_builds_one_non_root_image_with_static_files():
    lines = [line.strip() for line in (REPO_ROOT / "Dockerfile").read_text().splitlines()]
    text = "\n".join(lines)

    assert lines[[i for i, line in enumerate(lines) if line.startswith("FROM")][0]] == "FROM python:3.11-slim"
    assert "RUN pip install -r requirements/base.txt" in lines
    assert "python manage.py collectstatic --noinput" in text
    user_lines = [line for line in lines if line.startswith("USER ")]
    assert user_lines == ["USER saypro"]
    assert '"--no-control-socket"' in text
    assert (REPO_ROOT / ".dockerignore").read_text().splitlines()[:2] == [".git", ".venv"]


def production_env(**extra: str) -> dict[str, str]:
    """A clean environment: nothing from the developer's shell leaks into the settings."""
    return {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "saypro.settings.production", **extra}


def production_settings_print(statement: str, environment: dict[str, str]) -> str:
    """What `statement` prints with the production settings loaded in a clean process (as `settings`)."""
    env = production_env(SECRET_KEY=secrets.token_urlsafe(64), PYTHONPATH=str(REPO_ROOT), **environment)
    script = "import django; from django.conf import settings; django.setup(); " + statement

    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_settings_pass_deploy_checks_without_warnings():
    env = production_env(SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="learning.example.org")

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"ALLAUTH_TRUSTED_PROXY_COUNT": "1", "ALLAUTH_TRUSTED_CLIENT_IP_HEADER": ""}, "1 None"),
        ({"ALLAUTH_TRUSTED_PROXY_COUNT": "0", "ALLAUTH_TRUSTED_CLIENT_IP_HEADER": "X-Real-IP"}, "0 X-Real-IP"),
        ({}, "0 None"),
    ],
    ids=["compose-default", "client-ip-header", "unset"],
)
def test_production_settings_take_the_trusted_proxy_from_the_environment(environment, expected):
    """The values docker-compose.yml passes reach allauth's settings (empty means no header)."""
    printed = production_settings_print(
        "print(settings.ALLAUTH_TRUSTED_PROXY_COUNT, settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER)", environment
    )

    assert printed == expected


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        (
            {
                "OIDC_SERVER_URL": "https://login.microsoftonline.com/tenant/v2.0",
                "OIDC_CLIENT_ID": "client",
                "OIDC_SIGNUP_DOMAINS": "Contoso.example, ",
                "OIDC_MFA_AMR": "",
                "OIDC_EMAIL_VERIFIED_CLAIM": "xms_edov",
            },
            "'self' https://login.microsoftonline.com|company|['contoso.example']|[]|xms_edov",
        ),
        ({}, "'self'||[]|['mfa', 'otp', 'hwk', 'swk']|email_verified"),
    ],
    ids=["entra-id", "unset"],
)
def test_production_settings_take_company_sign_in_from_the_environment(environment, expected):
    """docker-compose.yml's OIDC_* reach the settings; the provider's origin joins CSP form-action."""
    printed = production_settings_print(
        "from saypro.core.company_signin import company_app; app = company_app(); "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']), "
        "app and app.provider_id or '', settings.OIDC_SIGNUP_DOMAINS, settings.OIDC_MFA_AMR, "
        "settings.OIDC_EMAIL_VERIFIED_CLAIM, sep='|')",
        environment,
    )

    assert printed == expected


def test_production_settings_refuse_to_start_without_secret_key():
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO_ROOT,
        env=production_env(ALLOWED_HOSTS="learning.example.org"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "ImproperlyConfigured: SECRET_KEY must be set in production." in result.stderr


def test_production_static_manifest_has_every_file_templates_name(tmp_path):
    """With the manifest storage of production, a template naming a missing static file is a 500 page."""
    env = production_env(SECRET_KEY=secrets.token_urlsafe(64), PYTHONPATH=str(REPO_ROOT))
    result = subprocess.run(
        [sys.executable, "-c", COLLECTSTATIC, str(tmp_path)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    collected = set(json.loads((tmp_path / "staticfiles.json").read_text())["paths"])
    templates = [
        path
        for path in REPO_ROOT.rglob("*.html")
        if "templates" in path.parts and not {".venv", "node_modules"} & set(path.parts)
    ]
    named = {name for path in templates for name in STATIC_TAG.findall(path.read_text())}

    assert "css/saypro.css" in named
    assert sorted(named - collected) == []


def test_production_keeps_checked_database_connections_and_caches_sessions():
    """Issue 12: persistent connections with health checks, and sessions read from the cache."""
    env = production_env(SECRET_KEY=secrets.token_urlsafe(64), DATABASE_URL="postgres://u@db:5432/saypro")
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "d = s.DATABASES['default']; print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], s.SESSION_ENGINE]))"
    )

    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [60, True, "django.contrib.sessions.backends.cached_db"]


def test_compose_sets_persistent_connections_with_health_checks(services):
    env = services["web"]["environment"]

    assert (env["CONN_MAX_AGE"], env["CONN_HEALTH_CHECKS"]) == ("60", "true")


PRINT_EMAIL_SETTINGS = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, "
    "s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT, s.EMAIL_FILE_PATH, s.DEFAULT_FROM_EMAIL])"
)


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        (
            {},
            ["django.core.mail.backends.smtp.EmailBackend", "localhost", 25, "", "", False, False, 20, None,
             "SayPro Share Learnings <learning@saypro.local>"],
        ),
        (
            {"EMAIL_HOST": "smtp.example.org", "EMAIL_PORT": "587", "EMAIL_HOST_USER": "learning",
             "EMAIL_HOST_PASSWORD": "pw", "EMAIL_USE_TLS": "true", "EMAIL_TIMEOUT": "9",
             "DEFAULT_FROM_EMAIL": "Learning <learning@example.org>"},
            ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", 587, "learning", "pw", True, False, 9,
             None, "Learning <learning@example.org>"],
        ),
        (
            {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": "/var/mail/saypro",
             "EMAIL_USE_SSL": "true", "EMAIL_PORT": "465"},
            ["django.core.mail.backends.filebased.EmailBackend", "localhost", 465, "", "", False, True, 20,
             "/var/mail/saypro", "SayPro Share Learnings <learning@saypro.local>"],
        ),
    ],
)  # fmt: skip
def test_production_email_settings_come_from_the_environment(environment, expected):
    env = production_env(SECRET_KEY=secrets.token_urlsafe(64), PYTHONPATH=str(REPO_ROOT), **environment)

    command = [sys.executable, "-c", PRINT_EMAIL_SETTINGS]
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == repr(expected)
