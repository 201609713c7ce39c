"""The facilitator's live hour in a real browser: a large session marked with the keyboard and the
search box, and a challenge asked without the asker's name."""

import pytest
from django.core.management import call_command

from feedback.models import Contribution, FeedbackSession, Invitation
from feedback.selectors import ATTENDANCE_PAGE_SIZE
from saypro.core.models import Department, Enrolment, Location, User
from tests.browser import sign_in_as, wait_for_htmx_settled

pytestmark = pytest.mark.browser

MODULE = "Coaching conversations"
EXTRA_PEOPLE = 120  # with the demo's invitees, well over two pages of the attendance list


@pytest.fixture
def large_session(transactional_db):
    """The demo's scheduled session of the coming module, with 120 more invitees and two namesakes."""
    call_command("seed_demo", people=8, verbosity=0)
    session = FeedbackSession.objects.get(module__title=MODULE, state="scheduled")
    departments = list(Department.objects.order_by("pk"))
    locations = list(Location.objects.order_by("pk"))
    people = User.objects.bulk_create(
        User(
            email=f"crowd{i}@saypro.demo",
            first_name=f"Crowd{i:03d}",
            last_name="Member",
            department=departments[i % len(departments)],
            location=locations[i % len(locations)],
        )
        for i in range(EXTRA_PEOPLE)
    )
    namesakes = User.objects.bulk_create(
        User(
            email=f"thabo.{n}@saypro.demo",
            first_name="Thabo",
            last_name="Nkosi",
            department=Department.objects.create(name=department),
            location=Location.objects.create(name=location),
        )
        for n, department, location in ((1, "Payroll Office", "Umhlanga Rocks"), (2, "Logistics", "Polokwane"))
    )
    everyone = people + namesakes
    Enrolment.objects.bulk_create(Enrolment(person=p, module=session.module) for p in everyone)
    Invitation.objects.bulk_create(Invitation(session=session, person=p) for p in everyone)
    return session


def test_officer_marks_a_large_session_with_the_keyboard_and_the_search_box(
    large_session, browser_page, live_server, live_login, axe_check
):
    page = browser_page
    session = large_session
    invited = session.invitations.count()
    unrecorded = session.invitations.filter(attendance="").count()
    payroll = Invitation.objects.get(session=session, person__email="thabo.1@saypro.demo")
    logistics = Invitation.objects.get(session=session, person__email="thabo.2@saypro.demo")
    assert invited > 2 * ATTENDANCE_PAGE_SIZE

    sign_in_as(page, live_server, live_login, "officer@saypro.demo")
    page.goto(f"{live_server.url}/feedback/{session.pk}/console/")
    assert page.locator(".attendance-row").count() == ATTENDANCE_PAGE_SIZE
    # The whole list is one Tab stop: Tab from the Find button lands in it, the next Tab leaves it.
    page.get_by_role("button", name="Find").focus()
    page.keyboard.press("Tab")
    first_row = page.locator(".attendance-row").first
    assert page.evaluate("document.activeElement.closest('.attendance-row') !== null")
    assert page.evaluate("document.activeElement.closest('.attendance-row').id") == first_row.get_attribute("id")
    assert page.locator(".attendance-rows input[type=radio][tabindex='0']").count() == 1
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    third_row_id = page.locator(".attendance-row").nth(2).get_attribute("id")
    assert page.evaluate("document.activeElement.closest('.attendance-row').id") == third_row_id
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Save attendance"
    axe_check(page)

    # Everyone present first, then the exceptions.
    page.get_by_role("button", name=f"Mark everyone not recorded present ({unrecorded})").click()
    assert f"{unrecorded} people marked present. Now mark the exceptions: late or absent." in page.inner_text("main")
    assert session.invitations.filter(attendance="").count() == 0

    # Two people called Thabo Nkosi: the search box and the department beside each name tell them apart.
    search = page.get_by_role("searchbox", name="Find a person by name, department or location")
    search.fill("thabo")
    page.wait_for_selector("#attendance-count >> text=2 people match “thabo”")
    rows = page.locator(".attendance-row")
    assert rows.count() == 2
    # The list htmx swapped in is one Tab stop again.
    assert page.locator(".attendance-rows input[type=radio][tabindex='0']").count() == 1
    assert page.locator(".attendance-rows input[type=radio][tabindex='-1']").count() == 5
    assert page.get_by_role("group", name="Thabo Nkosi Payroll Office · Umhlanga Rocks").count() == 1
    assert page.get_by_role("group", name="Thabo Nkosi Logistics · Polokwane").count() == 1
    search.fill("thabo polokwane")
    page.wait_for_selector("#attendance-count >> text=1 person matches “thabo polokwane”")
    wait_for_htmx_settled(page, f"#attendance-{logistics.pk}")
    page.keyboard.press("Tab")  # the Find button
    page.keyboard.press("Tab")  # into the list: the checked choice, Present
    assert page.evaluate("document.activeElement.id") == f"attendance-{logistics.pk}-present"
    page.keyboard.press("l")  # late, saved as the key is pressed
    page.wait_for_selector(f"#attendance-{logistics.pk} [role=status]")
    assert page.inner_text(f"#attendance-{logistics.pk} [role=status]") == "Saved: late"
    search.fill("payroll")
    page.wait_for_selector("#attendance-count >> text=1 person matches “payroll”")
    wait_for_htmx_settled(page, f"#attendance-{payroll.pk}")
    page.locator(f"#attendance-{payroll.pk}-present").focus()
    page.keyboard.press("ArrowRight")  # the radio group's own arrow keys change the choice
    page.wait_for_selector(f"#attendance-{payroll.pk} [role=status]")
    assert page.inner_text(f"#attendance-{payroll.pk} [role=status]") == "Saved: late"
    # The row was swapped in: press on only once htmx has taken it over and focus is back in it
    # (a key pressed sooner lands on the old row, as on CI once).
    wait_for_htmx_settled(page, f"#attendance-{payroll.pk}")
    page.wait_for_function(
        "id => { const a = document.activeElement; return !!a && document.getElementById(id).contains(a); }",
        arg=f"attendance-{payroll.pk}",
    )
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(f"#attendance-{payroll.pk} [role=status] >> text=Saved: absent")
    assert page.evaluate("document.activeElement.id") == f"attendance-{payroll.pk}-absent"
    axe_check(page)

    assert dict(session.invitations.filter(pk__in=[logistics.pk, payroll.pk]).values_list("pk", "attendance")) == {
        logistics.pk: "late",
        payroll.pk: "absent",
    }

    # The jump link skips the attendance list.
    page.get_by_role("link", name="Jump to contributions").click()
    assert page.evaluate("document.activeElement.id") == "contributions-heading"

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/feedback/{session.pk}/console/?q=thabo#attendance")
    assert page.locator(".attendance-row").count() == 2
    axe_check(page)
    assert page.js_errors == []


def test_anonymous_challenge_is_shown_without_the_name_to_a_colleague_and_with_it_to_the_officer(
    large_session, browser_page, live_server, live_login, axe_check
):
    page = browser_page
    session = large_session
    employee = User.objects.get(email="employee@saypro.demo")
    text = "My manager takes back what I delegated. How do I raise it?"

    sign_in_as(page, live_server, live_login, "employee@saypro.demo")
    page.goto(f"{live_server.url}/feedback/{session.pk}/")
    page.get_by_role("radio", name="Challenge").check()
    page.get_by_role("textbox", name="Your contribution").fill(text)
    page.get_by_role("checkbox", name="Ask without my name").check()
    page.get_by_role("button", name="Share it").click()
    assert "Thank you — your challenge is shared." in page.inner_text("main")
    challenge = Contribution.objects.get(session=session, author=employee, text=text)
    assert challenge.anonymous is True
    mine = page.locator(f"#contribution-{challenge.pk}")
    assert f"{employee.full_name} · name not shown to colleagues" in mine.inner_text()

    sign_in_as(page, live_server, live_login, "mentor@saypro.demo")
    page.goto(f"{live_server.url}/feedback/{session.pk}/")
    card = page.get_by_role("article", name="Challenge by a colleague")
    assert text in card.inner_text()
    assert "A colleague (name not shown)" in card.inner_text()
    assert employee.full_name not in card.inner_text()
    axe_check(page)

    sign_in_as(page, live_server, live_login, "officer@saypro.demo")
    page.goto(f"{live_server.url}/feedback/{session.pk}/console/")
    card = page.get_by_role("article", name=f"Challenge by {employee.full_name} (name not shown to colleagues)")
    assert text in card.inner_text()
    assert f"{employee.full_name} · name not shown to colleagues" in card.inner_text()
    assert page.js_errors == []
