"""A week of circles in a real browser: sign-up, forming, adjusting, publishing, invite, attendance, learnings."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from circles.models import Circle, Learning, Membership, Round, Topic
from circles.views import CIRCLES_PER_PAGE
from saypro.core.models import User
from tests.browser import sign_in_as, wait_for_htmx_settled
from tests.circles.views.test_queries import formed_round

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_org(transactional_db):
    call_command("seed_demo", people=8, verbosity=0)


def test_week_of_circles_from_sign_up_to_learnings(demo_org, browser_page, live_server, live_login, axe_check):
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    round = Round.objects.get(state=Round.State.OPEN)

    # Two demo employees sign up with ranked topics.
    for email in ("employee@saypro.demo", "mentor@saypro.demo"):
        sign_in_as(page, live_server, live_login, email)
        page.goto(f"{live_server.url}/circles/")
        page.get_by_role("link", name="Sign up for next week").click()
        page.get_by_label("First choice").select_option(index=1)
        page.get_by_label("Second choice").select_option(index=2)
        axe_check(page)
        page.get_by_role("button", name="Save my sign-up").click()
        assert "You are signed up." in page.inner_text("main")

    # The officer forms the circles, moves someone, locks a circle and publishes.
    sign_in_as(page, live_server, live_login, "officer@saypro.demo")
    page.goto(f"{live_server.url}/circles/rounds/{round.pk}/")
    page.get_by_role("button", name="Form circles now").click()
    page.wait_for_url(re.compile(rf"/circles/rounds/{round.pk}/$"))
    assert "Formed 2 circles for 7 sign-ups" in page.inner_text("main")
    axe_check(page)
    circles = list(Circle.objects.filter(round=round).order_by("number"))
    bigger, smaller = sorted(circles, key=lambda c: -c.memberships.count())
    mover = bigger.memberships.select_related("person").first().person
    page.locator(f"#circle-{bigger.number} li", has_text=mover.full_name).get_by_role("link", name="Move…").click()
    # htmx binds the preview trigger while it settles the swapped-in form; choose only after that.
    page.wait_for_function(
        "id => { const t = document.getElementById(id);"
        " return t.querySelector('form') && !t.classList.contains('htmx-settling'); }",
        arg=f"move-{mover.pk}",
    )
    form = page.locator(f"#move-{mover.pk} form")
    form.get_by_label("Move to").select_option(str(smaller.pk))
    page.wait_for_selector(f"#preview-{mover.pk} p")
    assert f"circle {smaller.number} would have 4 members" in page.inner_text(f"#preview-{mover.pk}")
    form.get_by_role("button", name=f"Move {mover.full_name}").click()
    page.wait_for_url(re.compile(rf"/circles/rounds/{round.pk}/#circle-{smaller.number}$"))
    assert f"{mover.full_name} moved to circle {smaller.number}." in page.inner_text("main")
    assert Membership.objects.get(round=round, person=mover).circle_id == smaller.pk
    page.get_by_role("button", name=f"Lock circle {smaller.number}").click()
    assert Circle.objects.get(pk=smaller.pk).is_locked
    page.get_by_role("button", name="Publish").click()
    page.wait_for_selector("text=Published. Every member is being e-mailed their circle with a calendar invite.")
    round.refresh_from_db()
    assert round.state == Round.State.PUBLISHED

    # A member sees the circle and downloads the invite.
    membership = Membership.objects.select_related("circle__host").get(
        round=round, person__email="employee@saypro.demo"
    )
    circle = membership.circle
    sign_in_as(page, live_server, live_login, "employee@saypro.demo")
    page.goto(f"{live_server.url}/circles/")
    upcoming = page.locator("section", has=page.get_by_role("heading", name="Upcoming"))
    assert circle.topic.name in upcoming.inner_text()
    for m in circle.memberships.select_related("person"):
        assert m.person.full_name in upcoming.inner_text()
    axe_check(page)
    with page.expect_download() as download_info:
        upcoming.get_by_role("link", name="Calendar invite (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"circle-{circle.pk}.ics"
    assert f"UID:circle-{circle.pk}@saypro-share-learnings" in Path(download.path()).read_text(encoding="utf-8")

    # The meeting takes place; the host records attendance and a learning.
    met = timezone.now() - dt.timedelta(hours=1)
    Round.objects.filter(pk=round.pk).update(signup_deadline=met - dt.timedelta(days=2), meets_at=met)
    sign_in_as(page, live_server, live_login, circle.host.email)
    page.goto(f"{live_server.url}/circles/circle/{circle.pk}/")
    page.get_by_role("link", name="Record attendance").click()
    for checkbox in page.locator("input[name='attended']").all():
        checkbox.check()
    page.get_by_role("button", name="Save attendance").click()
    assert "Attendance recorded." in page.inner_text("main")
    page.get_by_label("What did the circle learn?").fill("Agree on *done* before handing work over.")
    page.get_by_role("button", name="Share this learning").click()
    assert "Learning shared with your circle." in page.inner_text("main")
    assert page.locator(".rendered-markdown em", has_text="done").count() == 1
    axe_check(page)
    assert Membership.objects.filter(circle=circle, attended=True).count() == circle.memberships.count()
    assert Learning.objects.get(circle=circle).author == circle.host
    assert page.js_errors == []


def test_more_circles_by_keyboard_loads_the_next_page_in_place(
    demo_org, browser_page, live_server, live_login, axe_check
):
    page = browser_page
    officer = User.objects.get(email="officer@saypro.demo")
    topics = list(Topic.objects.filter(is_active=True)[:3])
    # A year ahead, clear of the demo's own rounds.
    week = timezone.localdate() + dt.timedelta(weeks=52)
    round, _ = formed_round(
        count=80, topics=topics, officer=officer, week_starts_on=week - dt.timedelta(days=week.weekday())
    )
    total = round.circles.count()
    assert total > CIRCLES_PER_PAGE

    sign_in_as(page, live_server, live_login, "officer@saypro.demo")
    page.goto(f"{live_server.url}/circles/rounds/{round.pk}/")
    assert page.locator("article[id^='circle-']").count() == CIRCLES_PER_PAGE
    more = page.get_by_role("link", name="More circles")
    more.focus()
    page.keyboard.press("Enter")
    wait_for_htmx_settled(page, ".circle-page[data-swap-focus]")
    assert page.locator("article[id^='circle-']").count() == min(total, 2 * CIRCLES_PER_PAGE)
    # Focus goes to the circles just shown, so reading and Tab go on from there.
    assert page.evaluate("document.activeElement.matches('.circle-page[data-swap-focus]')")
    page.wait_for_function(
        "text => document.getElementById('swap-announcer').textContent.startsWith(text)",
        arg=f"Circles {CIRCLES_PER_PAGE + 1} to",
    )
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('article').id") == f"circle-{CIRCLES_PER_PAGE + 1}"
    axe_check(page)
    assert page.js_errors == []
