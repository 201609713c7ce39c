"""Who may do what with feedback sessions: only invited participants contribute, only officers facilitate."""

import rules

from saypro.core.roles import is_manager, is_officer


@rules.predicate
def is_invited(user, session) -> bool:
    """The person is invited to the session (an enrolled participant of its module)."""
    if session is None or not user.is_authenticated:
        return False
    return session.invitations.filter(person=user).exists()


@rules.predicate
def is_invited_to_contribution_session(user, contribution) -> bool:
    return contribution is not None and is_invited.test(user, contribution.session)


@rules.predicate
def is_contribution_author(user, contribution) -> bool:
    return contribution is not None and user.is_authenticated and contribution.author_id == user.pk


@rules.predicate
def is_challenge(user, contribution) -> bool:
    return contribution is not None and contribution.kind == "challenge"


can_view_session = is_officer | is_invited

rules.add_perm("feedback.view_session", can_view_session)
rules.add_perm("feedback.facilitate", is_officer)
rules.add_perm("feedback.contribute", is_invited)
rules.add_perm("feedback.change_own_contribution", is_contribution_author)
rules.add_perm("feedback.suggest", is_invited_to_contribution_session & is_challenge & ~is_contribution_author)
rules.add_perm("feedback.view_participation", is_officer | is_manager)


@rules.predicate
def is_module_owner(user, module) -> bool:
    """The person answers for the module's content (Module.owner)."""
    return module is not None and user.is_authenticated and module.owner_id == user.pk


# "What we heard" about a module: its challenges grouped into themes.
rules.add_perm("feedback.view_heard", is_officer | is_module_owner)
