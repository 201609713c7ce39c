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
