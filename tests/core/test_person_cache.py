"""The person's roles and unread count, kept in the cache between requests and dropped when they change."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from saypro.core import person_cache, roles, services
from saypro.core.models import Notification, User
from saypro.core.org_import.applying import org_import_apply
from saypro.core.org_import.parsing import org_import_parse

pytestmark = pytest.mark.django_db

HOME = "/"


def fresh(person: User) -> User:
    """The person as the next request loads them (nothing remembered on the object)."""
    return User.objects.get(pk=person.pk)


def nav_labels(response) -> list[str]:
    return [item["label"] for item in response.context["nav_items"]]


def test_a_second_page_reads_roles_and_unread_count_from_the_cache(client, employee, django_assert_num_queries):
    client.force_login(employee)
    client.get(HOME)

    # Home's queries without the person's row, groups, unread count and newest notifications (nor
    # their placement's names, their panels or the next café, all kept): only the session, which is
    # in the database here (tests).
    with django_assert_num_queries(1) as context:
        assert client.get(HOME).status_code == 200

    sql = " ".join(q["sql"] for q in context.captured_queries)
    assert "auth_group" not in sql
    assert 'COUNT(*) AS "__count" FROM "core_notification"' not in sql


def test_a_role_given_shows_on_the_next_page(client, employee):
    client.force_login(employee)
    assert "Impact" not in nav_labels(client.get(HOME))

    employee.groups.add(Group.objects.get_or_create(name=roles.MANAGER)[0])

    assert "Impact" in nav_labels(client.get(reverse("core:notification-list")))


def test_a_role_taken_away_through_the_group_side_is_gone_at_once(employee, mentor):
    assert roles.is_mentor.test(fresh(mentor))

    Group.objects.get(name=roles.MENTOR).user_set.remove(mentor)

    assert not roles.is_mentor.test(fresh(mentor))


def test_a_removed_role_is_gone_at_once(mentor):
    assert roles.is_mentor.test(fresh(mentor))

    mentor.groups.remove(Group.objects.get(name=roles.MENTOR))

    assert not roles.is_mentor.test(fresh(mentor))


def test_a_renamed_group_is_seen_at_once(mentor):
    assert roles.is_mentor.test(fresh(mentor))

    Group.objects.filter(name=roles.MENTOR).update(name="Former mentors")  # no signal: not watched
    group = Group.objects.get(name="Former mentors")
    group.name = "Coaches"
    group.save()

    assert not roles.is_mentor.test(fresh(mentor))


def test_the_org_import_s_bulk_role_changes_are_seen_at_once(employee):
    assert not roles.is_manager.test(fresh(employee))
    header = "email,first_name,last_name,department,location,job_role,mentor_emails,roles,manager_departments"
    content = f"{header}\n{employee.email},{employee.first_name},{employee.last_name},Finance,,,,manager,Finance\n"

    org_import_apply(parsed=org_import_parse(content=content.encode()), by=None, dry_run=False)

    assert roles.is_manager.test(fresh(employee))


def test_unread_count_follows_new_read_and_deleted_notifications(employee, django_capture_on_commit_callbacks):
    assert person_cache.unread_count(person=employee) == 0

    with django_capture_on_commit_callbacks(execute=True):
        first = services.notification_create(recipient=employee, kind="test", title="One")
        services.notification_create(recipient=employee, kind="test", title="Two")
    assert person_cache.unread_count(person=fresh(employee)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.notifications_mark_read(recipient=employee, ids=[first.pk])
    assert person_cache.unread_count(person=fresh(employee)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        Notification.objects.filter(recipient=employee).delete()
    assert person_cache.unread_count(person=fresh(employee)) == 0


def test_another_person_s_notification_leaves_my_count_cached(employee, other_employee, django_assert_num_queries):
    assert person_cache.unread_count(person=employee) == 0

    services.notification_create(recipient=other_employee, kind="test", title="Not mine")

    with django_assert_num_queries(0):
        assert person_cache.unread_count(person=employee) == 0


def test_the_bell_shows_a_new_notification_on_the_next_page(client, employee):
    client.force_login(employee)
    assert client.get(HOME).context["unread_notifications"] == 0

    services.notification_create(recipient=employee, kind="test", title="New")

    assert client.get(HOME).context["unread_notifications"] == 1


def test_a_page_reads_the_person_s_entry_once(client, employee, monkeypatch):
    client.force_login(employee)
    client.get(HOME)
    reads = []
    get_many = person_cache.cache.get_many

    def counting_get_many(keys, *args, **kwargs):
        reads.extend(key for key in keys if key == f"person:{employee.pk}")
        return get_many(keys, *args, **kwargs)

    monkeypatch.setattr(person_cache.cache, "get_many", counting_get_many)

    # The second-factor check asks for the roles, the navigation tests them, the bell shows the count.
    assert client.get(HOME).status_code == 200

    assert reads == [f"person:{employee.pk}"]


def test_the_entry_kept_for_the_request_follows_a_notification_written_in_it(employee):
    person = fresh(employee)
    assert person_cache.unread_count(person=person) == 0
    assert not person.has_group(roles.MANAGER)

    services.notification_create(recipient=employee, kind="test", title="During the request")

    assert person_cache.unread_count(person=person) == 1


def test_the_entry_kept_for_the_request_follows_a_role_given_in_it(employee):
    person = fresh(employee)
    assert roles.MANAGER not in person_cache.group_names(person=person)

    employee.groups.add(Group.objects.get_or_create(name=roles.MANAGER)[0])

    assert roles.MANAGER in person_cache.group_names(person=person)


# --- the newest notifications, kept beside the entry ------------------------------------------------

NOTIFICATIONS = "/notifications/"


def titles(response) -> list[str]:
    return [n.title for n in response.context["notifications"]]


def test_a_warm_notifications_page_runs_no_query_for_them(client, employee, django_assert_num_queries):
    for i in range(35):
        services.notification_create(recipient=employee, kind="test", title=f"Note {i}")
    client.force_login(employee)
    client.get(NOTIFICATIONS)

    # Only the session (in the database in tests): the page of notifications, their count for the
    # pager and the bell's count all come from the cache.
    with django_assert_num_queries(1) as context:
        response = client.get(NOTIFICATIONS)

    assert "core_notification" not in " ".join(q["sql"] for q in context.captured_queries)
    assert titles(response) == [f"Note {i}" for i in range(34, 4, -1)]
    assert response.context["paginator"].count == 35
    assert "Page 1 of 2" in response.content.decode()


def test_the_second_page_of_notifications_is_read_from_the_database(client, employee):
    for i in range(35):
        services.notification_create(recipient=employee, kind="test", title=f"Note {i}")
    client.force_login(employee)
    client.get(NOTIFICATIONS)

    response = client.get(NOTIFICATIONS, {"page": 2})

    assert titles(response) == [f"Note {i}" for i in range(4, -1, -1)]
    assert "Page 2 of 2" in response.content.decode()
    assert ">Note 0</strong>" in response.content.decode() and "Note 34" not in response.content.decode()


def test_home_shows_the_newest_five_from_the_same_entry(client, employee):
    for i in range(7):
        services.notification_create(recipient=employee, kind="test", title=f"Note {i}")
    client.force_login(employee)

    response = client.get(HOME)

    assert [n.title for n in response.context["recent_notifications"]] == [f"Note {i}" for i in range(6, 1, -1)]


def test_a_new_read_or_deleted_notification_shows_on_the_next_request(client, employee):
    client.force_login(employee)
    first = services.notification_create(recipient=employee, kind="test", title="First")
    assert titles(client.get(NOTIFICATIONS)) == ["First"]

    services.notification_create(recipient=employee, kind="test", title="Second")
    response = client.get(NOTIFICATIONS)
    assert titles(response) == ["Second", "First"]
    assert all(n.read_at is None for n in response.context["notifications"])

    services.notifications_mark_read(recipient=employee, ids=[first.pk])
    read = {n.title: n.read_at for n in client.get(NOTIFICATIONS).context["notifications"]}
    assert read["First"] is not None and read["Second"] is None

    first.delete()
    assert titles(client.get(NOTIFICATIONS)) == ["Second"]


def test_another_person_s_notification_leaves_my_newest_cached(employee, other_employee, django_assert_num_queries):
    services.notification_create(recipient=employee, kind="test", title="Mine")
    person_cache.newest_notifications(person=employee)

    services.notification_create(recipient=other_employee, kind="test", title="Not mine")

    with django_assert_num_queries(0):
        rows, total = person_cache.newest_notifications(person=employee)
    assert ([n.title for n in rows], total) == (["Mine"], 1)


def test_newest_notifications_kept_under_an_older_table_shape_are_read_again(employee):
    services.notification_create(recipient=employee, kind="test", title="Mine")
    key = f"person:{employee.pk}:notifications"
    person_cache.cache.set(key, {"columns": ("id", "title"), "rows": [(1, "Gone column")], "total": 1})

    rows, total = person_cache.newest_notifications(person=employee)

    assert ([n.title for n in rows], total) == (["Mine"], 1)
    assert person_cache.cache.get(key)["columns"] == tuple(f.attname for f in Notification._meta.concrete_fields)


ROWS_TEMPLATE = "core/partials/notification_rows.html"


def rendered(response) -> bool:
    return ROWS_TEMPLATE in [t.name for t in response.templates]


def test_the_first_page_s_rows_are_kept_rendered_until_a_notification_changes(client, employee):
    import datetime as dt

    old = services.notification_create(recipient=employee, kind="test", title="Old news")
    Notification.objects.filter(pk=old.pk).update(created_at=old.created_at - dt.timedelta(days=3))
    person_cache.people_changed(person_ids=[employee.pk])  # the update above sends no signal
    client.force_login(employee)
    assert rendered(client.get(NOTIFICATIONS))

    again = client.get(NOTIFICATIONS)
    assert not rendered(again)
    assert 'list-group-item-warning">' in again.content.decode()

    services.notifications_mark_read(recipient=employee, ids=[old.pk])
    read = client.get(NOTIFICATIONS)
    assert rendered(read)
    assert "list-group-item-warning" not in read.content.decode()

    services.notification_create(recipient=employee, kind="test", title="Fresh news")
    assert "Fresh news" in client.get(NOTIFICATIONS).content.decode()


def test_rows_that_say_how_long_ago_are_rendered_again_a_minute_later(client, employee, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    note = services.notification_create(recipient=employee, kind="test", title="Recent")
    client.force_login(employee)
    later = note.created_at + dt.timedelta(minutes=5)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "5\xa0minutes ago" in client.get(NOTIFICATIONS).content.decode()

    monkeypatch.setattr(timezone, "now", lambda: later + dt.timedelta(seconds=30))
    assert not rendered(client.get(NOTIFICATIONS))  # within the minute: kept

    monkeypatch.setattr(timezone, "now", lambda: later + dt.timedelta(minutes=2))
    response = client.get(NOTIFICATIONS)
    assert rendered(response)
    assert "7\xa0minutes ago" in response.content.decode()
