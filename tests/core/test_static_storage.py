"""Production's static storage: hashed addresses from the manifest, each looked up once per process."""

import json

import pytest

from saypro.core.static_storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"version": "1.1", "hash": "0", "paths": {"css/saypro.css": "css/saypro.0123abcd.css"}})
    )
    return StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_the_address_is_the_hashed_name_from_the_manifest(storage):
    assert storage.url("css/saypro.css") == "/static/css/saypro.0123abcd.css"


def test_the_address_is_looked_up_once(storage, monkeypatch):
    storage.url("css/saypro.css")
    monkeypatch.setattr(storage, "hashed_files", {})  # a second lookup would now fail

    assert storage.url("css/saypro.css") == "/static/css/saypro.0123abcd.css"


def test_a_file_missing_from_the_manifest_is_refused_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry for 'css/gone.css'"):
            storage.url("css/gone.css")


def test_with_debug_on_the_plain_name_is_served_and_not_kept(storage, settings):
    settings.DEBUG = True

    assert storage.url("css/saypro.css") == "/static/css/saypro.css"

    settings.DEBUG = False
    assert storage.url("css/saypro.css") == "/static/css/saypro.0123abcd.css"


def test_collecting_again_forgets_the_addresses(storage, monkeypatch):
    storage.url("css/saypro.css")

    list(storage.post_process({}, dry_run=True))
    storage.hashed_files = {"css/saypro.css": "css/saypro.4567ef01.css"}  # as a new manifest would

    assert storage.url("css/saypro.css") == "/static/css/saypro.4567ef01.css"
