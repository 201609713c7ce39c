"""Who may do what with cafés, talks and feedback, as django-rules predicates.

Object-level refusals become 404 in the views (a private talk's existence is private too);
the officer-only pages refuse a signed-in non-officer with 403.
"""

from __future__ import annotations

import rules

from saypro.core.roles import is_employee, is_officer
from saypro.core.selectors import is_active_mentor_of

from .models import Cafe, SpeakerPreference, TalkProposal


def _shares_with_mentor(user, speaker_id: int) -> bool:
    if not user.is_authenticated or user.pk == speaker_id:
        return False
    shared = SpeakerPreference.objects.filter(person_id=speaker_id, share_with_mentor=True).exists()
    return shared and is_active_mentor_of(mentor=user, mentee_id=speaker_id)


@rules.predicate
def cafe_is_announced(user, cafe: Cafe | None) -> bool:
    """Past its draft: colleagues may see it."""
    return cafe is not None and cafe.state != Cafe.State.DRAFT


@rules.predicate
def is_speaker(user, talk: TalkProposal | None) -> bool:
    return talk is not None and talk.speaker_id == user.pk


@rules.predicate
def talk_is_public(user, talk: TalkProposal | None) -> bool:
    return talk is not None and talk.is_public


@rules.predicate
def talk_is_editable(user, talk: TalkProposal | None) -> bool:
    return talk is not None and talk.state in {TalkProposal.State.PROPOSED, TalkProposal.State.KEPT}


@rules.predicate
def talk_can_be_withdrawn(user, talk: TalkProposal | None) -> bool:
    return talk is not None and talk.state in {
        TalkProposal.State.PROPOSED,
        TalkProposal.State.KEPT,
        TalkProposal.State.ACCEPTED,
    }


@rules.predicate
def is_mentor_of_speaker_who_shares(user, talk: TalkProposal | None) -> bool:
    return talk is not None and _shares_with_mentor(user, talk.speaker_id)


@rules.predicate
def is_that_person(user, person) -> bool:
    return person is not None and person.pk == user.pk


@rules.predicate
def is_mentor_of_person_who_shares(user, person) -> bool:
    return person is not None and _shares_with_mentor(user, person.pk)


can_see_talk = is_employee & (is_officer | is_speaker | talk_is_public)

rules.add_perm("cafes.list_cafes", is_employee)
rules.add_perm("cafes.read_cafe", is_employee & (is_officer | cafe_is_announced))
rules.add_perm("cafes.manage_cafe", is_officer)
rules.add_perm("cafes.rsvp_cafe", is_employee & cafe_is_announced)
rules.add_perm("cafes.propose_talk", is_employee)
rules.add_perm("cafes.read_talk", can_see_talk)
rules.add_perm("cafes.edit_talk", is_employee & is_speaker & talk_is_editable)
rules.add_perm("cafes.withdraw_talk", is_employee & is_speaker & talk_can_be_withdrawn)
rules.add_perm("cafes.show_interest", is_employee & talk_is_public & ~is_speaker)
rules.add_perm("cafes.give_feedback", can_see_talk)
rules.add_perm("cafes.read_talk_feedback", is_employee & (is_speaker | is_officer | is_mentor_of_speaker_who_shares))
rules.add_perm("cafes.moderate_feedback", is_officer)
rules.add_perm(
    "cafes.view_speaker_growth", is_employee & (is_that_person | is_officer | is_mentor_of_person_who_shares)
)
rules.add_perm("cafes.set_speaker_preference", is_employee)
