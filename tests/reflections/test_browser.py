"""A reflection's whole life in a real browser: written from a template, saved as a draft that
survives a reload, submitted, sent back for more depth, revised, validated, and on the board."""

import re

import pytest
from django.core.management import call_command

from reflections.models import Reflection
from saypro.core.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

TITLE = "Asking before answering"


@pytest.fixture
def demo_org(transactional_db):
    call_command("seed_demo", people=8, verbosity=0)


def sign_in(page, live_server, live_login, email):
    page.context.clear_cookies()
    return live_login(page, live_server, email, DEMO_PASSWORD)


def test_reflection_from_template_to_validated_on_board(demo_org, browser_page, live_server, live_login, axe_check):
    page = browser_page

    # The employee starts from the general template on the writing page.
    sign_in(page, live_server, live_login, "employee@saypro.demo")
    page.get_by_role("link", name="Write a reflection").first.click()
    count_before = Reflection.objects.count()
    page.get_by_role("link", name="Start with “General reflection”").click()
    # Opening the page writes nothing; the first autosave creates the draft.
    page.wait_for_url(re.compile(r"/reflections/write/\?template=\d+$"))
    assert Reflection.objects.count() == count_before
    axe_check(page)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("What did I learn?").fill("To ask one more question before I answer.")
    assert page.locator(".word-count").first.inner_text() == "8 of 150 words"
    page.get_by_label("What will I try, and when?").fill("In Tuesday's stand-up, with the new team.")
    page.get_by_label("What challenge do I expect?").fill("Time pressure.")
    page.get_by_label("Who else should know this?").fill("The other team leads.")
    page.get_by_label("Key takeaway").fill("Ask first, answer second.")
    # Autosave after a few idle seconds (htmx); then the draft survives a reload.
    page.wait_for_selector("#autosave-status >> text=Draft saved at", timeout=20_000)
    page.wait_for_url(re.compile(r"/reflections/\d+/edit/$"))
    page.reload()
    assert page.get_by_label("Title").input_value() == TITLE
    assert page.get_by_label("Who else should know this?").input_value() == "The other team leads."
    page.get_by_label("Colleagues — everyone, on the learning board").check()
    page.get_by_label("My reflection may be featured in the monthly newsletter or on a huddle card").check()
    page.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/reflections/\d+/$"))
    assert "Submitted. Your mentor will read it and reply here." in page.inner_text("main")
    reflection = Reflection.objects.get(title=TITLE)
    assert (reflection.state, reflection.visibility, reflection.may_be_featured) == ("submitted", "colleagues", True)

    # The mentor finds it in the queue and asks for more depth.
    sign_in(page, live_server, live_login, "mentor@saypro.demo")
    page.goto(f"{live_server.url}/reflections/mentor/")
    axe_check(page)
    page.get_by_role("link", name=TITLE).click()
    page.get_by_label("1 — describes what happened").check()
    page.get_by_label("Ask for more depth").check()
    page.get_by_label("Note to the author").fill("Why did it matter for your team?")
    page.get_by_role("button", name="Send review").click()
    assert "You asked for more depth. The author has been told." in page.inner_text("main")

    # The employee reads the note, revises and resubmits.
    sign_in(page, live_server, live_login, "employee@saypro.demo")
    page.goto(f"{live_server.url}{reflection.get_absolute_url()}")
    assert "Why did it matter for your team?" in page.inner_text("main")
    page.get_by_role("link", name="Revise and resubmit").click()
    page.get_by_label("What did I learn?").fill(
        "To ask one more question before I answer: my team stopped bringing me problems when I answered too fast."
    )
    page.get_by_role("button", name="Resubmit to my mentor").click()
    page.wait_for_url(re.compile(r"/reflections/\d+/$"))
    reflection.refresh_from_db()
    assert reflection.state == "resubmitted"

    # The mentor validates.
    sign_in(page, live_server, live_login, "mentor@saypro.demo")
    page.goto(f"{live_server.url}{reflection.get_absolute_url()}")
    page.get_by_label("4 — commits to a concrete change").check()
    page.get_by_label("Validate").check()
    page.get_by_role("button", name="Send review").click()
    assert "Validated. The author has been told." in page.inner_text("main")

    # On the board, with its badge.
    sign_in(page, live_server, live_login, "employee@saypro.demo")
    page.goto(f"{live_server.url}/reflections/board/")
    card = page.locator("article.card", has_text=TITLE)
    assert "✔ Validated" in card.inner_text()
    axe_check(page)
    card.get_by_role("link", name=TITLE).click()
    axe_check(page)
    assert page.js_errors == []


def test_draft_saved_when_leaving_the_page_before_autosave(demo_org, browser_page, live_server, live_login):
    page = browser_page
    sign_in(page, live_server, live_login, "employee@saypro.demo")
    before = set(Reflection.objects.values_list("pk", flat=True))
    page.goto(f"{live_server.url}/reflections/write/?kind=general")

    page.get_by_label("Title").fill("Typed just before leaving")
    page.goto(f"{live_server.url}/reflections/board/")

    # The beacon's save is the first one, so it creates the draft: exactly one.
    for _ in range(50):
        if Reflection.objects.exclude(pk__in=before).filter(title="Typed just before leaving").exists():
            break
        page.wait_for_timeout(100)
    created = Reflection.objects.exclude(pk__in=before)
    assert [r.title for r in created] == ["Typed just before leaving"]


def announced(page) -> str:
    """What the shared polite live region says (it is filled a moment after the swap)."""
    page.wait_for_function("() => (document.getElementById('swap-announcer') || {}).textContent")
    return page.locator("#swap-announcer").inner_text()


def test_ill_try_this_by_keyboard_moves_focus_to_how_did_it_go_and_announces(
    demo_org, browser_page, live_server, live_login
):
    """htmx replaces the box holding the focused button: focus follows to the new field, and it is said."""
    from reflections.models import Adoption
    from reflections.selectors import board_list
    from saypro.core.models import User

    page = browser_page
    employee = User.objects.get(email="employee@saypro.demo")
    reflection = (
        board_list().exclude(author=employee).exclude(adoptions__person=employee).order_by("first_shared_at").first()
    )
    sign_in(page, live_server, live_login, employee.email)
    page.goto(f"{live_server.url}{reflection.get_absolute_url()}")
    page.get_by_role("button", name="I'll try this").focus()

    page.keyboard.press("Enter")

    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'note'")
    assert page.evaluate("document.activeElement.labels[0].textContent.trim()") == "How did it go?*"
    assert announced(page) == "Saved: you will try this. When you have, say how it went."
    assert Adoption.objects.filter(reflection=reflection, person=employee, kind="will_try").count() == 1
    # The next Tab reaches "I tried it", not the top of the page.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "I tried it"
    assert page.js_errors == []


def test_reporting_a_comment_by_keyboard_keeps_focus_in_place_and_announces(
    demo_org, browser_page, live_server, live_login
):
    """The "Report" link becomes the form (focus on the reason); the form becomes the thanks (focus and said)."""
    from reflections.models import Comment

    page = browser_page
    comment = Comment.objects.filter(channel="board").exclude(author__email="employee@saypro.demo").first()
    sign_in(page, live_server, live_login, "employee@saypro.demo")
    page.goto(f"{live_server.url}{comment.reflection.get_absolute_url()}")
    page.locator(f"#comment-{comment.pk} a", has_text="Report").focus()

    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.name === 'reason'")
    # The browser focuses the form's autofocus field as it arrives; htmx takes the form over when
    # the swap settles. A submit before that goes the no-JavaScript way (a full page), so wait.
    page.wait_for_function(
        "() => { const f = document.activeElement && document.activeElement.form;"
        " return f && f['htmx-internal-data'] && !document.querySelector('.htmx-settling, .htmx-swapping'); }"
    )
    page.keyboard.type("It names a client.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    thanks = "Thank you. The Advice Desk will look at it and tell you what they decided."
    page.wait_for_function("t => document.activeElement && document.activeElement.textContent.trim() === t", arg=thanks)
    assert announced(page) == thanks
    assert page.js_errors == []


def test_earlier_comments_by_keyboard_load_above_take_focus_and_announce(
    demo_org, browser_page, live_server, live_login
):
    """The board discussion shows its newest threads; "Earlier comments" puts the next page in its place."""
    import datetime as dt

    from reflections.models import Comment
    from reflections.selectors import COMMENT_PAGE_SIZE
    from saypro.core.models import User
    from tests.factories.reflections import CommentFactory

    page = browser_page
    reflection = Reflection.objects.filter(visibility="colleagues", is_hidden=False).exclude(state="draft").first()
    oldest = Comment.objects.filter(reflection=reflection).order_by("created_at").values_list("created_at", flat=True)
    start = (oldest.first() or reflection.created_at) - dt.timedelta(days=1)
    colleague = User.objects.get(email="employee@saypro.demo")
    earliest = [
        CommentFactory(reflection=reflection, author=colleague, created_at=start - dt.timedelta(minutes=i))
        for i in range(COMMENT_PAGE_SIZE + 3)
    ][-1]
    sign_in(page, live_server, live_login, "employee@saypro.demo")
    page.goto(f"{live_server.url}{reflection.get_absolute_url()}")
    assert page.locator(f"#comment-{earliest.pk}").count() == 0
    page.locator(".comment-earlier a").first.focus()

    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.matches('.comment-page[data-swap-focus]')"
    )

    assert re.fullmatch(r"\d+ earlier comments? shown", announced(page))
    if page.locator(f"#comment-{earliest.pk}").count() == 0:  # the demo's own comments made a page more
        page.locator(".comment-earlier a").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_selector(f"#comment-{earliest.pk}", state="attached")
    assert page.locator(".comment-earlier").count() == 0
    assert page.js_errors == []
