"""Form weekly peer-sharing circles from sign-ups.

This module is deliberately free of Django and of any database access: it
takes plain values in and returns plain frozen dataclasses, so it can be
tested exhaustively and timed in isolation.  The lead code loads sign-ups,
history and "never with" rules, calls :func:`form_circles` and stores the
result; after an officer moves somebody by hand it calls :func:`explain` to
refresh a circle's explanation.

How a formation is built:

1. Pick the number of circles closest to ``n / target_size`` that keeps
   every circle within ``min_size..max_size``.
2. Share those circles out between topics in proportion to first-choice
   demand, then hand each sign-up the best-ranked topic that still has
   room (and leave enough people over to fill the topics' minimums).
3. Inside each topic, deal people out round-robin grouped by department,
   so circles start with as many different departments as possible.
4. Improve by swapping people between circles while the swap lowers a
   cost that rewards distinct departments, locations and job roles and
   penalises people who met recently.  "Never with" pairs cost so much
   that a final repair pass treats them as a hard rule.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

__all__ = [
    "CircleExplanation",
    "FormedCircle",
    "Formation",
    "FormingImpossible",
    "Signup",
    "explain",
    "form_circles",
    "repeat_weight",
]

# Cost weights.  Mixing is lexicographic in spirit (departments, then
# locations, then job roles); meeting somebody from last week again costs
# more than losing one department.  One step down a person's topic ranking
# costs more than a single swap can ever gain from mixing and history in
# circles of six, so nobody is traded off their topic to improve the mix.
DEPARTMENT_WEIGHT = 4.0
LOCATION_WEIGHT = 2.0
JOB_ROLE_WEIGHT = 1.0
REPEAT_WEIGHT = 6.0
PREFERENCE_WEIGHT = 100.0
# Finite (rather than infinite) so cost deltas stay ordinary arithmetic, yet
# far above anything else a swap can change; small enough that rounding stays
# well below _EPSILON.
NEVER_WITH_COST = 1e6

# Search budget.  Counted in evaluations, not seconds, so the same seed
# always gives the same circles whatever the machine's load.
_MAX_SWEEPS = 5
_PARTNER_CIRCLES = 4
_SAME_TOPIC_BIAS = 0.8
# Fresh starts per circle count when "never with" pairs get stuck.  Small
# groups are cheap to retry and are where awkward rules actually bite.
_MIN_ATTEMPTS = 4
_ATTEMPT_BUDGET = 400  # sign-ups times attempts
_CIRCLE_COUNTS_TO_TRY = 4
# Up to this many sign-ups (in circles of three or more), a failed search
# falls back to an exhaustive one, so "impossible" is only reported when it
# truly is; 12 people can be split into such circles some 60,000 ways.
_EXACT_SEARCH_LIMIT = 12
# Smallest cost drop that counts as an improvement: above float noise, below
# any real difference (the closest two repeat weights, 6/99 and 6/100, differ
# by 6e-4).
_EPSILON = 1e-6


@dataclass(frozen=True)
class Signup:
    """One person's sign-up for this week; ``preferences`` ranks topic ids."""

    person_id: int
    department_id: int | None
    location_id: int | None
    job_role_id: int | None
    preferences: tuple[int, ...] = ()


@dataclass(frozen=True)
class CircleExplanation:
    """Why a circle looks the way it does, in figures an officer can check."""

    departments: int
    locations: int
    job_roles: int
    repeated_pairs: tuple[tuple[int, int, int], ...]  # (person_a, person_b, weeks_ago)
    first_choice_member_ids: tuple[int, ...]


@dataclass(frozen=True)
class FormedCircle:
    """A circle of members sharing one topic."""

    topic_id: int
    member_ids: tuple[int, ...]
    explanation: CircleExplanation


@dataclass(frozen=True)
class Formation:
    """The week's circles, anybody left unplaced, and a human-readable reason."""

    circles: tuple[FormedCircle, ...]
    unplaced: tuple[int, ...]
    reason: str


class FormingImpossible(ValueError):
    """Raised when the hard rules leave no valid way to form circles."""


def repeat_weight(weeks_ago: int) -> float:
    """Return how much meeting again matters: 1 for last week, fading after."""
    return 1.0 / max(1, weeks_ago)


def explain(
    circle_members: Iterable[int],
    topic_id: int,
    signups_by_id: Mapping[int, Signup],
    history: Mapping[frozenset[int], int],
) -> CircleExplanation:
    """Describe a circle: its mix, who met before, and who got their first choice."""
    members = sorted(circle_members)
    people = [signups_by_id[m] for m in members]
    repeated = []
    for i, a in enumerate(members):
        for b in members[i + 1 :]:
            weeks = history.get(frozenset((a, b)))
            if weeks is not None:
                repeated.append((a, b, weeks))
    return CircleExplanation(
        departments=len({p.department_id for p in people} - {None}),
        locations=len({p.location_id for p in people} - {None}),
        job_roles=len({p.job_role_id for p in people} - {None}),
        repeated_pairs=tuple(repeated),
        first_choice_member_ids=tuple(p.person_id for p in people if p.preferences and p.preferences[0] == topic_id),
    )


def form_circles(
    *,
    signups: Sequence[Signup],
    topic_ids: Sequence[int],
    history: Mapping[frozenset[int], int],
    never_with: Iterable[frozenset[int]],
    seed: int,
    target_size: int = 5,
    min_size: int = 3,
    max_size: int = 6,
) -> Formation:
    """Place every sign-up in exactly one circle of ``min_size..max_size`` people.

    ``history`` maps a pair of person ids to how many weeks ago they last
    shared a circle (1 = last week).  Pairs in ``never_with`` are never put
    together; :class:`FormingImpossible` is raised if that cannot be done
    (for up to 12 sign-ups this is decided exhaustively; for more it means
    the search gave up) or if no topic is offered.  Preferences naming a
    topic that is not offered are ignored.  The same inputs and ``seed``
    always give the same formation, whatever order the sign-ups come in.
    """
    if not 1 <= min_size <= target_size <= max_size:
        raise ValueError("sizes must satisfy 1 <= min_size <= target_size <= max_size")
    # Sorting makes the result independent of the order the caller queried in.
    people = sorted(signups, key=lambda s: s.person_id)
    n = len(people)
    if len({s.person_id for s in people}) != n:
        raise ValueError("a person has more than one sign-up")
    if n < min_size:
        reason = (
            "No sign-ups this week, so no circles were formed."
            if n == 0
            else f"Only {_count(n, 'sign-up', 'sign-ups')}; a circle needs at least "
            f"{min_size} people, so no circles were formed."
        )
        return Formation(circles=(), unplaced=tuple(s.person_id for s in people), reason=reason)
    topics = list(dict.fromkeys(topic_ids))
    if not topics:
        raise FormingImpossible("No topics are offered, so no circle can be given one.")

    prepared = _Prepared(people, topics, history, never_with, min_size)
    rng = random.Random(seed)
    counts = _circle_counts(n, target_size, min_size, max_size)[:_CIRCLE_COUNTS_TO_TRY]
    arrangement = _arrange(prepared, counts, min_size, max_size, rng)

    by_id = {s.person_id: s for s in people}
    order = {t: i for i, t in enumerate(topics)}
    circles = sorted(
        (
            (arrangement.topics[x], tuple(sorted(prepared.ids[p] for p in members)))
            for x, members in enumerate(arrangement.members)
        ),
        key=lambda c: (order[c[0]], c[1]),
    )
    formed = tuple(
        FormedCircle(topic_id=t, member_ids=m, explanation=explain(m, t, by_id, history)) for t, m in circles
    )
    first = sum(len(c.explanation.first_choice_member_ids) for c in formed)
    ranking = sum(1 for s in people if s.preferences)
    reason = (
        f"Formed {_count(len(formed), 'circle', 'circles')} for {_count(n, 'sign-up', 'sign-ups')}; "
        f"{first} of the {ranking} who ranked topics got their first choice."
    )
    return Formation(circles=formed, unplaced=(), reason=reason)


def _arrange(prepared: _Prepared, counts: list[int], lo: int, hi: int, rng: random.Random) -> _Arrangement:
    """Find the best arrangement the search budget allows that keeps "never with" apart."""
    n = len(prepared.ids)
    for k in counts:
        for _ in range(max(_MIN_ATTEMPTS, _ATTEMPT_BUDGET // n)):
            arrangement = _build(prepared, k, lo, hi, rng)
            _improve(arrangement, rng)
            if _repair_never_with(arrangement, lo, hi):
                return arrangement
    if n > _EXACT_SEARCH_LIMIT or lo < 3:
        raise FormingImpossible("Could not keep every 'never with' pair apart; relax some of those rules.")
    # The swaps can corner themselves when the rules are dense, so for a
    # small group settle the question for certain.
    for k in counts:
        circles = _split_apart(prepared.never, list(range(n)), k, lo, hi)
        if circles is not None:
            arrangement = _Arrangement(prepared, circles, _topics_for(prepared, circles))
            _improve(arrangement, rng)
            return arrangement
    raise FormingImpossible("No arrangement keeps every 'never with' pair apart; relax some of those rules.")


def _topics_for(prepared: _Prepared, circles: list[list[int]]) -> list[int]:
    """Give ready-made circles the topics their size calls for, best fit first."""
    slots = [t for t, c in _allocate_topics(prepared, len(circles)).items() for _ in range(c)]

    def unhappiness(topics: tuple[int, ...]) -> float:
        pairs = zip(topics, circles, strict=True)
        return sum(prepared.topic_cost(p, t) for t, members in pairs for p in members)

    # Only used for a dozen people in circles of three or more: at most 4! orders.
    return list(min(itertools.permutations(slots), key=unhappiness))


def _split_apart(never: list[set[int]], people: list[int], k: int, lo: int, hi: int) -> list[list[int]] | None:
    """Exhaustively split ``people`` into ``k`` circles with no "never with" pair."""
    if not people:
        return [] if k == 0 else None
    if k == 0 or not k * lo <= len(people) <= k * hi:
        return None
    # Whoever is first must sit somewhere, so only their circle needs choosing.
    first, rest = people[0], people[1:]
    allowed = [p for p in rest if p not in never[first]]
    for size in range(lo, hi + 1):
        for others in itertools.combinations(allowed, size - 1):
            if any(q in never[p] for i, p in enumerate(others) for q in others[i + 1 :]):
                continue
            chosen = set(others)
            remainder = _split_apart(never, [p for p in rest if p not in chosen], k - 1, lo, hi)
            if remainder is not None:
                return [[first, *others], *remainder]
    return None


def _count(n: int, singular: str, plural: str) -> str:
    """Say "1 sign-up" or "2 sign-ups": ngettext's English rule, here because this module imports no Django."""
    return f"{n} {singular if n == 1 else plural}"


def _circle_counts(n: int, target: int, lo: int, hi: int) -> list[int]:
    """Feasible circle counts for ``n`` people, best (closest to n/target) first."""
    counts = sorted(range(-(-n // hi), n // lo + 1), key=lambda k: (abs(k * target - n), k))
    if not counts:
        raise FormingImpossible(f"{_count(n, 'person', 'people')} cannot be split into circles of {lo} to {hi}.")
    return counts


class _Prepared:
    """Sign-ups turned into dense integer codes the search can index quickly."""

    def __init__(
        self,
        people: list[Signup],
        topics: list[int],
        history: Mapping[frozenset[int], int],
        never_with: Iterable[frozenset[int]],
        min_size: int,
    ) -> None:
        n = len(people)
        self.ids = [s.person_id for s in people]
        self.topics = topics
        index = {pid: i for i, pid in enumerate(self.ids)}
        # Unknown (None) attributes get code -1 and never count as "distinct".
        self.codes = tuple(
            _encode([getattr(s, field) for s in people]) for field in ("department_id", "location_id", "job_role_id")
        )
        offered = set(topics)
        self.prefs = [tuple(t for t in dict.fromkeys(s.preferences) if t in offered) for s in people]
        # A topic the person did not rank is worse than any they did rank.
        self.pref_cost = [{t: PREFERENCE_WEIGHT * r for r, t in enumerate(p)} for p in self.prefs]
        self.unranked_cost = [PREFERENCE_WEIGHT * (len(p) + 1) if p else 0.0 for p in self.prefs]

        # Lookup-only structures, so iteration order of the inputs cannot leak
        # into the result.
        self.pair_cost: list[dict[int, float]] = [{} for _ in range(n)]
        weights: dict[int, float] = {}
        for pair, weeks in history.items():
            if len(pair) != 2:
                continue
            a, b = pair
            ia, ib = index.get(a), index.get(b)
            if ia is None or ib is None:
                continue
            w = weights.get(weeks)
            if w is None:
                w = weights[weeks] = REPEAT_WEIGHT * repeat_weight(weeks)
            self.pair_cost[ia][ib] = w
            self.pair_cost[ib][ia] = w
        self.never: list[set[int]] = [set() for _ in range(n)]
        for pair in sorted(tuple(sorted(p)) for p in never_with if len(p) == 2):
            ia, ib = index.get(pair[0]), index.get(pair[1])
            if ia is None or ib is None or ib in self.never[ia]:
                continue
            self.never[ia].add(ib)
            self.never[ib].add(ia)
            self.pair_cost[ia][ib] = self.pair_cost[ia].get(ib, 0.0) + NEVER_WITH_COST
            self.pair_cost[ib][ia] = self.pair_cost[ia][ib]
        for i, banned in enumerate(self.never):
            if n - 1 - len(banned) < min_size - 1:
                raise FormingImpossible(
                    f"Person {self.ids[i]} is 'never with' so many others that no circle "
                    f"of {min_size} can include them."
                )

    def topic_cost(self, person: int, topic: int) -> float:
        """Return the preference cost of ``person`` joining a circle on ``topic``."""
        return self.pref_cost[person].get(topic, self.unranked_cost[person])


def _encode(values: list[int | None]) -> list[int]:
    """Map attribute values to 0..m-1, keeping None as -1."""
    codes: dict[int, int] = {}
    return [-1 if v is None else codes.setdefault(v, len(codes)) for v in values]


def _allocate_topics(prepared: _Prepared, k: int) -> dict[int, int]:
    """Share ``k`` circles between topics in proportion to first-choice demand."""
    topics = prepared.topics
    demand = dict.fromkeys(topics, 0)
    for p in prepared.prefs:
        if p:
            demand[p[0]] += 1
    total = sum(demand.values())
    if total == 0:
        # Nobody minds, so spread circles across the offered topics in order.
        return {t: k // len(topics) + (i < k % len(topics)) for i, t in enumerate(topics)}
    # Largest-remainder apportionment, in exact integer arithmetic.
    circles = {t: demand[t] * k // total for t in topics}
    leftover = k - sum(circles.values())
    by_remainder = sorted(
        range(len(topics)),
        key=lambda i: (-(demand[topics[i]] * k % total), -demand[topics[i]], i),
    )
    for i in by_remainder[:leftover]:
        circles[topics[i]] += 1
    return circles


def _assign_topics(
    prepared: _Prepared, circles: dict[int, int], order: list[int], lo: int, hi: int
) -> dict[int, list[int]]:
    """Give each person the best-ranked topic with room, keeping every topic feasible."""
    members: dict[int, list[int]] = {t: [] for t in prepared.topics if circles[t]}
    assigned = [False] * len(order)
    # People still needed to bring every topic up to its minimum; a seat beyond
    # a topic's minimum is only given away if the rest can still fill them.
    deficit = sum(lo * c for c in circles.values())
    remaining = len(order)
    longest = max((len(p) for p in prepared.prefs), default=0)
    for rank in range(longest):
        for person in order:
            prefs = prepared.prefs[person]
            if assigned[person] or len(prefs) <= rank:
                continue
            topic = prefs[rank]
            if topic not in members:
                continue
            count = len(members[topic])
            if count >= hi * circles[topic]:
                continue
            if count < lo * circles[topic]:
                deficit -= 1
            elif deficit >= remaining:
                continue
            members[topic].append(person)
            assigned[person] = True
            remaining -= 1
    for person in order:
        if assigned[person]:
            continue
        # Whoever is left goes where circles are emptiest, which fills any
        # topic still below its minimum first.
        topic = min(
            (t for t in members if len(members[t]) < hi * circles[t]),
            key=lambda t: len(members[t]) / circles[t],
        )
        members[topic].append(person)
    return members


def _build(prepared: _Prepared, k: int, lo: int, hi: int, rng: random.Random) -> _Arrangement:
    """Make a first arrangement of ``k`` circles with departments dealt out evenly."""
    order = list(range(len(prepared.ids)))
    rng.shuffle(order)
    circle_counts = _allocate_topics(prepared, k)
    departments = prepared.codes[0]
    circles: list[list[int]] = []
    topics: list[int] = []
    for topic, members in _assign_topics(prepared, circle_counts, order, lo, hi).items():
        groups: dict[int, list[int]] = {}
        for person in members:
            groups.setdefault(departments[person], []).append(person)
        # Dealing a department's people to consecutive circles puts each of
        # them in a different circle for as long as there are circles.
        dealt = [p for d in sorted(groups, key=lambda d: (d < 0, -len(groups[d]), d)) for p in groups[d]]
        count = circle_counts[topic]
        circles.extend(dealt[i::count] for i in range(count))
        topics.extend([topic] * count)
    return _Arrangement(prepared, circles, topics)


class _Arrangement:
    """Mutable circles plus per-circle tallies so a swap's cost is cheap to price."""

    def __init__(self, prepared: _Prepared, members: list[list[int]], topics: list[int]) -> None:
        self.prepared = prepared
        self.members = members
        self.topics = topics
        self.where = [0] * len(prepared.ids)
        self.by_topic: dict[int, list[int]] = {}
        for x, circle in enumerate(members):
            self.by_topic.setdefault(topics[x], []).append(x)
            for p in circle:
                self.where[p] = x
        weights = (DEPARTMENT_WEIGHT, LOCATION_WEIGHT, JOB_ROLE_WEIGHT)
        self.mixers = []
        for codes, weight in zip(prepared.codes, weights, strict=True):
            width = max(codes, default=-1) + 1
            tallies = [[0] * width for _ in members]
            for x, circle in enumerate(members):
                for p in circle:
                    if codes[p] >= 0:
                        tallies[x][codes[p]] += 1
            self.mixers.append((codes, tallies, weight))

    def awkward(self, a: int) -> bool:
        """Tell whether ``a`` shares an attribute or a past meeting in its circle."""
        x = self.where[a]
        for codes, tallies, _ in self.mixers:
            if codes[a] >= 0 and tallies[x][codes[a]] > 1:
                return True
        costs = self.prepared.pair_cost[a]
        return bool(costs) and any(q in costs for q in self.members[x])

    def _pairs(self, a: int, x: int) -> float:
        """Sum ``a``'s pair costs against everyone in circle ``x``."""
        costs = self.prepared.pair_cost[a]
        total = 0.0
        if costs:
            for q in self.members[x]:
                if q in costs:
                    total += costs[q]
        return total

    def swap_delta(self, a: int, b: int) -> float:
        """Return the change in cost if ``a`` and ``b`` trade circles."""
        x, y = self.where[a], self.where[b]
        delta = 0.0
        for codes, tallies, weight in self.mixers:
            ca, cb = codes[a], codes[b]
            if ca != cb:
                tx, ty = tallies[x], tallies[y]
                gained = 0
                if ca >= 0:
                    gained += (ty[ca] == 0) - (tx[ca] == 1)
                if cb >= 0:
                    gained += (tx[cb] == 0) - (ty[cb] == 1)
                delta -= weight * gained
        # Inlined rather than calling _pairs: this is the innermost loop.
        members_x, members_y = self.members[x], self.members[y]
        for mover, other, leaving, joining in ((a, b, members_x, members_y), (b, a, members_y, members_x)):
            costs = self.prepared.pair_cost[mover]
            if costs:
                for q in joining:
                    if q in costs:
                        delta += costs[q]
                for q in leaving:
                    if q in costs:
                        delta -= costs[q]
                # ``other`` leaves the circle ``mover`` joins.
                if other in costs:
                    delta -= costs[other]
        tx_, ty_ = self.topics[x], self.topics[y]
        if tx_ != ty_:
            cost = self.prepared.topic_cost
            delta += cost(a, ty_) - cost(a, tx_) + cost(b, tx_) - cost(b, ty_)
        return delta

    def move_delta(self, a: int, y: int) -> float:
        """Return the change in cost if ``a`` leaves its circle for circle ``y``."""
        x = self.where[a]
        delta = 0.0
        for codes, tallies, weight in self.mixers:
            c = codes[a]
            if c >= 0:
                delta -= weight * ((tallies[y][c] == 0) - (tallies[x][c] == 1))
        delta += self._pairs(a, y) - self._pairs(a, x)
        if self.topics[x] != self.topics[y]:
            cost = self.prepared.topic_cost
            delta += cost(a, self.topics[y]) - cost(a, self.topics[x])
        return delta

    def move(self, a: int, y: int) -> None:
        """Move ``a`` into circle ``y``, keeping the tallies in step."""
        x = self.where[a]
        self.members[x].remove(a)
        self.members[y].append(a)
        self.where[a] = y
        for codes, tallies, _ in self.mixers:
            if codes[a] >= 0:
                tallies[x][codes[a]] -= 1
                tallies[y][codes[a]] += 1

    def swap(self, a: int, b: int) -> None:
        """Trade the circles of ``a`` and ``b``."""
        x, y = self.where[a], self.where[b]
        self.move(a, y)
        self.move(b, x)

    def breaks_never_with(self, a: int) -> bool:
        """Tell whether ``a`` sits with somebody they must never be with."""
        banned = self.prepared.never[a]
        return bool(banned) and any(q in banned for q in self.members[self.where[a]])


def _improve(arrangement: _Arrangement, rng: random.Random) -> None:
    """Hill-climb by swapping awkwardly placed people with a few sampled circles."""
    members = arrangement.members
    total = len(members)
    for _ in range(_MAX_SWEEPS):
        improved = False
        for x in range(total):
            same_topic = arrangement.by_topic[arrangement.topics[x]]
            for a in list(members[x]):
                if arrangement.where[a] != x or not arrangement.awkward(a):
                    continue
                if total - 1 <= _PARTNER_CIRCLES:
                    partners = [y for y in range(total) if y != x]
                else:
                    # Mostly look within the topic: other topics' members
                    # usually cost a preference, so they rarely help.
                    partners = [
                        same_topic[rng.randrange(len(same_topic))]
                        if rng.random() < _SAME_TOPIC_BIAS
                        else rng.randrange(total)
                        for _ in range(_PARTNER_CIRCLES)
                    ]
                best, best_b = -_EPSILON, -1
                for y in partners:
                    if y == x:
                        continue
                    for b in members[y]:
                        delta = arrangement.swap_delta(a, b)
                        if delta < best:
                            best, best_b = delta, b
                if best_b >= 0:
                    arrangement.swap(a, best_b)
                    improved = True
        if not improved:
            return


def _repair_never_with(arrangement: _Arrangement, lo: int, hi: int) -> bool:
    """Search every swap and move to part "never with" pairs; report success."""
    members = arrangement.members
    people = range(len(arrangement.where))
    while True:
        offenders = [a for a in people if arrangement.breaks_never_with(a)]
        if not offenders:
            return True
        progress = False
        for a in offenders:
            if not arrangement.breaks_never_with(a):
                continue
            x = arrangement.where[a]
            best, best_op = -_EPSILON, None
            for y, circle in enumerate(members):
                if y == x:
                    continue
                for b in circle:
                    delta = arrangement.swap_delta(a, b)
                    if delta < best:
                        best, best_op = delta, (b, y)
                if len(members[x]) > lo and len(circle) < hi:
                    delta = arrangement.move_delta(a, y)
                    if delta < best:
                        best, best_op = delta, (-1, y)
            if best_op is not None:
                b, y = best_op
                if b >= 0:
                    arrangement.swap(a, b)
                else:
                    arrangement.move(a, y)
                progress = True
        if not progress:
            return False
