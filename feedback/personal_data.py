"""A person's feedback-session data, for "export and delete my data" (see saypro/personal_data.py).

Export: the sessions the person was invited to with their attendance, the insights,
challenges and success stories counted for them (with how many suggestions each drew, and
whether an officer recorded it on their behalf, without naming the officer), and the
suggestions they wrote. Other participants' words and names are left out.

Erase decides per record:

- Contributions and suggestions are shared content the monthly report counts (active
  participants, peer learnings shared): they stay, with their text, under the anonymised name.
- Contributions the person withdrew count for nothing and are private: deleted.
- Invitations to sessions not yet held (proposed or scheduled) are deleted, so the person gets
  no invitation or reminder; their enrolments are withdrawn by the core, so none comes back.
  Invitations to sessions that ran keep the attendance the figures need.
"""

from __future__ import annotations

from django.db.models import Count

from saypro.core.models import User
from saypro.core.personal_data import jsonable

from .models import Contribution, FeedbackSession, Invitation, Suggestion

SECTION_TITLE = "Feedback sessions"
ERASE_EXPLAINED = [
    "Your insights, challenges, success stories and suggestions stay in their sessions under the name "
    "“Former colleague”, because they count in the monthly reports; contributions you withdrew are deleted.",
    "Your invitations to sessions not yet held are deleted; your attendance at past sessions stays, without your name.",
]


def _session(session: FeedbackSession) -> dict:
    return {
        "id": session.pk,
        "module": session.module.title,
        "starts_at": jsonable(session.starts_at),
        "state": session.state,
    }


def export(*, person: User) -> dict:
    """The person's invitations, contributions and suggestions (three queries)."""
    invitations = (
        Invitation.objects.filter(person=person).select_related("session__module").order_by("session__starts_at", "id")
    )
    contributions = (
        Contribution.objects.filter(author=person)
        .select_related("session__module")
        .annotate(suggestion_count=Count("suggestions"))
        .order_by("created_at", "id")
    )
    suggestions = (
        Suggestion.objects.filter(author=person)
        .select_related("contribution__session__module")
        .order_by("created_at", "id")
    )
    return {
        "invitations": [
            {
                "session": _session(i.session),
                "attendance": i.attendance,
                "invited_at": jsonable(i.invited_at),
            }
            for i in invitations
        ],
        "contributions": [
            {
                "session": _session(c.session),
                "kind": c.kind,
                "text": c.text,
                "recorded_on_your_behalf": c.recorded_by_id is not None and c.recorded_by_id != person.pk,
                "discussed": c.discussed,
                "highlighted": c.highlighted,
                "hidden": c.hidden_at is not None,
                "hidden_reason": c.hidden_reason,
                "withdrawn_at": jsonable(c.withdrawn_at),
                "created_at": jsonable(c.created_at),
                "updated_at": jsonable(c.updated_at),
                "suggestions_received": c.suggestion_count,
            }
            for c in contributions
        ],
        "suggestions": [
            {
                "session": _session(s.contribution.session),
                "text": s.text,
                "hidden": s.hidden_at is not None,
                "hidden_reason": s.hidden_reason,
                "created_at": jsonable(s.created_at),
            }
            for s in suggestions
        ],
    }


def erase(*, person: User) -> dict:
    """Delete withdrawn contributions and invitations to coming sessions; keep what the figures count.

    Runs inside the caller's transaction. Returns counts of what changed.
    """
    coming = Invitation.objects.filter(
        person=person, session__state__in=[FeedbackSession.State.PROPOSED, FeedbackSession.State.SCHEDULED]
    )
    coming_count = coming.count()
    coming.delete()
    withdrawn = Contribution.objects.filter(author=person, withdrawn_at__isnull=False)
    withdrawn_count = withdrawn.count()
    withdrawn.delete()
    return {
        "invitations_to_coming_sessions_deleted": coming_count,
        "withdrawn_contributions_deleted": withdrawn_count,
        "contributions_kept": Contribution.objects.filter(author=person).count(),
        "suggestions_kept": Suggestion.objects.filter(author=person).count(),
        "invitations_kept": Invitation.objects.filter(person=person).count(),
    }
