"""The home page panel: the next session and a link to contribute."""

from django.urls import reverse

from feedback.models import FeedbackSession
from feedback.panels import home_panel
from tests.factories.feedback import ContributionFactory


def test_home_panel_is_absent_for_someone_never_invited(other_employee):
    assert home_panel(person=other_employee) is None


def test_home_panel_shows_the_next_session_and_how_much_i_shared(session, employee, django_assert_num_queries):
    ContributionFactory(session=session, author=employee)

    with django_assert_num_queries(2):
        panel = home_panel(person=employee)

    assert panel["session"] == session
    assert panel["session"].my_contributions == 1
    assert panel["template"] == "feedback/partials/home_panel.html"


def test_home_panel_after_the_session_says_none_is_coming(session, employee, django_assert_num_queries):
    FeedbackSession.objects.filter(pk=session.pk).update(state=FeedbackSession.State.HELD)

    # The person's roles, then one query answers both "what is next" and "any session at all"
    # (issue 12: a second query asked the latter).
    with django_assert_num_queries(2):
        panel = home_panel(person=employee)

    assert panel["session"] is None


def test_home_page_shows_the_panel_with_a_contribute_link(client_for, session, employee):
    response = client_for(employee).get(reverse("core:home"))

    html = response.content.decode()
    assert "Your next feedback session" in html
    assert f'href="{reverse("feedback:contribution-add", kwargs={"pk": session.pk})}"' in html


def test_heard_panel_is_absent_for_someone_who_owns_no_module(employee, django_assert_num_queries):
    from feedback.panels import heard_home_panel

    with django_assert_num_queries(1):
        assert heard_home_panel(person=employee) is None


def test_heard_panel_lists_the_owners_modules_with_their_visible_challenges(client_for, session, employee, peer):
    from django.utils import timezone

    from tests.factories import ModuleFactory

    session.module.owner = employee
    session.module.save(update_fields=["owner"])
    quiet = ModuleFactory(title="Quiet module", owner=employee)
    ContributionFactory(session=session, author=peer, kind="challenge")
    ContributionFactory(session=session, author=peer, kind="challenge", withdrawn_at=timezone.now())
    ContributionFactory(session=session, author=peer, kind="insight")

    html = client_for(employee).get("/").content.decode()

    assert "What we heard about your modules" in html
    heard = reverse("feedback:heard", args=[session.module_id])
    assert f'<a href="{heard}">{session.module.title}</a>' in html
    assert "· 1 challenge, the latest" in html
    assert f'<a href="{reverse("feedback:heard", args=[quiet.pk])}">Quiet module</a>' in html
    assert "· 0 challenges" in html


# --- kept per person (issue 12): stale when what the panel shows is written -------------------------


def test_home_panel_is_kept_until_the_persons_contributions_change(session, employee, peer, django_assert_num_queries):
    assert home_panel(person=employee)["session"].my_contributions is None
    ContributionFactory(session=session, author=peer)  # someone else's
    with django_assert_num_queries(0):
        assert home_panel(person=employee)["session"].my_contributions is None

    mine = ContributionFactory(session=session, author=employee)
    assert home_panel(person=employee)["session"].my_contributions == 1

    from django.utils import timezone

    mine.withdrawn_at = timezone.now()
    mine.save()
    assert home_panel(person=employee)["session"].my_contributions is None


def test_home_panel_follows_the_session_and_the_invitation(session, employee, other_employee):
    from tests.factories.feedback import InvitationFactory

    assert home_panel(person=other_employee) is None
    InvitationFactory(session=session, person=other_employee)
    assert home_panel(person=other_employee)["session"] == session

    session.place = "Room 4"
    session.save()
    assert home_panel(person=employee)["session"].place == "Room 4"

    session.module.title = "Renamed module"
    session.module.save()
    assert home_panel(person=employee)["session"].module.title == "Renamed module"


def test_home_panel_invitations_made_in_bulk_show(module, officer, employee):
    from saypro.core.models import Enrolment
    from tests.factories.feedback import FeedbackSessionFactory

    Enrolment.objects.create(person=employee, module=module)
    session = FeedbackSessionFactory(module=module, facilitator=officer)
    assert home_panel(person=employee) is None

    from feedback.services import session_invitations_sync

    session_invitations_sync(session=session)

    assert home_panel(person=employee)["session"] == session


def test_home_panel_says_none_is_coming_once_the_session_has_ended(session, employee, monkeypatch):
    from django.utils import timezone

    assert home_panel(person=employee)["session"] == session
    after = session.ends_at + timezone.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: after)

    assert home_panel(person=employee)["session"] is None


def test_heard_panel_counts_a_new_challenge_to_the_owners_module(session, employee, peer, django_assert_num_queries):
    from feedback.panels import heard_home_panel

    session.module.owner = employee
    session.module.save(update_fields=["owner"])
    assert heard_home_panel(person=employee)["modules"][0].challenges == 0
    with django_assert_num_queries(0):
        heard_home_panel(person=employee)

    ContributionFactory(session=session, author=peer, kind="challenge")

    assert heard_home_panel(person=employee)["modules"][0].challenges == 1
