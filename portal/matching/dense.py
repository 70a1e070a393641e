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
nobody they conflict with. What counts as scarce is tried three ways and the way placing
the most is kept. Stage 1's model still gives the bound (a CP-SAT model of the cohorts
themselves proved nothing tighter and found no better answer in the time it had).
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
    for unit in waiting:
        if unit not in left:
            continue
        for cohort_type in options[unit]:
            done = False
            for group in groups.get(cohort_type, []):
                if sum(u.size for u in group) + unit.size <= high and not any(
                    _blocked(problem, unit, o) for o in group
                ):
                    group.append(unit)
                    left.discard(unit)
                    done = True
                    break
            if done:
                break
    return dict(groups)


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
