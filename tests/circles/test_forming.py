"""Tests for the database-free circle-forming algorithm."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from circles.forming import (
    CircleExplanation,
    Formation,
    FormingImpossible,
    Signup,
    explain,
    form_circles,
    repeat_weight,
)

pytestmark = []

TOPICS = (1, 2)


def people(count: int, *, preferences: tuple[int, ...] = (1,), start: int = 1) -> list[Signup]:
    """Sign-ups that are alike in every way, so only the rule under test matters."""
    return [
        Signup(person_id=i, department_id=1, location_id=1, job_role_id=1, preferences=preferences)
        for i in range(start, start + count)
    ]


def form(signups, *, topic_ids=TOPICS, history=None, never_with=None, seed=0, **sizes) -> Formation:
    return form_circles(
        signups=signups,
        topic_ids=topic_ids,
        history=history or {},
        never_with=never_with or set(),
        seed=seed,
        **sizes,
    )


def sizes(formation: Formation) -> list[int]:
    return sorted(len(c.member_ids) for c in formation.circles)


def pairs_together(formation: Formation, pairs) -> list[frozenset[int]]:
    return [p for c in formation.circles for p in pairs if p <= set(c.member_ids)]


@pytest.mark.parametrize("count", [0, 1, 2])
def test_too_few_sign_ups_form_no_circles(count):
    formation = form(people(count))

    assert formation.circles == ()
    assert formation.unplaced == tuple(range(1, count + 1))
    assert "no circles" in formation.reason


def test_three_sign_ups_make_one_circle():
    formation = form(people(3))

    assert sizes(formation) == [3]
    assert formation.unplaced == ()
    assert formation.reason.startswith("Formed 1 circle ")


def test_seven_sign_ups_make_a_four_and_a_three():
    assert sizes(form(people(7))) == [3, 4]


def test_thirteen_sign_ups_make_three_circles():
    formation = form(people(13))

    assert len(formation.circles) == 3
    assert sum(sizes(formation)) == 13
    assert all(3 <= s <= 6 for s in sizes(formation))


@pytest.mark.parametrize("seed", range(5))
def test_departments_fully_mixed_when_possible(seed):
    signups = [
        Signup(person_id=i, department_id=i % 5, location_id=1, job_role_id=1, preferences=(1,)) for i in range(10)
    ]
    formation = form(signups, seed=seed)

    assert sizes(formation) == [5, 5]
    assert [c.topic_id for c in formation.circles] == [1, 1]
    assert [c.explanation.departments for c in formation.circles] == [5, 5]


@pytest.mark.parametrize("seed", range(10))
def test_people_who_met_last_week_are_separated(seed):
    met = [frozenset((i, i + 1)) for i in range(1, 11, 2)]
    formation = form(people(10), history=dict.fromkeys(met, 1), seed=seed)

    assert pairs_together(formation, met) == []


@pytest.mark.parametrize("seed", range(10))
def test_an_unavoidable_repeat_is_the_oldest_one(seed):
    # Two circles for three people who have all met: two of them must share.
    history = {frozenset((1, 2)): 1, frozenset((1, 3)): 1, frozenset((2, 3)): 8}
    formation = form(people(8), history=history, seed=seed)

    repeats = [r for c in formation.circles for r in c.explanation.repeated_pairs]
    assert repeats == [(2, 3, 8)]


def test_repeat_weight_fades_with_time():
    weights = [repeat_weight(w) for w in range(1, 13)]

    assert weights[0] == 1.0
    assert weights == sorted(weights, reverse=True)
    assert len(set(weights)) == len(weights)


@pytest.mark.parametrize("seed", range(10))
def test_never_with_is_never_broken(seed):
    never = {frozenset((1, j)) for j in range(2, 6)} | {frozenset((6, 7)), frozenset((8, 9))}
    formation = form(people(10), never_with=never, seed=seed)

    assert pairs_together(formation, never) == []


def test_never_with_splits_six_into_two_threes_rather_than_break_the_rule():
    formation = form(people(6), never_with={frozenset((1, 2))})

    assert sizes(formation) == [3, 3]
    assert pairs_together(formation, [frozenset((1, 2))]) == []


def test_never_with_in_a_single_possible_circle_is_impossible():
    with pytest.raises(FormingImpossible):
        form(people(4), never_with={frozenset((1, 2))})


def test_everybody_never_with_everybody_is_impossible():
    never = {frozenset((a, b)) for a in range(1, 8) for b in range(a + 1, 8)}

    with pytest.raises(FormingImpossible, match="never with"):
        form(people(7), never_with=never)


def test_tangled_never_with_rules_are_still_solved_when_possible():
    # Only a 3 + 5 split works here.  The preferences pin who starts in which
    # circle, so single swaps from 4 + 4 cannot reach it and the exhaustive
    # fallback has to.
    pairs = [(1, 2), (1, 8), (2, 3), (4, 5), (4, 8), (5, 6), (6, 8), (7, 8)]
    never = {frozenset(p) for p in pairs}
    ranked = [(), (2, 1), (1,), (), (1,), (1, 2), (2,), (1, 2)]
    signups = [
        Signup(person_id=i, department_id=1, location_id=1, job_role_id=1, preferences=r)
        for i, r in enumerate(ranked, 1)
    ]

    for seed in range(10):
        formation = form(signups, never_with=never, seed=seed)

        assert sizes(formation) == [3, 5]
        assert pairs_together(formation, never) == []


def test_impossible_is_reported_only_when_no_split_exists():
    # Person 12 may only sit with 1 and 2, who may not sit together.
    never = {frozenset((12, b)) for b in range(3, 12)} | {frozenset((1, 2))}

    with pytest.raises(FormingImpossible, match="No arrangement"):
        form(people(12), never_with=never)


def test_never_with_holds_in_a_large_formation():
    rng = random.Random(3)
    signups = random_signups(300, rng)
    never = {frozenset(rng.sample(range(100, 400), 2)) for _ in range(150)}
    formation = form(signups, topic_ids=(1, 2, 3), never_with=never, seed=1)

    assert pairs_together(formation, never) == []
    assert sorted(p for c in formation.circles for p in c.member_ids) == list(range(100, 400))


def test_topic_preference_outranks_mixing():
    signups = [
        Signup(person_id=i, department_id=i // 6, location_id=i // 6, job_role_id=i // 6, preferences=(i // 6 + 1,))
        for i in range(12)
    ]
    formation = form(signups)

    assert {c.topic_id: c.member_ids for c in formation.circles} == {1: (0, 1, 2, 3, 4, 5), 2: (6, 7, 8, 9, 10, 11)}


def test_first_choices_are_honoured():
    signups = people(5, preferences=(1, 2)) + people(5, preferences=(2, 1), start=6)
    formation = form(signups)

    assert {c.topic_id: c.member_ids for c in formation.circles} == {1: (1, 2, 3, 4, 5), 2: (6, 7, 8, 9, 10)}
    assert all(len(c.explanation.first_choice_member_ids) == 5 for c in formation.circles)


def test_popular_topic_gets_more_circles_and_any_fills_the_gaps():
    signups = people(9, preferences=(1,)) + people(4, preferences=(2,), start=10) + people(2, preferences=(), start=20)
    formation = form(signups, topic_ids=(1, 2, 3))

    assert sorted(c.topic_id for c in formation.circles) == [1, 1, 2]
    by_topic = {c.topic_id: set() for c in formation.circles}
    for c in formation.circles:
        by_topic[c.topic_id] |= set(c.member_ids)
    assert set(range(1, 10)) <= by_topic[1]
    assert set(range(10, 14)) <= by_topic[2]


def test_unoffered_preferences_are_ignored():
    formation = form(people(4, preferences=(99, 2)))

    assert [c.topic_id for c in formation.circles] == [2]


def test_explanation_figures_are_exact():
    signups = [
        Signup(person_id=1, department_id=10, location_id=None, job_role_id=1, preferences=(7,)),
        Signup(person_id=2, department_id=10, location_id=5, job_role_id=2, preferences=()),
        Signup(person_id=3, department_id=11, location_id=5, job_role_id=3, preferences=(8, 7)),
    ]
    history = {frozenset((1, 2)): 3, frozenset((2, 3)): 1, frozenset((1, 99)): 1}
    formation = form(signups, topic_ids=(7, 8), history=history)

    [circle] = formation.circles
    assert circle.topic_id == 7
    assert circle.member_ids == (1, 2, 3)
    assert circle.explanation == CircleExplanation(
        departments=2,
        locations=1,
        job_roles=3,
        repeated_pairs=((1, 2, 3), (2, 3, 1)),
        first_choice_member_ids=(1,),
    )


def test_explain_follows_an_officer_moving_people():
    signups = {s.person_id: s for s in people(4, preferences=(2,))}
    history = {frozenset((3, 4)): 2}

    assert explain([4, 3, 1], 2, signups, history) == CircleExplanation(
        departments=1, locations=1, job_roles=1, repeated_pairs=((3, 4, 2),), first_choice_member_ids=(1, 3, 4)
    )


def random_signups(count: int, rng: random.Random) -> list[Signup]:
    return [
        Signup(
            person_id=i,
            department_id=rng.randrange(6),
            location_id=rng.choice((None, 1, 2, 3)),
            job_role_id=rng.randrange(4),
            preferences=tuple(rng.sample((1, 2, 3), rng.randrange(4))),
        )
        for i in range(100, 100 + count)
    ]


def test_same_seed_same_circles_whatever_the_input_order():
    rng = random.Random(1)
    signups = random_signups(40, rng)
    history = {frozenset(rng.sample(range(100, 140), 2)): rng.randint(1, 12) for _ in range(60)}
    never = {frozenset((100, 101)), frozenset((102, 103))}

    first = form(signups, topic_ids=(1, 2, 3), history=history, never_with=never, seed=5)
    again = form(list(reversed(signups)), topic_ids=(1, 2, 3), history=history, never_with=never, seed=5)

    assert first == again
    by_id = {s.person_id: s for s in signups}
    for circle in first.circles:
        assert explain(circle.member_ids, circle.topic_id, by_id, history) == circle.explanation


def test_duplicate_sign_up_is_rejected():
    with pytest.raises(ValueError, match="more than one sign-up"):
        form(people(3) + people(1))


def test_inconsistent_sizes_are_rejected():
    with pytest.raises(ValueError, match="min_size"):
        form(people(5), min_size=4, target_size=3)


def test_no_topics_offered_is_impossible():
    with pytest.raises(FormingImpossible):
        form(people(5), topic_ids=())


@st.composite
def scenarios(draw):
    """Random sign-ups with history and a sparse set of "never with" pairs."""
    ids = draw(st.lists(st.integers(1, 10_000), unique=True, max_size=40))
    topics = tuple(range(1, draw(st.integers(1, 4)) + 1))
    maybe = st.none() | st.integers(0, 5)
    signups = [
        Signup(
            person_id=pid,
            department_id=draw(maybe),
            location_id=draw(maybe),
            job_role_id=draw(maybe),
            preferences=tuple(draw(st.permutations(topics)))[: draw(st.integers(0, len(topics)))],
        )
        for pid in ids
    ]
    history = {}
    if len(ids) >= 2:
        pair = st.lists(st.sampled_from(ids), min_size=2, max_size=2, unique=True).map(frozenset)
        history = draw(st.dictionaries(pair, st.integers(1, 12), max_size=3 * len(ids)))
    # Disjoint pairs, at most one per three people: always satisfiable once
    # there can be two circles.
    shuffled = draw(st.permutations(ids))
    count = draw(st.integers(0, len(ids) // 3))
    never = {frozenset(shuffled[2 * i : 2 * i + 2]) for i in range(count)}
    return signups, topics, history, never, draw(st.integers(0, 2**32))


def run(scenario) -> Formation:
    signups, topics, history, never, seed = scenario
    return form(signups, topic_ids=topics, history=history, never_with=never, seed=seed)


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_everybody_placed_once_in_circles_of_three_to_six(scenario):
    signups = scenario[0]
    ids = sorted(s.person_id for s in signups)
    if len(ids) < 6 and scenario[3]:
        with pytest.raises(FormingImpossible):
            run(scenario)
        return
    formation = run(scenario)

    if len(ids) < 3:
        assert formation.circles == ()
        assert formation.unplaced == tuple(ids)
    else:
        assert formation.unplaced == ()
        assert sorted(p for c in formation.circles for p in c.member_ids) == ids
        assert all(3 <= size <= 6 for size in sizes(formation))


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_never_with_respected(scenario):
    if len(scenario[0]) < 6 and scenario[3]:
        return
    assert pairs_together(run(scenario), scenario[3]) == []


@settings(max_examples=60, deadline=None)
@given(scenarios())
def test_same_seed_gives_same_circles(scenario):
    if len(scenario[0]) < 6 and scenario[3]:
        return
    first = run(scenario)

    assert run(scenario) == first
    by_id = {s.person_id: s for s in scenario[0]}
    for circle in first.circles:
        assert explain(circle.member_ids, circle.topic_id, by_id, scenario[2]) == circle.explanation
