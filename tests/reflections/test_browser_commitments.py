"""Learning applied in a real browser: "I'll try this" with a commitment, the nudge, the one-click
answer from the e-mail, and the author seeing that their learning was used, and where."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from reflections import services
from reflections.models import Adoption
from reflections.selectors import board_list
from saypro.core.models import OutboundEmail, User
from tests.browser import sign_in_as, wait_for_htmx_settled

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_org(transactional_db):
    call_command("seed_demo", people=8, verbosity=0)


def test_commitment_nudge_answered_from_the_email_reaches_the_author(demo_org, browser_page, live_server, live_login):
    page = browser_page
    employee = User.objects.get(email="employee@saypro.demo")
    reflection = (
        board_list().exclude(author=employee).exclude(adoptions__person=employee).order_by("first_shared_at").first()
    )
    author = reflection.author

    # The employee says "I'll try this", with what and by when (today, so the nudge is due now).
    sign_in_as(page, live_server, live_login, employee.email)
    page.goto(f"{live_server.url}{reflection.get_absolute_url()}")
    wait_for_htmx_settled(page, "#adoptions-box form")
    page.get_by_label("What will you try? (optional)").fill("Walking one-to-ones with two of my team")
    due = page.get_by_label("By when?")
    assert due.input_value()  # three weeks ahead by default
    due.fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="I'll try this").click()
    page.wait_for_selector("#adoptions-box >> text=Did you try it?")
    commitment = Adoption.objects.get(reflection=reflection, person=employee, kind="will_try")
    assert (commitment.commitment_text, commitment.commitment_due) == (
        "Walking one-to-ones with two of my team",
        timezone.localdate(),
    )

    # The daily job nudges once; the e-mail carries three one-click answers.
    assert services.commitment_nudges_send() >= 1
    assert services.commitment_nudges_send() == 0
    email = OutboundEmail.objects.get(
        recipient=employee, kind="commitment_reminder", key__contains=f":{commitment.pk}:"
    )
    links = dict(re.findall(r"- (I tried it|Not yet|I won't)[^:]*: (\S+)", email.body_text))
    assert set(links) == {"I tried it", "Not yet", "I won't"}
    tried_link = urlsplit(links["I tried it"])

    # The link opens the answer with "I tried it" chosen; nothing is saved until they confirm.
    page.goto(f"{live_server.url}{tried_link.path}?{tried_link.query}")
    assert page.get_by_label("I tried it").is_checked()
    commitment.refresh_from_db()
    assert commitment.outcome == ""
    page.get_by_label("In one line: what happened, or why not (optional)").fill("Two walks; both talked more.")
    page.get_by_role("button", name="Save my answer").click()
    page.wait_for_url(re.compile(rf"/reflections/{reflection.pk}/"))
    assert "saved that you tried it" in page.inner_text("main")
    commitment.refresh_from_db()
    assert (commitment.outcome, commitment.outcome_text) == ("tried", "Two walks; both talked more.")

    # The author hears that their learning was used, and sees who tried it, and where.
    sign_in_as(page, live_server, live_login, author.email)
    page.goto(f"{live_server.url}/notifications/")
    assert f"Your learning was used: {employee.full_name} tried" in page.inner_text("main")
    page.goto(f"{live_server.url}{reflection.get_absolute_url()}")
    who = page.locator("#who-tried")
    assert who.get_by_role("heading", name="Who tried it, and where").is_visible()
    text = who.inner_text()
    assert employee.full_name in text
    assert employee.department.name in text and employee.location.name in text
    assert "Two walks; both talked more." in text
    assert page.js_errors == []


def announced(page) -> str:
    """What the shared polite live region says (it is filled a moment after the swap)."""
    page.wait_for_function("() => (document.getElementById('swap-announcer') || {}).textContent")
    return page.locator("#swap-announcer").inner_text()


def test_answering_on_the_page_by_keyboard_keeps_focus_in_the_box_and_announces(
    demo_org, browser_page, live_server, live_login
):
    """The demo employee's commitment is due today: the page asks, and "Not yet" moves it a week."""
    employee = User.objects.get(email="employee@saypro.demo")
    commitment = Adoption.objects.get(person=employee, kind="will_try", commitment_due=timezone.localdate())
    page = browser_page
    sign_in_as(page, live_server, live_login, employee.email)
    page.goto(f"{live_server.url}{commitment.reflection.get_absolute_url()}")
    wait_for_htmx_settled(page, "#adoptions-box form")

    page.get_by_label("Not yet").check()
    page.get_by_role("button", name="Save my answer").focus()
    page.keyboard.press("Enter")

    moved = timezone.localdate() + datetime.timedelta(days=7)
    assert announced(page) == f"Noted. We will ask again on {moved.day} {moved:%B %Y}."
    page.wait_for_function("() => document.getElementById('adoptions-box').contains(document.activeElement)")
    commitment.refresh_from_db()
    assert (commitment.snoozed_once, commitment.commitment_due) == (True, moved)
    assert page.js_errors == []
