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
