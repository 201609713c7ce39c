"""The demo: the newest held session's module has an owner and its challenges form several themes."""

from feedback.demo import seed
from feedback.heard.selectors import heard_themes
from feedback.models import ChallengeTheme, ChallengeThemeMember, Contribution
from saypro.core.demo import seed_core
from saypro.core.models import Module


def test_demo_module_has_an_owner_and_themes_large_and_small_and_seeding_twice_changes_nothing(db):
    org = seed_core(people=40, seed=7)
    seed(org=org)
    counts = (Contribution.objects.count(), ChallengeTheme.objects.count(), ChallengeThemeMember.objects.count())
    seed(org=org)

    assert (
        Contribution.objects.count(),
        ChallengeTheme.objects.count(),
        ChallengeThemeMember.objects.count(),
    ) == counts
    module = Module.objects.get(owner__isnull=False)
    assert module.owner == org.mentor
    people = sorted((view.people for view in heard_themes(module=module, officer=True)), reverse=True)
    assert len(people) >= 4
    assert people[0] >= 5 and people[-1] < 5
    # Every visible challenge of every module is in a theme.
    visible = Contribution.objects.filter(kind="challenge", hidden_at__isnull=True, withdrawn_at__isnull=True)
    assert ChallengeThemeMember.objects.count() == visible.count()
