"""The demo officer signs in, lands on the dashboard, acts on a queue item and finds the audit entry."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from saypro import dashboard
from saypro.core.demo import DEMO_PASSWORD
from saypro.core.models import AuditEntry, User

pytestmark = pytest.mark.browser

OFFICER = "officer@saypro.demo"


@pytest.fixture
def demo_org(transactional_db):
    call_command("seed_demo", people=10, verbosity=0)


@pytest.fixture
def talk_to_decide(demo_org):
    """The oldest proposed talk and a café it can go into (made from the demo employee if the demo has none)."""
    from cafes.models import Cafe, TalkProposal
    from tests.factories.cafes import CafeFactory, TalkFactory

    cafe = Cafe.objects.filter(state=Cafe.State.OPEN, starts_at__gt=timezone.now()).order_by("starts_at").first()
    cafe = cafe or CafeFactory(title="Demo café", starts_at=timezone.now() + dt.timedelta(days=10))
    if not TalkProposal.objects.filter(state=TalkProposal.State.PROPOSED).exists():
        TalkFactory(
            speaker=User.objects.get(email="employee@saypro.demo"),
            cafe=cafe,
            title="The two-minute check-in",
            created_at=timezone.now() - dt.timedelta(days=3),
        )
    talk = TalkProposal.objects.filter(state=TalkProposal.State.PROPOSED).order_by("created_at", "id").first()
    return talk, cafe


def sign_in_as_officer(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name='login']", OFFICER)
    page.fill("input[name='password']", DEMO_PASSWORD)
    page.locator("form:has(input[name='password']) [type='submit']").first.click()
    page.wait_for_url(f"{live_server.url}/dashboard/")


def shown_counts(page) -> dict[str, int]:
    badges = page.locator("[data-queue-count]")
    return {
        badges.nth(i).get_attribute("data-queue-count"): int(badges.nth(i).inner_text()) for i in range(badges.count())
    }


def test_demo_officer_decides_a_talk_from_the_dashboard_and_finds_it_in_the_audit_trail(
    talk_to_decide, browser_page, live_server, axe_check
):
    talk, cafe = talk_to_decide
    page = browser_page
    expected = {q["key"]: q["count"] for q in dashboard.dashboard_queues(now=timezone.now())}

    sign_in_as_officer(page, live_server)

    assert page.locator("h1").inner_text() == "Advice Desk dashboard"
    assert shown_counts(page) == expected
    assert expected["talks"] >= 1
    axe_check(page)

    page.locator("#queue-talks").get_by_role("link", name=talk.title).click()
    page.wait_for_url(f"{live_server.url}/cafes/talks/{talk.pk}/decide/")
    page.get_by_label("Accept into a café").check()
    page.select_option("select[name='cafe']", str(cafe.pk))
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_load_state()

    page.goto(f"{live_server.url}/dashboard/")
    assert shown_counts(page)["talks"] == expected["talks"] - 1
    entry = AuditEntry.objects.filter(target_id=str(talk.pk), actor__email=OFFICER).latest("created_at")

    page.get_by_role("link", name="Browse the audit trail").click()
    page.wait_for_url(f"{live_server.url}/dashboard/audit/")
    first_row = page.locator("tbody tr").first
    assert entry.action in first_row.inner_text()
    assert talk.title in first_row.inner_text()
    assert "Nomsa Khumalo" in first_row.inner_text()
    axe_check(page)
    assert page.js_errors == []
