"""A hand-computed June 2026 (Johannesburg time) with every edge case of DESIGN.md's definitions.

The expected figures are written out in `EXPECTED` and derived in comments next to the data.
"""

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from cafes.models import Cafe, TalkProposal
from circles.models import Round
from feedback.models import Contribution, FeedbackSession
from reflections.models import Adoption, Reflection
from saypro.core.models import Enrolment
from saypro.core.services import person_place
from tests.factories import DepartmentFactory, EnrolmentFactory, ModuleFactory, UserFactory
from tests.factories.cafes import CafeFactory, RsvpFactory, TalkFactory
from tests.factories.circles import CircleFactory, MembershipFactory, RoundFactory
from tests.factories.feedback import ContributionFactory, FeedbackSessionFactory
from tests.factories.reflections import AdoptionFactory, CommentFactory, ReflectionFactory

JHB = ZoneInfo("Africa/Johannesburg")


def at(day: int, hour: int = 10, minute: int = 0, month: int = 6) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=JHB)


@dataclass
class June:
    people: dict = field(default_factory=dict)
    departments: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)


@pytest.fixture
def june(db, officer):
    d = June()
    for name in ("Finance", "HR", "IT", "Sales"):
        d.departments[name] = DepartmentFactory(name=name)
    dep = d.departments

    def person(key, department):
        d.people[key] = UserFactory(department=dep[department])
        return d.people[key]

    # --- feedback sessions --------------------------------------------------------------------
    module_a, module_b, module_c = ModuleFactory(), ModuleFactory(), ModuleFactory()
    s1 = FeedbackSessionFactory(module=module_a, state=FeedbackSession.State.HELD, starts_at=at(10))
    # 23:30 on 30 June in Johannesburg is still June.
    s2 = FeedbackSessionFactory(module=module_b, state=FeedbackSession.State.HELD, starts_at=at(30, 23, 30))
    # 00:30 on 1 July in Johannesburg (22:30 on 30 June in UTC) is July.
    s3 = FeedbackSessionFactory(module=module_c, state=FeedbackSession.State.HELD, starts_at=at(1, 0, 30, month=7))
    # Scheduled, never held: does not count.
    s4 = FeedbackSessionFactory(module=ModuleFactory(), state=FeedbackSession.State.SCHEDULED, starts_at=at(12))
    d.objects.update(s1=s1, s2=s2, s3=s3, s4=s4)

    p1 = person("p1", "Finance")
    # p1 moved from Finance to HR on 5 June: at the session (10 June) p1 counts for HR.
    person_place(person=p1, department=dep["HR"], location=p1.location, job_role=p1.job_role, at=at(5))
    p2, p3, p4, p5, p6, p7 = (person(k, "IT") for k in ("p2", "p3", "p4", "p5", "p6", "p7"))
    for p in (p1, p2, p5):
        EnrolmentFactory(person=p, module=module_a)
    # Withdrawn before the session: not eligible. Withdrawn after it: still eligible.
    EnrolmentFactory(person=p3, module=module_a, status=Enrolment.Status.WITHDRAWN, withdrawn_at=at(1))
    EnrolmentFactory(person=p4, module=module_a, status=Enrolment.Status.WITHDRAWN, withdrawn_at=at(11))
    EnrolmentFactory(person=p6, module=module_b)
    EnrolmentFactory(person=p7, module=module_c)

    ContributionFactory(session=s1, author=p1, kind=Contribution.Kind.INSIGHT, department=dep["HR"])
    ContributionFactory(
        session=s1, author=p2, kind=Contribution.Kind.CHALLENGE, hidden_at=at(10, 11), hidden_reason="Off topic"
    )
    ContributionFactory(session=s1, author=p3, kind=Contribution.Kind.INSIGHT)  # shared, but p3 is not eligible
    ContributionFactory(session=s1, author=p4, kind=Contribution.Kind.SUCCESS_STORY, recorded_by=officer)
    ContributionFactory(session=s1, author=p5, kind=Contribution.Kind.CHALLENGE)
    ContributionFactory(session=s2, author=p6, kind=Contribution.Kind.INSIGHT)
    ContributionFactory(session=s3, author=p7, kind=Contribution.Kind.INSIGHT)  # July
    ContributionFactory(session=s4, author=p7, kind=Contribution.Kind.INSIGHT)  # not held
    # Eligible in June: p1, p2, p4, p5 (session 1) and p6 (session 2) = 5.
    # Active: p1 (insight), p4 (recorded on their behalf), p5 (challenge), p6 = 4 → 4/5.
    # Feedback learnings: insights and success stories, visible, held in June: p1, p3, p4, p6 = 4.

    # --- learning board -------------------------------------------------------------------------
    a1 = person("a1", "Finance")
    a2 = person("a2", "HR")
    r1 = ReflectionFactory(author=a1, state="submitted", visibility="colleagues", now=at(15))
    # Shared with colleagues in June, then made private again: drops out.
    r2 = ReflectionFactory(author=a1, state="submitted", visibility="colleagues", now=at(16))
    Reflection.objects.filter(pk=r2.pk).update(visibility="private")
    r3 = ReflectionFactory(author=a2, state="validated", visibility="colleagues", now=at(20, month=5))  # May
    r4 = ReflectionFactory(author=a2, state="submitted", visibility="colleagues", now=at(17))
    Reflection.objects.filter(pk=r4.pk).update(is_hidden=True, hidden_reason="Names a client")
    d.objects.update(r1=r1, r2=r2, r3=r3, r4=r4)
    # Board learnings in June: r1 only = 1.

    e1 = person("e1", "IT")
    e2 = person("e2", "Finance")
    e3 = person("e3", "Sales")
    CommentFactory(reflection=r1, author=e1, created_at=at(18))  # Finance → IT
    AdoptionFactory(reflection=r1, person=e2, kind=Adoption.Kind.WILL_TRY, created_at=at(18))  # same department
    AdoptionFactory(reflection=r1, person=e1, kind=Adoption.Kind.TRIED, created_at=at(25))  # Finance → IT
    CommentFactory(reflection=r3, author=e3, created_at=at(2))  # HR → Sales, on a reflection shared in May
    CommentFactory(reflection=r2, author=e1, created_at=at(18))  # private again: not an engagement
    CommentFactory(reflection=r1, author=e3, created_at=at(19), is_hidden=True, hidden_reason="Rude")
    CommentFactory(reflection=r1, author=a1, created_at=at(19))  # the author answering: no transfer
    CommentFactory(reflection=r1, author=e3, created_at=at(1, 0, 30, month=7))  # July
    # Cross-department: reflections r1, r3 = 2; engagements 3; pairs Finance→IT, HR→Sales = 2.

    # --- circles ----------------------------------------------------------------------------------
    rnd = RoundFactory(state=Round.State.PUBLISHED, meets_at=at(24), signup_deadline=at(20))
    c1, c2 = CircleFactory(round=rnd), CircleFactory(round=rnd)
    for key, department, attended in (("m1", "Finance", True), ("m2", "HR", True), ("m3", "IT", True),
                                      ("m4", "IT", False)):  # fmt: skip
        MembershipFactory(circle=c1, person=person(key, department), attended=attended)
    for key in ("m5", "m6", "m7"):
        MembershipFactory(circle=c2, person=person(key, "Sales"), attended=True)
    # Attendance 6/7; mix index mean(3/4, 1/3) = 13/24.
    from circles.models import Learning

    Learning.objects.create(circle=c1, author=d.people["m1"], department=dep["Finance"], body="x", body_html="x",
                            created_at=at(24, 12))  # fmt: skip
    Learning.objects.create(circle=c1, author=d.people["m2"], department=dep["HR"], body="x", body_html="x",
                            created_at=at(24, 12), is_hidden=True, hidden_reason="Private detail")  # fmt: skip
    Learning.objects.create(circle=c2, author=d.people["m5"], department=dep["Sales"], body="x", body_html="x",
                            created_at=at(1, 0, 30, month=7))  # fmt: skip
    # Circle learnings in June: 1.

    # --- cafés ------------------------------------------------------------------------------------
    cafe = CafeFactory(state=Cafe.State.HELD, starts_at=at(20, 15))
    cancelled = CafeFactory(state=Cafe.State.CANCELLED, starts_at=at(21, 15))
    TalkFactory(cafe=cafe, speaker=person("s1", "Sales"), state=TalkProposal.State.DELIVERED, position=1,
                department=dep["Sales"])  # fmt: skip
    TalkFactory(cafe=cancelled, speaker=person("s2", "IT"), state=TalkProposal.State.DELIVERED, position=1,
                department=dep["IT"])  # fmt: skip
    RsvpFactory(cafe=cafe, person=e1, attended=True)
    RsvpFactory(cafe=cafe, person=e2, attended=False)
    # Talks delivered in June: 1. Café attendance: 1.
    return d


EXPECTED = {
    "sessions_held": 2,
    "participation": (4, 5),
    "learnings_shared": 4 + 1 + 1 + 1,
    "channel": {"feedback": 4, "board": 1, "circles": 1, "cafes": 1},
    "cross_department_reflections": 2,
    "cross_department_engagements": 3,
    "cross_department_pairs": 2,
    "circle_attendance": (6, 7),
    "circle_mix_index": (13, 24),
    "circles_met": 2,
    "talks_given": 1,
    "cafe_attendance": 1,
}


@pytest.fixture
def june_applied(june):
    """June's commitments (docs/metrics.md "Learning applied"), added to the hand-computed June.

    r1 is Finance's (a1), shared 15 June; r3 is HR's (a2), shared in May; r4 is hidden.
    """
    from datetime import date

    from tests.factories import JobRoleFactory, LocationFactory

    dep, r1, r3, r4 = june.departments, june.objects["r1"], june.objects["r3"], june.objects["r4"]
    here, there = LocationFactory(name="Johannesburg office"), LocationFactory(name="Durban office")
    analyst, lead = JobRoleFactory(name="Analyst"), JobRoleFactory(name="Team lead")
    Reflection.objects.filter(pk=r1.pk).update(location=here, job_role=analyst)

    def commit(key, reflection, department, made, due, *, location=here, job_role=analyst, **outcome):
        person = UserFactory(department=dep[department], location=location, job_role=job_role)
        june.people[key] = person
        june.objects[key] = Adoption.objects.create(
            reflection=reflection, person=person, kind=Adoption.Kind.WILL_TRY, created_at=made,
            commitment_due=due, department=dep[department], location=location, job_role=job_role, **outcome,
        )  # fmt: skip

    # Due 20 June, tried on the 19th: in the window. IT ≠ Finance; same location and role.
    commit("c1", r1, "IT", at(16), date(2026, 6, 20), outcome="tried", outcome_at=at(19))
    # Due 30 June, tried 00:30 on 1 July in Johannesburg (22:30 on 30 June in UTC): after the window.
    commit("c2", r1, "Finance", at(16), date(2026, 6, 30), outcome="tried", outcome_at=at(1, 0, 30, month=7))
    # Due 25 June, tried 23:30 that day: in the window. HR ≠ Finance, Durban ≠ Johannesburg, lead ≠ analyst.
    commit("c3", r1, "HR", at(16), date(2026, 6, 25), location=there, job_role=lead, outcome="tried",
           outcome_at=at(25, 23, 30))  # fmt: skip
    # Made in May, due 10 June, "won't": due, not tried.
    commit("c4", r3, "Sales", at(25, month=5), date(2026, 6, 10), outcome="wont", outcome_at=at(10))
    # Made in May, due 5 June, moved by "not yet" to 2 July: due in July, not June.
    commit("c5", r3, "HR", at(20, month=5), date(2026, 7, 2), snoozed_once=True)
    # Made in June (28th), due in July.
    commit("c6", r3, "IT", at(28), date(2026, 7, 19), job_role=lead)
    # Made 23:30 on 30 June in Johannesburg: June.
    commit("c7", r1, "Sales", at(30, 23, 30), date(2026, 7, 21))
    # On the hidden r4: nothing counts.
    commit("c8", r4, "IT", at(18), date(2026, 6, 22), outcome="tried", outcome_at=at(20))
    # e2's "I'll try this" on r1 (18 June) has no due date: made before commitments, not one.
    return june


EXPECTED_APPLIED = {
    "commitments_made": 5,  # c1, c2, c3 (16th), c6 (28th), c7 (30th, 23:30 local)
    "commitments_due": 4,  # c1, c2, c3, c4
    "commitments_tried_in_window": 2,  # c1, c3
    "application_rate": (2, 4),
    "applied_cross_department": 2,  # c1 IT, c3 HR, from Finance
    "applied_cross_location": 1,  # c3 Durban, from Johannesburg
    "applied_cross_job_role": 1,  # c3 team lead, from analyst
    # By the committer's department: (tried in window, due, distinct people).
    "by_department": {"IT": (1, 1, 1), "Finance": (0, 1, 1), "HR": (1, 1, 1), "Sales": (0, 1, 1)},
}
