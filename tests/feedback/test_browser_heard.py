""" "What we heard" in a real browser on the demo's module: the owner reads it, the officer merges and marks."""

import pytest
from django.core.management import call_command

from feedback.heard.selectors import heard_themes
from feedback.models import ChallengeTheme
from saypro.core.models import AuditEntry, Module
from tests.accessibility import PHONE_WIDTH, horizontal_overflow
from tests.browser import sign_in_as

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_org(transactional_db):
    call_command("seed_demo", people=30, verbosity=0)


def test_owner_reads_the_themes_and_the_officer_merges_two_and_marks_one_addressed(
    demo_org, browser_page, live_server, live_login, axe_check
):
    page = browser_page
    module = Module.objects.get(owner__email="mentor@saypro.demo")
    themes = [view.theme for view in heard_themes(module=module, officer=True)]
    assert len(themes) >= 4

    # The owner (the demo mentor) finds the module on Home and reads its themes, without the officer's controls.
    sign_in_as(page, live_server, live_login, "mentor@saypro.demo")
    page.get_by_role("region", name="What we heard about your modules").get_by_role("link", name=module.title).click()
    assert page.get_by_role("heading", level=1).inner_text() == f"What we heard: {module.title}"
    assert page.locator("article").count() == len(themes)
    assert page.get_by_role("heading", level=2, name=themes[0].name).is_visible()
    assert page.get_by_role("button", name="Merge").count() == 0
    axe_check(page)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    assert horizontal_overflow(page) is None
    page.set_viewport_size({"width": 1280, "height": 900})

    # The officer merges the two smallest themes and marks the largest addressed in the next run.
    sign_in_as(page, live_server, live_login, "officer@saypro.demo")
    page.goto(f"{live_server.url}/feedback/modules/{module.pk}/heard/")
    smaller, into = themes[-1], themes[-2]
    article = page.locator(f"#theme-{smaller.pk}")
    article.get_by_text("Merge into another theme").click()
    article.get_by_label("Merge into").select_option(str(into.pk))
    axe_check(page)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    assert horizontal_overflow(page) is None
    article.get_by_role("button", name="Merge").click()
    assert f"Merged “{smaller.name}” into “{into.name}”." in page.inner_text("main")
    assert page.locator("article").count() == len(themes) - 1

    largest = page.locator(f"#theme-{themes[0].pk}")
    largest.get_by_text("Mark addressed in the next run").click()
    largest.get_by_label("What changes in the next run").fill("A practice round on handing over decisions in week 2.")
    largest.get_by_role("button", name="Mark addressed").click()
    largest = page.locator(f"#theme-{themes[0].pk}")
    assert "Addressed in the next run" in largest.inner_text()
    assert "A practice round on handing over decisions in week 2." in largest.inner_text()

    smaller.refresh_from_db()
    assert smaller.merged_into_id == into.pk
    assert ChallengeTheme.objects.get(pk=themes[0].pk).addressed is True
    assert set(AuditEntry.objects.filter(action__startswith="feedback.theme_").values_list("action", flat=True)) == {
        "feedback.theme_merged",
        "feedback.theme_addressed",
    }
