"""Participation, learnings and the learning log, pinned on hand-computed data (DESIGN.md definitions)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from feedback import selectors, services
from feedback.models import Contribution, FeedbackSession, Invitation
from saypro.core.learning_log import VERB_ATTENDED, VERB_SHARED
from saypro.core.models import Enrolment
from saypro.core.personal_data import personal_data_erase
from saypro.core.services import enrolment_create_many, enrolment_withdraw, person_place
from tests.factories import DepartmentFactory, ModuleFactory, UserFactory
from tests.factories.feedback import ContributionFactory, FeedbackSessionFactory, InvitationFactory, SuggestionFactory

SAST = ZoneInfo("Africa/Johannesburg")
MARCH = dt.datetime(2026, 3, 1, tzinfo=SAST)
APRIL = dt.datetime(2026, 4, 1, tzinfo=SAST)
HELD, SCHEDULED, CANCELLED = (
    FeedbackSession.State.HELD,
    FeedbackSession.State.SCHEDULED,
    FeedbackSession.State.CANCELLED,
)
INSIGHT, CHALLENGE, STORY = Contribution.Kind.INSIGHT, Contribution.Kind.CHALLENGE, Contribution.Kind.SUCCESS_STORY


def at(day, hour=10, minute=0, month=3):
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SAST)


def make_session(state, starts_at, title):
    return FeedbackSessionFactory(module=ModuleFactory(title=title), state=state, starts_at=starts_at)


def enrol(person, session, withdrawn_at=None):
    Enrolment.objects.create(
        person=person,
        module=session.module,
        status=Enrolment.Status.WITHDRAWN if withdrawn_at else Enrolment.Status.ENROLLED,
        withdrawn_at=withdrawn_at,
    )


@pytest.fixture
def march(db, officer):
    """Held, scheduled, cancelled and boundary sessions around March 2026 with 14 people (see each line)."""
    s = {
        "A": make_session(HELD, at(10), "A"),
        "B": make_session(HELD, at(20), "B"),
        "C": make_session(SCHEDULED, at(25), "C (not held)"),
        "D": make_session(CANCELLED, at(15), "D (cancelled)"),
        # 00:30 on 1 April in Johannesburg is still 31 March in UTC: April's, not March's.
        "E": make_session(HELD, at(1, 0, 30, month=4), "E (April)"),
        # 00:30 on 1 March in Johannesburg is 28 February in UTC: March's.
        "F": make_session(HELD, at(1, 0, 30), "F (first minutes of March)"),
    }
    p = {n: UserFactory(first_name=f"P{n}") for n in range(1, 15)}
    old_department, new_department = p[1].department, DepartmentFactory(name="Moved to")
    enrol(p[1], s["A"])
    ContributionFactory(session=s["A"], author=p[1], kind=INSIGHT)  # eligible, active
    enrol(p[2], s["A"], withdrawn_at=at(5))
    ContributionFactory(session=s["A"], author=p[2], kind=INSIGHT)  # withdrawn before: not eligible
    enrol(p[3], s["A"], withdrawn_at=at(10, 12))  # withdrawn after the start: eligible, not active
    enrol(p[4], s["A"])
    ContributionFactory(
        session=s["A"], author=p[4], kind=INSIGHT, hidden_at=at(10, 11), hidden_reason="Names a colleague"
    )
    enrol(p[5], s["A"])
    ContributionFactory(session=s["A"], author=p[5], kind=STORY, withdrawn_at=at(9))  # withdrawn contribution
    enrol(p[6], s["A"])
    ContributionFactory(session=s["A"], author=p[6], kind=INSIGHT, recorded_by=officer)  # on behalf: active
    enrol(p[7], s["A"])
    enrol(p[7], s["B"])
    ContributionFactory(session=s["B"], author=p[7], kind=CHALLENGE)  # active through B, counted once
    enrol(p[8], s["B"])
    ContributionFactory(session=s["C"], author=p[8], kind=INSIGHT)  # only in a session not held
    enrol(p[9], s["C"])
    ContributionFactory(session=s["C"], author=p[9], kind=INSIGHT)  # module without a held session
    enrol(p[10], s["D"])  # cancelled session only
    enrol(p[11], s["E"])
    ContributionFactory(session=s["E"], author=p[11], kind=INSIGHT)  # April
    enrol(p[12], s["F"])
    ContributionFactory(session=s["F"], author=p[12], kind=STORY)  # eligible and active in F
    enrol(p[13], s["A"])
    ContributionFactory(session=s["B"], author=p[13], kind=INSIGHT)  # active only where not eligible
    enrol(p[14], s["A"], withdrawn_at=at(10))  # withdrawn exactly at the start: not before it
    # p1 moved department after A; p7 between A and B.
    person_place(person=p[1], department=new_department, location=p[1].location, job_role=p[1].job_role, at=at(12))
    p7_old = p[7].department
    person_place(person=p[7], department=new_department, location=p[7].location, job_role=p[7].job_role, at=at(15))
    return {"s": s, "p": p, "old_department": old_department, "new_department": new_department, "p7_old": p7_old}


def test_feedback_sessions_held_in_counts_held_sessions_by_local_start(march):
    s = march["s"]

    held = selectors.feedback_sessions_held_in(start=MARCH, end=APRIL)

    assert set(held.values_list("pk", flat=True)) == {s["A"].pk, s["B"].pk, s["F"].pk}


def test_feedback_participation_matches_hand_computed_counts(march):
    p = march["p"]

    result = selectors.feedback_participation(start=MARCH, end=APRIL)

    assert result.sessions == 3
    assert result.eligible == 10  # p1 p3 p4 p5 p6 p7 p8 p12 p13 p14
    assert result.active == 4  # p1 p6 p7 p12
    active_ids = {r["person_id"] for r in result.rows if r["is_active"]}
    assert active_ids == {p[1].pk, p[6].pk, p[7].pk, p[12].pk}


def test_feedback_participation_rows_one_per_person_and_session(march):
    s, p = march["s"], march["p"]

    rows = list(selectors.feedback_participation(start=MARCH, end=APRIL).rows)

    pairs = {(r["session_id"], r["person_id"]) for r in rows}
    expected_a = {p[n].pk for n in (1, 3, 4, 5, 6, 7, 13, 14)}
    assert pairs == (
        {(s["A"].pk, pk) for pk in expected_a} | {(s["B"].pk, p[7].pk), (s["B"].pk, p[8].pk)} | {(s["F"].pk, p[12].pk)}
    )
    assert len(rows) == 11
    assert all(r["module_id"] == FeedbackSession.objects.get(pk=r["session_id"]).module_id for r in rows)


def test_feedback_participation_rows_carry_placement_at_session_start(march):
    s, p = march["s"], march["p"]

    rows = {(r["session_id"], r["person_id"]): r for r in selectors.feedback_participation(start=MARCH, end=APRIL).rows}

    assert rows[(s["A"].pk, p[1].pk)]["department_id"] == march["old_department"].pk
    assert rows[(s["A"].pk, p[7].pk)]["department_id"] == march["p7_old"].pk
    assert rows[(s["B"].pk, p[7].pk)]["department_id"] == march["new_department"].pk
    assert rows[(s["B"].pk, p[8].pk)]["location_id"] == p[8].location_id
    assert rows[(s["B"].pk, p[8].pk)]["job_role_id"] == p[8].job_role_id


def test_feedback_participation_uses_three_queries_whatever_the_size(march):
    with CaptureQueriesContext(connection) as ctx:
        result = selectors.feedback_participation(start=MARCH, end=APRIL)
    assert len(ctx.captured_queries) == 2  # the session count and the distinct counts; rows stay lazy
    with CaptureQueriesContext(connection) as ctx:
        list(result.rows)
    assert len(ctx.captured_queries) == 1


def test_feedback_participation_empty_month_has_no_sessions(march):
    result = selectors.feedback_participation(start=dt.datetime(2025, 2, 1, tzinfo=SAST), end=MARCH.replace(year=2025))

    assert (result.sessions, result.eligible, result.active, result.has_sessions) == (0, 0, 0, False)
    assert list(result.rows) == []


def test_feedback_participation_hide_after_the_fact_drops_person_at_next_build(march):
    p = march["p"]
    Contribution.objects.filter(author=p[12]).update(hidden_at=at(31), hidden_reason="Off topic")

    result = selectors.feedback_participation(start=MARCH, end=APRIL)

    assert (result.eligible, result.active) == (10, 3)


def test_feedback_learnings_shared_in_counts_visible_insights_and_stories_of_held_sessions(march):
    p = march["p"]

    learnings = list(selectors.feedback_learnings_shared_in(start=MARCH, end=APRIL))

    # p1, p2 and p6 (recorded on behalf) in A; p13 in B; p12's success story in F. Not: p4 hidden,
    # p5 withdrawn, p7's challenge, p8/p9 in the session not held, p11 in April.
    assert sorted(r["author_id"] for r in learnings) == sorted(p[n].pk for n in (1, 2, 6, 13, 12))
    by_author = {r["author_id"]: r for r in learnings}
    assert by_author[p[1].pk]["department_id"] == march["old_department"].pk
    assert by_author[p[12].pk]["kind"] == "success_story"


def test_session_participation_counts_attended_from_invitations(march):
    s, p = march["s"], march["p"]
    InvitationFactory(session=s["A"], person=p[1], attendance=Invitation.Attendance.PRESENT)
    InvitationFactory(session=s["A"], person=p[3], attendance=Invitation.Attendance.LATE)
    InvitationFactory(session=s["A"], person=p[4], attendance=Invitation.Attendance.ABSENT)

    counts = selectors.session_participation(session=s["A"])

    assert counts == {"eligible": 8, "attended": 2, "active": 2, "invited": 3, "unrecorded": 0}


def test_module_sessions_gives_counts_for_live_sessions_only(db):
    module = ModuleFactory()
    cancelled = FeedbackSessionFactory(module=module, state=CANCELLED, cancel_reason="Clash with the audit")
    live = FeedbackSessionFactory(module=module, state=SCHEDULED, starts_at=cancelled.starts_at + dt.timedelta(days=1))

    rows = selectors.module_sessions(module=module)

    assert [r["session"] for r in rows] == [live, cancelled]
    assert rows[0]["counts"] == {"eligible": 0, "attended": 0, "active": 0, "invited": 0, "unrecorded": 0}
    assert rows[1]["counts"] is None


def test_session_contributions_participant_sees_visible_and_own_hidden(session, employee, peer, officer):
    mine_hidden = ContributionFactory(session=session, author=employee, hidden_at=at(1), hidden_reason="Rude")
    peers_hidden = ContributionFactory(session=session, author=peer, hidden_at=at(1), hidden_reason="Rude")
    visible = ContributionFactory(session=session, author=peer)
    ContributionFactory(session=session, author=peer, withdrawn_at=at(1))

    assert list(selectors.session_contributions(session=session, viewer=employee)) == [mine_hidden, visible]
    assert list(selectors.session_contributions(session=session, viewer=peer)) == [peers_hidden, visible]
    assert list(selectors.session_contributions(session=session, viewer=officer, facilitating=True)) == [
        mine_hidden,
        peers_hidden,
        visible,
    ]


def test_session_summary_groups_visible_contributions_with_visible_suggestions(session, employee, peer):
    challenge = ContributionFactory(session=session, author=employee, kind=CHALLENGE, highlighted=True)
    kept = SuggestionFactory(contribution=challenge, author=peer)
    SuggestionFactory(contribution=challenge, author=peer, hidden_at=at(1), hidden_reason="Sarcastic")
    story = ContributionFactory(session=session, author=peer, kind=STORY)
    ContributionFactory(session=session, author=peer, kind=STORY, hidden_at=at(1), hidden_reason="Private")
    ContributionFactory(session=session, author=peer, kind=INSIGHT)

    summary = selectors.session_summary(session=session)

    assert summary["highlighted"] == [challenge]
    assert summary["challenges"] == [challenge]
    assert list(summary["challenges"][0].suggestions.all()) == [kept]
    assert summary["success_stories"] == [story]


def test_feedback_newsletter_candidates_are_highlighted_visible_of_held_sessions(march):
    s, p = march["s"], march["p"]
    picked = Contribution.objects.get(author=p[1])
    picked.highlighted = True
    picked.save()
    Contribution.objects.filter(author=p[4]).update(highlighted=True)  # hidden
    Contribution.objects.filter(author=p[9]).update(highlighted=True)  # session not held

    assert list(selectors.feedback_newsletter_candidates()) == [picked]
    assert list(selectors.feedback_newsletter_candidates(start=APRIL)) == []
    assert list(selectors.feedback_newsletter_candidates(start=MARCH, end=APRIL)) == [picked]
    assert s["A"].pk == picked.session_id


def test_learning_log_entries_lists_sessions_attended_and_contributions(march, officer):
    s, p = march["s"], march["p"]
    InvitationFactory(session=s["A"], person=p[6], attendance=Invitation.Attendance.PRESENT)
    InvitationFactory(session=s["C"], person=p[6], attendance=Invitation.Attendance.PRESENT)  # not held
    InvitationFactory(session=s["B"], person=p[6], attendance=Invitation.Attendance.ABSENT)
    Contribution.objects.filter(author=p[6]).update(created_at=at(9))

    entries = selectors.learning_log_entries(person=p[6])

    assert [(e.kind, e.verb) for e in entries] == [("feedback_session", VERB_ATTENDED), ("contribution", VERB_SHARED)]
    attended, shared = entries
    assert attended.when == s["A"].starts_at
    assert attended.title == "Feedback session: A"
    assert attended.url == f"/feedback/{s['A'].pk}/"
    assert attended.object_id == f"feedback.feedbacksession:{s['A'].pk}"
    assert shared.title == "Insight in the feedback session on A"
    assert shared.detail.endswith("(recorded by the officer)")


def test_learning_log_entries_respects_bounds_and_hides_hidden(march):
    p = march["p"]
    Contribution.objects.filter(author=p[1]).update(created_at=at(9))

    assert [e.kind for e in selectors.learning_log_entries(person=p[1], start=at(8), end=at(10))] == ["contribution"]
    assert selectors.learning_log_entries(person=p[1], start=at(10)) == []
    assert selectors.learning_log_entries(person=p[4]) == []  # only a hidden contribution


def test_console_version_changes_when_a_suggestion_arrives(session, employee, peer):
    challenge = ContributionFactory(session=session, author=employee, kind=CHALLENGE)
    before = selectors.console_version(session=session)

    SuggestionFactory(contribution=challenge, author=peer)

    assert selectors.console_version(session=session) != before


def test_next_session_for_counts_my_visible_contributions(session, employee, peer):
    ContributionFactory(session=session, author=employee)
    ContributionFactory(session=session, author=employee, withdrawn_at=at(1))
    ContributionFactory(session=session, author=peer)

    upcoming = selectors.next_session_for(person=employee)

    assert upcoming == session
    assert upcoming.my_contributions == 1


def test_session_participation_cached_is_kept_until_what_it_counts_changes(
    session, officer, employee, peer, django_assert_num_queries
):
    def counted():
        return selectors.session_participation_cached(session=session)

    assert counted() == {"eligible": 2, "attended": 0, "active": 0, "invited": 2, "unrecorded": 2}
    with django_assert_num_queries(0):
        counted()

    # Each write below goes through a service (some write in bulk, without signals); the kept counts
    # must equal a fresh count after every one of them.
    newcomer, other = UserFactory(), UserFactory()
    writes = [
        lambda: enrolment_create_many(module=session.module, people=[newcomer, other]),
        # Erased before being invited: only the withdrawal of the enrolment (in bulk) changes a count.
        lambda: personal_data_erase(person=newcomer, by=officer),
        lambda: services.session_invitations_sync(session=session),
        lambda: services.attendance_set(
            invitation=Invitation.objects.get(session=session, person=employee), attendance="late", by=officer
        ),
        lambda: services.attendance_record(
            session=session, attendance={Invitation.objects.get(session=session, person=peer).pk: "absent"}, by=officer
        ),
        lambda: services.attendance_everyone_present(session=session, by=officer),
        lambda: services.contribution_add(session=session, author=peer, kind="insight", text="One-to-ones"),
        lambda: services.contribution_hide(
            contribution=Contribution.objects.get(author=peer), reason="Off topic", by=officer
        ),
        lambda: enrolment_withdraw(enrolment=Enrolment.objects.get(person=other, module=session.module)),
    ]
    seen = []
    for write in writes:
        write()
        seen.append(counted())
        assert seen[-1] == selectors.session_participation(session=session)
    assert [c["eligible"] for c in seen] == [4, 3, 3, 3, 3, 3, 3, 3, 2]
    assert [c["active"] for c in seen] == [0, 0, 0, 0, 0, 0, 1, 0, 0]
    assert seen[-1] == {"eligible": 2, "attended": 2, "active": 0, "invited": 3, "unrecorded": 0}


def test_session_participation_cached_counts_a_moved_session_again(session, employee):
    selectors.session_participation_cached(session=session)
    Enrolment.objects.filter(person=employee).update(
        status=Enrolment.Status.WITHDRAWN, withdrawn_at=session.starts_at + dt.timedelta(hours=1)
    )

    # Moved by update(), which sends no signal: the new start is part of the key.
    later = dt.timedelta(days=1)
    FeedbackSession.objects.filter(pk=session.pk).update(starts_at=F("starts_at") + later, ends_at=F("ends_at") + later)
    session.refresh_from_db()

    assert selectors.session_participation_cached(session=session)["eligible"] == 1
