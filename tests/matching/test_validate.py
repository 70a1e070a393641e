"""The final validator: every hard rule it checks, and the engine's answers passing it."""

from __future__ import annotations

import pytest

from portal.matching import Basis, Conflict, Locks, Weights, propose_cohorts
from portal.matching.forming import form_cohorts
from portal.matching.model import MatchResult, ProposedCohort, WaitlistEntry
from portal.matching.placement import plan_placement
from portal.matching.problem import Problem
from portal.matching.validate import (
    CohortShape,
    InvalidResult,
    cohort_violations,
    ensure_valid,
    result_violations,
)
from tests.matching.helpers import MON_AM, TUE_AM, people, person, rules


def codes(violations) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(v.code for v in violations)


def emptied_cohort_pool() -> tuple[list, list[Conflict]]:  # type: ignore[type-arg]
    """Eight people who can all make one time, in one sector, in cohorts of 2-3.

    Stage 1 opens 3 cohorts: [1, 2, 3], [4, 5, 6], [7, 8]. 1, 2 and 3 conflict with each
    other and with everyone else, so the first cohort is emptied; 4 and 5 conflict, and
    separating them used to move 4 into the emptied cohort, leaving a cohort of 1.
    """
    pool = people(1, 8, sector="C")
    conflicts = [Conflict(a, b) for a in (1, 2, 3) for b in range(a + 1, 9)]
    conflicts.append(Conflict(4, 5))
    return pool, conflicts


def test_separating_conflicts_never_refills_an_emptied_cohort() -> None:
    pool, conflicts = emptied_cohort_pool()
    hard = rules(min_size=2, max_size=3, basis_required=True)
    problem = Problem(pool, conflicts, hard, Basis.SECTOR, Locks())
    placement = plan_placement(problem, seed=0, work_limit=0.5)

    forming = form_cohorts(problem, placement, Weights(), seed=0, evaluations=1000)

    assert forming.cohorts
    assert all(2 <= len(c.members) <= 3 for c in forming.cohorts)
    placed = {m for c in forming.cohorts for m in c.members}
    assert placed.isdisjoint({1, 2, 3})
    assert not any(problem.is_blocked(4, 5) for c in forming.cohorts if {4, 5} <= set(c.members))


def test_dense_conflicts_under_a_sector_rule_give_valid_cohorts() -> None:
    pool, conflicts = emptied_cohort_pool()
    hard = rules(min_size=2, max_size=3, basis_required=True)

    result = propose_cohorts(pool, conflicts, hard, Weights(), Basis.SECTOR, work_limit=0.5)

    assert result_violations(pool, conflicts, hard, Basis.SECTOR, Locks(), result) == []
    assert result.placed == 5
    assert {e.applicant_id for e in result.waitlist} == {1, 2, 3}


def test_a_valid_cohort_has_no_violations() -> None:
    members = people(1, 8, sector="C", availability=(MON_AM, TUE_AM))
    shape = CohortShape("online", MON_AM, Basis.SECTOR, "C")

    assert cohort_violations(members, shape, rules(basis_required=True)) == []


def test_each_broken_rule_is_named() -> None:
    members = [
        *people(1, 6, sector="C", delivery="in_person"),
        person(7, delivery="online", sector="C", district="preston"),
        person(8, delivery="in_person", availability=(TUE_AM,), district="burnley", sector="F"),
    ]
    shape = CohortShape("in_person", MON_AM, Basis.SECTOR, "C")

    found = cohort_violations(
        members, shape, rules(basis_required=True), [Conflict(1, 2)], Locks(apart=((3, 4),))
    )

    assert codes(found) == ["area", "basis", "conflict", "conflict", "format", "slot"]
    by_code = {v.code: v.members for v in found}
    assert by_code["format"] == (7,)
    assert by_code["slot"] == (8,)
    assert by_code["basis"] == (8,)


def test_sizes_outside_the_round_settings_are_violations() -> None:
    shape = CohortShape("online", MON_AM)

    assert codes(cohort_violations(people(1, 7), shape, rules())) == ["size"]
    assert codes(cohort_violations(people(1, 11), shape, rules())) == ["size"]
    assert cohort_violations(people(1, 4), shape, rules(min_size=3, max_size=4)) == []


def test_a_cohort_needs_a_basis_value_when_the_basis_is_hard() -> None:
    shape = CohortShape("online", MON_AM, Basis.MIXED, None)

    assert codes(cohort_violations(people(1, 8), shape, rules(basis_required=True))) == ["basis"]
    assert cohort_violations(people(1, 8), shape, rules()) == []


def test_a_run_on_one_basis_forms_cohorts_on_it() -> None:
    shape = CohortShape("online", MON_AM, Basis.OWNERSHIP, "women_led")
    members = people(1, 8, ownership=("women_led",))

    found = cohort_violations(members, shape, rules(basis_required=True), run_basis=Basis.SECTOR)

    assert codes(found) == ["basis"]


def cohort(members: range, **changes: object) -> ProposedCohort:
    settings: dict[str, object] = {
        "members": tuple(members),
        "basis": Basis.MIXED,
        "basis_value": None,
        "delivery": "online",
        "slot": MON_AM,
        "districts": ("preston",),
        "score": 50.0,
    }
    settings.update(changes)
    return ProposedCohort(**settings)  # type: ignore[arg-type]


def result_of(cohorts: list[ProposedCohort], waiting: list[int], placed: int | None = None):  # type: ignore[no-untyped-def]
    count = sum(len(c.members) for c in cohorts)
    return MatchResult(
        cohorts=tuple(cohorts),
        waitlist=tuple(WaitlistEntry(i, "no_group", "No group") for i in waiting),
        placed=count if placed is None else placed,
        upper_bound=count,
        proven_optimal=False,
        gap=0.0,
    )


def test_a_whole_result_must_hold_the_pool_exactly_once() -> None:
    pool = people(1, 20)

    assert (
        result_violations(
            pool,
            [],
            rules(),
            Basis.MIXED,
            Locks(),
            result_of([cohort(range(1, 9)), cohort(range(9, 17))], [17, 18, 19, 20]),
        )
        == []
    )
    twice = result_of([cohort(range(1, 9)), cohort(range(8, 16))], [16, 17, 18, 19, 20])
    assert "twice" in codes(result_violations(pool, [], rules(), Basis.MIXED, Locks(), twice))
    lost = result_of([cohort(range(1, 9))], [9, 10])
    assert codes(result_violations(pool, [], rules(), Basis.MIXED, Locks(), lost)) == [
        "pool",
        "pool",
    ]
    miscounted = result_of([cohort(range(1, 9))], list(range(9, 21)), placed=9)
    assert codes(result_violations(pool, [], rules(), Basis.MIXED, Locks(), miscounted)) == [
        "pool",
        "pool",
    ]


def test_people_locked_together_stay_together() -> None:
    pool = people(1, 10)
    locks = Locks(together=(frozenset({8, 9}),))
    split = result_of([cohort(range(1, 9))], [9, 10])

    found = result_violations(pool, [], rules(), Basis.MIXED, locks, split)

    assert codes(found) == ["together"]
    assert found[0].members == (8, 9)


def test_a_broken_result_raises() -> None:
    pool = people(1, 8)
    problem = Problem(pool, [], rules(), Basis.MIXED, Locks())
    small = result_of([cohort(range(1, 8))], [8])

    with pytest.raises(InvalidResult, match="Cohort 1 has 7 members"):
        ensure_valid(problem, small)
