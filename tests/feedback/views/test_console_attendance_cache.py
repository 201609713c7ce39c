"""The console's attendance list is kept as HTML per version of what it shows (issue 12; with the rest of
the console since, test_console_kept.py): no query for it when warm, each write to attendance or to people
shown on the next request, each officer's own working CSRF token."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from feedback import services
from feedback.models import Invitation
from saypro.core import roles
from saypro.core.models import Enrolment
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _url(session) -> str:
    return reverse("feedback:console", kwargs={"pk": session.pk})


def attendance(html: str) -> dict[str, str]:
    """Each listed person's name and the attendance checked for them ("" when none is)."""
    rows = re.findall(r'<fieldset class="attendance-row".*?<legend>(.*?) <span.*?</fieldset>', html, re.S)
    checked = re.findall(r'<fieldset class="attendance-row".*?</fieldset>', html, re.S)
    marks = [(re.search(r'value="(\w+)" checked', row) or [None, ""])[1] for row in checked]
    return dict(zip(rows, marks, strict=True))


def test_a_warm_console_reads_no_invited_person(
    client_for, session, officer, employee, peer, django_assert_num_queries
):
    client = client_for(officer)
    cold = client.get(_url(session)).content.decode()

    # 1, not 5: the participation counts are kept too (session_participation_cached), and the
    # session and the board's version (selectors.CONSOLE_KEPT).
    with django_assert_num_queries(1) as context:
        warm = client.get(_url(session)).content.decode()

    # The invited people are not read.
    assert 'ORDER BY "core_user"."last_name"' not in " ".join(q["sql"] for q in context.captured_queries)
    assert attendance(warm) == attendance(cold) == {employee.full_name: "", peer.full_name: ""}


def test_the_list_follows_ticks_everyone_present_renames_and_new_invitations(
    client_for, session, officer, employee, peer
):
    client = client_for(officer)
    assert attendance(client.get(_url(session)).content.decode()) == {employee.full_name: "", peer.full_name: ""}

    services.attendance_set(
        invitation=Invitation.objects.get(session=session, person=employee), attendance="late", by=officer
    )
    assert attendance(client.get(_url(session)).content.decode())[employee.full_name] == "late"

    # Written in bulk, without signals: their own bumps must drop the kept list.
    services.attendance_record(
        session=session, attendance={Invitation.objects.get(session=session, person=employee).pk: "absent"}, by=officer
    )
    assert attendance(client.get(_url(session)).content.decode())[employee.full_name] == "absent"
    services.attendance_everyone_present(session=session, by=officer)
    assert attendance(client.get(_url(session)).content.decode()) == {
        employee.full_name: "absent",
        peer.full_name: "present",
    }

    peer.first_name = "Renamed"
    peer.save()
    assert peer.full_name in attendance(client.get(_url(session)).content.decode())

    newcomer = UserFactory(first_name="Newcomer")
    Enrolment.objects.create(person=newcomer, module=session.module)
    assert newcomer.full_name not in attendance(client.get(_url(session)).content.decode())
    services.session_invitations_sync(session=session)  # invitations created in bulk
    assert newcomer.full_name in attendance(client.get(_url(session)).content.decode())


def test_a_search_and_a_refused_save_show_their_own_list(client_for, session, officer, employee, peer):
    client = client_for(officer)
    client.get(_url(session))

    searched = client.get(_url(session), {"q": employee.last_name}).content.decode()
    refused = client.post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {
            f"attendance-{Invitation.objects.get(session=session, person=peer).pk}": "late",
            "attendance-999999": "present",
        },
    ).content.decode()

    assert list(attendance(searched)) == [employee.full_name]
    assert attendance(refused)[peer.full_name] == "late"  # the tick sent is kept, though nothing was saved
    assert attendance(client.get(_url(session)).content.decode())[peer.full_name] == ""


def test_a_warm_list_gives_each_officer_their_own_working_token(client_for, session, officer, employee):
    first = client_for(officer)
    first.handler.enforce_csrf_checks = True
    first.get(_url(session))
    other = Client(enforce_csrf_checks=True)
    other.force_login(UserFactory(roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=True))
    invitation = Invitation.objects.get(session=session, person=employee)
    save = reverse("feedback:attendance", kwargs={"pk": session.pk})

    tokens = []
    for client, value in ((first, "late"), (other, "absent")):
        html = client.get(_url(session)).content.decode()
        form = html.split('class="attendance-list"', 1)[1].split("</form>", 1)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        tokens.append(token)
        assert client.post(save, {f"attendance-{invitation.pk}": value}).status_code == 403
        client.post(save, {f"attendance-{invitation.pk}": value, "csrfmiddlewaretoken": token})
        invitation.refresh_from_db()
        assert invitation.attendance == value

    assert tokens[0] != tokens[1]
