"""Stage 1 where conflicts are dense: decide the cohorts themselves, not just their types.

Stage 1's model (``placement``) enforces conflicts only where a type holds a single cohort,
trusting stage 2 to split conflicting pairs between a type's cohorts. Where conflicts are
dense (say a fifth of a sector's pairs are competitors) that trust fails: 16 people for two
cohorts of 8 need two groups with no conflict inside, which 24 conflicts among them almost
never allow, and most of such a type's people end up waiting (at 2,000 applicants, stage
1's types held 1,386 people and stage 2 could cut cohorts for 552 of them). For such a
component the cohorts are built directly, greedily: the scarcest type first (fewest people
who can make it), a conflict-free group of its people, least conflicted and least flexible
first; a type with plenty of people gives a cohort of the smallest size, leaving the rest
for more cohorts, a scarce one fills up. Then everyone left joins a cohort with room and
nobody they conflict with, or takes the place of the one member of a cohort they conflict
with, who moves to another cohort with room. What counts as scarce is tried three ways
and the way placing the most is kept. Stage 1's model still gives the bound (a CP-SAT model
of the cohorts themselves proved nothing tighter and found no better answer in the time it
had).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from portal.matching.problem import CohortType, Problem, Unit

Groups = dict[CohortType, list[list[Unit]]]


@dataclass
class DenseAnswer:
    """The cohorts found and how many people they hold."""

    groups: Groups = field(default_factory=dict)
    placed: int = 0


def _blocked(problem: Problem, a: Unit, b: Unit) -> bool:
    return any(problem.is_blocked(x, y) for x in a.members for y in b.members)


VARIANTS = (2, 1, 99)  # a type with fewer than this many times min_size people fills up


def greedy_groups(
    problem: Problem, units: list[Unit], options: dict[Unit, list[CohortType]], spread: int = 2
) -> Groups:
    """Conflict-free cohorts, the scarcest type first (see the module docstring)."""
    low, high = problem.rules.min_size, problem.rules.max_size
    waiting = sorted(units, key=lambda u: u.members)
    left = set(waiting)
    groups: Groups = defaultdict(list)
    dead: set[CohortType] = set()
    while True:
        candidates: dict[CohortType, list[Unit]] = defaultdict(list)
        for unit in waiting:
            if unit in left:
                for cohort_type in options[unit]:
                    if cohort_type not in dead:
                        candidates[cohort_type].append(unit)
        heads = {t: sum(u.size for u in found) for t, found in candidates.items()}
        live = [t for t in candidates if heads[t] >= low]
        if not live:
            break
        cohort_type = min(live, key=lambda t: (heads[t], t.sort_key()))
        found = candidates[cohort_type]
        target = high if heads[cohort_type] < spread * low else low
        inside = {u: sum(1 for v in found if v is not u and _blocked(problem, u, v)) for u in found}
        chosen: list[Unit] = []
        size = 0
        for unit in sorted(found, key=lambda u: (inside[u], len(options[u]), u.members)):
            if size + unit.size > target or any(_blocked(problem, unit, o) for o in chosen):
                continue
            chosen.append(unit)
            size += unit.size
            if size >= target:
                break
        if size < low:
            dead.add(cohort_type)
            continue
        groups[cohort_type].append(chosen)
        left.difference_update(chosen)
    for _ in range(3):
        before = len(left)
        for unit in waiting:
            if unit in left and (
                _join(problem, groups, options, unit, high)
                or _join_by_moving(problem, groups, options, unit, high)
            ):
                left.discard(unit)
        if len(left) == before:
            break
    return dict(groups)


def _join(
    problem: Problem,
    groups: Groups,
    options: dict[Unit, list[CohortType]],
    unit: Unit,
    high: int,
    skip: list[Unit] | None = None,
) -> bool:
    """Put ``unit`` in a cohort with room and nobody it conflicts with (not ``skip``)."""
    for cohort_type in options[unit]:
        for group in groups.get(cohort_type, []):
            if group is skip:
                continue
            if sum(u.size for u in group) + unit.size <= high and not any(
                _blocked(problem, unit, o) for o in group
            ):
                group.append(unit)
                return True
    return False


def _join_by_moving(
    problem: Problem,
    groups: Groups,
    options: dict[Unit, list[CohortType]],
    unit: Unit,
    high: int,
) -> bool:
    """Put ``unit`` in a cohort where it conflicts with one single member, who moves to
    another cohort with room and nobody they conflict with."""
    for cohort_type in options[unit]:
        for group in groups.get(cohort_type, []):
            clashes = [o for o in group if _blocked(problem, unit, o)]
            if len(clashes) != 1:
                continue
            moved = clashes[0]
            if sum(u.size for u in group) - moved.size + unit.size > high:
                continue
            group.remove(moved)
            if _join(problem, groups, options, moved, high, skip=group):
                group.append(unit)
                return True
            group.append(moved)
    return False


def solve_dense(
    problem: Problem, units: list[Unit], options: dict[Unit, list[CohortType]]
) -> DenseAnswer:
    """The component's cohorts: the best of the greedy's variants (module docstring)."""
    best = DenseAnswer()
    for spread in VARIANTS:
        groups = greedy_groups(problem, units, options, spread)
        placed = sum(u.size for found in groups.values() for g in found for u in g)
        if placed > best.placed or not best.groups:
            best = DenseAnswer(groups, placed)
    return best
