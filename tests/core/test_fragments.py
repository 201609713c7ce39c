"""The versioned cache: entries computed once per version, bumped by writes, at once and after commit."""

import pytest

from saypro.core.fragments import VersionedCache, is_version_bump

pytestmark = pytest.mark.django_db


def test_versioned_cache_computes_once_until_changed():
    fragments = VersionedCache("test-once")
    calls = []

    def compute():
        calls.append(1)
        return {"count": len(calls)}

    first = fragments.get_or_set("k", compute)
    again = fragments.get_or_set("k", compute)
    fragments.changed()
    after = fragments.get_or_set("k", compute)

    assert (first, again, after) == ({"count": 1}, {"count": 1}, {"count": 2})


def test_versioned_cache_bumps_again_after_commit_once_per_transaction(django_capture_on_commit_callbacks):
    fragments = VersionedCache("test-commit")
    start = fragments.version()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        fragments.changed()
        fragments.changed()
        during = fragments.version()

    assert during == start + 2
    assert [is_version_bump(c) for c in callbacks] == [True]
    assert fragments.version() == start + 3


def test_watched_model_save_bumps_the_version():
    from tests.factories import UserFactory

    fragments = VersionedCache("test-watch")
    fragments.watch(["core.MentorLink"])
    start = fragments.version()
    UserFactory()  # not watched
    unwatched = fragments.version()
    from tests.factories import MentorLinkFactory

    MentorLinkFactory()

    assert unwatched == start
    assert fragments.version() > start


def test_a_sign_in_bumps_nothing_but_other_saves_of_the_person_do(client):
    from tests.factories import UserFactory

    person = UserFactory()
    fragments = VersionedCache("test-sign-in")
    fragments.watch(["core.User"])
    start = fragments.version()
    client.force_login(person)  # saves last_login alone
    signed_in = fragments.version()
    person.first_name = "Renamed"
    person.save(update_fields=["first_name"])
    renamed = fragments.version()
    person.save()  # every field

    assert signed_in == start
    assert start < renamed < fragments.version()


def test_shared_html_renders_once_per_version_and_fills_in_each_requests_csrf_token(rf):
    from types import SimpleNamespace

    from django.middleware.csrf import _does_token_match, _unmask_cipher_token

    from saypro.core.fragments import shared_html

    talk = SimpleNamespace(
        pk=7, speaker_id=99, state="proposed", title="Delegation", interest_count=3, viewer_interested=False
    )
    fragments = VersionedCache("test-html")
    renders = []

    def context():
        renders.append(1)
        return {"talk": talk, "user": SimpleNamespace(pk=1)}

    def section(request):
        return shared_html(
            caches=[fragments], key="talk:7", template_name="cafes/partials/interest_button.html",
            context=context, request=request,
        )  # fmt: skip

    first_request, second_request = rf.get("/"), rf.get("/")
    first, again = section(first_request), section(second_request)
    talk.interest_count = 4
    fragments.changed()
    after = section(rf.get("/"))

    assert len(renders) == 2
    assert "3 would like to hear it" in first
    assert "3 would like to hear it" in again
    assert "4 would like to hear it" in after
    tokens = [html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0] for html in (first, again)]
    # Each request's own token, as {% csrf_token %} would have put it (its secret is the request's).
    for token, request in zip(tokens, (first_request, second_request), strict=True):
        assert _does_token_match(token, request.META["CSRF_COOKIE"])
    assert _unmask_cipher_token(tokens[0]) != _unmask_cipher_token(tokens[1])
    assert "csrf-slot" not in first + again + after


def test_shared_html_kept_under_an_old_secret_key_is_not_served_after_a_new_one(rf, settings):
    from types import SimpleNamespace

    from saypro.core.fragments import shared_html

    talk = SimpleNamespace(
        pk=8, speaker_id=99, state="proposed", title="Rollout", interest_count=1, viewer_interested=False
    )
    fragments = VersionedCache("test-html-rollout")

    def section():
        return shared_html(
            caches=[fragments], key="talk:8", template_name="cafes/partials/interest_button.html",
            context=lambda: {"talk": talk, "user": SimpleNamespace(pk=1)}, request=rf.get("/"),
        )  # fmt: skip

    before = section()
    settings.SECRET_KEY = "a-new-secret-key-after-a-rollout-of-at-least-fifty-characters"
    after = section()

    for html in (before, after):
        token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
        assert not token.startswith("csrf-slot")
        assert len(token) == 64


# --- the per-person cache (home panels) -----------------------------------------------------------


def _counting(value_until=None):
    calls = []

    def compute():
        calls.append(1)
        return {"count": len(calls)}, value_until

    return calls, compute


def test_personal_cache_computes_once_per_person_until_their_version_is_bumped():
    from saypro.core.fragments import PersonalCache

    kept = PersonalCache("test-personal")
    calls, compute = _counting()

    first = kept.get_or_set(person_id=1, compute=compute)
    again = kept.get_or_set(person_id=1, compute=compute)
    someone_else = kept.get_or_set(person_id=2, compute=compute)
    kept.people_changed(person_ids=[2])
    untouched = kept.get_or_set(person_id=1, compute=compute)
    kept.people_changed(person_ids=[1, None])
    bumped = kept.get_or_set(person_id=1, compute=compute)

    assert [first, again, someone_else, untouched, bumped] == [
        {"count": 1},
        {"count": 1},
        {"count": 2},
        {"count": 1},
        {"count": 3},
    ]


def test_personal_cache_is_stale_for_everyone_when_a_shared_version_is_bumped():
    from saypro.core.fragments import PersonalCache

    shared = VersionedCache("test-personal-shared")
    kept = PersonalCache("test-personal-2", shared=[shared])
    calls, compute = _counting()
    kept.get_or_set(person_id=1, compute=compute)
    kept.get_or_set(person_id=2, compute=compute)

    shared.changed()
    kept.get_or_set(person_id=1, compute=compute)
    kept.get_or_set(person_id=2, compute=compute)

    assert len(calls) == 4


def test_personal_cache_bumps_again_after_commit(django_capture_on_commit_callbacks):
    from saypro.core.fragments import PersonalCache

    kept = PersonalCache("test-personal-3")
    calls, compute = _counting()
    kept.get_or_set(person_id=1, compute=compute)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        kept.people_changed(person_ids=[1])
    # Read in the transaction, before it commits: computed (as another process might) from the old rows.
    kept.get_or_set(person_id=1, compute=compute)
    for callback in callbacks:
        callback()
    after_commit = kept.get_or_set(person_id=1, compute=compute)

    assert [is_version_bump(c) for c in callbacks] == [True]
    assert after_commit == {"count": 3}


def test_personal_cache_value_computed_while_a_write_bumps_is_not_kept():
    from saypro.core.fragments import PersonalCache

    kept = PersonalCache("test-personal-4")
    calls = []

    def compute_during_a_write():
        calls.append(1)
        if len(calls) == 1:
            kept.people_changed(person_ids=[1])  # another request's write lands while this one reads
        return len(calls), None

    kept.get_or_set(person_id=1, compute=compute_during_a_write)

    assert kept.get_or_set(person_id=1, compute=compute_during_a_write) == 2


def test_personal_cache_value_goes_out_of_date_at_its_time(monkeypatch):
    import datetime as dt

    from django.core.cache import cache
    from django.utils import timezone

    from saypro.core.fragments import PersonalCache

    now = timezone.now()
    kept = PersonalCache("test-personal-5")
    calls, compute = _counting(value_until=now + dt.timedelta(minutes=5))
    kept.get_or_set(person_id=1, compute=compute)
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(minutes=4))
    before = kept.get_or_set(person_id=1, compute=compute)
    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(minutes=5))
    at = kept.get_or_set(person_id=1, compute=compute)
    # A person's version the cache dropped counts as changed.
    forever = PersonalCache("test-personal-6")
    forever.get_or_set(person_id=1, compute=lambda: ("kept", None))
    cache.delete("personal:test-personal-6:v:1")
    evicted = forever.get_or_set(person_id=1, compute=lambda: ("again", None))

    assert (before, at, evicted) == ({"count": 1}, {"count": 2}, "again")


def _count_cache_reads(monkeypatch) -> list[str]:
    from django.core.cache import cache

    reads: list[str] = []
    inside = []  # the local-memory cache's get_many calls its own get: one round trip, counted once
    for name in ("get", "get_many"):
        real = getattr(cache, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            if not inside:
                reads.append(_name)
            inside.append(_name)
            try:
                return _real(*args, **kwargs)
            finally:
                inside.pop()

        monkeypatch.setattr(cache, name, counted)
    return reads


def test_versioned_cache_reads_the_value_and_its_version_in_one_round_trip(monkeypatch):
    fragments = VersionedCache("test-one-trip")
    fragments.get_or_set("k", lambda: None)
    reads = _count_cache_reads(monkeypatch)

    # Kept even when the value is None (nothing to compute again until the version changes).
    assert fragments.get_or_set("k", lambda: "computed again") is None
    assert reads == ["get_many"]


def test_versioned_cache_value_computed_while_a_write_bumps_is_not_kept():
    fragments = VersionedCache("test-race")
    calls = []

    def compute_during_a_write():
        calls.append(1)
        if len(calls) == 1:
            fragments.changed()  # another request's write lands while this one reads
        return len(calls)

    fragments.get_or_set("k", compute_during_a_write)

    assert fragments.get_or_set("k", compute_during_a_write) == 2


def test_shared_html_reads_its_sections_and_versions_in_one_round_trip(rf, monkeypatch):
    from saypro.core.fragments import shared_html_many

    first, second = VersionedCache("test-html-1"), VersionedCache("test-html-2")
    request = rf.get("/")

    def read():
        return shared_html_many(
            caches=[first, second],
            keys=["a", "b"],
            template_name="core/partials/bell.html",
            contexts=lambda keys: {key: {"unread_notifications": 3} for key in keys},
            request=request,
        )

    rendered = read()
    reads = _count_cache_reads(monkeypatch)
    again = read()
    second.changed()
    after = read()

    assert again == rendered == after
    assert reads == ["get_many", "get_many"]


def test_read_ahead_reads_every_named_personal_cache_in_one_round_trip(monkeypatch):
    from saypro.core.fragments import PersonalCache, read_ahead

    shared = VersionedCache("test-ahead-shared")
    first, second = PersonalCache("test-ahead:a", shared=[shared]), PersonalCache("test-ahead:b")
    other = PersonalCache("test-elsewhere")
    first.get_or_set(person_id=1, compute=lambda: ("a", None))
    second.get_or_set(person_id=1, compute=lambda: ("b", None))
    other.get_or_set(person_id=1, compute=lambda: ("elsewhere", None))
    second.people_changed(person_ids=[1])
    reads = _count_cache_reads(monkeypatch)

    with read_ahead(person_id=1, prefix="test-ahead:"):
        values = [
            first.get_or_set(person_id=1, compute=lambda: ("a again", None)),
            second.get_or_set(person_id=1, compute=lambda: ("b again", None)),  # bumped: computed again
            second.get_or_set(person_id=1, compute=lambda: ("b a third time", None)),  # kept just now
            other.get_or_set(person_id=1, compute=lambda: ("elsewhere again", None)),
        ]

    assert values == ["a", "b again", "b again", "elsewhere"]
    assert reads == ["get_many", "get_many"]  # the block's one read, and the cache it does not name
    shared.changed()
    assert first.get_or_set(person_id=1, compute=lambda: ("a after a shared bump", None)) == "a after a shared bump"


def test_filled_slots_puts_a_new_submission_token_in_each_form_and_the_requests_csrf_token(rf, settings):
    import re

    from saypro.core.fragments import filled_slots, kept_render_context, submission_slot

    kept = f"<input value='{kept_render_context()['csrf_token']}'>" + 2 * f"<input value='{submission_slot()}'>"
    request = rf.get("/")

    html = str(filled_slots(kept, request=request))
    again = str(filled_slots(kept, request=request))
    values = re.findall(r"value='([^']+)'", html)

    assert submission_slot() not in html and "csrf-slot" not in html
    assert len(set(values[1:])) == 2  # two forms, two tokens
    assert set(values[1:]).isdisjoint(re.findall(r"value='([^']+)'", again)[1:])
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert submission_slot() not in kept  # made from the secret key: no text anyone types stands for it


def test_object_cache_keeps_parts_per_object_until_a_watched_row_names_it():
    from saypro.core.fragments import ObjectCache

    pages = ObjectCache("test-object-pages")
    calls = []

    def compute(name):
        def value():
            calls.append(name)
            return name, None

        return value

    pages.get_or_set_for(object_id=1, part="a", compute=compute("1a"))
    pages.get_or_set_for(object_id=1, part="b", compute=compute("1b"))
    pages.get_or_set_for(object_id=2, part="a", compute=compute("2a"))
    pages.objects_changed(object_ids=[1])
    for object_id, part in [(1, "a"), (1, "b"), (2, "a")]:
        pages.get_or_set_for(object_id=object_id, part=part, compute=compute(f"{object_id}{part}"))

    assert calls == ["1a", "1b", "2a", "1a", "1b"]
