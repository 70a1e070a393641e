"""The reported upper bound is a true bound, and stage 1's pruned options lose no answer.

Stage 1 drops a cohort type from a unit's options when no conflict-free group of the
smallest size around the unit can meet in it (``placement.prune_options``), and where
conflicts are dense it builds the cohorts themselves (``portal.matching.dense``). The bound
must stay at or above every valid answer: here, at or above what the exact model (one
CP-SAT model of the whole pool, no decomposition, no pruning) finds on the hard pools.
"""

from __future__ import annotations

from hypothesis import given, settings

from portal.matching import Conflict, Locks, Weights, propose_cohorts
from portal.matching.exact import solve_exact
from portal.matching.model import Basis
from portal.matching.placement import plan_placement, prune_options, viable_options
from portal.matching.problem import Problem
from tests.matching.helpers import MON_AM, TUE_AM, people, person, rules
from tests.matching.test_hard_pools import Run, hard_runs


@settings(max_examples=20, deadline=None)
@given(hard_runs())
def test_the_bound_is_never_below_an_answer_the_exact_model_finds(run: Run) -> None:
    pool, conflicts, rule_set, basis, locks = run
    problem = Problem(pool, conflicts, rule_set, basis, locks)

    exact = solve_exact(problem, Weights(), work_limit=0.5)
    result = propose_cohorts(pool, conflicts, rule_set, Weights(), basis, locks, work_limit=0.05)

    assert result.upper_bound >= len(problem.locked_members) + exact.placed
    # Every type a unit joins in the exact model's answer survives the pruning.
    kept = prune_options(problem, viable_options(problem)[0])
    for cohort_type, members in exact.cohorts:
        for member in members:
            assert cohort_type in kept[problem.unit_of[member]]


def test_a_type_that_cannot_hold_a_conflict_free_group_around_someone_is_dropped() -> None:
    # Nine people can make Monday mornings online; person 1 is in conflict with persons 2
    # and 3, so a cohort of 8 with person 1 would need 7 of the other 6: impossible. The
    # other eight can still meet, so only person 1 loses the option.
    pool = people(1, 9, availability=(MON_AM, TUE_AM))
    conflicts = [Conflict(1, 2), Conflict(1, 3)]
    problem = Problem(pool, conflicts, rules(), Basis.MIXED, Locks())

    options = prune_options(problem, viable_options(problem)[0])

    monday = {u.members[0] for u, found in options.items() if any(t.slot == MON_AM for t in found)}
    assert monday == set(range(2, 10))
    tuesday = {u.members[0] for u, found in options.items() if any(t.slot == TUE_AM for t in found)}
    assert tuesday == set(range(2, 10))


def test_dense_conflicts_are_met_by_building_cohorts_directly() -> None:
    # 24 online people free on Monday mornings only. Persons 1-8 are each in conflict with
    # persons 9-16, and 17-24 in pairs (17 with 18, 19 with 20, ...). Stage 1's one type
    # takes all 24 for 3 cohorts; cutting them in id order gives 1-8, 9-16 and 17-24, whose
    # pairs cannot be swapped apart. Everyone fits: 9-16, then 1-4 and 5-8 each with one of
    # every pair.
    pool = [person(i, availability=(MON_AM,)) for i in range(1, 25)]
    conflicts = [Conflict(a, b) for a in range(1, 9) for b in range(9, 17)]
    conflicts += [Conflict(a, a + 1) for a in range(17, 24, 2)]
    problem = Problem(pool, conflicts, rules(), Basis.MIXED, Locks())

    placement = plan_placement(problem, seed=0, work_limit=0.5)
    result = propose_cohorts(pool, conflicts, rules(), Weights(), Basis.MIXED, work_limit=0.5)

    assert any(c.groups is not None for c in placement.components)
    assert result.placed == 24
    assert result.upper_bound == 24
