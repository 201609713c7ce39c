"""The café page's cached agenda (issue 12): never one reader's for another, never stale after a write."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from cafes import services
from cafes.models import Cafe, TalkProposal
from saypro.core.templatetags.saypro_html import html_datetime
from tests.factories import UserFactory
from tests.factories.cafes import CafeFactory, on_agenda

pytestmark = pytest.mark.django_db


def _page(client, cafe: Cafe) -> str:
    return client.get(reverse("cafes:cafe-detail", args=[cafe.pk])).content.decode()


def _signed_in(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def test_speaker_button_is_only_the_speakers_and_a_draft_only_the_officers(employee, officer):
    speaker = UserFactory(first_name="Sana", last_name="Speaker")
    cafe = CafeFactory(state=Cafe.State.PUBLISHED)
    [talk] = on_agenda(cafe, speaker=speaker, title="Two-minute check-ins")
    draft = CafeFactory(state=Cafe.State.OPEN)
    on_agenda(draft, title="Not yet announced")
    mine = reverse("cafes:talk-feedback-received", args=[talk.pk])
    # Signed in first: a sign-in saves the person, which would bump the version between readers.
    as_speaker, as_employee, as_officer = _signed_in(speaker), _signed_in(employee), _signed_in(officer)
    for _ in range(2):  # cold, then each from the cache the others filled
        assert mine in _page(as_speaker, cafe)
        employee_page = _page(as_employee, cafe)
        assert mine not in employee_page
        assert "Two-minute check-ins" in employee_page
    for _ in range(2):
        assert "Not yet announced" in _page(as_officer, draft)
        assert "Not yet announced" not in _page(as_employee, draft)


def test_agenda_is_redrawn_after_each_write_that_changes_it(client_for, employee, officer):
    speaker = UserFactory(first_name="Sana", last_name="Speaker")
    cafe = CafeFactory(state=Cafe.State.PUBLISHED)
    first, second = on_agenda(cafe, count=2, speaker=speaker)
    TalkProposal.objects.filter(pk=first.pk).update(title="First talk")
    TalkProposal.objects.filter(pk=second.pk).update(title="Second talk")
    client = client_for(employee)
    html = _page(client, cafe)
    assert html.index("First talk") < html.index("Second talk")
    # The officer moves a talk: the order changes at once.
    services.agenda_move(talk=TalkProposal.objects.get(pk=second.pk), by=officer, direction="up")
    html = _page(client, cafe)
    assert html.index("Second talk") < html.index("First talk")
    # The speaker is renamed (a person's save): the agenda shows the new name.
    speaker.first_name = "Samira"
    speaker.save()
    assert "Samira Speaker" in _page(client, cafe)
    # The café moves: the slot times follow.
    url = reverse("cafes:cafe-detail", args=[cafe.pk])
    before = client.get(url).context["agenda_section"]
    later = cafe.starts_at + dt.timedelta(hours=1)
    services.cafe_update(cafe=Cafe.objects.get(pk=cafe.pk), by=officer, starts_at=later)
    after = client.get(url).context
    assert after["agenda_section"] != before
    assert f'<time datetime="{html_datetime(after["slots"][0].starts_at)}"' in after["agenda_section"]
    # The speaker withdraws: the talk leaves the agenda.
    services.talk_withdraw(talk=TalkProposal.objects.get(pk=first.pk), by=speaker)
    html = _page(client, cafe)
    assert "First talk" not in html
    assert "Second talk" in html
    # The café is cancelled: its talks leave the agenda in bulk.
    services.cafe_cancel(cafe=Cafe.objects.get(pk=cafe.pk), by=officer, reason="The room flooded")
    assert "Second talk" not in _page(client, cafe)
