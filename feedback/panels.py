"""The home page panels: the person's next feedback session, and what was heard about their modules."""

from __future__ import annotations

from saypro.core.fragments import PersonalCache, panel_rendered
from saypro.core.person_cache import ROLES
from saypro.core.selectors import HOME_PANELS

from . import selectors
from .models import FeedbackSession

# Kept per person: stale when one of their invitations or contributions is written, when a session
# or a module is (HOME_PANELS), when roles change (officers see every session), and when the
# session shown ends (FeedbackConfig.ready).
HOME_CACHE = PersonalCache("home:feedback", shared=[HOME_PANELS, ROLES])
# Kept per module owner: stale when a contribution to one of their modules' sessions is written.
HEARD_HOME_CACHE = PersonalCache("home:heard", shared=[HOME_PANELS])


def home_panel(*, person) -> dict | None:
    """Shown to everyone who has been invited to a session; no query when cached, one when not."""
    if not person.is_authenticated:
        return None

    def read():
        session, sees_any = selectors.session_next_for_home(person=person)
        if not sees_any:
            return None, None
        panel = {
            "title": "Your next feedback session",
            "template": "feedback/partials/home_panel.html",
            "session": session,
        }
        # The next session stops being next when it ends; none coming, only a write changes that.
        return panel_rendered(panel, person=person), (session.ends_at if session is not None else None)

    return HOME_CACHE.get_or_set(person_id=person.pk, compute=read)


def heard_home_panel(*, person) -> dict | None:
    """ "What we heard about your modules", for module owners; no query when cached, one when not."""
    from .heard.selectors import modules_owned_with_challenges

    if not person.is_authenticated:
        return None

    def read():
        modules = modules_owned_with_challenges(person=person)
        if not modules:
            return None, None
        panel = {
            "title": "What we heard about your modules",
            "template": "feedback/partials/heard_home_panel.html",
            "modules": modules,
        }
        return panel_rendered(panel, person=person), None

    return HEARD_HOME_CACHE.get_or_set(person_id=person.pk, compute=read)


def contribution_heard_readers(contribution) -> list[int | None]:
    """Whose "what we heard" panel counts the contribution: its module's owner (one query)."""
    return list(FeedbackSession.objects.filter(pk=contribution.session_id).values_list("module__owner_id", flat=True))
