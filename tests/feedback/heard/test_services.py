import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from feedback.heard import services
from feedback.models import ChallengeTheme, ChallengeThemeMember
from saypro.core.models import AuditEntry
from tests.factories import ModuleFactory
from tests.factories.feedback import FeedbackSessionFactory

from .conftest import DELEGATION, FEEDBACK, LONER, raise_challenge


def themes_of(module):
    """{theme name: sorted challenge texts} of the module's live themes."""
    result = {}
    for member in ChallengeThemeMember.objects.filter(theme__module=module).select_related("theme", "contribution"):
        result.setdefault(member.theme.name, []).append(member.contribution.text)
    return {name: sorted(texts) for name, texts in result.items()}


def test_update_groups_similar_challenges_and_names_themes_from_the_first(session, challenges):
    # Runs on the database of the test run: trigrams on PostgreSQL, word sets on SQLite.
    assert services.challenge_themes_update(module=session.module) == 6

    assert themes_of(session.module) == {
        "Delegating tasks feels slower than doing the tasks myself": sorted(DELEGATION),
        "Giving difficult feedback to a senior colleague makes me…": sorted(FEEDBACK),
        "The training room projector never works on Mondays": [LONER],
    }


def test_update_uses_trigrams_on_postgresql_only(session, challenges):
    # pg_trgm forgives a misspelling that the word sets cannot match.
    services.challenge_themes_update(module=session.module)
    raise_challenge(session, "Delegatin taks feel slowr than doing the taks myslf")
    services.challenge_themes_update(module=session.module)
    delegation = ChallengeTheme.objects.get(name__startswith="Delegating")
    joined = delegation.members.count() == 4
    assert joined == (connection.vendor == "postgresql")


def test_update_is_incremental_and_twice_groups_once(session, challenges):
    services.challenge_themes_update(module=session.module)
    assert services.challenge_themes_update(module=session.module) == 0
    raise_challenge(session, "I feel delegating tasks is slower than doing the tasks myself")
    assert services.challenge_themes_update(module=session.module) == 1
    assert ChallengeTheme.objects.get(name__startswith="Delegating").members.count() == 4
    assert ChallengeTheme.objects.count() == 3


def test_update_skips_hidden_and_withdrawn_challenges_and_other_kinds(session):
    raise_challenge(session, DELEGATION[0], hidden_at=timezone.now(), hidden_reason="Off topic")
    raise_challenge(session, DELEGATION[1], withdrawn_at=timezone.now())
    raise_challenge(session, DELEGATION[2]).__class__.objects.filter(text=DELEGATION[2]).update(kind="insight")
    assert services.challenge_themes_update(module=session.module) == 0
    assert ChallengeTheme.objects.count() == 0


def test_update_keeps_each_module_apart(session, challenges):
    other = FeedbackSessionFactory(module=ModuleFactory(title="Coaching"))
    raise_challenge(other, DELEGATION[0])
    assert services.challenge_themes_update_due() == 7
    assert ChallengeTheme.objects.filter(module=other.module).count() == 1


def test_officer_edits_are_kept_across_updates(session, challenges, officer):
    services.challenge_themes_update(module=session.module)
    delegation = ChallengeTheme.objects.get(name__startswith="Delegating")
    feedback = ChallengeTheme.objects.get(name__startswith="Giving")
    loner = ChallengeTheme.objects.get(name__startswith="The training room")
    services.challenge_theme_rename(theme=delegation, name="  Delegation  takes longer ", by=officer)
    services.challenge_theme_mark_addressed(theme=feedback, note="Add a role-play on upward feedback.", by=officer)
    services.challenge_theme_merge(theme=loner, into=feedback, by=officer)

    raise_challenge(session, "Delegating tasks is slower than doing the tasks myself, again")
    raise_challenge(session, "The training room projector never works, again on Mondays")
    services.challenge_themes_update(module=session.module)

    delegation.refresh_from_db()
    feedback.refresh_from_db()
    loner.refresh_from_db()
    assert (delegation.name, delegation.renamed, delegation.members.count()) == ("Delegation takes longer", True, 4)
    assert (feedback.addressed, feedback.addressed_note) == (True, "Add a role-play on upward feedback.")
    # The projector complaint now lives in the merged-into theme; the merged theme stays empty.
    assert (loner.merged_into_id, loner.members.count(), feedback.members.count()) == (feedback.pk, 0, 4)
    assert sorted(AuditEntry.objects.values_list("action", flat=True)) == [
        "feedback.theme_addressed",
        "feedback.theme_merged",
        "feedback.theme_renamed",
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [("   ", "Give the theme a name."), ("x" * 121, "Keep the name to 120 characters (it has 121).")],
)
def test_rename_refuses_bad_names_and_writes_nothing(session, challenges, officer, name, message):
    services.challenge_themes_update(module=session.module)
    theme = ChallengeTheme.objects.first()
    with pytest.raises(ValidationError) as exc:
        services.challenge_theme_rename(theme=theme, name=name, by=officer)
    assert exc.value.message_dict == {"name": [message]}
    theme.refresh_from_db()
    assert (theme.renamed, AuditEntry.objects.count()) == (False, 0)


def test_merge_refuses_itself_and_another_module(session, challenges, officer):
    services.challenge_themes_update(module=session.module)
    theme = ChallengeTheme.objects.first()
    elsewhere = ChallengeTheme.objects.create(module=ModuleFactory(), name="Elsewhere")
    with pytest.raises(ValidationError) as exc:
        services.challenge_theme_merge(theme=theme, into=theme, by=officer)
    assert exc.value.message_dict == {"into": ["Choose another theme: a theme cannot be merged into itself."]}
    with pytest.raises(ValidationError):
        services.challenge_theme_merge(theme=theme, into=elsewhere, by=officer)
    assert ChallengeTheme.objects.filter(merged_into__isnull=False).count() == 0


def test_merge_repoints_themes_merged_earlier(session, challenges, officer):
    services.challenge_themes_update(module=session.module)
    a, b, c = ChallengeTheme.objects.order_by("pk")
    services.challenge_theme_merge(theme=a, into=b, by=officer)
    services.challenge_theme_merge(theme=b, into=c, by=officer)
    a.refresh_from_db()
    assert (a.merged_into_id, c.members.count()) == (c.pk, 6)


@pytest.mark.parametrize(
    ("note", "message"),
    [("", "Say in a line what changes in the next run."), ("x" * 501, "Keep the note to 500 characters (it has 501).")],
)
def test_mark_addressed_refuses_bad_notes(session, challenges, officer, note, message):
    services.challenge_themes_update(module=session.module)
    theme = ChallengeTheme.objects.first()
    with pytest.raises(ValidationError) as exc:
        services.challenge_theme_mark_addressed(theme=theme, note=note, by=officer)
    assert exc.value.message_dict == {"note": [message]}
    theme.refresh_from_db()
    assert theme.addressed is False


def test_reopen_clears_the_mark_and_keeps_the_note_in_the_audit(session, challenges, officer):
    services.challenge_themes_update(module=session.module)
    theme = ChallengeTheme.objects.first()
    services.challenge_theme_mark_addressed(theme=theme, note="New exercise.", by=officer)
    services.challenge_theme_reopen(theme=theme, by=officer)
    theme.refresh_from_db()
    assert (theme.addressed, theme.addressed_note, theme.addressed_at) == (False, "", None)
    assert AuditEntry.objects.get(action="feedback.theme_reopened").data == {"note": "New exercise."}


def test_update_task_records_its_run(session, challenges):
    from feedback.tasks import challenge_themes_update_task
    from saypro.core.models import JobHeartbeat

    assert (challenge_themes_update_task(), challenge_themes_update_task()) == (6, 0)
    assert JobHeartbeat.objects.get(name="feedback.challenge_themes_update_task").last_result == "0"


def test_beat_runs_the_update_hourly_at_35():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["feedback-challenge-themes-update"]
    assert entry["task"] == "feedback.challenge_themes_update_task"
    assert (entry["schedule"].minute, len(entry["schedule"].hour)) == ({35}, 24)


def test_a_theme_named_from_a_challenge_hidden_later_takes_a_visible_ones_name(session, challenges, officer):
    from feedback.heard.selectors import heard_themes

    services.challenge_themes_update(module=session.module)
    delegation = ChallengeTheme.objects.get(name__startswith="Delegating tasks feels")
    first = challenges[0]
    first.hidden_at, first.hidden_reason = timezone.now(), "Names a colleague"
    first.save(update_fields=["hidden_at", "hidden_reason"])

    # The page never shows the hidden words, even before the next update.
    shown = {view.theme.pk: view.theme.name for view in heard_themes(module=session.module, officer=True)}
    assert shown[delegation.pk] == "When delegating tasks I end up redoing the tasks…"
    assert services.challenge_themes_update_due() == 0
    delegation.refresh_from_db()
    assert (delegation.name, delegation.named_from_id) == (
        "When delegating tasks I end up redoing the tasks…",
        challenges[1].pk,
    )


def test_an_officers_name_stays_when_the_naming_challenge_goes(session, challenges, officer):
    services.challenge_themes_update(module=session.module)
    delegation = ChallengeTheme.objects.get(name__startswith="Delegating tasks feels")
    services.challenge_theme_rename(theme=delegation, name="Delegation is slow at first", by=officer)
    challenges[0].delete()  # as a personal-data erase of a withdrawn challenge does
    services.challenge_themes_update(module=session.module)
    delegation.refresh_from_db()
    assert (delegation.name, delegation.named_from_id) == ("Delegation is slow at first", None)
