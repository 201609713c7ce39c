"""Production's static files storage: whitenoise's compressed, hashed files, with each address
looked up once per process.

Every page's `{% static %}` tags (eight in the base template alone) each parsed the name, looked up
its hashed name in the manifest and built the address: about 15 microseconds a tag, on every request.
The manifest is read once, when the storage is created, and does not change while the process
runs, so neither do the addresses.
"""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:
            return super().url(name, force)
        address = self._addresses.get(name)
        if address is None:
            # A missing file raises here (the manifest is strict) and nothing is kept.
            address = self._addresses[name] = super().url(name)
        return address

    def post_process(self, *args, **kwargs):
        # collectstatic writes a new manifest: addresses read before it would be the old ones.
        self._addresses.clear()
        yield from super().post_process(*args, **kwargs)
        self._addresses.clear()
