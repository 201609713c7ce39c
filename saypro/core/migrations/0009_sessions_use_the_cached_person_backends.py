"""Sessions signed in before saypro.core.auth_backends keep working: their backend path is rewritten.

Django signs out a session whose backend path is no longer in AUTHENTICATION_BACKENDS; without
this, everyone would have been signed out by the release that took the backends in. The cached
copies of the rewritten sessions (cached_db) are dropped, so the next read takes the new row.
"""

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.core.cache import cache
from django.db import migrations
from django.utils import timezone

REPLACED = {
    "django.contrib.auth.backends.ModelBackend": "saypro.core.auth_backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend": "saypro.core.auth_backends.AuthenticationBackend",
}
CACHED_PREFIX = "django.contrib.sessions.cached_db"


def _rewrite(apps, mapping: dict[str, str]) -> None:
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    store = SessionStore()
    changed = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=1000):
        data = store.decode(session.session_data)
        if data.get(BACKEND_SESSION_KEY) in mapping:
            data[BACKEND_SESSION_KEY] = mapping[data[BACKEND_SESSION_KEY]]
            session.session_data = store.encode(data)
            changed.append(session)
    Session.objects.bulk_update(changed, ["session_data"], batch_size=1000)
    if changed and settings.SESSION_ENGINE.endswith("cached_db"):
        cache.delete_many([CACHED_PREFIX + session.session_key for session in changed])


def forwards(apps, schema_editor):
    _rewrite(apps, REPLACED)


def backwards(apps, schema_editor):
    _rewrite(apps, {new: old for old, new in REPLACED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_module_owner"),
        ("sessions", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
