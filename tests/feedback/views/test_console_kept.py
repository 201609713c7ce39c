"""The console below the navigation is kept rendered for every officer (feedback.views.console.console_html):
a warm page reads only the session and the board's version, and each write it shows is shown on the next
request, one by one or in bulk; each officer gets their own working CSRF token; a refused save and
another query string are never served a page kept for something else."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from feedback import services
from feedback.models import Contribution, FeedbackSession, Invitation
from saypro.core import roles
from saypro.core.models import Module
from saypro.core.services import enrolment_create_many
from tests.factories import UserFactory
from tests.factories.feedback import InvitationFactory
from tests.feedback.views.test_console import crowd

pytestmark = pytest.mark.django_db


def _url(session) -> str:
    return reverse("feedback:console", kwargs={"pk": session.pk})


def main(page: str) -> str:
    """The page below the navigation, without its CSRF tokens (they differ per request)."""
    inside = page.split("<main", 1)[1].split("</main>", 1)[0]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", inside)


def counts(page: str) -> dict[str, str]:
    """The attendance heading's figures and the participation counts, as the page shows them."""
    invited, unrecorded = re.search(r"\((\d+) invited, (\d+) not recorded\)", page).groups()
    shown = dict(re.findall(r'data-count="(\w+)">(\d+)<', page))
    return {"invited": invited, "unrecorded": unrecorded, **shown}


@pytest.mark.parametrize("participants", [5, 200])
def test_a_warm_console_reads_nothing_but_the_sign_in_session(
    client_for, session, officer, participants, django_assert_num_queries
):
    crowd(session, participants - 2)  # the fixture already invites two
    client = client_for(officer)
    cold = client.get(_url(session)).content.decode()

    # The sign-in session's row alone (in the database in tests): the feedback session (the
    # permission check) and the board's version are kept per session (selectors.CONSOLE_KEPT);
    # no invitation, person, contribution or count is read.
    with django_assert_num_queries(1) as context:
        warm = client.get(_url(session)).content.decode()

    sql = " ".join(q["sql"] for q in context.captured_queries)
    assert "feedback_invitation" not in sql
    assert "core_enrolment" not in sql
    assert "core_programme" not in sql  # the session is read with its module alone, all the page shows of it
    assert main(warm) == main(cold)
    assert counts(warm) == {
        "invited": str(participants),
        "unrecorded": str(participants),
        "eligible": str(participants),
        "attended": "0",
        "active": str(len(Contribution.objects.filter(session=session, hidden_at__isnull=True))),
    }


def test_the_kept_console_follows_attendance_one_by_one_and_in_bulk(client_for, session, officer, employee, peer):
    client = client_for(officer)
    assert counts(client.get(_url(session)).content.decode())["unrecorded"] == "2"

    services.attendance_set(
        invitation=Invitation.objects.get(session=session, person=employee), attendance="late", by=officer
    )
    page = client.get(_url(session)).content.decode()
    assert (counts(page)["unrecorded"], counts(page)["attended"]) == ("1", "1")
    assert 'value="late" checked' in page

    services.attendance_everyone_present(session=session, by=officer)  # update(): no signal
    page = client.get(_url(session)).content.decode()
    assert (counts(page)["unrecorded"], counts(page)["attended"]) == ("0", "2")
    assert "Mark everyone not recorded present" not in page

    services.attendance_record(  # bulk_update(): no signal
        session=session, attendance={Invitation.objects.get(session=session, person=peer).pk: "absent"}, by=officer
    )
    page = client.get(_url(session)).content.decode()
    assert counts(page)["attended"] == "1"
    assert 'value="absent" checked' in page


def test_the_kept_console_follows_contributions_suggestions_and_marks(client_for, session, officer, employee, peer):
    client = client_for(officer)
    client.get(_url(session))

    challenge, _ = services.contribution_add(
        session=session, author=employee, kind="challenge", text="Saying no to my manager"
    )
    page = client.get(_url(session)).content.decode()
    assert "Saying no to my manager" in page
    assert counts(page)["active"] == "1"

    suggestion, _ = services.suggestion_add(contribution=challenge, author=peer, text="Offer a trade-off instead")
    assert "Offer a trade-off instead" in client.get(_url(session)).content.decode()

    services.contribution_flag_set(contribution=challenge, flag="discussed", value=True, by=officer)
    assert f'aria-pressed="true" id="discussed-{challenge.pk}"' in client.get(_url(session)).content.decode()

    services.suggestion_hide(suggestion=suggestion, reason="Names a colleague", by=officer)
    assert "Hidden — Names a colleague" in client.get(_url(session)).content.decode()

    services.contribution_hide(contribution=Contribution.objects.get(pk=challenge.pk), reason="Off topic", by=officer)
    page = client.get(_url(session)).content.decode()
    assert "Hidden — reason shown to the author: Off topic" in page
    assert counts(page)["active"] == "0"


def test_the_kept_console_follows_the_session_people_and_enrolments(client_for, session, officer, peer):
    newcomer = UserFactory()  # made first: saving a person drops the kept list on its own
    client = client_for(officer)
    assert ">Scheduled</span>" in client.get(_url(session)).content.decode()

    services.session_open(session=session, by=officer, reason="The room is ready early")
    assert ">Open</span>" in client.get(_url(session)).content.decode()

    # The module as read with the session is part of the key (and kept with it: CONSOLE_SHARED).
    module = Module.objects.get(pk=session.module_id)
    module.title = "Delegation, renamed"
    module.save()
    assert "Facilitation console: Delegation, renamed" in client.get(_url(session)).content.decode()

    peer.first_name = "Renamed"
    peer.save()
    assert "Renamed Dlamini" in client.get(_url(session)).content.decode()

    enrolment_create_many(module=session.module, people=[newcomer])  # bulk_create(): no signal
    assert counts(client.get(_url(session)).content.decode())["eligible"] == "3"

    services.session_close(session=FeedbackSession.objects.get(pk=session.pk), by=officer, reason="Done early")
    page = client.get(_url(session)).content.decode()
    assert ">Held</span>" in page
    assert "Close the session…" not in page


def test_the_kept_console_asks_a_reason_to_open_only_while_it_is_early(client_for, session, officer, monkeypatch):
    client = client_for(officer)
    assert "Open the session early…" in client.get(_url(session)).content.decode()

    # Nothing is written; the clock alone moves past the time the session may open without a reason.
    later = services.session_opens_at(session) + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    page = client.get(_url(session)).content.decode()
    assert "Open the session early…" not in page
    assert '<button class="btn btn-success" type="submit">Open the session</button>' in page


def test_a_page_kept_for_one_query_string_is_not_served_for_another(
    client_for, session, officer, employee, peer, django_assert_num_queries
):
    services.contribution_add(session=session, author=employee, kind="challenge", text="Saying no")
    services.contribution_add(session=session, author=peer, kind="insight", text="Weekly one-to-ones")
    client = client_for(officer)
    client.get(_url(session), {"q": employee.last_name})

    with django_assert_num_queries(1):  # kept for this query string
        searched = client.get(_url(session), {"q": employee.last_name}).content.decode()
    other = client.get(_url(session), {"q": peer.last_name}).content.decode()
    challenges = client.get(_url(session), {"kind": "challenge"}).content.decode()
    everything = client.get(_url(session)).content.decode()

    def listed(page):
        return re.findall(r"<legend>(.*?) <span", page)

    assert listed(searched) == [employee.full_name]
    assert f'value="{employee.last_name}"' in searched
    assert listed(other) == [peer.full_name]
    assert "Saying no" in challenges
    assert "Weekly one-to-ones" not in challenges
    assert '<option value="challenge" selected>' in challenges
    assert sorted(listed(everything)) == sorted([employee.full_name, peer.full_name])
    assert "Weekly one-to-ones" in everything


def test_a_refused_save_shows_the_ticks_sent_and_leaves_the_kept_page_alone(client_for, session, officer, peer):
    client = client_for(officer)
    client.get(_url(session))
    theirs = Invitation.objects.get(session=session, person=peer)

    refused = client.post(
        reverse("feedback:attendance", kwargs={"pk": session.pk}),
        {f"attendance-{theirs.pk}": "late", "attendance-999999": "present"},
    ).content.decode()
    after = client.get(_url(session)).content.decode()

    assert "Attendance not saved." in refused
    assert f'id="attendance-{theirs.pk}-late" value="late" checked' in refused
    assert f'id="attendance-{theirs.pk}-late" value="late">' in after
    assert "checked" not in after.split('class="attendance-list"', 1)[1].split("</form>", 1)[0]


def test_a_warm_console_gives_each_officer_their_own_working_csrf_token(client_for, session, officer):
    first = client_for(officer)
    first.handler.enforce_csrf_checks = True
    first.get(_url(session))
    other = Client(enforce_csrf_checks=True)
    other.force_login(UserFactory(roles=[roles.EMPLOYEE, roles.OFFICER], is_staff=True))
    everyone = reverse("feedback:attendance", kwargs={"pk": session.pk})

    tokens = []
    for client in (first, other):
        page = client.get(_url(session)).content.decode()
        form = page.split(f'action="{everyone}" class="mb-2">', 1)[1].split("</form>", 1)[0]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        tokens.append(token)
        assert client.post(everyone, {"everyone": "present"}).status_code == 403  # without the token
        assert client.post(everyone, {"everyone": "present", "csrfmiddlewaretoken": token}).status_code == 302
        InvitationFactory(session=session)  # someone not recorded yet, for the next officer's button

    assert "csrf-slot" not in "".join(tokens)
    assert tokens[0] != tokens[1]
