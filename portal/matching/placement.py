"""Stage 1: how many cohorts of each type, and which applicants go to which type.

A cohort type is a format, an area (for in-person cohorts), a weekly slot and, when the basis
is a hard rule, a basis value. This stage decides, for every type, how many cohorts to open
and which locked-together units (single applicants, mostly) join cohorts of that type, so that
as many applicants as possible are placed. It is a relaxation of the real problem: it keeps
the size limits exactly (a type with n cohorts takes between n*min and n*max members) but
enforces conflicts only where a type has a single cohort (with two or more, a conflicting pair
can usually be split between them; stage 2 does that). So its proven optimum is an upper
bound on how many can really be placed.

The pool splits into independent components (units that share no possible cohort type never
interact), each solved by CP-SAT on one worker with a fixed seed and a deterministic time
limit, after a greedy solution is given as a hint. Before that, types that no conflict-free
cohort around a unit could use are dropped from its options (``prune_options``: no real
answer is lost, so the bound stays true); each component gets its share of the work in
proportion to its size, but never less than ``MIN_WORK``. Where a component's types hold
more conflicting pairs than cohorts, its cohorts are also built directly (``dense``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from portal.matching.problem import CohortType, Problem, Unit

# OR-Tools (with numpy and pandas) takes about a second of CPU to import, so it is imported
# where a solve starts, not when the app starts (tests/test_start_up.py).
if TYPE_CHECKING:
    from ortools.sat.python import cp_model


@dataclass
class Component:
    """Units that may share cohorts, the types they could form, and the stage's answer."""

    units: list[Unit]
    types: list[CohortType]
    options: dict[Unit, list[CohortType]]
    assignment: dict[Unit, CohortType] = field(default_factory=dict)
    cohorts: dict[CohortType, int] = field(default_factory=dict)
    bound: int = 0
    optimal: bool = False
    # The cohorts themselves, where stage 1 decided them (dense conflicts; see ``dense``).
    groups: dict[CohortType, list[list[Unit]]] | None = None

    @property
    def size(self) -> int:
        return sum(unit.size for unit in self.units)


@dataclass
class Placement:
    """Stage 1's answer: the components, and units that fit no type with enough people."""

    components: list[Component]
    stranded: list[Unit]
    type_weight: dict[CohortType, int]

    @property
    def bound(self) -> int:
        return sum(component.bound for component in self.components)


def viable_options(problem: Problem) -> tuple[dict[Unit, list[CohortType]], dict[CohortType, int]]:
    """Each unit's cohort types that enough people could join, and each type's head count."""
    weight: dict[CohortType, int] = defaultdict(int)
    raw: dict[Unit, frozenset[CohortType]] = {}
    for unit in problem.units:
        raw[unit] = problem.unit_options(unit)
        for cohort_type in raw[unit]:
            weight[cohort_type] += unit.size
    minimum = problem.rules.min_size
    options = {
        unit: sorted((t for t in found if weight[t] >= minimum), key=CohortType.sort_key)
        for unit, found in raw.items()
    }
    return options, dict(weight)


def plan_placement(problem: Problem, seed: int, work_limit: float) -> Placement:
    """Split the pool into components and decide each one's cohort types (see module doc)."""
    options, weight = viable_options(problem)
    options = prune_options(problem, options)
    stranded = [unit for unit in problem.units if not options[unit]]
    components = _components([u for u in problem.units if options[u]], options)
    # Smallest first, each with its share of what is left: work a small component does not
    # need (it is proven at once) goes to the larger ones after it.
    # Every component gets at least a floor: a share in proportion to its size is too little
    # for a sector of 100 in a pool of 10,000 (0.04 s) to find its cohorts, let alone prove it.
    remaining, people = work_limit, sum(c.size for c in components)
    floor = min(MIN_WORK, work_limit * MIN_WORK_SHARE)
    for component in sorted(components, key=lambda c: (c.size, c.units[0].members)):
        share = remaining * component.size / (people or 1)
        remaining -= _solve_component(problem, component, seed, max(share, floor))
        if _dense(problem, component):
            _use_dense(problem, component)
        people -= component.size
    return Placement(components, stranded, weight)


PRUNE_STEPS = 400  # search steps to prove that no cohort of a type can hold a unit


def prune_options(
    problem: Problem, options: dict[Unit, list[CohortType]]
) -> dict[Unit, list[CohortType]]:
    """Drop the cohort types a unit could never really join, until nothing more drops.

    A unit in a cohort of type t shares it with at least ``min_size`` people in all, every one
    of whom can make t and none of whom it is in conflict with, nor with each other. Where the
    people who can make t hold no such group around the unit (say 9 who can make Tuesday
    evenings in person, two of them competitors), t is no option for it. Dropping such
    options loses no real answer, so stage 1's optimum stays an upper bound, and it is far
    tighter where conflicts are dense (with 20% of a sector's pairs in conflict, most small
    in-person types can hold no cohort at all). A search that runs out of steps keeps the
    option. Removing one option can leave another type too small, hence the repeat.
    """
    if not problem.blocked:
        return options
    low = problem.rules.min_size
    current = {unit: list(found) for unit, found in options.items()}
    members: dict[CohortType, list[Unit]] = defaultdict(list)
    for unit in problem.units:
        for cohort_type in current.get(unit, ()):
            members[cohort_type].append(unit)
    pending = sorted(members, key=CohortType.sort_key)
    while pending:
        touched: set[CohortType] = set()
        for cohort_type in pending:
            units = members[cohort_type]
            dropped = _unreachable(problem, units, low)
            if not dropped:
                continue
            members[cohort_type] = [u for u in units if u not in dropped]
            for unit in dropped:
                current[unit].remove(cohort_type)
            touched.add(cohort_type)
        pending = sorted(touched, key=CohortType.sort_key)
    return current


def _unreachable(problem: Problem, units: list[Unit], low: int) -> set[Unit]:
    """The units that no conflict-free group of ``low`` people among ``units`` can hold."""
    index = {m: position for position, unit in enumerate(units) for m in unit.members}
    sizes = [unit.size for unit in units]
    masks = [0] * len(units)
    for position, unit in enumerate(units):
        for member in unit.members:
            for other in problem.blocked.get(member, ()):
                peer = index.get(other)
                if peer is not None and peer != position:
                    masks[position] |= 1 << peer
    free = sum(size for size, mask in zip(sizes, masks, strict=True) if not mask)
    dropped: set[Unit] = set()
    everyone = (1 << len(units)) - 1
    for position, unit in enumerate(units):
        if free + (unit.size if masks[position] else 0) >= low:
            continue  # enough people here in conflict with nobody
        mates = everyone & ~masks[position] & ~(1 << position)
        if _group_reaches(sizes, masks, mates, low - unit.size) is False:
            dropped.add(unit)
    return dropped


def _group_reaches(sizes: list[int], masks: list[int], candidates: int, need: int) -> bool | None:
    """Whether some ``candidates`` (a bit set) with no conflict among them number ``need``
    people: True, False (proven), or None (the search ran out of steps)."""
    steps = 0

    def people(bits: int) -> int:
        total = 0
        while bits:
            low_bit = bits & -bits
            total += sizes[low_bit.bit_length() - 1]
            bits ^= low_bit
        return total

    def search(bits: int, size: int) -> bool | None:
        nonlocal steps
        steps += 1
        if size >= need:
            return True
        if steps > PRUNE_STEPS:
            return None
        if size + people(bits) < need:
            return False
        # Each candidate in turn joins, with only later ones after it (every group once).
        rest = bits
        while rest:
            low_bit = rest & -rest
            rest ^= low_bit
            position = low_bit.bit_length() - 1
            found = search(rest & ~masks[position], size + sizes[position])
            if found or found is None:
                return found
            if size + people(rest) < need:
                return False
        return False

    return search(candidates, 0)


def _dense(problem: Problem, component: Component) -> bool:
    """True when stage 1's types hold more conflicting pairs than cohorts: too many for
    stage 2 to split between the cohorts of a type."""
    if not problem.blocked:
        return False
    by_type: dict[CohortType, list[Unit]] = defaultdict(list)
    for unit, cohort_type in component.assignment.items():
        by_type[cohort_type].append(unit)
    pairs = sum(len(_blocked_pairs(problem, units)) for units in by_type.values())
    return pairs > sum(component.cohorts.values())


def _use_dense(problem: Problem, component: Component) -> None:
    """Build the component's cohorts themselves as well (``dense``): stage 2 keeps them
    where they place more than cutting stage 1's types into cohorts."""
    from portal.matching.dense import solve_dense

    component.groups = solve_dense(problem, component.units, component.options).groups


def _components(units: list[Unit], options: dict[Unit, list[CohortType]]) -> list[Component]:
    parent = list(range(len(units)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[CohortType, int] = {}
    for index, unit in enumerate(units):
        for cohort_type in options[unit]:
            if cohort_type in first_with:
                parent[find(index)] = find(first_with[cohort_type])
            else:
                first_with[cohort_type] = index
    grouped: dict[int, list[Unit]] = defaultdict(list)
    for index, unit in enumerate(units):
        grouped[find(index)].append(unit)
    components = []
    for members in grouped.values():
        types = sorted({t for unit in members for t in options[unit]}, key=CohortType.sort_key)
        components.append(Component(members, types, {u: options[u] for u in members}))
    components.sort(key=lambda c: c.units[0].members)
    return components


def feasible_load(load: int, minimum: int, maximum: int) -> bool:
    """True when ``load`` people can be split into whole cohorts of minimum-maximum members."""
    return load == 0 or math.ceil(load / maximum) * minimum <= load


def greedy_assignment(
    problem: Problem, component: Component
) -> tuple[dict[Unit, CohortType], dict[CohortType, int]]:
    """A quick answer for stage 1: gather people on popular types, then repair the sizes.

    Each unit first joins the most popular type it can make (most people could make it), so
    people gather where cohorts are easy to fill. Types whose head count cannot be split into
    cohorts of the allowed sizes (say 5, or 13 with cohorts of 8-10) are then repaired by
    moving people to or from other types without breaking those; what cannot be repaired
    is left out.
    """
    rules = problem.rules
    low, high = rules.min_size, rules.max_size
    candidates: dict[CohortType, list[Unit]] = defaultdict(list)
    for unit in component.units:
        for cohort_type in component.options[unit]:
            candidates[cohort_type].append(unit)
    popularity = {t: sum(u.size for u in candidates[t]) for t in component.types}
    rank = {
        t: index
        for index, t in enumerate(
            sorted(component.types, key=lambda t: (-popularity[t], t.sort_key()))
        )
    }
    assignment: dict[Unit, CohortType] = {}
    load: dict[CohortType, int] = dict.fromkeys(component.types, 0)
    members: dict[CohortType, dict[Unit, None]] = {t: {} for t in component.types}
    for unit in component.units:
        best = min(component.options[unit], key=rank.__getitem__)
        assignment[unit] = best
        load[best] += unit.size
        members[best][unit] = None

    def ok(value: int) -> bool:
        return feasible_load(value, low, high)

    def move(unit: Unit, target: CohortType | None) -> None:
        source = assignment.pop(unit, None)
        if source is not None:
            load[source] -= unit.size
            del members[source][unit]
        if target is not None:
            assignment[unit] = target
            load[target] += unit.size
            members[target][unit] = None

    def shed(cohort_type: CohortType, count: int) -> bool:
        # Move ``count`` people out to types that stay (or become) feasible.
        moves: list[tuple[Unit, CohortType]] = []
        planned = dict(load)
        for unit in list(members[cohort_type]):
            if count <= 0:
                break
            for other in sorted(component.options[unit], key=rank.__getitem__):
                if other == cohort_type:
                    continue
                if ok(planned[other] + unit.size) and (
                    ok(planned[other]) or planned[other] + unit.size >= low
                ):
                    moves.append((unit, other))
                    planned[other] += unit.size
                    count -= unit.size
                    break
        if count > 0:
            return False
        for unit, other in moves:
            move(unit, other)
        return True

    def gain(cohort_type: CohortType, count: int) -> bool:
        # Bring ``count`` people in from types that stay feasible without them, or unplaced.
        moves: list[Unit] = []
        planned = dict(load)
        for unit in candidates[cohort_type]:
            if count <= 0:
                break
            source = assignment.get(unit)
            if source == cohort_type:
                continue
            if source is None or ok(planned[source] - unit.size):
                moves.append(unit)
                if source is not None:
                    planned[source] -= unit.size
                count -= unit.size
        if count > 0:
            return False
        for unit in moves:
            move(unit, cohort_type)
        return True

    for _ in range(3):
        broken = sorted(
            (t for t in component.types if not ok(load[t])), key=lambda t: (load[t], rank[t])
        )
        if not broken:
            break
        for cohort_type in broken:
            current = load[cohort_type]
            if ok(current):
                continue
            below = (current // high) * high if (current // high) * high >= 0 else 0
            above = (current // low + 1) * low
            above = math.ceil(above / low) * low
            if current - below <= above - current:
                done = shed(cohort_type, current - below) or gain(cohort_type, above - current)
            else:
                done = gain(cohort_type, above - current) or shed(cohort_type, current - below)
            if not done:
                for unit in list(members[cohort_type])[::-1]:
                    if ok(load[cohort_type]):
                        break
                    move(unit, None)
    for cohort_type in component.types:
        # Whatever is still broken is left out, most flexible people first.
        for unit in sorted(members[cohort_type], key=lambda u: -len(component.options[u])):
            if ok(load[cohort_type]):
                break
            move(unit, None)
    _separate_single_cohorts(problem, component, assignment, load, members, move, ok, rank)
    for unit in component.units:
        if unit in assignment:
            continue
        for other in sorted(component.options[unit], key=rank.__getitem__):
            if (
                ok(load[other] + unit.size)
                and load[other] > 0
                and not (
                    load[other] + unit.size <= high
                    and any(_units_blocked(problem, unit, peer) for peer in members[other])
                )
            ):
                move(unit, other)
                break
    cohorts = {t: math.ceil(load[t] / high) for t in component.types if load[t]}
    return dict(assignment), cohorts


def _separate_single_cohorts(
    problem: Problem,
    component: Component,
    assignment: dict[Unit, CohortType],
    load: dict[CohortType, int],
    members: dict[CohortType, dict[Unit, None]],
    move: Callable[[Unit, CohortType | None], None],
    ok: Callable[[int], bool],
    rank: dict[CohortType, int],
) -> None:
    """Where a type holds a single cohort, conflicting pairs cannot both stay: move one out."""
    high = problem.rules.max_size
    for cohort_type in component.types:
        if not load[cohort_type] or load[cohort_type] > high:
            continue
        kept: list[Unit] = []
        for unit in list(members[cohort_type]):
            if not any(_units_blocked(problem, unit, other) for other in kept):
                kept.append(unit)
                continue
            target = next(
                (
                    other
                    for other in sorted(component.options[unit], key=rank.__getitem__)
                    if other != cohort_type and load[other] > high and ok(load[other] + unit.size)
                ),
                None,
            )
            move(unit, target)
        if not ok(load[cohort_type]):
            for unit in list(members[cohort_type]):
                move(unit, None)


def _units_blocked(problem: Problem, a: Unit, b: Unit) -> bool:
    return any(problem.is_blocked(x, y) for x in a.members for y in b.members)


MIN_WORK = 0.5  # the least deterministic seconds a component's solve gets,
MIN_WORK_SHARE = 0.125  # but at most this share of stage 1's work (small pools)
EXACT_UNITS = 250  # components (or parts) up to this many units are solved by CP-SAT


def _solve_component(problem: Problem, component: Component, seed: int, work: float) -> float:
    """Solve one component; returns the deterministic seconds it took."""
    if len(component.units) <= EXACT_UNITS:
        return _solve_exactly(problem, component, seed, work, fallback=set())
    return _solve_by_parts(problem, component, seed, work)


def _solve_by_parts(problem: Problem, component: Component, seed: int, work: float) -> float:
    """A large component: each area's in-person cohorts first, then everything online.

    An area's part holds the people who could meet in person there; those who could also
    meet online may fall back to online cohorts, which in a large pool can nearly always take
    one more person. The parts' own answers (the online part's too) are then exact or greedy
    by size. The bound adds each area part's bound (its fallbacks counted as placed) to the
    number of online-only people: every real answer fits within it, so it is a true upper
    bound. Returns the deterministic seconds it took.
    """
    online = [t for t in component.types if t.delivery == "online"]
    areas: dict[tuple[str, ...], list[CohortType]] = defaultdict(list)
    for cohort_type in component.types:
        if cohort_type.delivery == "in_person":
            areas[cohort_type.area].append(cohort_type)
    online_set = set(online)
    assignment: dict[Unit, CohortType] = {}
    cohorts: dict[CohortType, int] = {}
    bound = 0
    spent = 0.0
    optimal = True
    to_online: list[Unit] = []
    for area in sorted(areas):
        types = areas[area]
        chosen = set(types)
        units = [u for u in component.units if any(t in chosen for t in component.options[u])]
        part = Component(
            units, types, {u: [t for t in component.options[u] if t in chosen] for u in units}
        )
        fallback = {u for u in units if any(t in online_set for t in component.options[u])}
        share = work * len(units) / len(component.units)
        if len(units) <= EXACT_UNITS:
            spent += _solve_exactly(problem, part, seed, share, fallback)
        else:
            part.assignment, part.cohorts = greedy_assignment(problem, part)
            part.bound, part.optimal = part.size, part.size == sum(u.size for u in part.assignment)
        assignment.update(part.assignment)
        cohorts.update(part.cohorts)
        bound += part.bound
        optimal = optimal and part.optimal
        to_online.extend(u for u in fallback if u not in part.assignment)
    online_only = [u for u in component.units if all(t in online_set for t in component.options[u])]
    if online:
        units = sorted({*online_only, *to_online}, key=lambda u: u.members)
        hub = Component(
            units, online, {u: [t for t in component.options[u] if t in online_set] for u in units}
        )
        if len(units) <= EXACT_UNITS:
            share = work * len(units) / len(component.units)
            spent += _solve_exactly(problem, hub, seed, share, set())
        else:
            hub.assignment, hub.cohorts = greedy_assignment(problem, hub)
        assignment.update(hub.assignment)
        cohorts.update(hub.cohorts)
        optimal = optimal and len(hub.assignment) == len(units)
    bound += sum(u.size for u in online_only)
    component.assignment, component.cohorts = assignment, cohorts
    placed = sum(u.size for u in assignment)
    component.bound = max(placed, min(bound, component.size))
    component.optimal = placed == component.bound
    return spent


def _solve_exactly(
    problem: Problem, component: Component, seed: int, work: float, fallback: set[Unit]
) -> float:
    """CP-SAT on one component; units in ``fallback`` may instead be placed elsewhere.
    Returns the deterministic seconds it took."""
    rules = problem.rules
    greedy, greedy_cohorts = greedy_assignment(problem, component)
    upper = component.size
    greedy_placed = sum(u.size for u in greedy) + sum(u.size for u in fallback if u not in greedy)
    if greedy_placed == upper:
        # Everyone is placed: nothing can beat that, so there is nothing to solve.
        component.assignment, component.cohorts = greedy, greedy_cohorts
        component.bound, component.optimal = upper, True
        return 0.0

    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x: dict[tuple[Unit, CohortType], cp_model.IntVar] = {}
    by_type: dict[CohortType, list[Unit]] = defaultdict(list)
    placed_terms: list[cp_model.LinearExprT] = []
    for index, unit in enumerate(component.units):
        for type_index, cohort_type in enumerate(component.options[unit]):
            var = model.new_bool_var(f"x{index}_{type_index}")
            x[unit, cohort_type] = var
            by_type[cohort_type].append(unit)
            model.add_hint(var, greedy.get(unit) == cohort_type)
        own = [x[unit, t] for t in component.options[unit]]
        if unit in fallback:
            elsewhere = model.new_bool_var(f"f{index}")
            model.add_hint(elsewhere, unit not in greedy)
            own.append(elsewhere)
        model.add_at_most_one(own)
        placed_terms.extend(unit.size * var for var in own)
    counts: dict[CohortType, cp_model.IntVar] = {}
    for type_index, cohort_type in enumerate(component.types):
        members = by_type[cohort_type]
        most = sum(u.size for u in members) // rules.min_size
        count = model.new_int_var(0, most, f"n{type_index}")
        counts[cohort_type] = count
        load = sum(u.size * x[u, cohort_type] for u in members)
        model.add(load >= rules.min_size * count)
        model.add(load <= rules.max_size * count)
        for unit in members:
            # Disaggregated link: nobody joins a type with no cohort. Redundant for integers,
            # but it makes the linear relaxation (and so the proven bound) far tighter.
            model.add(x[unit, cohort_type] <= count)
        model.add_hint(count, greedy_cohorts.get(cohort_type, 0))
        pairs = _blocked_pairs(problem, members)
        if pairs:
            several = model.new_bool_var(f"m{type_index}")
            model.add(count >= 2).only_enforce_if(several)
            model.add_hint(several, greedy_cohorts.get(cohort_type, 0) >= 2)
            for a, b in pairs:
                model.add(x[a, cohort_type] + x[b, cohort_type] <= 1 + several)
    _add_aggregate_sizes(model, component, x, counts, rules.min_size, rules.max_size)
    model.maximize(sum(placed_terms))

    solver = cp_model.CpSolver()
    configure(solver, seed, work)
    status = solver.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value >= greedy_placed:
        component.assignment = {
            unit: cohort_type for (unit, cohort_type), var in x.items() if solver.value(var)
        }
        component.cohorts = {t: solver.value(n) for t, n in counts.items() if solver.value(n)}
        found = round(solver.objective_value)
    else:
        component.assignment, component.cohorts = greedy, greedy_cohorts
        found = greedy_placed
    if status == cp_model.OPTIMAL:
        component.bound, component.optimal = found, True
    elif status == cp_model.FEASIBLE:
        component.bound = max(found, min(upper, math.floor(solver.best_objective_bound + 1e-6)))
        component.optimal = component.bound == found
    else:
        component.bound, component.optimal = upper, found == upper
    return float(solver.response_proto.deterministic_time)


def _add_aggregate_sizes(
    model: cp_model.CpModel,
    component: Component,
    x: dict[tuple[Unit, CohortType], cp_model.IntVar],
    counts: dict[CohortType, cp_model.IntVar],
    minimum: int,
    maximum: int,
) -> None:
    """Whole numbers of cohorts for each part and for the component.

    Implied by the per-type limits, but stated over integer totals they let the solver see at
    once that, say, 31 people cannot all be placed in cohorts of 8-10 (3 hold at most 30 and 4
    need at least 32): the linear relaxation alone cannot.
    """
    groups: dict[tuple[object, ...], list[CohortType]] = defaultdict(list)
    for cohort_type in component.types:
        groups[(cohort_type.delivery, cohort_type.area, cohort_type.value)].append(cohort_type)
    groups[("all",)] = list(component.types)
    for index, (_, types) in enumerate(sorted(groups.items(), key=lambda g: repr(g[0]))):
        if len(types) < 2 and index:
            continue
        chosen = set(types)
        load = sum(u.size * var for (u, t), var in x.items() if t in chosen)
        people = sum(
            u.size for u in component.units if any(t in chosen for t in component.options[u])
        )
        total = model.new_int_var(0, people // minimum, f"total{index}")
        model.add(total == sum(counts[t] for t in types))
        model.add(load >= minimum * total)
        model.add(load <= maximum * total)


def _blocked_pairs(problem: Problem, units: list[Unit]) -> list[tuple[Unit, Unit]]:
    member_unit = {m: unit for unit in units for m in unit.members}
    pairs: set[tuple[Unit, Unit]] = set()
    for unit in units:
        for member in unit.members:
            for other in problem.blocked.get(member, ()):
                other_unit = member_unit.get(other)
                if other_unit is not None and other_unit is not unit:
                    first, second = sorted((unit, other_unit), key=lambda u: u.members)
                    pairs.add((first, second))
    return sorted(pairs, key=lambda pair: (pair[0].members, pair[1].members))


def configure(solver: cp_model.CpSolver, seed: int, work: float) -> None:
    """One worker, a fixed seed and a deterministic time limit: the same input, the same answer.

    Deterministic time is CP-SAT's own measure of work done, independent of the machine's
    speed or load; with a single worker the search path is fixed by the model and the seed.
    """
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_deterministic_time = work
    solver.parameters.log_search_progress = False
