"""Export and erase of a person's own data, across the core and the four activity apps."""

import datetime as dt
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cafes.models import Cafe, Rsvp, SpeakerPreference, TalkFeedback, TalkInterest, TalkProposal
from circles.models import Learning, Membership, NeverWith, Round, Signup, StandingSignup
from feedback.models import Contribution, FeedbackSession, Invitation, Suggestion
from reflections.models import Adoption, Answer, Comment, MentorReview, Reflection
from saypro.core import services
from saypro.core.models import (
    AuditEntry,
    Enrolment,
    MentorLink,
    Notification,
    NotificationPreference,
    OutboundEmail,
    Placement,
    User,
)
from saypro.core.personal_data import (
    ERASED_NAME,
    REMOVED_TEXT,
    personal_data_erase,
    personal_data_erase_explained,
    personal_data_export,
)
from saypro.personal_data import personal_data_providers
from tests.factories import EnrolmentFactory, MentorLinkFactory, UserFactory
from tests.factories.cafes import CafeFactory, RsvpFactory, TalkFactory, TalkFeedbackFactory, on_agenda
from tests.factories.circles import CircleFactory, MembershipFactory, RoundFactory, SignupFactory, TopicFactory
from tests.factories.feedback import ContributionFactory, FeedbackSessionFactory, InvitationFactory, SuggestionFactory
from tests.factories.reflections import AdoptionFactory, CommentFactory, MentorReviewFactory, ReflectionFactory

pytestmark = pytest.mark.django_db

PAST = dt.timedelta(days=10)


def _past_held_session():
    starts = timezone.now().replace(microsecond=0) - PAST
    return FeedbackSessionFactory(
        state=FeedbackSession.State.HELD, starts_at=starts, ends_at=starts + dt.timedelta(hours=1)
    )


def _past_round(**kwargs):
    meets_at = timezone.now() - PAST
    return RoundFactory(
        signup_deadline=meets_at - dt.timedelta(days=2), meets_at=meets_at, state=Round.State.PUBLISHED, **kwargs
    )


def _held_cafe():
    return CafeFactory(state=Cafe.State.HELD, starts_at=timezone.now() - PAST)


def _learning(circle, author, body="Say the decision rights out loud."):
    return Learning.objects.create(circle=circle, author=author, body=body, body_html=f"<p>{body}</p>")


@pytest.fixture
def giver(db):
    """Someone whose name and words must never reach the employee's export."""
    return UserFactory(first_name="Zanele", last_name="Hiddengiver", email="zanele.hiddengiver@example.org")


@pytest.fixture
def world(employee, other_employee, mentor, giver):
    """The employee's records of every kind, and other people's records around them."""
    employee.first_name, employee.last_name = "Thandi", "Exporter"
    employee.save(update_fields=["first_name", "last_name"])
    w = {}
    # Reflections: one of each privacy, a review received, reactions given and received.
    w["draft"] = ReflectionFactory(author=employee, title="My draft thoughts")
    w["private"] = ReflectionFactory(
        author=employee, title="Only for me", state="submitted", visibility=Reflection.Visibility.PRIVATE
    )
    w["mentor_only"] = ReflectionFactory(author=employee, title="For my mentor", state="submitted")
    w["board"] = ReflectionFactory(
        author=employee, title="Listening first", state="submitted", visibility=Reflection.Visibility.COLLEAGUES
    )
    MentorReviewFactory(reflection=w["mentor_only"], mentor=mentor, note="Go deeper on the why.")
    CommentFactory(reflection=w["board"], author=giver, body="Giver's own board words")
    CommentFactory(reflection=w["board"], author=mentor, channel=Comment.Channel.REVIEW, body="Mentor thread words")
    AdoptionFactory(reflection=w["board"], person=giver)
    w["theirs_on_board"] = ReflectionFactory(
        author=other_employee, title="Their board reflection", state="submitted", visibility="colleagues"
    )
    w["theirs_private"] = ReflectionFactory(
        author=other_employee, title="Their secret reflection", state="submitted", visibility="private"
    )
    CommentFactory(reflection=w["theirs_on_board"], author=employee, body="My comment on their reflection")
    AdoptionFactory(reflection=w["theirs_on_board"], person=employee, kind=Adoption.Kind.TRIED, note="It worked")
    # Feedback sessions: invited to a held and a coming session; contributions; suggestions both ways.
    held = _past_held_session()
    w["held_session"] = held
    InvitationFactory(session=held, person=employee, attendance="present")
    w["coming_session"] = FeedbackSessionFactory()
    InvitationFactory(session=w["coming_session"], person=employee)
    w["insight"] = ContributionFactory(session=held, author=employee, text="My insight on delegation")
    w["challenge"] = ContributionFactory(session=held, author=employee, kind="challenge", text="My challenge")
    ContributionFactory(
        session=held, author=employee, text="Withdrawn words", withdrawn_at=timezone.now() - dt.timedelta(days=11)
    )
    SuggestionFactory(contribution=w["challenge"], author=giver, text="Giver's suggestion text")
    their_challenge = ContributionFactory(session=held, author=giver, kind="challenge", text="Giver's challenge")
    SuggestionFactory(contribution=their_challenge, author=employee, text="My suggestion to them")
    # Circles: a circle that met with a learning, a sign-up, a standing opt-in and a never-with rule.
    past_round = _past_round()
    w["past_circle"] = CircleFactory(round=past_round, host=employee)
    MembershipFactory(circle=w["past_circle"], person=employee, attended=True)
    MembershipFactory(circle=w["past_circle"], person=giver, attended=True)
    _learning(w["past_circle"], employee)
    _learning(w["past_circle"], giver, body="Giver's learning words")
    open_round = RoundFactory(topics=[TopicFactory(name="Delegation")])
    SignupFactory(round=open_round, person=employee)
    StandingSignup.objects.create(person=employee, topic_ids=[open_round.topics.get().pk])
    NeverWith.objects.create(person=employee, other=other_employee)
    NeverWith.objects.create(person=giver, other=employee)
    # Cafés: a delivered talk with three pieces of feedback, feedback given, an RSVP, an interest.
    cafe = _held_cafe()
    w["talk"] = TalkFactory(speaker=employee, cafe=cafe, state=TalkProposal.State.DELIVERED, position=1)
    for i, person in enumerate([giver, other_employee, mentor]):
        TalkFeedbackFactory(talk=w["talk"], giver=person, clarity=3 + (i == 0), worked=f"Worked {i}")
    their_talk = TalkFactory(speaker=giver, cafe=cafe, state=TalkProposal.State.DELIVERED, position=2)
    TalkFeedbackFactory(talk=their_talk, giver=employee, worked="My kind words to the speaker")
    RsvpFactory(cafe=cafe, person=employee, attended=True)
    TalkInterest.objects.create(talk=TalkFactory(speaker=giver), person=employee)
    SpeakerPreference.objects.create(person=employee, notify_new_feedback=True)
    # Core: an enrolment, notifications, a preference, an e-mail, an allauth address.
    w["enrolment"] = EnrolmentFactory(person=employee)
    services.notification_create(recipient=employee, kind="k", title="Your own notice")
    services.notification_create(recipient=giver, kind="k", title="Giver's notice")
    NotificationPreference.objects.create(person=employee, kind="board", delivery="digest")
    services.email_queue(
        recipient=employee, kind="k", key="one", subject="An e-mail for you", template="email/notification"
    )
    EmailAddress.objects.create(user=employee, email=employee.email, verified=True, primary=True)
    return w


# --- the registry ------------------------------------------------------------------------------------


def test_personal_data_providers_lists_every_app_in_order():
    assert [section for section, _ in personal_data_providers()] == [
        "reflections",
        "feedback",
        "circles",
        "cafes",
        "api",
    ]


def test_personal_data_providers_skips_an_app_without_the_module(monkeypatch):
    monkeypatch.setattr(
        "saypro.personal_data.PERSONAL_DATA_PROVIDERS",
        [("reflections", "reflections.personal_data"), ("nothing", "reflections.no_such_module")],
    )

    assert [section for section, _ in personal_data_providers()] == ["reflections"]


def test_personal_data_erase_explained_has_a_section_per_app():
    titles = [title for title, _ in personal_data_erase_explained()]

    assert titles == ["Your account", "Reflections", "Feedback sessions", "Circles", "Knowledge cafés"]


# --- export ------------------------------------------------------------------------------------------


def test_export_holds_the_profile_and_core_records(employee, mentor, world):
    data = personal_data_export(person=employee)

    assert data["format"] == "saypro-personal-data/1"
    assert data["profile"]["email"] == employee.email
    assert (data["profile"]["first_name"], data["profile"]["last_name"]) == ("Thandi", "Exporter")
    assert data["profile"]["department"] == employee.department.name
    assert data["profile"]["roles"] == ["Employee"]
    assert data["email_addresses"] == [{"email": employee.email, "verified": True, "primary": True}]
    assert len(data["placements"]) == 1 and data["placements"][0]["to"] is None
    assert [(e["module"], e["status"]) for e in data["enrolments"]] == [(world["enrolment"].module.title, "enrolled")]
    assert [m["mentor"] for m in data["mentors"]] == [mentor.full_name]
    assert data["mentees"] == []
    assert [n["title"] for n in data["notifications"]] == ["Your own notice"]
    assert data["notification_preferences"]["board"] == "digest"
    assert [e["subject"] for e in data["emails"]] == ["[SayPro] An e-mail for you"]


def test_export_holds_the_persons_reflections_and_what_they_wrote(employee, world):
    section = personal_data_export(person=employee)["reflections"]

    by_title = {r["title"]: r for r in section["reflections"]}
    assert set(by_title) == {"My draft thoughts", "Only for me", "For my mentor", "Listening first"}
    assert by_title["Listening first"]["answers"] == [
        {"question": "Question 1?", "text": "I learned to **listen** first."},
        {"question": "Question 2?", "text": "I learned to **listen** first."},
    ]
    assert by_title["For my mentor"]["mentor_reviews_received"][0]["note"] == "Go deeper on the why."
    assert (by_title["Listening first"]["comments_received"], by_title["Listening first"]["will_try_received"]) == (
        2,
        1,
    )
    assert [(c["reflection"], c["body"]) for c in section["comments"]] == [
        ("Their board reflection", "My comment on their reflection")
    ]
    assert [(a["kind"], a["note"]) for a in section["adoptions"]] == [("tried", "It worked")]
    assert section["mentor_reviews_written"] == []


def test_export_holds_the_persons_feedback_session_records(employee, world):
    section = personal_data_export(person=employee)["feedback"]

    assert [(i["session"]["state"], i["attendance"]) for i in section["invitations"]] == [
        ("held", "present"),
        ("scheduled", ""),
    ]
    assert [(c["kind"], c["text"], c["suggestions_received"]) for c in section["contributions"]] == [
        ("insight", "My insight on delegation", 0),
        ("challenge", "My challenge", 1),
        ("insight", "Withdrawn words", 0),
    ]
    assert [s["text"] for s in section["suggestions"]] == ["My suggestion to them"]


def test_export_holds_the_persons_circle_records(employee, other_employee, world):
    section = personal_data_export(person=employee)["circles"]

    assert [(s["topics"], s["not_this_week"]) for s in section["signups"]] == [(["Delegation"], False)]
    assert section["standing_opt_in"]["topics"] == ["Delegation"]
    assert section["never_with"][0]["colleague"] == other_employee.full_name
    assert [(m["host"], m["attended"]) for m in section["memberships"]] == [(True, True)]
    assert [lrn["body"] for lrn in section["learnings"]] == ["Say the decision rights out loud."]


def test_export_holds_the_persons_cafe_records_with_feedback_without_givers(employee, world):
    section = personal_data_export(person=employee)["cafes"]

    [talk] = section["talks"]
    assert talk["state"] == "delivered"
    assert talk["feedback_received"] == {
        "answers": 3,
        "averages": {"clarity": 3.3, "usefulness": 4.0, "delivery": 4.0},
        "averages_shown_from": 3,
        "worked": ["Worked 0", "Worked 1", "Worked 2"],
        "try_next": ["Leave a few seconds of silence after the key point."] * 3,
    }
    assert [(f["worked"], f["clarity"]) for f in section["feedback_given"]] == [("My kind words to the speaker", 4)]
    assert [(r["status"], r["attended"]) for r in section["rsvps"]] == [("going", True)]
    assert len(section["talks_you_would_like_to_hear"]) == 1
    assert section["speaker_preferences"] == {"notify_new_feedback": True, "share_with_mentor": False}


def test_export_averages_hidden_below_three_answers(employee):
    talk = TalkFactory(speaker=employee, cafe=_held_cafe(), state=TalkProposal.State.DELIVERED, position=1)
    TalkFeedbackFactory(talk=talk)
    TalkFeedbackFactory(talk=talk, hidden_at=timezone.now(), hidden_reason="Unkind")

    [row] = personal_data_export(person=employee)["cafes"]["talks"]

    assert (row["feedback_received"]["answers"], row["feedback_received"]["averages"]) == (1, None)


def test_export_holds_nothing_of_other_people(employee, giver, world):
    text = json.dumps(personal_data_export(person=employee))

    for secret in [
        "Hiddengiver",
        "Zanele",
        giver.email,
        "Giver's own board words",
        "Giver's suggestion text",
        "Giver's challenge",
        "Giver's learning words",
        "Giver's notice",
        "Their secret reflection",
        "Mentor thread words",
    ]:
        assert secret not in text, secret


def test_export_is_json_text(employee, world):
    assert json.loads(json.dumps(personal_data_export(person=employee)))["profile"]["last_name"] == "Exporter"


def _records_of_every_kind(person, count):
    """`count` records of every kind the export lists, for the query-count pin."""
    for i in range(count):
        reflection = ReflectionFactory(author=person, state="submitted", visibility="colleagues")
        MentorReviewFactory(reflection=reflection)
        CommentFactory(reflection=reflection)
        AdoptionFactory(reflection=reflection)
        other_reflection = ReflectionFactory(state="submitted", visibility="colleagues")
        CommentFactory(reflection=other_reflection, author=person)
        AdoptionFactory(reflection=other_reflection, person=person)
        MentorReviewFactory(mentor=person)
        session = _past_held_session()
        InvitationFactory(session=session, person=person)
        challenge = ContributionFactory(session=session, author=person, kind="challenge")
        SuggestionFactory(contribution=challenge)
        SuggestionFactory(author=person)
        round = _past_round()
        SignupFactory(round=round, person=person)
        circle = CircleFactory(round=round)
        MembershipFactory(circle=circle, person=person)
        _learning(circle, person)
        NeverWith.objects.create(person=person, other=UserFactory())
        cafe = _held_cafe()
        talk = TalkFactory(speaker=person, cafe=cafe, state=TalkProposal.State.DELIVERED, position=1)
        TalkFeedbackFactory(talk=talk)
        TalkFeedbackFactory(giver=person)
        RsvpFactory(cafe=cafe, person=person)
        TalkInterest.objects.create(talk=TalkFactory(), person=person)
        EnrolmentFactory(person=person)
        MentorLinkFactory(mentee=person)
        services.notification_create(recipient=person, kind="k", title="A notice")
        EmailAddress.objects.create(user=person, email=f"alias{i}@example.org", verified=True)
        SocialAccount.objects.create(user=person, provider="company", uid=f"subject-{i}")
    StandingSignup.objects.create(person=person, topic_ids=[TopicFactory().pk])
    SpeakerPreference.objects.create(person=person)


@pytest.mark.parametrize("count", [1, 5])
def test_export_query_count_does_not_grow_with_the_records(employee, django_assert_num_queries, count):
    _records_of_every_kind(employee, count)

    # Core 12 (the calendar subscription is one, company accounts one), reflections 9, feedback 3, circles 7,
    # cafés 6, API tokens 1.
    with django_assert_num_queries(38):
        data = personal_data_export(person=employee)

    assert len(data["reflections"]["reflections"]) == count
    assert len(data["cafes"]["feedback_given"]) == count


# --- erase -------------------------------------------------------------------------------------------


def test_erase_anonymises_the_person(employee, world):
    person_pk = employee.pk

    personal_data_erase(person=employee, by=employee)

    person = User.objects.get(pk=person_pk)
    assert (person.full_name, person.first_name, person.last_name) == (ERASED_NAME, ERASED_NAME, "")
    assert person.email == f"erased-{person_pk}@invalid.example"
    assert person.has_usable_password() is False
    assert (person.is_active, person.is_staff, person.is_superuser) == (False, False, False)
    assert list(person.groups.all()) == []
    assert EmailAddress.objects.filter(user_id=person_pk).count() == 0


def test_erase_deletes_private_content(employee, world):
    personal_data_erase(person=employee, by=employee)

    assert set(Reflection.objects.filter(author=employee).values_list("pk", flat=True)) == {world["board"].pk}
    assert MentorReview.objects.filter(reflection__author=employee).count() == 0
    assert Notification.objects.filter(recipient=employee).count() == 0
    assert NotificationPreference.objects.filter(person=employee).count() == 0
    assert OutboundEmail.objects.filter(recipient=employee).count() == 0
    assert Signup.objects.filter(person=employee).count() == 0
    assert StandingSignup.objects.filter(person=employee).count() == 0
    assert NeverWith.objects.filter(person=employee).count() == 0
    assert TalkInterest.objects.filter(person=employee).count() == 0
    assert SpeakerPreference.objects.filter(person=employee).count() == 0
    assert Contribution.objects.filter(author=employee, withdrawn_at__isnull=False).count() == 0
    assert Invitation.objects.filter(person=employee, session=world["coming_session"]).count() == 0


def test_erase_takes_board_reflections_off_the_board_with_text_removed(employee, world):
    personal_data_erase(person=employee, by=employee)

    board = Reflection.objects.get(pk=world["board"].pk)
    assert (board.title, board.key_takeaway, board.search_text) == (REMOVED_TEXT, "", "")
    assert (board.is_hidden, board.hidden_reason, board.may_be_featured) == (True, REMOVED_TEXT, False)
    assert set(Answer.objects.filter(reflection=board).values_list("text", flat=True)) == {REMOVED_TEXT}
    assert list(board.comments.values_list("channel", flat=True)) == ["board"]
    assert board.adoptions.count() == 1
    assert board.events.get().action == "hidden"


def _shared_records_of(employee, world) -> dict[str, int]:
    """How many of the person's records the monthly figures count, by kind."""
    return {
        "contributions": Contribution.objects.filter(author=employee, withdrawn_at__isnull=True).count(),
        "suggestions": Suggestion.objects.filter(author=employee).count(),
        "memberships": Membership.objects.filter(person=employee).count(),
        "learnings": Learning.objects.filter(author=employee).count(),
        "talks": TalkProposal.objects.filter(speaker=employee, state="delivered").count(),
        "feedback_given": TalkFeedback.objects.filter(giver=employee).count(),
        "rsvps": Rsvp.objects.filter(person=employee, attended=True).count(),
        "comments": Comment.objects.filter(author=employee).count(),
        "adoptions": Adoption.objects.filter(person=employee).count(),
        "placements": Placement.objects.filter(person=employee).count(),
        "held_invitations": Invitation.objects.filter(person=employee, session=world["held_session"]).count(),
    }


def test_erase_keeps_the_shared_records_the_figures_count(employee, world):
    before = _shared_records_of(employee, world)

    personal_data_erase(person=employee, by=employee)

    after = _shared_records_of(employee, world)
    assert after == before == {**before, "contributions": 2, "memberships": 1, "talks": 1, "comments": 1}
    assert Contribution.objects.get(pk=world["insight"].pk).text == "My insight on delegation"


def test_erase_leaves_other_peoples_records_alone(employee, other_employee, giver, world):
    personal_data_erase(person=employee, by=employee)

    assert Reflection.objects.filter(author=other_employee).count() == 2
    assert Reflection.objects.get(pk=world["theirs_on_board"].pk).is_hidden is False
    assert Notification.objects.filter(recipient=giver).count() == 1
    assert NeverWith.objects.filter(person=giver, other=employee).count() == 1
    assert User.objects.get(pk=giver.pk).is_active is True


def test_erase_ends_mentor_links_and_withdraws_unfinished_enrolments(employee, mentor, world):
    completed = EnrolmentFactory(person=employee, status=Enrolment.Status.COMPLETED)
    mentee_link = MentorLinkFactory(mentor=employee)

    personal_data_erase(person=employee, by=employee)

    assert MentorLink.objects.filter(is_active=True, mentee=employee).count() == 0
    assert MentorLink.objects.get(pk=mentee_link.pk).is_active is False
    assert Enrolment.objects.get(pk=world["enrolment"].pk).status == "withdrawn"
    assert Enrolment.objects.get(pk=completed.pk).status == "completed"


def test_erase_deletes_the_persons_sessions_only(employee, other_employee, client, world):
    client.force_login(employee)
    other_client = type(client)()
    other_client.force_login(other_employee)

    personal_data_erase(person=employee, by=employee)

    owners = [s.get_decoded().get(SESSION_KEY) for s in Session.objects.all()]
    assert owners == [str(other_employee.pk)]


def test_erase_writes_one_audit_entry_without_personal_content(employee, world):
    email, pk = employee.email, employee.pk

    personal_data_erase(person=employee, by=employee)

    entry = AuditEntry.objects.get(action="person.erased")
    assert (entry.actor_id, entry.target_id, entry.target_repr, entry.reason) == (pk, str(pk), ERASED_NAME, "")
    text = json.dumps(entry.data)
    for personal in [email, "Thandi", "Exporter", "Listening first", "My insight"]:
        assert personal not in text
    assert entry.data["reflections"]["reflections_deleted"] == 3
    assert entry.data["core"]["notifications_deleted"] == 1


def test_erase_cancels_coming_seats_and_the_waitlist_moves_up(employee, other_employee):
    cafe = CafeFactory(capacity=1)
    RsvpFactory(cafe=cafe, person=employee, status=Rsvp.Status.GOING)
    waiting = RsvpFactory(cafe=cafe, person=other_employee, status=Rsvp.Status.WAITLIST)

    personal_data_erase(person=employee, by=employee)

    assert Rsvp.objects.get(cafe=cafe, person=employee).status == "cancelled"
    assert Rsvp.objects.get(pk=waiting.pk).status == "going"


def test_erase_withdraws_and_deletes_talks_not_delivered(employee, other_employee):
    cafe = CafeFactory(state=Cafe.State.PUBLISHED)
    [mine] = on_agenda(cafe, speaker=employee)
    [theirs] = on_agenda(cafe, speaker=other_employee)
    TalkFactory(speaker=employee, state=TalkProposal.State.PROPOSED)
    TalkFactory(speaker=employee, state=TalkProposal.State.DECLINED)
    buddy_of = TalkFactory(speaker=other_employee, wants_practice_buddy=True, practice_buddy=employee)

    personal_data_erase(person=employee, by=employee)

    assert TalkProposal.objects.filter(speaker=employee).count() == 0
    assert TalkProposal.objects.get(pk=theirs.pk).position == 1
    assert Cafe.objects.get(pk=cafe.pk).agenda_changed is True
    assert TalkProposal.objects.get(pk=buddy_of.pk).practice_buddy_id is None


def test_erase_leaves_a_coming_circle_and_hands_over_hosting(employee, other_employee):
    meets_at = timezone.now() + dt.timedelta(days=2)
    round = RoundFactory(signup_deadline=meets_at - dt.timedelta(days=3), meets_at=meets_at, state="published")
    circle = CircleFactory(round=round, host=employee)
    MembershipFactory(circle=circle, person=employee)
    MembershipFactory(circle=circle, person=other_employee)

    personal_data_erase(person=employee, by=employee)

    assert Membership.objects.get(person=employee, circle=circle).left_at is not None
    circle.refresh_from_db()
    assert circle.host_id == other_employee.pk


def test_erase_removes_a_place_in_a_round_under_review(employee):
    round = RoundFactory(state=Round.State.FORMED)
    MembershipFactory(circle=CircleFactory(round=round), person=employee)

    personal_data_erase(person=employee, by=employee)

    assert Membership.objects.filter(person=employee).count() == 0


def test_erase_by_an_officer_is_allowed(employee, officer, world):
    personal_data_erase(person=employee, by=officer)

    assert AuditEntry.objects.get(action="person.erased").actor_id == officer.pk
    assert User.objects.get(pk=employee.pk).is_active is False


def test_erase_by_another_employee_is_refused_and_changes_nothing(employee, other_employee, world):
    with pytest.raises(PermissionDenied):
        personal_data_erase(person=employee, by=other_employee)

    assert User.objects.get(pk=employee.pk).last_name == "Exporter"
    assert Reflection.objects.filter(author=employee).count() == 4


def test_erase_is_all_or_nothing(employee, world, monkeypatch):
    def fail(person):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("saypro.core.personal_data._anonymise", fail)

    with pytest.raises(RuntimeError):
        personal_data_erase(person=employee, by=employee)

    assert Reflection.objects.filter(author=employee).count() == 4
    assert Notification.objects.filter(recipient=employee).count() == 1
    assert Signup.objects.filter(person=employee).count() == 1
    assert AuditEntry.objects.filter(action="person.erased").count() == 0
    assert User.objects.get(pk=employee.pk).is_active is True


def test_erase_twice_finds_nothing_more_to_delete(employee, world):
    personal_data_erase(person=employee, by=employee)
    personal_data_erase(person=employee, by=employee)

    second = AuditEntry.objects.filter(action="person.erased").order_by("id").last()
    assert second.data["reflections"]["reflections_deleted"] == 0
    assert second.data["core"]["notifications_deleted"] == 0
