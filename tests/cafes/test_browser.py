"""The whole café cycle in a real browser.

An employee proposes a talk, the officer accepts it and publishes the agenda, colleagues RSVP
(one lands on the waitlist and is promoted when a seat frees up), the café takes place,
attendees give feedback, and the speaker sees the averages and the growth chart.
"""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from cafes.models import Rsvp, TalkFeedback, TalkProposal
from saypro.core import roles
from saypro.core.models import OutboundEmail
from tests.conftest import enter_totp_code
from tests.factories import UserFactory
from tests.factories.cafes import CafeFactory, on_agenda
from tests.factories.core import PASSWORD, TOTP_SECRET

pytestmark = pytest.mark.browser

# htmx moves focus after it settles the swap, a moment after the new text is in the page.
FOCUS_STARTS_WITH = "word => (document.activeElement?.textContent || '').trim().startsWith(word)"


@pytest.fixture
def cycle(transactional_db):
    """People and an open café with three seats, committed before the browser starts."""
    Group.objects.get_or_create(name=roles.EMPLOYEE)
    Group.objects.get_or_create(name=roles.OFFICER)

    def person(first, **extra):
        return UserFactory(first_name=first, last_name="Tester", email=f"{first.lower()}@example.org", **extra)

    officer = person("Olwethu", is_staff=True)
    officer.groups.add(Group.objects.get(name=roles.OFFICER))
    return {
        "cafe": CafeFactory(title="Browser café", capacity=3, starts_at=timezone.now() + dt.timedelta(days=5)),
        "speaker": person("Sizwe"),
        "officer": officer,
        "audience": [person(name) for name in ("Anele", "Bongi", "Dineo", "Chris")],
    }


def _as(chromium, live_server, person):
    """A browser context of its own for one person, signed in through the real login page."""
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name='login']", person.email)
    page.fill("input[name='password']", PASSWORD)
    page.locator("form:has(input[name='password']) [type='submit']").first.click()
    # Officers land on their dashboard, everyone else on the home page.
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/2fa/authenticate/" in page.url:
        # Officers answer the second-factor step with their authenticator app's code.
        enter_totp_code(page, live_server, TOTP_SECRET)
    return page


def test_cafe_cycle_from_proposal_to_speaker_growth(cycle, chromium, live_server, axe_check):
    cafe, speaker, officer = cycle["cafe"], cycle["speaker"], cycle["officer"]
    anele, bongi, dineo, chris = cycle["audience"]
    cafe_url = f"{live_server.url}/cafes/{cafe.pk}/"

    # The employee proposes a talk for the café.
    page = _as(chromium, live_server, speaker)
    page.goto(f"{live_server.url}/cafes/talks/new/?cafe={cafe.pk}")
    page.fill("#id_title", "The two-minute check-in")
    page.fill("#id_idea", "Open each one-to-one with two minutes on how the person really is.")
    page.fill("#id_why_it_matters", "People say what blocks them once they feel heard.")
    page.fill("#id_audience_can_try", "Try it in your next three one-to-ones.")
    page.get_by_role("button", name="Propose the talk").click()
    page.wait_for_url("**/cafes/talks/*/")
    assert "Your talk is proposed" in page.inner_text("main")
    talk = TalkProposal.objects.get(title="The two-minute check-in")

    # The officer accepts it and publishes the agenda.
    office = _as(chromium, live_server, officer)
    office.goto(f"{live_server.url}/cafes/talks/{talk.pk}/decide/")
    office.get_by_label("Accept into a café").check()
    office.get_by_role("button", name="Save the decision").click()
    office.wait_for_url(f"**/cafes/{cafe.pk}/agenda/")
    office.get_by_role("button", name="Publish the agenda").click()
    assert "The agenda is published" in office.inner_text("main")
    assert OutboundEmail.objects.filter(kind="cafe_agenda", recipient=speaker).count() == 1

    # Three colleagues take the three seats; the fourth lands on the waitlist.
    pages = {}
    for person in (anele, bongi, dineo, chris):
        pages[person.pk] = _as(chromium, live_server, person)
        pages[person.pk].goto(cafe_url)
        pages[person.pk].get_by_role("button", name="I'm going").or_(
            pages[person.pk].get_by_role("button", name="Join the waitlist")
        ).click()
    pages[chris.pk].get_by_text("You're on the waitlist", exact=True).wait_for()
    assert "number 1" in pages[chris.pk].inner_text("#rsvp-box")

    # One cancels; the first on the waitlist is promoted and told.
    pages[bongi.pk].goto(cafe_url)
    pages[bongi.pk].get_by_role("button", name="I can't come after all").click()
    pages[bongi.pk].get_by_text("your seat is free for someone else").wait_for()
    assert Rsvp.objects.get(cafe=cafe, person=chris).status == Rsvp.Status.GOING
    assert OutboundEmail.objects.filter(kind="cafe_rsvp_promoted", recipient=chris).count() == 1
    pages[chris.pk].goto(cafe_url)
    assert "You're going." in pages[chris.pk].inner_text("#rsvp-box")
    axe_check(pages[chris.pk])

    # The café takes place (its start moves into the past) and the attendees give feedback.
    cafe.refresh_from_db()
    cafe.starts_at = timezone.now() - dt.timedelta(minutes=45)
    cafe.save(update_fields=["starts_at"])  # a save, so the café page's cached café follows
    for person, ratings in ((anele, (5, 4, 4)), (chris, (4, 4, 3)), (dineo, (4, 5, 4))):
        attendee = pages[person.pk]
        attendee.goto(cafe_url)
        attendee.get_by_role("link", name="Give feedback on “The two-minute check-in”").click()
        for question, value in zip(("clarity", "usefulness", "delivery"), ratings, strict=True):
            attendee.check(f"input[name='{question}'][value='{value}']")
        attendee.fill("#id_worked", f"The story worked ({ratings[0]}).")
        attendee.fill("#id_try_next", "Pause after the key point.")
        attendee.get_by_role("button", name="Send feedback").click()
        attendee.wait_for_url(cafe_url)
    assert TalkFeedback.objects.filter(talk=talk).count() == 3

    office.goto(f"{cafe_url}held/")
    office.get_by_role("button", name="Mark held").click()
    office.wait_for_url(cafe_url)
    talk.refresh_from_db()
    assert talk.state == TalkProposal.State.DELIVERED

    # The speaker sees the averages (three answers) and the growth chart, never a name.
    page.goto(f"{live_server.url}/cafes/talks/{talk.pk}/feedback/received/")
    ratings = page.inner_text("main")
    assert "How clear was the one idea?\t4.3" in ratings
    assert "How useful is it for your own work?\t4.3" in ratings
    assert "How well was it delivered (pace, voice, timing)?\t3.7" in ratings
    for person in (anele, chris, dineo):
        assert person.email not in page.content()
        assert person.first_name not in page.content()
    page.get_by_role("link", name="Growth across talks").click()
    page.wait_for_url(f"**/cafes/speakers/{speaker.pk}/growth/")
    assert page.locator("svg.growth-chart circle.growth-dot").count() == 3
    assert page.locator("#growth-table tbody tr").count() == 1
    axe_check(page)
    for p in (page, office, *pages.values()):
        assert p.js_errors == []


@pytest.fixture
def agenda_world(transactional_db):
    Group.objects.get_or_create(name=roles.OFFICER)
    officer = UserFactory(email="keyboard.officer@example.org", is_staff=True)
    officer.groups.add(Group.objects.get(name=roles.OFFICER))
    cafe = CafeFactory(title="Keyboard café")
    talks = on_agenda(cafe, count=3)
    return {"officer": officer, "cafe": cafe, "talks": talks}


def test_agenda_reordered_with_the_keyboard_keeps_focus(agenda_world, chromium, live_server, axe_check):
    cafe, talks = agenda_world["cafe"], agenda_world["talks"]
    page = _as(chromium, live_server, agenda_world["officer"])
    page.goto(f"{live_server.url}/cafes/{cafe.pk}/agenda/")
    axe_check(page)
    down = page.get_by_role("button", name=f"move “{talks[0].title}” later")
    down.focus()
    page.keyboard.press("Enter")
    page.get_by_text(f"“{talks[0].title}” is now in slot 2.").wait_for(state="attached")
    # Swapped by htmx (no page load, so no message banner), and focus stays on the same button.
    assert page.locator(".alert").count() == 0
    page.wait_for_function(FOCUS_STARTS_WITH, arg="Down", timeout=5_000)
    page.keyboard.press("Enter")
    page.get_by_text(f"“{talks[0].title}” is now in slot 3.").wait_for(state="attached")
    # Now last, its Down button is disabled: focus moves to its Up button.
    page.wait_for_function(FOCUS_STARTS_WITH, arg="Up", timeout=5_000)
    order = list(TalkProposal.objects.filter(cafe=cafe).order_by("position").values_list("pk", flat=True))
    assert order == [talks[1].pk, talks[2].pk, talks[0].pk]
    assert page.js_errors == []
