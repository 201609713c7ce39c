import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.factories.cafes import TalkFeedbackFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "page",
    ["cafe", "talkproposal", "talkinterest", "rsvp", "talkfeedback", "speakerpreference"],
)
def test_admin_changelists_open_for_officer(client_for, officer, page):
    response = client_for(officer).get(reverse(f"admin:cafes_{page}_changelist"))
    assert response.status_code == 200


def test_admin_never_shows_who_gave_feedback(client_for, officer):
    giver = UserFactory(first_name="Zanele", last_name="Hiddenname", email="zanele.hidden@example.org")
    feedback = TalkFeedbackFactory(giver=giver)
    client = client_for(officer)
    for url in (
        reverse("admin:cafes_talkfeedback_changelist"),
        reverse("admin:cafes_talkfeedback_change", args=[feedback.pk]),
    ):
        content = client.get(url).content.decode()
        assert "Hiddenname" not in content and "zanele.hidden@example.org" not in content
