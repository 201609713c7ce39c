"""A feedback session in a real browser: scheduling, contributing, answering, facilitating, the summary."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from feedback import services
from feedback.models import Contribution, FeedbackSession, Invitation
from reflections.models import Reflection
from saypro.core.models import AuditEntry, Module, User
from tests.browser import sign_in_as, wait_for_htmx_settled

pytestmark = pytest.mark.browser

MODULE = "Coaching conversations"


@pytest.fixture
def demo_org(transactional_db):
    call_command("seed_demo", people=8, verbosity=0)
    # The demo already schedules the coming module's session; the officer schedules it here instead.
    FeedbackSession.objects.filter(module__title=MODULE).delete()


def local_input(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_feedback_session_from_scheduling_to_summary(demo_org, browser_page, live_server, live_login, axe_check):
    page = browser_page
    employee = User.objects.get(email="employee@saypro.demo")
    mentor = User.objects.get(email="mentor@saypro.demo")
    start = (timezone.localtime() + dt.timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)

    # The officer schedules the session for the demo module.
    sign_in_as(page, live_server, live_login, "officer@saypro.demo")
    page.goto(f"{live_server.url}/feedback/")
    page.get_by_role("link", name="New session").click()
    page.get_by_label("Module").select_option(str(Module.objects.get(title=MODULE).pk))
    page.get_by_label("Starts").fill(local_input(start))
    page.get_by_label("Ends").fill(local_input(start + dt.timedelta(minutes=90)))
    page.get_by_label("Place").fill("Training room, Cape Town office")
    page.get_by_label("Facilitating officer").select_option(label="Nomsa Khumalo")
    page.get_by_label("Prompts").fill("What did you try?\nWhat is still hard?")
    axe_check(page)
    page.get_by_role("button", name="Schedule and invite participants").click()
    assert f"Scheduled. The participants of {MODULE} are being invited." in page.inner_text("main")
    session = FeedbackSession.objects.get(module__title=MODULE, state="scheduled")
    assert session.invitations.filter(person=employee).exists()

    # The demo employee adds an insight and a challenge from the home page's panel.
    sign_in_as(page, live_server, live_login, "employee@saypro.demo")
    page.get_by_role("link", name="Contribute").click()
    page.get_by_role("radio", name="Insight").check()
    page.get_by_role("textbox", name="Your contribution").fill(
        "Asking *what would you do?* first made my team bring ideas."
    )
    page.get_by_role("button", name="Share it").click()
    assert "Thank you — your insight is shared." in page.inner_text("main")
    page.get_by_role("radio", name="Challenge").check()
    page.get_by_role("textbox", name="Your contribution").fill("How do I delegate to someone more senior than me?")
    page.get_by_role("button", name="Share it").click()
    assert "Thank you — your challenge is shared." in page.inner_text("main")
    assert page.locator(".rendered-markdown em", has_text="what would you do?").count() == 1
    axe_check(page)
    insight = Contribution.objects.get(author=employee, session=session, kind="insight")
    challenge = Contribution.objects.get(author=employee, session=session, kind="challenge")

    # Another participant answers the challenge.
    sign_in_as(page, live_server, live_login, "mentor@saypro.demo")
    page.goto(f"{live_server.url}/feedback/{session.pk}/")
    page.get_by_label("Suggest something for this challenge").fill("Agree the decision rights first, in writing.")
    page.get_by_role("button", name="Send suggestion").click()
    assert "Thank you — your suggestion is shared." in page.inner_text("main")
    assert challenge.suggestions.get().author == mentor

    # The officer opens the session, ticks attendance, marks, hides one, and closes it.
    # Ids are read before the clicks: the test reads no table a request may be writing (SQLite locks it).
    employee_row_id = f"#attendance-{Invitation.objects.get(session=session, person=employee).pk}"
    mentor_row_id = f"#attendance-{Invitation.objects.get(session=session, person=mentor).pk}"
    sign_in_as(page, live_server, live_login, "officer@saypro.demo")
    page.goto(f"{live_server.url}/feedback/{session.pk}/console/")
    assert "Guidance for a constructive dialogue" in page.inner_text("main")
    # Two days before the start, opening is early: the console asks why, and the reason is audited.
    page.get_by_text("Open the session early…").click()
    page.get_by_label("Why open it now?").fill("The trainer runs it as a dry run today.")
    page.get_by_role("button", name="Open the session").click()
    assert "The session is open." in page.inner_text("main")
    axe_check(page)
    # A contribution sent from the room appears on the console without a reload (htmx polling).
    services.contribution_add(session=session, author=mentor, kind="success_story", text="Our handovers now hold.")
    page.wait_for_selector("#console-board >> text=Our handovers now hold.", timeout=15_000)
    employee_row = page.get_by_role("group", name=employee.full_name)
    employee_row.locator("label", has_text="Present").click()
    page.wait_for_selector(f"{employee_row_id} [role=status]")
    wait_for_htmx_settled(page, mentor_row_id)
    mentor_row = page.get_by_role("group", name=mentor.full_name)
    mentor_row.get_by_role("radio", name="Present").focus()
    page.keyboard.press("l")  # the keyboard shortcut: late, then on to the next person
    page.wait_for_selector(f"{mentor_row_id} [role=status]")
    assert page.inner_text(f"{mentor_row_id} [role=status]") == "Saved: late"
    assert dict(
        Invitation.objects.filter(session=session, person__in=[employee, mentor]).values_list("person_id", "attendance")
    ) == {
        employee.pk: "present",
        mentor.pk: "late",
    }
    page.locator(f"#contribution-{insight.pk}").get_by_role("button", name="Highlight").click()
    page.wait_for_selector(f"#highlight-{insight.pk}[aria-pressed=true]")
    page.locator(f"#contribution-{insight.pk}").get_by_role("button", name="Discussed").click()
    page.wait_for_selector(f"#discussed-{insight.pk}[aria-pressed=true]")
    assert page.locator(f"#highlight-{insight.pk}").get_attribute("aria-pressed") == "true"
    # Hide… is a button of the same form: htmx sends the browser on to the page that asks the reason.
    page.get_by_role("button", name=f"Hide… this success story by {mentor.full_name}").click()
    page.wait_for_url(re.compile(r"/feedback/contributions/\d+/hide/$"))
    page.get_by_label("Reason").fill("It names a client.")
    page.get_by_role("button", name="Hide it").click()
    assert "Hidden. The author sees your reason." in page.inner_text("main")
    assert "Hidden — reason shown to the author: It names a client." in page.inner_text("main")
    page.get_by_text("Close the session…").click()
    page.get_by_label("Why close it now?").fill("The whole session ran today.")
    page.get_by_role("button", name="Close and send the summary").click()
    assert "The session is held and its contributions are locked." in page.inner_text("main")
    session.refresh_from_db()
    assert session.state == "held"
    assert Contribution.objects.filter(pk=insight.pk, highlighted=True, discussed=True).exists()
    assert Contribution.objects.get(author=mentor, session=session).hidden_reason == "It names a client."
    assert list(
        AuditEntry.objects.filter(action__in=["feedback.session_open", "feedback.session_close"])
        .order_by("pk")
        .values_list("reason", "data")
    ) == [
        ("The trainer runs it as a dry run today.", {"early": True}),
        ("The whole session ran today.", {"early": True}),
    ]

    # The worker runs the follow-up that closing queued (no worker runs beside the live server).
    assert services.session_follow_up(session_id=session.pk) == 2

    # The employee sees the summary and the reflection prompt.
    sign_in_as(page, live_server, live_login, "employee@saypro.demo")
    prompt = page.get_by_role("link", name=f"Write a reflection: the feedback session on {MODULE}")
    assert prompt.get_attribute("href").startswith(
        "/reflections/write/?kind=feedback_session&context=feedback.feedbacksession"
    )
    page.goto(f"{live_server.url}/feedback/{session.pk}/")
    summary = page.locator("section", has=page.get_by_role("heading", name="Summary"))
    assert "Asking what would you do? first made my team bring ideas." in summary.inner_text()
    assert "How do I delegate to someone more senior than me?" in summary.inner_text()
    assert "Agree the decision rights first, in writing." in summary.inner_text()
    assert page.get_by_role("button", name="Share it").count() == 0
    axe_check(page)
    page.goto(f"{live_server.url}/")
    prompt.click()
    # The invitation opens the writing page about the session; saving it creates the reflection.
    page.wait_for_url(re.compile(r"/reflections/write/\?kind=feedback_session&context="))
    page.get_by_label("Title").fill("Delegating upwards")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/reflections/\d+/edit/$"))
    reflection = Reflection.objects.get(author=employee, context_kind="feedback_session")
    assert reflection.context == session
    assert page.js_errors == []


@pytest.fixture
def demo_session(transactional_db):
    """The demo's scheduled session of the coming module, with its invitations and three contributions."""
    call_command("seed_demo", people=8, verbosity=0)
    return FeedbackSession.objects.get(module__title=MODULE, state="scheduled")


def test_console_without_javascript_saves_attendance_at_once_and_marks_by_form(
    demo_session, chromium, live_server, live_login
):
    session = demo_session
    invitations = list(session.invitations.select_related("person").order_by("person__last_name", "pk")[:2])
    story = session.contributions.get(kind="success_story")
    context = chromium.new_context(java_script_enabled=False, locale="en-GB", timezone_id="Africa/Johannesburg")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        sign_in_as(page, live_server, live_login, "officer@saypro.demo")
        page.goto(f"{live_server.url}/feedback/{session.pk}/console/")

        # Ticks alone save nothing without JavaScript; "Save attendance" sends the whole list at once.
        page.get_by_role("group", name=invitations[0].person.full_name).locator("label", has_text="Present").click()
        page.get_by_role("group", name=invitations[1].person.full_name).locator("label", has_text="Absent").click()
        assert session.invitations.exclude(attendance="").count() == 0
        page.get_by_role("button", name="Save attendance").click()
        assert "Attendance saved (2 changed)." in page.inner_text("main")
        assert dict(session.invitations.exclude(attendance="").values_list("pk", "attendance")) == {
            invitations[0].pk: "present",
            invitations[1].pk: "absent",
        }
        assert page.is_checked(f"#attendance-{invitations[0].pk}-present")

        # A mark is a button of the contribution's one form; the page comes back at the card.
        page.locator(f"#contribution-{story.pk}").get_by_role("button", name="Highlight").click()
        assert page.url.endswith(f"/feedback/{session.pk}/console/#contribution-{story.pk}")
        assert page.get_attribute(f"#highlight-{story.pk}", "aria-pressed") == "true"
        story.refresh_from_db()
        assert story.highlighted is True

        page.get_by_role("button", name=f"Hide… this success story by {story.author.full_name}").click()
        page.get_by_label("Reason").fill("It names a client.")
        page.get_by_role("button", name="Hide it").click()
        assert "Hidden. The author sees your reason." in page.inner_text("main")
        story.refresh_from_db()
        assert (story.hidden_reason, story.highlighted) == ("It names a client.", False)
    finally:
        context.close()
