"""The audit trail page: filters, pages, cost, and that nothing can change an entry (here or in the admin)."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from saypro.core.models import AuditEntry
from saypro.core.services import audit_record
from tests.factories import ModuleFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/dashboard/audit/"


def entry(*, actor=None, action="session.cancelled", target=None, reason="", at=None, data=None) -> AuditEntry:
    record = audit_record(actor=actor, action=action, target=target, reason=reason, data=data)
    if at is not None:
        AuditEntry.objects.filter(pk=record.pk).update(created_at=at)
    return record


def listed(response) -> list[str]:
    return [f"{e.action} {e.target_repr}" for e in response.context["entries"]]


def local(year, month, day, hour=12, minute=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour, minute))


def test_audit_url_is_under_the_dashboard():
    assert reverse("core:audit-list") == URL


def test_audit_lists_newest_first_with_who_what_object_and_reason(client_for, officer):
    module = ModuleFactory(title="Delegation")
    entry(actor=officer, action="module.people_enrolled", target=module, at=local(2026, 3, 1))
    entry(actor=officer, action="snapshot.rebuild", reason="Late imports", at=local(2026, 3, 2))

    response = client_for(officer).get(URL)

    assert listed(response) == ["snapshot.rebuild ", f"module.people_enrolled {module}"]
    html = response.content.decode()
    assert "“Late imports”" in html
    assert officer.email in html


def test_audit_filters_by_action(client_for, officer):
    entry(action="session.cancelled", target=ModuleFactory(title="A"))
    entry(action="snapshot.rebuild", target=ModuleFactory(title="B"))

    response = client_for(officer).get(URL, {"action": "snapshot.rebuild"})

    assert [e.action for e in response.context["entries"]] == ["snapshot.rebuild"]
    # Offered in words, sorted by them; an unlisted code still reads as words.
    assert response.context["form"].fields["action"].choices == [
        ("", "Any action"),
        ("snapshot.rebuild", "Rebuilt a monthly impact snapshot"),
        ("session.cancelled", "Session: cancelled"),
    ]


def test_audit_trail_says_what_happened_to_what_by_name(client_for, officer):
    """No codes ("feedback.contribution_hide") and no ids ("in 3"): the action and the object by name."""
    from feedback.services import contribution_hide
    from tests.factories.feedback import ContributionFactory

    contribution = ContributionFactory(session__module__title="Delegation basics", author__first_name="Lindiwe")
    contribution_hide(contribution=contribution, reason="Names a colleague", by=officer)

    html = client_for(officer).get(URL).content.decode()
    dashboard = client_for(officer).get("/dashboard/").content.decode()

    visible = re.sub(r'value="[^"]*"', "", html + dashboard)  # the filter's option values are codes, unseen
    assert "feedback.contribution_hide" not in visible
    assert "<td>Hid a contribution</td>" in html
    name = f"Insight by {contribution.author.full_name} in the feedback session on Delegation basics"
    assert f"<td>{name}" in html
    assert f"hid a contribution — {name} — “Names a colleague”" in dashboard


def test_audit_filters_by_actor_name_or_email(client_for, officer):
    nomsa = UserFactory(first_name="Nomsa", last_name="Khumalo", email="nomsa@example.org")
    other = UserFactory(first_name="Pieter", last_name="Botha")
    entry(actor=nomsa, action="circle.published")
    entry(actor=other, action="talk.accepted")
    entry(actor=None, action="snapshot.built")

    by_name = client_for(officer).get(URL, {"actor": "nomsa khum"})
    by_email = client_for(officer).get(URL, {"actor": "NOMSA@EXAMPLE"})

    assert [e.action for e in by_name.context["entries"]] == ["circle.published"]
    assert [e.action for e in by_email.context["entries"]] == ["circle.published"]


def test_audit_date_range_takes_whole_days_in_the_organisation_time_zone(client_for, officer):
    entry(action="before", at=local(2026, 3, 1, 23, 59))
    entry(action="first-minute", at=local(2026, 3, 2, 0, 0))
    entry(action="last-minute", at=local(2026, 3, 3, 23, 59))
    entry(action="after", at=local(2026, 3, 4, 0, 0))

    response = client_for(officer).get(URL, {"date_from": "2026-03-02", "date_to": "2026-03-03"})

    assert [e.action for e in response.context["entries"]] == ["last-minute", "first-minute"]


def test_audit_filters_by_words_of_the_object(client_for, officer):
    conflict = ModuleFactory(title="Conflict as a resource")
    entry(target=conflict)
    entry(target=ModuleFactory(title="Delegation that develops"))

    response = client_for(officer).get(URL, {"target": "resource conflict"})

    assert [e.target_repr for e in response.context["entries"]] == [str(conflict)]


def test_audit_end_before_start_is_refused_next_to_the_field_and_keeps_what_was_typed(client_for, officer):
    entry()

    response = client_for(officer).get(URL, {"date_from": "2026-03-05", "date_to": "2026-03-01", "actor": "nomsa"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"date_to": ["The end date is before the start date."]}
    assert list(response.context["entries"]) == []
    html = response.content.decode()
    assert 'value="2026-03-05"' in html
    assert 'value="nomsa"' in html
    assert "Correct the filter to see entries." in html


def test_audit_unreadable_date_is_refused(client_for, officer):
    response = client_for(officer).get(URL, {"date_from": "yesterday"})

    assert response.context["form"].errors == {"date_from": ["Enter a valid date."]}
    assert 'value="yesterday"' in response.content.decode()


def test_audit_pages_keep_the_filter(client_for, officer):
    for i in range(51):
        entry(action="talk.accepted", at=local(2026, 3, 1) + dt.timedelta(minutes=i))
    entry(action="other")

    first = client_for(officer).get(URL, {"action": "talk.accepted"})
    second = client_for(officer).get(URL, {"action": "talk.accepted", "page": 2})

    assert (len(first.context["entries"]), len(second.context["entries"])) == (50, 1)
    assert 'href="?action=talk.accepted&amp;page=2"' in first.content.decode()


def test_audit_shows_roles_before_and_after(client_for, officer):
    entry(
        actor=officer,
        action="person.roles_changed",
        target=officer,
        data={"before": ["Employee"], "after": ["Advice Desk Officer", "Employee"]},
    )

    html = client_for(officer).get(URL).content.decode()

    assert "<dt>before</dt><dd>Employee</dd><dt>after</dt><dd>Advice Desk Officer, Employee</dd>" in html


@pytest.mark.parametrize("size", [1, 60])
def test_audit_query_count_does_not_grow_with_the_data(client_for, officer, size, django_assert_num_queries):
    actors = [UserFactory() for _ in range(3)]
    for i in range(size):
        entry(actor=actors[i % 3], action=f"action.{i % 4}", target=actors[i % 3])
    client = client_for(officer)

    with django_assert_num_queries(7):
        response = client.get(URL, {"action": "action.0"} if size == 1 else {})

    assert response.status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_audit_page_refuses_every_write(client_for, officer, method):
    record = entry(reason="kept")

    response = getattr(client_for(officer), method)(URL, {"id": record.pk, "reason": "changed"})

    assert response.status_code == 405
    assert list(AuditEntry.objects.values_list("pk", "reason")) == [(record.pk, "kept")]


def test_admin_audit_entry_cannot_be_changed_or_deleted_even_by_a_superuser(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    record = entry(reason="kept")
    client.force_login(superuser)

    change = client.post(f"/admin/core/auditentry/{record.pk}/change/", {"reason": "changed"})
    delete = client.post(f"/admin/core/auditentry/{record.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/core/auditentry/", {"action": "delete_selected", "_selected_action": [record.pk], "post": "yes"}
    )
    add = client.post("/admin/core/auditentry/add/", {"action": "forged", "reason": "x"})

    assert (change.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    assert bulk.status_code == 302
    assert list(AuditEntry.objects.values_list("pk", "reason")) == [(record.pk, "kept")]


def test_admin_audit_entry_page_is_read_only_for_an_officer(client_for, officer):
    record = entry(reason="kept")

    response = client_for(officer).get(f"/admin/core/auditentry/{record.pk}/change/")

    assert response.status_code == 200
    assert b'name="reason"' not in response.content
    assert b"kept" in response.content
