"""Benchmark circle forming on synthetic sign-ups and print speed and quality.

Run from the repository root::

    python benchmarks/bench_circles_forming.py

The data is generated with ``random.Random(42)`` so figures are comparable
between runs: sign-ups spread over 12 departments, 6 locations, 8 job roles
and 8 topics of uneven popularity, plus 12 weeks of history in which each
person met about four others per week, mostly people with the same
favourite topic.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

# Let the script run without installing the project or configuring Django.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from circles.forming import Formation, Signup, form_circles

DEPARTMENTS = 12
LOCATIONS = 6
JOB_ROLES = 8
TOPICS = tuple(range(1, 9))
WEEKS = 12
NEVER_WITH_PAIRS = 50
SEED = 7


def make_data(n: int, rng: random.Random) -> tuple[list[Signup], dict[frozenset[int], int], set]:
    """Build ``n`` sign-ups, 12 weeks of history and a few "never with" pairs."""
    # Uneven but overlapping sizes and popularity, as in a real organisation.
    dept_weights = [rng.uniform(0.5, 2.0) for _ in range(DEPARTMENTS)]
    loc_weights = [rng.uniform(0.5, 2.0) for _ in range(LOCATIONS)]
    topic_weights = [rng.uniform(0.3, 2.0) for _ in TOPICS]
    signups = []
    for person in range(1, n + 1):
        ranked: list[int] = []
        wanted = rng.choice((0, 1, 2, 3, 3))  # some people say "any topic"
        while len(ranked) < wanted:
            topic = rng.choices(TOPICS, topic_weights)[0]
            if topic not in ranked:
                ranked.append(topic)
        signups.append(
            Signup(
                person_id=person,
                department_id=rng.choices(range(DEPARTMENTS), dept_weights)[0],
                location_id=rng.choices(range(LOCATIONS), loc_weights)[0],
                job_role_id=rng.randrange(JOB_ROLES),
                preferences=tuple(ranked),
            )
        )
    history: dict[frozenset[int], int] = {}
    people = [s.person_id for s in signups]
    # Past circles were grouped by favourite topic, as this week's will be,
    # which makes repeats far likelier than a uniform shuffle would.
    favourite = {s.person_id: s.preferences[0] if s.preferences else 0 for s in signups}
    # Oldest week first so the most recent meeting wins.
    for weeks_ago in range(WEEKS, 0, -1):
        rng.shuffle(people)
        people.sort(key=favourite.__getitem__)
        for start in range(0, n - 4, 5):
            group = people[start : start + 5]
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    history[frozenset((a, b))] = weeks_ago
    never = set()
    while len(never) < NEVER_WITH_PAIRS:
        a, b = rng.sample(people, 2)
        never.add(frozenset((a, b)))
    return signups, history, never


def run(n: int) -> dict[str, object]:
    """Time forming for ``n`` sign-ups (best of 3) and measure its quality."""
    signups, history, never = make_data(n, random.Random(42))
    timings = []
    formation: Formation | None = None
    for _ in range(3):
        start = time.perf_counter()
        formation = form_circles(signups=signups, topic_ids=TOPICS, history=history, never_with=never, seed=SEED)
        timings.append(time.perf_counter() - start)
    assert formation is not None
    by_id = {s.person_id: s for s in signups}
    circles = formation.circles
    sizes = [len(c.member_ids) for c in circles]
    placed = [p for c in circles for p in c.member_ids]
    assert sorted(placed) == sorted(by_id), "everybody must be placed exactly once"
    assert all(3 <= s <= 6 for s in sizes)
    for c in circles:
        members = set(c.member_ids)
        assert not any(pair <= members for pair in never), "never-with broken"

    def bound(attribute: str) -> float:
        """Return the requested bound: mean of min(circle size, values that exist)."""
        distinct_overall = len({getattr(s, attribute) for s in signups})
        return statistics.mean(min(size, distinct_overall) for size in sizes)

    def supply_bound(attribute: str) -> float:
        """Return a tighter bound: a value held by c people reaches at most c circles."""
        counts = Counter(getattr(s, attribute) for s in signups)
        return min(bound(attribute), sum(min(c, len(circles)) for c in counts.values()) / len(circles))

    first = second_or_better = 0
    for c in circles:
        for p in c.member_ids:
            prefs = by_id[p].preferences
            first += bool(prefs) and prefs[0] == c.topic_id
            second_or_better += not prefs or c.topic_id in prefs[:2]
    with_prefs = sum(bool(s.preferences) for s in signups)
    repeats = [pair for c in circles for pair in c.explanation.repeated_pairs]
    return {
        "n": n,
        "circles": len(circles),
        "best": min(timings),
        "runs": timings,
        "dept": statistics.mean(c.explanation.departments for c in circles),
        "dept_bound": bound("department_id"),
        "dept_supply": supply_bound("department_id"),
        "loc": statistics.mean(c.explanation.locations for c in circles),
        "loc_bound": bound("location_id"),
        "loc_supply": supply_bound("location_id"),
        "role": statistics.mean(c.explanation.job_roles for c in circles),
        "role_bound": bound("job_role_id"),
        "role_supply": supply_bound("job_role_id"),
        "repeats": len(repeats),
        "repeats_last_week": sum(1 for r in repeats if r[2] == 1),
        "repeat_weeks": statistics.median(r[2] for r in repeats) if repeats else 0,
        "history_pairs": len(history),
        "sizes": dict(sorted(Counter(sizes).items())),
        "first_choice": first / with_prefs,
        "top_two": second_or_better / n,
    }


def main() -> None:
    """Print a table comparing the 2,000 and 10,000 sign-up runs."""
    results = [run(2_000), run(10_000)]

    def mix(r: dict[str, object], key: str) -> str:
        return f"{r[key]:.3f} ({r[key + '_bound']:.3f}; {r[key + '_supply']:.3f})"

    rows = [
        ("sign-ups", lambda r: f"{r['n']:,}"),
        ("circles", lambda r: f"{r['circles']:,}"),
        ("time, best of 3 (s)", lambda r: f"{r['best']:.3f}"),
        ("all 3 runs (s)", lambda r: " ".join(f"{t:.2f}" for t in r["runs"])),
        ("circle sizes {size: count}", lambda r: str(r["sizes"])),
        ("departments / circle (bound; supply bound)", lambda r: mix(r, "dept")),
        ("locations / circle (bound; supply bound)", lambda r: mix(r, "loc")),
        ("job roles / circle (bound; supply bound)", lambda r: mix(r, "role")),
        ("repeated pairs / sign-ups", lambda r: f"{r['repeats']} / {r['n']:,}"),
        ("  of which met last week", lambda r: str(r["repeats_last_week"])),
        ("  median weeks since they met", lambda r: str(r["repeat_weeks"])),
        ("history pairs (12 weeks)", lambda r: f"{r['history_pairs']:,}"),
        ("first choice (of those ranking)", lambda r: f"{r['first_choice']:.1%}"),
        ("top-two choice or 'any'", lambda r: f"{r['top_two']:.1%}"),
    ]
    width = max(len(label) for label, _ in rows)
    print(f"{'':<{width}}  " + "  ".join(f"{'run ' + str(i + 1):>34}" for i in range(len(results))))
    for label, fmt in rows:
        print(f"{label:<{width}}  " + "  ".join(f"{fmt(r):>34}" for r in results))


if __name__ == "__main__":
    main()
