"""The exact model: the whole problem in one CP-SAT model, without decomposition.

Used to prove answers on small pools (the benchmark compares the engine with it) and by the
engine to polish small components. For K possible cohorts it decides who is in which cohort
and each cohort's type (format, area, slot, and basis value when that is a hard rule), with
every hard rule as a constraint, in three phases:

1. maximise the number placed;
2. with that number fixed, maximise the worst cohort's score;
3. with both fixed, maximise the total of the cohorts' scores.

Scores are those of ``portal.matching.scoring`` computed in whole points: each goal is
rounded down, and the weights are used to two decimal places. Symmetry between the K
interchangeable cohorts is broken by letting applicant i (in id order) join only cohorts
0..i and filling cohorts in order.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from portal.matching.model import Applicant, Weights
from portal.matching.placement import configure, viable_options
from portal.matching.problem import CohortType, Problem, Unit

# OR-Tools (with numpy and pandas) takes about a second of CPU to import, so it is imported
# where a solve starts, not when the app starts (tests/test_start_up.py).
if TYPE_CHECKING:
    from ortools.sat.python import cp_model


@dataclass
class ExactResult:
    """The exact model's answer and what it proved."""

    cohorts: list[tuple[CohortType, list[int]]] = field(default_factory=list)
    placed: int = 0
    placement_bound: int = 0
    placement_optimal: bool = False
    worst: float | None = None  # whole points, as the solver scores them
    worst_optimal: bool = False
    total_optimal: bool = False
    phases: list[str] = field(default_factory=list)


def solve_exact(
    problem: Problem,
    weights: Weights,
    seed: int = 0,
    work_limit: float = 30.0,
    units: Sequence[Unit] | None = None,
    hint: Sequence[tuple[CohortType, Sequence[int]]] = (),
    placed_at_least: int | None = None,
) -> ExactResult:
    """Solve ``units`` (default: the whole pool) exactly, within ``work_limit`` deterministic
    seconds shared by the three phases. ``hint`` is a known answer to start from."""
    rules = problem.rules
    options_by_unit, _ = viable_options(problem)
    chosen_units = [u for u in (units if units is not None else problem.units)]
    chosen_units = [u for u in chosen_units if options_by_unit.get(u)]
    people = sorted(m for u in chosen_units for m in u.members)
    result = ExactResult()
    if len(people) < rules.min_size:
        result.placement_optimal = result.worst_optimal = result.total_optimal = True
        return result
    weight_of = {t: 0 for u in chosen_units for t in options_by_unit[u]}
    for unit in chosen_units:
        for cohort_type in options_by_unit[unit]:
            weight_of[cohort_type] += unit.size
    types = sorted(
        (t for t, w in weight_of.items() if w >= rules.min_size), key=CohortType.sort_key
    )
    unit_types = {u: [t for t in options_by_unit[u] if t in set(types)] for u in chosen_units}
    count = len(people) // rules.min_size
    built = _Model(problem, weights, people, unit_types, types, count)
    built.add_hints(hint)

    from ortools.sat.python import cp_model

    solver = cp_model.CpSolver()
    # Each phase may use what the earlier ones left (deterministic time, so still reproducible).
    budget = [work_limit * 0.3, 0.6, 1.0]
    remaining = work_limit

    # Phase 1: placement.
    built.model.maximize(built.placed)
    configure(solver, seed, budget[0])
    status = solver.solve(built.model)
    remaining -= solver.response_proto.deterministic_time
    result.phases.append(solver.status_name(status))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.placement_bound = len(people)
        return result
    placed = round(solver.objective_value)
    result.placement_optimal = status == cp_model.OPTIMAL
    result.placement_bound = (
        placed if result.placement_optimal else math.floor(solver.best_objective_bound + 1e-6)
    )
    if placed_at_least is not None and placed < placed_at_least:
        return result
    built.fix_hint_from(solver)
    built.model.add(built.placed == placed)
    result.placed = placed
    result.cohorts = built.read(solver)
    if placed == 0 or not built.scored:
        result.worst_optimal = result.total_optimal = True
        result.worst = 100.0 if placed else None
        return result

    # Phase 2: the worst cohort.
    built.model.maximize(built.worst)
    configure(solver, seed, max(remaining * budget[1], 0.01))
    status = solver.solve(built.model)
    remaining -= solver.response_proto.deterministic_time
    result.phases.append(solver.status_name(status))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return result
    worst = round(solver.objective_value)
    result.worst_optimal = status == cp_model.OPTIMAL
    result.worst = worst / built.weight_total
    result.cohorts = built.read(solver)
    built.fix_hint_from(solver)
    built.model.add(built.worst >= worst)

    # Phase 3: the total.
    built.model.maximize(built.total)
    configure(solver, seed, max(remaining * budget[2], 0.01))
    status = solver.solve(built.model)
    result.phases.append(solver.status_name(status))
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        result.cohorts = built.read(solver)
        result.total_optimal = status == cp_model.OPTIMAL
    return result


class _Model:
    """The CP-SAT model of the whole problem (see the module docstring)."""

    def __init__(
        self,
        problem: Problem,
        weights: Weights,
        people: list[int],
        unit_types: dict[Unit, list[CohortType]],
        types: list[CohortType],
        count: int,
    ) -> None:
        from ortools.sat.python import cp_model

        rules = problem.rules
        self.problem = problem
        self.people = people
        self.types = types
        self.count = count
        model = self.model = cp_model.CpModel()
        by_id = problem.by_id
        rank = {person: index for index, person in enumerate(people)}
        options = {m: unit_types[u] for u, ts in unit_types.items() for m in u.members}
        cohorts = range(count)
        self.y: dict[tuple[int, int], cp_model.IntVar] = {}
        for person in people:
            for k in cohorts:
                if k <= rank[person]:
                    self.y[person, k] = model.new_bool_var(f"y{person}_{k}")
        self.used = [model.new_bool_var(f"used{k}") for k in cohorts]
        self.z: dict[tuple[int, CohortType], cp_model.IntVar] = {}
        for k in cohorts:
            for index, cohort_type in enumerate(types):
                self.z[k, cohort_type] = model.new_bool_var(f"z{k}_{index}")
            model.add(sum(self.z[k, t] for t in types) == self.used[k])
            if k:
                model.add(self.used[k] <= self.used[k - 1])
        for person in people:
            model.add_at_most_one(self.y[person, k] for k in cohorts if (person, k) in self.y)
            allowed = set(options[person])
            for k in cohorts:
                if (person, k) not in self.y:
                    continue
                disallowed = [self.z[k, t] for t in types if t not in allowed]
                for var in disallowed:
                    model.add_implication(self.y[person, k], var.Not())
        for pair in [*problem.conflicts, *problem.apart]:
            a, b = sorted(pair)
            if a in rank and b in rank:
                for k in cohorts:
                    if (a, k) in self.y and (b, k) in self.y:
                        model.add_bool_or([self.y[a, k].Not(), self.y[b, k].Not()])
        for unit in unit_types:
            first = unit.members[0]
            for other in unit.members[1:]:
                for k in cohorts:
                    model.add(self._y(first, k) == self._y(other, k))
        # Solver expressions. OR-Tools' LinearExprT includes NumPy integers, which its stubs
        # cannot add to an expression, so these are left untyped.
        self.sizes: list[Any] = []
        for k in cohorts:
            size = sum(self._y(p, k) for p in people)
            model.add(size >= rules.min_size * self.used[k])
            model.add(size <= rules.max_size * self.used[k])
            self.sizes.append(size)
        self.placed = sum(self.sizes)

        self.goal_weights = [
            round(weights.homogeneity * 100),
            round(weights.shared_issues * 100),
            round(weights.similar_size * 100),
            round(weights.no_isolation * 100),
        ]
        self.weight_total = sum(self.goal_weights)
        self.scored = self.weight_total > 0
        top = 100 * max(self.weight_total, 1)
        self.worst = model.new_int_var(0, top, "worst")
        scores = []
        for k in cohorts:
            score = self._score(k, by_id)
            model.add(self.worst <= score).only_enforce_if(self.used[k])
            counted = model.new_int_var(0, top, f"counted{k}")
            model.add(counted <= score)
            model.add(counted <= top * self.used[k])
            scores.append(counted)
        self.total = sum(scores)

    def _y(self, person: int, k: int) -> cp_model.LinearExprT:
        return self.y.get((person, k), 0)

    def _score(self, k: int, by_id: dict[int, Applicant]) -> cp_model.LinearExprT:
        model = self.model
        rules = self.problem.rules
        members = [p for p in self.people if (p, k) in self.y]
        y = {p: self.y[p, k] for p in members}
        size = self.sizes[k]
        denominator = model.new_int_var(1, rules.max_size + 1, f"den{k}")
        model.add(denominator == size + (1 - self.used[k]))

        # Homogeneity: the most common value's share.
        holders: dict[object, list[int]] = defaultdict(list)
        for p in members:
            for value in self.problem.values(p):
                holders[value].append(p)
        best = model.new_int_var(0, rules.max_size, f"best{k}")
        counts = [sum(y[p] for p in ps) for _, ps in sorted(holders.items(), key=repr)]
        if counts:
            choice = [model.new_bool_var(f"hv{k}_{i}") for i in range(len(counts))]
            model.add_exactly_one(choice)
            for pick, amount in zip(choice, counts, strict=True):
                model.add(best <= amount).only_enforce_if(pick)
        else:
            model.add(best == 0)
        homogeneity = model.new_int_var(0, 100, f"h{k}")
        model.add_division_equality(homogeneity, 100 * best, denominator)

        # Shared issues.
        issue_holders: dict[str, list[int]] = defaultdict(list)
        for p in members:
            for issue in by_id[p].issues:
                issue_holders[issue].append(p)
        sharing_terms = []
        with_issues = []
        for p in members:
            if not by_id[p].issues:
                continue
            with_issues.append(y[p])
            partners = sorted({q for i in by_id[p].issues for q in issue_holders[i] if q != p})
            shares = model.new_bool_var(f"s{p}_{k}")
            model.add_implication(shares, y[p])
            model.add(sum(y[q] for q in partners) >= 1).only_enforce_if(shares)
            sharing_terms.append(shares)
        nobody = model.new_bool_var(f"noissue{k}")
        counted = sum(with_issues)
        model.add(counted == 0).only_enforce_if(nobody)
        issue_den = model.new_int_var(1, rules.max_size + 1, f"iden{k}")
        model.add(issue_den == counted + nobody)
        issues = model.new_int_var(0, 100, f"i{k}")
        model.add_division_equality(issues, 100 * sum(sharing_terms) + 100 * nobody, issue_den)

        # Similar size, from the spread of log2(employees) in hundredths.
        logs = {p: round(100 * math.log2(max(by_id[p].employees, 1.0))) for p in members}
        top = max(logs.values(), default=0)
        high = model.new_int_var(0, top, f"hi{k}")
        low = model.new_int_var(0, top, f"lo{k}")
        for p in members:
            model.add(high >= logs[p]).only_enforce_if(y[p])
            model.add(low <= logs[p]).only_enforce_if(y[p])
        similar = model.new_int_var(0, 100, f"sz{k}")
        room = model.new_int_var(-top, 500, f"room{k}")
        model.add(room == 500 - (high - low))
        capped = model.new_int_var(0, 500, f"cap{k}")
        model.add_max_equality(capped, [room, 0])
        model.add(4 * similar <= capped)

        # No isolation.
        owners: dict[str, list[int]] = defaultdict(list)
        for p in members:
            for profile in by_id[p].ownership:
                owners[profile].append(p)
        isolated_terms = []
        for p in members:
            if not by_id[p].ownership:
                continue
            alone = model.new_bool_var(f"iso{p}_{k}")
            for profile in sorted(by_id[p].ownership):
                others = [y[q] for q in owners[profile] if q != p]
                model.add(y[p] - sum(others) <= alone)
            isolated_terms.append(alone)
        together = model.new_int_var(0, 100, f"o{k}")
        model.add_division_equality(
            together, 100 * (size - sum(isolated_terms)) + 100 * (1 - self.used[k]), denominator
        )

        w = self.goal_weights
        return w[0] * homogeneity + w[1] * issues + w[2] * similar + w[3] * together

    def add_hints(self, hint: Sequence[tuple[CohortType, Sequence[int]]]) -> None:
        """Start from a known answer (cohorts ordered to respect the symmetry breaking)."""
        if not hint:
            return
        rank = {p: i for i, p in enumerate(self.people)}
        ordered = sorted(
            ((t, [m for m in ms if m in rank]) for t, ms in hint),
            key=lambda item: min((rank[m] for m in item[1]), default=len(rank)),
        )
        where: dict[int, int] = {}
        type_of: dict[int, CohortType] = {}
        for k, (cohort_type, members) in enumerate(ordered[: self.count]):
            type_of[k] = cohort_type
            for m in members:
                where[m] = k
        for (person, k), var in self.y.items():
            self.model.add_hint(var, where.get(person) == k)
        for k in range(self.count):
            self.model.add_hint(self.used[k], k in type_of)
            for cohort_type in self.types:
                self.model.add_hint(self.z[k, cohort_type], type_of.get(k) == cohort_type)

    def fix_hint_from(self, solver: cp_model.CpSolver) -> None:
        """Carry the last solution into the next phase as its starting point."""
        self.model.clear_hints()
        for var in [*self.y.values(), *self.used, *self.z.values()]:
            self.model.add_hint(var, solver.boolean_value(var))

    def read(self, solver: cp_model.CpSolver) -> list[tuple[CohortType, list[int]]]:
        found = []
        for k in range(self.count):
            if not solver.boolean_value(self.used[k]):
                continue
            cohort_type = next(t for t in self.types if solver.boolean_value(self.z[k, t]))
            members = [p for p in self.people if (p, k) in self.y and solver.value(self.y[p, k])]
            found.append((cohort_type, members))
        return found
