"""Stage 2: turn each type's people into cohorts, keep conflicting pairs apart, improve quality.

Stage 1 says how many cohorts each type (format, area, slot) gets and who joins the type.
Here the people of a type are sorted by their basis value and business size and cut into that
many cohorts of even size, so alike people start together. Conflicting pairs are then split
between cohorts by swaps. Anyone still unplaced is offered a cohort with room, or a new
cohort with other unplaced people. Finally a local search moves and swaps people between
cohorts they can all make (and with unplaced people), accepting a change only when the
lower of the two cohorts' scores rises, or stays and their total rises: the worst cohort
never gets worse. The search is driven by a seeded random generator and a fixed budget of
evaluations, so it is deterministic.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from portal.matching.model import Weights
from portal.matching.placement import Placement
from portal.matching.problem import CohortType, Problem, Unit
from portal.matching.scoring import Scorer
from portal.matching.words import slot_order

EPSILON = 1e-9


@dataclass
class WorkCohort:
    """A cohort being built: its type and its members (applicant ids, sorted)."""

    cohort_type: CohortType
    members: list[int]
    score: float = 0.0
    locked: bool = False

    def part(self) -> tuple[object, ...]:
        return (self.cohort_type.delivery, self.cohort_type.area, self.cohort_type.value)


@dataclass
class Forming:
    """Cohorts under construction and the units not (yet) placed."""

    problem: Problem
    weights: Weights
    cohorts: list[WorkCohort] = field(default_factory=list)
    unplaced: list[Unit] = field(default_factory=list)
    scorer: Scorer | None = None

    def score(self, members: Sequence[int]) -> float:
        if self.scorer is None:
            self.scorer = Scorer(
                list(self.problem.by_id.values()), self.problem.basis, self.weights
            )
        return self.scorer(members)

    def rescore(self, cohort: WorkCohort) -> None:
        cohort.score = self.score(cohort.members)


def sort_key(problem: Problem, unit: Unit) -> tuple[object, ...]:
    """Alike people next to each other: by basis value, then business size."""
    first = problem.by_id[unit.members[0]]
    values = sorted(problem.values(first.id))
    value = tuple(values)
    size = sum(math.log2(max(problem.by_id[m].employees, 1.0)) for m in unit.members)
    return (value, size / unit.size, unit.members)


def form_cohorts(
    problem: Problem, placement: Placement, weights: Weights, seed: int, evaluations: int
) -> Forming:
    """Build and improve cohorts from stage 1's answer (see the module docstring)."""
    forming = Forming(problem, weights)
    for component in placement.components:
        by_type: dict[CohortType, list[Unit]] = defaultdict(list)
        for unit, cohort_type in component.assignment.items():
            by_type[cohort_type].append(unit)
        split = Forming(problem, weights)
        for cohort_type in sorted(by_type, key=CohortType.sort_key):
            units = sorted(by_type[cohort_type], key=lambda u: sort_key(problem, u))
            count = component.cohorts.get(cohort_type, 0)
            _split_type(split, cohort_type, units, count)
        split.unplaced.extend(u for u in component.units if u not in component.assignment)
        chosen = split
        if component.groups is not None:
            # Stage 1 also built the cohorts themselves (dense conflicts): the way placing
            # more is kept.
            built = Forming(problem, weights)
            for cohort_type in sorted(component.groups, key=CohortType.sort_key):
                for group in component.groups[cohort_type]:
                    members = sorted(m for unit in group for m in unit.members)
                    built.cohorts.append(WorkCohort(cohort_type, members))
            in_groups = {u for found in component.groups.values() for g in found for u in g}
            built.unplaced.extend(u for u in component.units if u not in in_groups)
            if _placed(built) > _placed(split):
                chosen = built
        forming.cohorts.extend(chosen.cohorts)
        forming.unplaced.extend(chosen.unplaced)
    forming.unplaced.extend(placement.stranded)
    forming.cohorts = [c for c in forming.cohorts if c.members]
    for cohort in forming.cohorts:
        forming.rescore(cohort)
    place_leftovers(forming)
    improve(forming, random.Random(seed), evaluations)  # noqa: S311 - a seeded search
    forming.unplaced.sort(key=lambda u: u.members)
    return forming


def _placed(forming: Forming) -> int:
    return sum(len(c.members) for c in forming.cohorts)


def _split_type(forming: Forming, cohort_type: CohortType, units: list[Unit], count: int) -> None:
    """One type's people into cohorts with no conflict inside, two ways, keeping the better.

    First alike people together, with conflicting pairs then split by swaps; where conflicts
    are dense that strands many, so the people are also dealt out most-conflicted first,
    each to the emptiest cohort holding nobody they conflict with (``_deal``). The way that
    places more is kept (alike people together when they tie).
    """
    problem = forming.problem
    alike = Forming(problem, forming.weights)
    _split(alike, cohort_type, units, count)
    for cohort in alike.cohorts:
        _separate_conflicts(alike, cohort)
    alike.cohorts = [c for c in alike.cohorts if c.members]
    chosen = alike
    if alike.unplaced:
        dealt = Forming(problem, forming.weights)
        _deal(dealt, cohort_type, units, count)
        if sum(len(c.members) for c in dealt.cohorts) > sum(len(c.members) for c in alike.cohorts):
            chosen = dealt
    forming.cohorts.extend(chosen.cohorts)
    forming.unplaced.extend(chosen.unplaced)


def _deal(forming: Forming, cohort_type: CohortType, units: list[Unit], count: int) -> None:
    """Deal units out to cohorts with nobody they conflict with, most-conflicted first."""
    problem = forming.problem
    rules = problem.rules
    load = sum(u.size for u in units)
    count = max(count, 1)
    if count * rules.min_size > load:
        count = max(load // rules.min_size, 1)
    inside = {m: unit for unit in units for m in unit.members}

    def peers(unit: Unit) -> set[Unit]:
        found = {inside[o] for m in unit.members for o in problem.blocked.get(m, ()) if o in inside}
        found.discard(unit)
        return found

    blocked = {unit: peers(unit) for unit in units}
    order = sorted(units, key=lambda u: (-len(blocked[u]), -u.size, u.members))
    groups: list[list[Unit]] = [[] for _ in range(count)]
    sizes = [0] * count
    left: list[Unit] = []
    for unit in order:
        fits = [
            i
            for i in range(count)
            if sizes[i] + unit.size <= rules.max_size and not blocked[unit] & set(groups[i])
        ]
        if fits:
            target = min(fits, key=lambda i: (sizes[i], i))
            groups[target].append(unit)
            sizes[target] += unit.size
            continue
        if _eject_into(groups, sizes, unit, blocked, rules.max_size):
            continue
        left.append(unit)
    for group in groups:
        if sum(u.size for u in group) >= rules.min_size:
            forming.cohorts.append(
                WorkCohort(cohort_type, sorted(m for u in group for m in u.members))
            )
        else:
            left.extend(group)
    forming.unplaced.extend(sorted(left, key=lambda u: u.members))


def _eject_into(
    groups: list[list[Unit]],
    sizes: list[int],
    unit: Unit,
    blocked: dict[Unit, set[Unit]],
    most: int,
) -> bool:
    """Place ``unit`` in a cohort where it conflicts with one single member, who moves to
    another cohort with room and nobody they conflict with."""
    for i, group in enumerate(groups):
        clashes = [u for u in group if u in blocked[unit]]
        if len(clashes) != 1 or sizes[i] - clashes[0].size + unit.size > most:
            continue
        moved = clashes[0]
        if moved.size != 1:
            continue
        for j, other in enumerate(groups):
            if j == i or sizes[j] + moved.size > most or blocked[moved] & set(other):
                continue
            group.remove(moved)
            group.append(unit)
            other.append(moved)
            sizes[i] += unit.size - moved.size
            sizes[j] += moved.size
            return True
    return False


def _split(forming: Forming, cohort_type: CohortType, units: list[Unit], count: int) -> None:
    rules = forming.problem.rules
    load = sum(u.size for u in units)
    if not (count and count * rules.min_size <= load <= count * rules.max_size):
        count = math.ceil(load / rules.max_size)
    if count * rules.min_size > load:
        forming.unplaced.extend(units)
        return
    targets = [load // count + (1 if i < load % count else 0) for i in range(count)]
    groups: list[list[int]] = [[] for _ in range(count)]
    index = 0
    for unit in units:
        while index < count - 1 and len(groups[index]) + unit.size > targets[index]:
            index += 1
        target = index
        if len(groups[target]) + unit.size > rules.max_size:
            roomy = [i for i in range(count) if len(groups[i]) + unit.size <= rules.max_size]
            if not roomy:
                forming.unplaced.append(unit)
                continue
            target = roomy[0]
        groups[target].extend(unit.members)
    for group in groups:
        forming.cohorts.append(WorkCohort(cohort_type, sorted(group)))


def _movable(problem: Problem, applicant_id: int) -> bool:
    return problem.unit_of[applicant_id].size == 1


def _separate_conflicts(forming: Forming, cohort: WorkCohort) -> None:
    """Split conflicting pairs by moving or swapping one of them into a sibling cohort of the
    same type. A sibling emptied earlier (it fell below the smallest size) is no longer a
    cohort and takes nobody; a move never leaves either cohort outside the size limits."""
    problem = forming.problem
    rules = problem.rules
    siblings = [
        c for c in forming.cohorts if c is not cohort and c.cohort_type == cohort.cohort_type
    ]
    while True:
        clash = _first_clash(problem, cohort.members)
        if clash is None:
            return
        done = False
        for member in clash:
            if not _movable(problem, member):
                continue
            rest = [m for m in cohort.members if m != member]
            for sibling in siblings:
                if not sibling.members:
                    continue  # emptied earlier: it is no longer a cohort
                if (
                    rules.min_size <= len(sibling.members) < rules.max_size
                    and len(rest) >= rules.min_size
                    and not problem.blocks_with(member, sibling.members)
                ):
                    cohort.members = rest
                    sibling.members = sorted([*sibling.members, member])
                    done = True
                    break
                for other in sibling.members:
                    if not _movable(problem, other):
                        continue
                    others = [m for m in sibling.members if m != other]
                    if problem.blocks_with(member, others) or problem.blocks_with(other, rest):
                        continue
                    cohort.members = sorted([*rest, other])
                    sibling.members = sorted([*others, member])
                    done = True
                    break
                if done:
                    break
            if done:
                break
        if not done:
            # Nobody could swap: the later of the pair waits, and so does the cohort if too small.
            waits = (
                max(m for m in clash if _movable(problem, m))
                if any(_movable(problem, m) for m in clash)
                else None
            )
            if waits is None:
                forming.unplaced.extend({problem.unit_of[m] for m in cohort.members})
                cohort.members = []
                return
            cohort.members = [m for m in cohort.members if m != waits]
            forming.unplaced.append(problem.unit_of[waits])
            if len(cohort.members) < rules.min_size:
                units = {problem.unit_of[m] for m in cohort.members}
                forming.unplaced.extend(sorted(units, key=lambda u: u.members))
                cohort.members = []
                return


def _first_clash(problem: Problem, members: list[int]) -> tuple[int, int] | None:
    for index, member in enumerate(members):
        for other in members[index + 1 :]:
            if problem.is_blocked(member, other):
                return (member, other)
    return None


def place_leftovers(forming: Forming) -> None:
    """Give unplaced people a cohort with room, then form new cohorts from those still left.

    After this, nobody waiting could join an existing cohort with room without a conflict,
    which is what the waitlist reasons rely on.
    """
    problem = forming.problem
    rules = problem.rules
    changed = True
    while changed:
        changed = False
        waiting = sorted(set(forming.unplaced), key=lambda u: u.members)
        for unit in waiting:
            options = problem.unit_options(unit)
            best: tuple[float, WorkCohort] | None = None
            for cohort in forming.cohorts:
                if cohort.locked or cohort.cohort_type not in options:
                    continue
                if len(cohort.members) + unit.size > rules.max_size:
                    continue
                if any(problem.blocks_with(m, cohort.members) for m in unit.members):
                    continue
                after = forming.score([*cohort.members, *unit.members])
                if best is None or after > best[0] + EPSILON:
                    best = (after, cohort)
            if best is not None:
                cohort = best[1]
                cohort.members = sorted([*cohort.members, *unit.members])
                cohort.score = best[0]
                forming.unplaced.remove(unit)
                changed = True
        if _form_new_cohort(forming):
            changed = True


def _form_new_cohort(forming: Forming) -> bool:
    """One new cohort from unplaced people, if any type has enough of them without conflicts."""
    problem = forming.problem
    rules = problem.rules
    candidates: dict[CohortType, list[Unit]] = defaultdict(list)
    for unit in sorted(set(forming.unplaced), key=lambda u: u.members):
        for cohort_type in problem.unit_options(unit):
            candidates[cohort_type].append(unit)
    ranked = sorted(
        (t for t, units in candidates.items() if sum(u.size for u in units) >= rules.min_size),
        key=lambda t: (-sum(u.size for u in candidates[t]), t.sort_key()),
    )
    for cohort_type in ranked:
        chosen, _ = conflict_free_group(problem, candidates[cohort_type], rules.max_size)
        if sum(u.size for u in chosen) >= rules.min_size:
            members = sorted(m for unit in chosen for m in unit.members)
            cohort = WorkCohort(cohort_type, members)
            forming.rescore(cohort)
            forming.cohorts.append(cohort)
            for unit in chosen:
                forming.unplaced.remove(unit)
            return True
    return False


def conflict_free_group(problem: Problem, units: list[Unit], most: int) -> tuple[list[Unit], bool]:
    """The largest group (up to ``most`` people) of these units with no conflict inside, and
    whether it is proven the largest.

    Conflicts are sparse, so people with no conflict among the candidates are taken first;
    the few with conflicts are then searched exhaustively (a small branch and bound with a
    step limit), so the answer is the true largest group, which the waitlist reasons rely on.
    """
    members = {m: unit for unit in units for m in unit.members}
    free = [u for u in units if not _unit_blocks_any(problem, u, members)]
    busy = [u for u in units if u not in free]
    chosen: list[Unit] = []
    total = 0
    for unit in free:
        if total + unit.size <= most:
            chosen.append(unit)
            total += unit.size
    if total >= most or not busy:
        return chosen, True
    best: list[Unit] = []
    best_size = 0
    room = most - total
    steps = 0

    def search(index: int, picked: list[Unit], size: int) -> None:
        nonlocal best, best_size, steps
        steps += 1
        if size > best_size:
            best, best_size = list(picked), size
        if best_size >= room or index == len(busy) or steps > 20_000:
            return
        remaining = sum(u.size for u in busy[index:])
        if size + remaining <= best_size:
            return
        unit = busy[index]
        if size + unit.size <= room and not any(
            problem.is_blocked(a, b)
            for other in picked
            for a in unit.members
            for b in other.members
        ):
            picked.append(unit)
            search(index + 1, picked, size + unit.size)
            picked.pop()
        search(index + 1, picked, size)

    search(0, [], 0)
    return chosen + best, steps <= 20_000


def _unit_blocks_any(problem: Problem, unit: Unit, members: dict[int, Unit]) -> bool:
    return any(
        members.get(other) not in (None, unit)
        for m in unit.members
        for other in problem.blocked.get(m, ())
    )


def improve(forming: Forming, rng: random.Random, evaluations: int) -> None:
    """Local search: moves and swaps that raise the worse of two cohorts (or their total)."""
    problem = forming.problem
    cohorts = [c for c in forming.cohorts if not c.locked]
    if not cohorts or evaluations <= 0:
        return
    by_part_slot: dict[tuple[object, ...], list[WorkCohort]] = defaultdict(list)
    for cohort in cohorts:
        by_part_slot[(*cohort.part(), cohort.cohort_type.slot)].append(cohort)
    waiting = _Waiting(forming)
    spent = 0
    stale = 0
    while spent < evaluations and stale < 2:
        improved = False
        order = sorted(cohorts, key=lambda c: (c.score, c.members))
        for cohort in order[: max(1, len(order) // 3)]:
            if spent >= evaluations:
                break
            for member in list(cohort.members):
                if not _movable(problem, member) or member not in cohort.members:
                    continue
                applicant = problem.by_id[member]
                targets: list[WorkCohort] = []
                for slot in sorted(applicant.availability, key=slot_order):
                    targets.extend(by_part_slot.get((*cohort.part(), slot), ()))
                targets = [t for t in targets if t is not cohort]
                if len(targets) > 6:
                    targets = rng.sample(targets, 6)
                for target in targets:
                    spent += 1
                    if _try_move_or_swap(forming, cohort, target, member, rng):
                        improved = True
                        break
                if member in cohort.members:
                    spent += 1
                    if _try_swap_waiting(forming, waiting, cohort, member):
                        improved = True
        stale = 0 if improved else stale + 1


def _accept(before: tuple[float, float], after: tuple[float, float]) -> bool:
    return after[0] > before[0] + EPSILON or (
        after[0] >= before[0] - EPSILON and after[1] > before[1] + EPSILON
    )


def _try_move_or_swap(
    forming: Forming, source: WorkCohort, target: WorkCohort, member: int, rng: random.Random
) -> bool:
    problem = forming.problem
    rules = problem.rules
    before = (min(source.score, target.score), source.score + target.score)
    rest = [m for m in source.members if m != member]
    if (
        len(rest) >= rules.min_size
        and len(target.members) < rules.max_size
        and not problem.blocks_with(member, target.members)
    ):
        grown = [*target.members, member]
        after_source, after_target = forming.score(rest), forming.score(grown)
        if _accept(before, (min(after_source, after_target), after_source + after_target)):
            source.members, target.members = rest, sorted(grown)
            source.score, target.score = after_source, after_target
            return True
    partners = [
        m for m in target.members if _movable(problem, m) and problem.fits(m, source.cohort_type)
    ]
    if len(partners) > 4:
        partners = rng.sample(partners, 4)
    for other in partners:
        others = [m for m in target.members if m != other]
        if problem.blocks_with(member, others) or problem.blocks_with(other, rest):
            continue
        new_source, new_target = [*rest, other], [*others, member]
        after_source, after_target = forming.score(new_source), forming.score(new_target)
        if _accept(before, (min(after_source, after_target), after_source + after_target)):
            source.members, target.members = sorted(new_source), sorted(new_target)
            source.score, target.score = after_source, after_target
            return True
    return False


class _Waiting:
    """Single unplaced applicants indexed by the cohort types they could join."""

    def __init__(self, forming: Forming) -> None:
        self.forming = forming
        self.by_type: dict[CohortType, list[int]] = defaultdict(list)
        for unit in sorted(set(forming.unplaced), key=lambda u: u.members):
            if unit.size == 1:
                self.add(unit.members[0])

    def add(self, applicant_id: int) -> None:
        for cohort_type in self.forming.problem.options(applicant_id):
            self.by_type[cohort_type].append(applicant_id)

    def remove(self, applicant_id: int) -> None:
        for cohort_type in self.forming.problem.options(applicant_id):
            self.by_type[cohort_type].remove(applicant_id)


def _try_swap_waiting(forming: Forming, waiting: _Waiting, cohort: WorkCohort, member: int) -> bool:
    """Swap a member with someone waiting who can make the cohort: placement is unchanged."""
    problem = forming.problem
    rest = [m for m in cohort.members if m != member]
    for candidate in waiting.by_type.get(cohort.cohort_type, [])[:8]:
        if problem.blocks_with(candidate, rest):
            continue
        after = forming.score([*rest, candidate])
        if after > cohort.score + EPSILON:
            cohort.members = sorted([*rest, candidate])
            cohort.score = after
            forming.unplaced.remove(problem.unit_of[candidate])
            forming.unplaced.append(problem.unit_of[member])
            waiting.remove(candidate)
            waiting.add(member)
            return True
    return False
