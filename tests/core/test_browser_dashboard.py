"""The demo officer signs in, sees the queues with real counts, acts on one item from each, finds the audit entries."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from saypro import dashboard
from saypro.core.models import AuditEntry, MentorLink, User
from tests.browser import sign_in_as

pytestmark = pytest.mark.browser

OFFICER = "officer@saypro.demo"
OFFICER_NAME = "Nomsa Khumalo"


@pytest.fixture
def demo_org(transactional_db):
    call_command("seed_demo", people=10, verbosity=0)


def make_a_proposed_session() -> None:
    """The daily job's proposal for a major module that just ended (the demo schedules its own sessions)."""
    from feedback.models import FeedbackSession
    from feedback.services import session_propose_due
    from saypro.core.models import Programme
    from tests.factories import ModuleFactory

    if FeedbackSession.objects.filter(state=FeedbackSession.State.PROPOSED).exists():
        return
    programme = Programme.objects.order_by("pk").first()
    ModuleFactory(
        programme=programme,
        position=programme.modules.count() + 1,
        title="Running one-to-ones",
        is_major=True,
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    assert len(session_propose_due()) == 1


def make_a_formed_round(officer: User) -> None:
    """The open round's circles formed by the circles service, as the deadline job would."""
    from circles.models import Round
    from circles.services import circle_round_form_groups, signup_save

    if Round.objects.filter(state=Round.State.FORMED).exists():
        return
    rnd = Round.objects.filter(state=Round.State.OPEN).order_by("signup_deadline").first()
    topic = rnd.topics.order_by("name").first()
    for person in User.objects.exclude(circle_signups__round=rnd).order_by("pk")[:4]:
        signup_save(round=rnd, person=person, topic_ids=[topic.pk])
    circle_round_form_groups(round=rnd, by=officer)
    assert Round.objects.get(pk=rnd.pk).state == Round.State.FORMED


def make_a_talk_to_decide():
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
    return TalkProposal.objects.filter(state=TalkProposal.State.PROPOSED).order_by("created_at", "id").first(), cafe


def make_a_report(*, not_on):
    """A colleague reports a board reflection (not `not_on`, the newsletter candidate the officer picks)."""
    from reflections.models import Reflection
    from reflections.selectors import board_list
    from reflections.services import reflection_report

    reporter = User.objects.get(email="employee@saypro.demo")
    reflection = board_list().exclude(author=reporter).exclude(pk=not_on.pk).order_by("first_shared_at").first()
    reflection_report(reflection=reflection, by=reporter, reason="It names a client and their contract.")
    return Reflection.objects.get(pk=reflection.pk)


def newsletter_candidate():
    """The oldest reflection of the dashboard's newsletter queue (its link names the reflection)."""
    from reflections.models import Reflection

    if not dashboard.newsletter_candidates(now=timezone.now())["items"]:
        # Only validated reflections are candidates, and the demo's validated ones are in its
        # newsletter already: a mentor validates the newest consenting one waiting for review.
        waiting = (
            Reflection.objects.filter(
                may_be_featured=True,
                visibility=Reflection.Visibility.COLLEAGUES,
                state__in=[Reflection.State.SUBMITTED, Reflection.State.RESUBMITTED],
                newsletter_items__isnull=True,
            )
            .order_by("-first_shared_at")
            .first()
        )
        Reflection.objects.filter(pk=waiting.pk).update(state=Reflection.State.VALIDATED, validated_at=timezone.now())
    first = dashboard.newsletter_candidates(now=timezone.now())["items"][0]
    return Reflection.objects.get(pk=re.fullmatch(r"/reflections/(\d+)/", first["url"]).group(1))


def give_the_longest_waiting_mentee_a_mentor() -> User:
    """So the first waiting mentee has a mentor to remind (the demo leaves some without one)."""
    from django.conf import settings

    from reflections.models import Reflection

    oldest = (
        Reflection.objects.filter(
            state__in=["submitted", "resubmitted"],
            visibility__in=["mentor", "colleagues"],
            submitted_at__lt=timezone.now() - dt.timedelta(days=settings.MENTOR_QUEUE_STALE_DAYS),
        )
        .select_related("author")
        .order_by("submitted_at", "id")
        .first()
    )
    mentee = oldest.author
    mentor = User.objects.exclude(pk=mentee.pk).filter(email__in=["mentor@saypro.demo", OFFICER]).first()
    MentorLink.objects.update_or_create(mentor=mentor, mentee=mentee, defaults={"is_active": True})
    return mentee


@pytest.fixture
def one_in_every_queue(demo_org):
    """At least one item in each queue, made through the apps' services where the demo has none."""
    officer = User.objects.get(email=OFFICER)
    make_a_proposed_session()
    make_a_formed_round(officer)
    talk, cafe = make_a_talk_to_decide()
    candidate = newsletter_candidate()
    reported = make_a_report(not_on=candidate)
    mentee = give_the_longest_waiting_mentee_a_mentor()
    return {"talk": talk, "cafe": cafe, "candidate": candidate, "reported": reported, "mentee": mentee}


def shown_counts(page) -> dict[str, int]:
    badges = page.locator("[data-queue-count]")
    return {
        badges.nth(i).get_attribute("data-queue-count"): int(badges.nth(i).inner_text()) for i in range(badges.count())
    }


def first_item_link(page, key: str):
    return page.locator(f"#queue-{key} ol li").first.get_by_role("link").first


def test_demo_officer_acts_on_one_item_from_each_queue_and_finds_the_audit_entries(
    one_in_every_queue, browser_page, live_server, live_login, axe_check
):
    from circles.models import Round
    from feedback.models import FeedbackSession
    from reflections.models import NewsletterItem

    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    talk, cafe = one_in_every_queue["talk"], one_in_every_queue["cafe"]
    candidate, reported, mentee = (one_in_every_queue[k] for k in ("candidate", "reported", "mentee"))
    session = FeedbackSession.objects.filter(state="proposed").order_by("created_at", "id").first()
    rnd = Round.objects.filter(state="formed").order_by("formed_at", "signup_deadline", "id").first()
    expected = {q["key"]: q["count"] for q in dashboard.dashboard_queues(now=timezone.now())}
    assert all(expected[key] >= 1 for key in ("feedback", "circles", "talks", "moderation", "newsletter", "mentors"))

    sign_in_as(page, live_server, live_login, OFFICER)
    assert page.url == f"{live_server.url}/dashboard/"
    assert page.locator("h1").inner_text() == "Advice Desk dashboard"
    assert shown_counts(page) == expected
    axe_check(page)

    # Feedback: schedule the proposed session.
    page.locator("#queue-feedback").get_by_role("link", name=session.module.title).click()
    page.wait_for_url(f"{live_server.url}/feedback/{session.pk}/schedule/")
    page.get_by_label("Place").fill("Training room, Cape Town office")
    page.get_by_role("button", name="Schedule and invite participants").click()
    page.wait_for_selector(f"text=Scheduled. The participants of {session.module.title} are being invited.")

    # Circles: publish the formed round.
    page.goto(f"{live_server.url}/dashboard/")
    page.locator("#queue-circles").get_by_role("link", name=str(rnd)).click()
    page.wait_for_url(f"{live_server.url}/circles/rounds/{rnd.pk}/")
    page.get_by_role("button", name="Publish").click()
    page.wait_for_selector("text=Published. Every member is being e-mailed their circle with a calendar invite.")

    # Talks: accept the proposal into the café.
    page.goto(f"{live_server.url}/dashboard/")
    page.locator("#queue-talks").get_by_role("link", name=talk.title).click()
    page.wait_for_url(f"{live_server.url}/cafes/talks/{talk.pk}/decide/")
    page.get_by_label("Accept into a café").check()
    page.select_option("select[name='cafe']", str(cafe.pk))
    page.get_by_role("button", name="Save the decision").click()
    page.wait_for_load_state()

    # Reported on the board: hide the reported reflection, with the reason its author sees.
    page.goto(f"{live_server.url}/dashboard/")
    page.locator("#queue-moderation").get_by_role("link", name=reported.title).click()
    page.wait_for_url(re.compile(r"/reflections/moderation/#report-\d+$"))
    item = page.locator("li[id^='report-']", has_text=reported.title)
    assert "“It names a client and their contract.” — " in item.inner_text()
    axe_check(page)
    item.get_by_label("Reason for hiding (the author sees it)").fill("Names a client; please rewrite without it.")
    item.get_by_role("button", name="Hide from the board").click()
    page.wait_for_selector("text=Hidden from the board. The author sees your reason; reporters are told.")
    assert page.locator("li[id^='report-']", has_text=reported.title).count() == 0

    # Newsletter: start this month's issue and add the candidate.
    page.goto(f"{live_server.url}/dashboard/")
    page.locator("#queue-newsletter").get_by_role("link", name=re.compile(r"^(Open|See all)")).click()
    page.wait_for_url(f"{live_server.url}/reflections/newsletters/")
    page.get_by_label("Month").fill(f"{timezone.localdate():%Y-%m}")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url(re.compile(r"/reflections/newsletters/\d+/edit/$"))
    page.locator(f"input[name='pick_{candidate.pk}']").check()
    page.get_by_role("button", name="Save and preview").click()
    page.wait_for_selector("text=Issue saved. Preview it, then publish.")
    assert NewsletterItem.objects.filter(
        reflection=candidate, issue__month=timezone.localdate().replace(day=1)
    ).exists()

    # Mentees waiting: remind the mentor (htmx swaps the button for what happened).
    page.goto(f"{live_server.url}/dashboard/")
    page.locator("#queue-mentors").get_by_role("button", name=f"Remind the mentor of {mentee.full_name}").click()
    page.wait_for_selector(f"#queue-mentors [role=status]:has-text('Reminded 1 mentor of {mentee.full_name}.')")

    # Every queue acted on is one shorter; the mentor reminder leaves the mentee waiting.
    page.goto(f"{live_server.url}/dashboard/")
    shorter = {key: expected[key] - 1 for key in ("feedback", "circles", "talks", "moderation", "newsletter")}
    assert shown_counts(page) == {**expected, **shorter}
    axe_check(page)

    # The audit trail shows each action, by the officer, newest first.
    page.get_by_role("link", name="Browse the audit trail").click()
    page.wait_for_url(f"{live_server.url}/dashboard/audit/")
    rows = page.locator("tbody tr")
    table = [rows.nth(i).inner_text() for i in range(min(rows.count(), 20))]
    actions = {
        "feedback.session_schedule": session.module.title,
        "circles.round_publish": str(rnd),
        "cafes.talk_accept": talk.title,
        "reflections.report_hide": reported.title,
        "reflections.newsletter_update": "",
        "reflections.mentor_remind": str(mentee),
    }
    from saypro.core.audit_words import audit_action_text

    for action, target in actions.items():
        # The trail names the action in words ("Scheduled a feedback session"), not by its code.
        matching = [row for row in table if audit_action_text(action) in row]
        assert matching, f"{action} is not in the audit trail:\n" + "\n".join(table)
        assert OFFICER_NAME in matching[0] and target in matching[0]
    assert AuditEntry.objects.filter(actor__email=OFFICER, action__in=list(actions)).count() == len(actions)
    axe_check(page)
    assert page.js_errors == []
