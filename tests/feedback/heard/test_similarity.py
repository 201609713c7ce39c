from feedback.heard import similarity


def test_words_drop_common_words_and_endings():
    assert similarity.words("Delegating the tasks is slower!") == {"delegat", "task", "slower"}


def test_jaccard_is_shared_over_all_and_zero_for_nothing():
    assert similarity.jaccard(frozenset({"a", "b"}), frozenset({"b", "c"})) == 1 / 3
    assert similarity.jaccard(frozenset(), frozenset({"b"})) == 0.0


def test_best_match_takes_the_most_similar_and_the_first_of_a_tie():
    target = frozenset({"delegat", "task"})
    candidates = [(1, frozenset({"task"})), (2, frozenset({"delegat", "task", "slow"})), (3, frozenset({"task"}))]
    assert similarity.best_match(target, candidates) == (2, 2 / 3)
    assert similarity.best_match(target, [(7, frozenset({"x"}))]) == (None, 0.0)


def test_theme_name_is_the_opening_words_as_plain_text():
    assert similarity.theme_name_from(
        "**Delegating** tasks feels slower than doing them myself, every single week"
    ) == ("Delegating tasks feels slower than doing them myself, every…")
    assert similarity.theme_name_from("Too few chairs.") == "Too few chairs"
