"""What people type on the circles pages: saved, or refused with a clear message next to the field and kept."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from circles.models import Circle, Learning, Membership, NeverWith, Round, Signup, SignupChoice, StandingSignup, Topic
from saypro.core.models import Notification
from tests.factories import UserFactory
from tests.factories.circles import SignupFactory

pytestmark = pytest.mark.django_db


def test_signup_page_saves_and_second_post_updates(client_for, employee, open_round, topics):
    client = client_for(employee)
    url = reverse("circles:signup")
    response = client.post(url, {"round": open_round.pk, "first_choice": topics[0].pk, "second_choice": topics[1].pk})
    assert response.status_code == 302
    response = client.post(url, {"round": open_round.pk, "first_choice": topics[2].pk})
    assert response.status_code == 302
    assert Signup.objects.filter(person=employee).count() == 1
    assert list(SignupChoice.objects.filter(signup__person=employee).values_list("topic", flat=True)) == [topics[2].pk]
    page = client.get(url).content.decode()
    assert "You are already signed up; saving again updates your sign-up." in page
    assert f'<option value="{topics[2].pk}" selected>' in page


def test_signup_page_after_deadline_says_so_and_keeps_choice(client_for, employee, open_round, topics):
    Round.objects.filter(pk=open_round.pk).update(signup_deadline=timezone.now() - dt.timedelta(minutes=1))
    response = client_for(employee).post(
        reverse("circles:signup"), {"round": open_round.pk, "first_choice": topics[1].pk}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The sign-up deadline for this week has passed." in page
    assert f'<option value="{topics[1].pk}" selected>' in page
    assert Signup.objects.count() == 0


def test_signup_page_retired_topic_message_next_to_field(client_for, employee, open_round, topics):
    Topic.objects.filter(pk=topics[0].pk).update(is_active=False)
    response = client_for(employee).post(
        reverse("circles:signup"), {"round": open_round.pk, "first_choice": topics[0].pk}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "first_choice": ["Delegation test is retired and can no longer be chosen."]
    }
    assert Signup.objects.count() == 0


def test_signup_page_without_choice_message(client_for, employee, open_round):
    response = client_for(employee).post(reverse("circles:signup"), {"round": open_round.pk})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "first_choice": ["Choose at least your first-choice topic, or tick “not this week”."]
    }


def test_signup_page_not_this_week(client_for, employee, open_round):
    response = client_for(employee).post(reverse("circles:signup"), {"round": open_round.pk, "not_this_week": "on"})
    assert response.status_code == 302
    assert Signup.objects.get(person=employee).not_this_week is True


def test_signup_page_without_open_round(client_for, employee):
    response = client_for(employee).get(reverse("circles:signup"))
    assert response.status_code == 200
    assert "No round is open for sign-up right now." in response.content.decode()


def test_signup_page_shows_nobody_elses_signup(client_for, employee, other_employee, open_round, topics):
    SignupFactory(round=open_round, person=other_employee, choices=[topics[2]])
    page = client_for(employee).get(reverse("circles:signup")).content.decode()
    assert "You are already signed up" not in page
    assert "selected>" not in page.replace('<option value="" selected>', "")


def test_standing_page_saves_and_refuses_past_pause(client_for, employee, topics):
    client = client_for(employee)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("circles:standing"), {"first_choice": topics[0].pk, "is_active": "on", "paused_until": yesterday}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"paused_until": ["Choose a date from today on, or leave it empty."]}
    assert f'value="{yesterday}"' in response.content.decode()
    assert StandingSignup.objects.count() == 0
    response = client.post(reverse("circles:standing"), {"first_choice": topics[0].pk, "is_active": "on"})
    assert response.status_code == 302
    assert StandingSignup.objects.get(person=employee).topic_ids == [topics[0].pk]


def test_never_with_page_unknown_email_kept(client_for, employee):
    response = client_for(employee).post(reverse("circles:never-with"), {"email": "nobody@example.org"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"email": ["Nobody in the organisation has this e-mail address."]}
    assert 'value="nobody@example.org"' in response.content.decode()
    assert NeverWith.objects.count() == 0


def test_never_with_page_lists_only_own_rules(client_for, employee, other_employee):
    third = UserFactory(first_name="Zanele", last_name="Hidden")
    NeverWith.objects.create(person=other_employee, other=third)
    client_for(employee).post(reverse("circles:never-with"), {"email": other_employee.email})
    page = client_for(employee).get(reverse("circles:never-with")).content.decode()
    assert other_employee.full_name in page
    assert "Zanele Hidden" not in page


def test_leave_page_allows_leaving_with_notice(client_for, employee, colleagues, upcoming_circle):
    response = client_for(colleagues[0]).post(
        reverse("circles:circle-leave", kwargs={"pk": upcoming_circle.pk}), {"reason": "Travelling"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(person=colleagues[0]).left_reason == "Travelling"
    assert Notification.objects.get(kind="circle_member_left").recipient == employee


def test_leave_page_after_meeting_refused(client_for, colleagues, met_circle):
    response = client_for(colleagues[0]).post(
        reverse("circles:circle-leave", kwargs={"pk": met_circle.pk}), {"reason": "x"}
    )
    assert response.status_code == 400
    assert "This circle has already met; leaving is no longer possible." in response.content.decode()
    assert Membership.objects.filter(left_at__isnull=False).count() == 0


def test_learning_form_too_long_keeps_text(client_for, employee, met_circle, invites):
    body = "idea " * 201
    response = client_for(employee).post(reverse("circles:learning-add", kwargs={"pk": met_circle.pk}), {"body": body})
    assert response.status_code == 400
    assert response.context["learning_form"].errors == {"body": ["Keep it short: at most 200 words (this has 201)."]}
    assert body.strip() in response.content.decode()
    assert Learning.objects.count() == 0


def test_attendance_page_records(client_for, employee, colleagues, met_circle, invites):
    response = client_for(employee).post(
        reverse("circles:circle-attendance", kwargs={"pk": met_circle.pk}),
        {"attended": [employee.pk, colleagues[1].pk]},
    )
    assert response.status_code == 302
    assert set(Membership.objects.filter(attended=True).values_list("person_id", flat=True)) == {
        employee.pk,
        colleagues[1].pk,
    }


def test_attendance_page_before_meeting_refused(client_for, employee, upcoming_circle, invites):
    response = client_for(employee).post(
        reverse("circles:circle-attendance", kwargs={"pk": upcoming_circle.pk}), {"attended": [employee.pk]}
    )
    assert response.status_code == 400
    assert "Attendance can be recorded once the circle has met." in response.content.decode()
    assert Membership.objects.filter(attended__isnull=False).count() == 0


@pytest.mark.parametrize("count", [1, 2])
def test_officer_forms_round_with_too_few_signups(client_for, officer, open_round, topics, count):
    for person in UserFactory.create_batch(count):
        SignupFactory(round=open_round, person=person, choices=[topics[0]])
    client = client_for(officer)
    response = client.post(reverse("circles:round-form", kwargs={"pk": open_round.pk}), follow=True)
    assert response.status_code == 200
    people = "person" if count == 1 else "people"
    assert f"Only {count} {people} signed up; a circle needs at least 3" in response.content.decode()
    open_round.refresh_from_db()
    assert open_round.state == Round.State.NO_CIRCLES
    assert Notification.objects.filter(kind="circle_round_not_formed").count() == count
    assert Circle.objects.count() == 0


def test_officer_moves_person_and_page_shows_new_explanation(client_for, officer, open_round, topics):
    for person in UserFactory.create_batch(9):
        SignupFactory(round=open_round, person=person, choices=[topics[0]])
    client = client_for(officer)
    client.post(reverse("circles:round-form", kwargs={"pk": open_round.pk}))
    one, two = Circle.objects.filter(round=open_round).order_by("number")
    source, target = (one, two) if one.memberships.count() == 5 else (two, one)
    person = source.memberships.first().person
    url = reverse("circles:membership-move", kwargs={"pk": open_round.pk, "person_id": person.pk})
    preview = client.get(
        reverse("circles:move-preview", kwargs={"pk": open_round.pk, "person_id": person.pk}),
        {"to_circle": target.pk},
        headers={"HX-Request": "true"},
    )
    assert f"circle {target.number} would have 5 members: 5 departments" in preview.content.decode()
    response = client.post(url, {"to_circle": target.pk})
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.memberships.count() == 5
    assert target.explanation["departments"] == 5


def test_officer_move_into_full_circle_message(client_for, officer, open_round, topics):
    for person in UserFactory.create_batch(12):
        SignupFactory(round=open_round, person=person, choices=[topics[0]])
    client = client_for(officer)
    client.post(reverse("circles:round-form", kwargs={"pk": open_round.pk}))
    circles = list(Circle.objects.filter(round=open_round).order_by("number"))
    for person in UserFactory.create_batch(6 - circles[1].memberships.count()):
        Membership.objects.create(circle=circles[1], round=open_round, person=person)
    person = circles[0].memberships.first().person
    response = client.post(
        reverse("circles:membership-move", kwargs={"pk": open_round.pk, "person_id": person.pk}),
        {"to_circle": circles[1].pk},
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "to_circle": [f"Select a valid choice. {circles[1].pk} is not one of the available choices."]
    }


def test_officer_edits_round_with_bad_slot_keeps_input(client_for, officer, open_round, topics):
    response = client_for(officer).post(
        reverse("circles:round-edit", kwargs={"pk": open_round.pk}),
        {
            "signup_deadline": "2031-05-08T17:00",
            "meets_at": "2031-05-07T12:30",
            "duration_minutes": 60,
            "place": "Boardroom",
            "topics": [topics[0].pk],
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"meets_at": ["The meeting must be after the sign-up deadline."]}
    assert 'value="Boardroom"' in response.content.decode()
    open_round.refresh_from_db()
    assert open_round.place != "Boardroom"


def test_topic_form_duplicate_name(client_for, officer):
    response = client_for(officer).post(
        reverse("circles:topic-create"), {"name": "delegation", "description": "", "prompts": "", "is_active": "on"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors == {"__all__": ["A topic with this name already exists."]}
    assert Topic.objects.filter(name__iexact="delegation").count() == 1


def test_invite_download_is_calendar_file(client_for, employee, upcoming_circle):
    response = client_for(employee).get(reverse("circles:circle-invite", kwargs={"pk": upcoming_circle.pk}))
    assert response["Content-Type"] == "text/calendar; method=REQUEST; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="circle-{upcoming_circle.pk}.ics"'
    body = response.content.decode()
    assert f"UID:circle-{upcoming_circle.pk}@saypro-share-learnings" in body
    assert "SUMMARY:Peer sharing circle: Delegation test" in body


def test_learning_posted_twice_with_one_token_saves_once(client_for, employee, met_circle, invites):
    import uuid

    url = reverse("circles:learning-add", kwargs={"pk": met_circle.pk})
    data = {"body": "Ask before advising.", "submission_token": str(uuid.uuid4())}

    assert [client_for(employee).post(url, data).status_code for _ in range(2)] == [302, 302]

    assert list(Learning.objects.values_list("body", flat=True)) == ["Ask before advising."]
    assert len(invites) == 1
