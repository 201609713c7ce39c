""" "What we heard": the module's owner reads it, officers also change it; exports; query counts."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from feedback.heard import services
from feedback.models import ChallengeTheme
from saypro.core.models import AuditEntry
from tests.factories import UserFactory
from tests.factories.feedback import ContributionFactory, SuggestionFactory
from tests.feedback.heard.conftest import DELEGATION, FEEDBACK, raise_challenge


@pytest.fixture
def owner(db, module):
    person = UserFactory(first_name="Thandi", last_name="Owner")
    module.owner = person
    module.save(update_fields=["owner"])
    return person


@pytest.fixture
def themed(session, peer):
    """Two themes: delegation (three challenges, one anonymous, one with a suggestion) and feedback (two)."""
    delegation = [raise_challenge(session, text) for text in DELEGATION]
    delegation[0].anonymous = True
    delegation[0].save(update_fields=["anonymous"])
    SuggestionFactory(contribution=delegation[1], author=peer, text="Agree what done looks like first.")
    for text in FEEDBACK:
        raise_challenge(session, text)
    ContributionFactory(
        session=session, kind="success_story", text="Delegating tasks with a written brief made my week slower at "
        "first, then the tasks came back done.",
    )  # fmt: skip
    services.challenge_themes_update(module=session.module)
    return delegation


def heard_url(module, suffix=""):
    return reverse(f"feedback:heard{suffix}", kwargs={"module_pk": module.pk})


@pytest.mark.parametrize(
    ("suffix", "method", "expected"),
    [("", "get", 200), ("-csv", "get", 200), ("-pdf", "get", 200), ("-update", "post", 403)],
)
def test_the_modules_owner_reads_but_does_not_change(client_for, owner, session, suffix, method, expected):
    response = getattr(client_for(owner), method)(heard_url(session.module, suffix))
    assert response.status_code == expected


def test_the_owner_of_another_module_is_refused(client_for, session, outsider):
    from tests.factories import ModuleFactory

    ModuleFactory(owner=outsider)
    assert client_for(outsider).get(heard_url(session.module)).status_code == 403


def test_theme_actions_refuse_the_owner(client_for, owner, themed):
    theme = ChallengeTheme.objects.first()
    for name in ("rename", "merge", "addressed", "reopen"):
        url = reverse(f"feedback:theme-{name}", kwargs={"pk": theme.pk})
        assert client_for(owner).post(url).status_code == 403, name


def test_page_shows_themes_counts_examples_and_suggestions(client_for, officer, themed):
    html = client_for(officer).get(heard_url(themed[0].session.module)).content.decode()
    assert html.count('<article class="card mb-3') == 2
    assert 'data-theme-count="3"' in html and 'data-theme-count="2"' in html
    assert "Agree what done looks like first." in html
    assert "Delegating tasks with a written brief" in html  # the success story that answers it
    # The officer sees who raised the anonymous challenge, as in the console.
    assert themed[0].author.full_name in html


def test_owner_does_not_see_who_raised_an_anonymous_challenge(client_for, owner, themed):
    html = client_for(owner).get(heard_url(themed[0].session.module)).content.decode()
    assert themed[0].author.full_name not in html
    assert "A colleague (name not shown)" in html
    assert themed[1].author.full_name in html
    assert "Update themes" not in html and "Mark addressed" not in html


def test_hidden_and_withdrawn_challenges_are_neither_counted_nor_shown(client_for, officer, themed):
    themed[2].hidden_at, themed[2].hidden_reason = timezone.now(), "Names a colleague"
    themed[2].save(update_fields=["hidden_at", "hidden_reason"])
    themed[1].withdrawn_at = timezone.now()
    themed[1].save(update_fields=["withdrawn_at"])
    html = client_for(officer).get(heard_url(themed[0].session.module)).content.decode()
    assert 'data-theme-count="1"' in html
    assert themed[2].text not in html and themed[1].text not in html
    assert "Agree what done looks like first." not in html


def test_update_button_groups_new_challenges(client_for, officer, themed):
    raise_challenge(themed[0].session, "Delegating tasks is slower than doing the tasks myself")
    response = client_for(officer).post(heard_url(themed[0].session.module, "-update"), follow=True)
    assert "1 new challenge grouped into themes." in response.content.decode()
    assert ChallengeTheme.objects.get(name__startswith="Delegating").members.count() == 4


def test_get_never_groups(client_for, officer, session):
    raise_challenge(session, DELEGATION[0])
    html = client_for(officer).get(heard_url(session.module)).content.decode()
    assert ChallengeTheme.objects.count() == 0
    assert "1 new challenge is not in a theme yet" in html


def post_theme(client, action, theme, **data):
    prefixed = {f"{action}-{theme.pk}-{key}": value for key, value in data.items()}
    return client.post(reverse(f"feedback:theme-{action}", kwargs={"pk": theme.pk}), prefixed)


def test_officer_merges_renames_marks_and_reopens(client_for, officer, themed):
    client = client_for(officer)
    delegation = ChallengeTheme.objects.get(name__startswith="Delegating")
    feedback = ChallengeTheme.objects.get(name__startswith="Giving")
    assert post_theme(client, "merge", feedback, into=delegation.pk).status_code == 302
    assert post_theme(client, "rename", delegation, name="Delegation and feedback").status_code == 302
    assert post_theme(client, "addressed", delegation, note="A practice round in week 2.").status_code == 302
    delegation.refresh_from_db()
    assert (delegation.name, delegation.addressed, delegation.members.count()) == ("Delegation and feedback", True, 5)
    assert client.post(reverse("feedback:theme-reopen", kwargs={"pk": delegation.pk})).status_code == 302
    delegation.refresh_from_db()
    assert delegation.addressed is False
    assert AuditEntry.objects.filter(action__startswith="feedback.theme_").count() == 4


@pytest.mark.parametrize(
    ("action", "data", "message", "kept"),
    [
        ("rename", {"name": "  "}, "Give the theme a name.", None),
        ("addressed", {"note": "x" * 501}, "Ensure this value has at most 500 characters (it has 501).", "x" * 501),
        ("addressed", {"note": ""}, "Say in a line what changes in the next run.", None),
        ("merge", {"into": "self"}, "Choose another theme: a theme cannot be merged into itself.", None),
        ("merge", {"into": "999999"}, "Choose one of this module&#x27;s themes on the page.", None),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_writes_nothing(
    client_for, officer, themed, action, data, message, kept
):
    theme = ChallengeTheme.objects.get(name__startswith="Delegating")
    if data.get("into") == "self":
        data = {"into": theme.pk}
    response = post_theme(client_for(officer), action, theme, **data)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    if kept:
        assert kept in html
    theme.refresh_from_db()
    assert (theme.renamed, theme.addressed, theme.merged_into_id) == (False, False, None)
    assert AuditEntry.objects.count() == 0


def test_csv_has_a_row_per_example_and_no_hidden_names_for_the_owner(client_for, owner, themed):
    response = client_for(owner).get(heard_url(themed[0].session.module, "-csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "module", "theme", "challenges", "people", "addressed", "addressed_note", "example", "raised_by",
        "suggestions", "answered_by",
    ]  # fmt: skip
    assert [(r[1][:10], r[2], r[3]) for r in rows[1:]] == [("Delegating", "3", "3")] * 3 + [
        ("Giving dif", "2", "2")
    ] * 2
    raised_by = {r[6]: r[7] for r in rows[1:]}
    assert raised_by[DELEGATION[0]] == "A colleague (name not shown)"
    assert raised_by[DELEGATION[1]] == themed[1].author.full_name
    assert {r[8] for r in rows[1:] if r[6] == DELEGATION[1]} == {"Agree what done looks like first."}


def test_pdf_is_a_pdf_with_the_themes(client_for, officer, themed):
    response = client_for(officer).get(heard_url(themed[0].session.module, "-pdf"))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="what-we-heard-delegation-that-develops-people-' in response["Content-Disposition"]


def grow(session, n):
    for i in range(n):
        raise_challenge(session, f"Unrelated worry number {i} about parking near campus {i * 7919}")
        raise_challenge(session, DELEGATION[i % 3] + f" case {i}")
        ContributionFactory(session=session, kind="insight", text=f"Insight {i} on delegating tasks")
    services.challenge_themes_update(module=session.module)


@pytest.mark.parametrize("extra", [0, 12])
def test_page_queries_do_not_grow_with_data(client_for, officer, themed, extra, django_assert_num_queries):
    grow(themed[0].session, extra)
    client = client_for(officer)
    with django_assert_num_queries(HEARD_PAGE_QUERIES):
        assert client.get(heard_url(themed[0].session.module)).status_code == 200


@pytest.mark.parametrize("extra", [0, 12])
def test_csv_queries_do_not_grow_with_data(client_for, owner, themed, extra, django_assert_num_queries):
    grow(themed[0].session, extra)
    client = client_for(owner)
    with django_assert_num_queries(HEARD_CSV_QUERIES):
        assert client.get(heard_url(themed[0].session.module, "-csv")).status_code == 200


# The session and person (2), the module with its owner, the officer's groups, the themes with
# counts, their newest examples, the examples' suggestions, the insights and success stories
# that may answer them, the count of challenges not grouped yet, the messages' session.
HEARD_PAGE_QUERIES = 10
# The same without the officer's count of ungrouped challenges and messages.
HEARD_CSV_QUERIES = 8
