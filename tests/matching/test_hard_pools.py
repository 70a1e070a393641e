"""Property test on hard pools: whatever the pool, the engine's answer passes the validator.

The pools are the ones that broke the engine before: dense conflicts, everyone free at one
time, tiny sectors under a sector rule, mostly in-person people across several areas, and
officers' locks (together, apart and whole cohorts). Runs are kept short (small pools, a
small work limit) so the test takes seconds; HYPOTHESIS_PROFILE=ci makes it repeatable.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.matching import (
    Applicant,
    Basis,
    Conflict,
    LockedCohort,
    Locks,
    MatchingRules,
    Weights,
    propose_cohorts,
)
from portal.matching.validate import result_violations

SLOTS = [(0, "morning"), (1, "evening"), (3, "afternoon")]
DISTRICTS = ["preston", "chorley", "burnley", "pendle", "lancaster", "wyre"]
NEAR = (frozenset({"preston", "chorley"}), frozenset({"burnley", "pendle"}))

Run = tuple[list[Applicant], list[Conflict], MatchingRules, Basis, Locks]


@st.composite
def hard_runs(draw: st.DrawFn) -> Run:
    count = draw(st.integers(2, 30))
    one_slot = draw(st.booleans())
    in_person_share = draw(st.sampled_from([0.0, 0.5, 0.9]))
    sectors = draw(st.sampled_from(["C", "CF", "CFGIMQ"]))
    pool = []
    for applicant_id in range(1, count + 1):
        delivery = draw(
            st.sampled_from(["in_person", "either"])
            if draw(st.floats(0, 1)) < in_person_share
            else st.sampled_from(["online", "either"])
        )
        availability = (
            frozenset({SLOTS[0]})
            if one_slot
            else draw(st.frozensets(st.sampled_from(SLOTS), min_size=1))
        )
        pool.append(
            Applicant(
                id=applicant_id,
                name=f"Person {applicant_id}",
                business_name=f"Business {applicant_id}",
                sector=draw(st.sampled_from(sectors)),
                ownership=draw(st.frozensets(st.sampled_from(["women_led", "family_owned"]))),
                organisations=frozenset(),
                issues=frozenset({"finance"}),
                employees=draw(st.sampled_from([2.0, 12.0, 80.0])),
                district=draw(st.sampled_from(DISTRICTS)),
                delivery=delivery,
                availability=availability,
            )
        )
    density = draw(st.sampled_from([0.0, 0.1, 0.3]))
    pairs = [(a, b) for a in range(1, count + 1) for b in range(a + 1, count + 1)]
    chosen = draw(st.lists(st.booleans(), min_size=len(pairs), max_size=len(pairs)))
    noise = draw(st.randoms(use_true_random=False))
    conflicts = [
        Conflict(a, b)
        for (a, b), picked in zip(pairs, chosen, strict=True)
        if picked and noise.random() < density * 2
    ]
    ids = list(range(1, count + 1))
    apart = tuple(draw(st.lists(st.sampled_from(pairs), max_size=3)))
    together: list[frozenset[int]] = []
    cohorts: list[LockedCohort] = []
    if draw(st.booleans()) and count >= 6:
        first = pool[0]
        members = frozenset(ids[:3])
        slot = sorted(first.availability)[0]
        cohorts.append(LockedCohort(members, "online", slot))
    taken = {m for c in cohorts for m in c.members}
    free = [i for i in ids if i not in taken]
    if len(free) >= 4 and draw(st.booleans()):
        together.append(frozenset(draw(st.sampled_from(free)) for _ in range(2)))
    smallest = draw(st.sampled_from([2, 3, 4, 8]))
    rules = MatchingRules(
        min_size=smallest,
        max_size=smallest + draw(st.integers(0, 2)),
        near_districts=NEAR,
        basis_required=draw(st.booleans()),
    )
    basis = draw(st.sampled_from([Basis.SECTOR, Basis.SECTOR, Basis.OWNERSHIP, Basis.MIXED]))
    locks = Locks(
        together=tuple(g for g in together if len(g) > 1), apart=apart, cohorts=tuple(cohorts)
    )
    return pool, conflicts, rules, basis, locks


@given(hard_runs())
def test_every_result_on_a_hard_pool_is_valid(run: Run) -> None:
    pool, conflicts, rules, basis, locks = run

    result = propose_cohorts(pool, conflicts, rules, Weights(), basis, locks, work_limit=0.05)

    assert result_violations(pool, conflicts, rules, basis, locks, result) == []
    assert result.placed <= result.upper_bound


@settings(max_examples=15)
@given(hard_runs())
def test_relaxing_a_rule_never_lowers_placement(run: Run) -> None:
    pool, conflicts, rules, basis, locks = run
    strict_rules = replace(rules, basis_required=True)
    loose_rules = replace(rules, basis_required=False)

    def placed(rule_set: MatchingRules, kept: list[Conflict]) -> int:
        result = propose_cohorts(pool, kept, rule_set, Weights(), basis, locks, work_limit=0.05)
        return result.placed

    strict = placed(strict_rules, conflicts)
    loose = placed(loose_rules, conflicts)
    fewer_conflicts = placed(loose_rules, conflicts[: len(conflicts) // 2])

    assert loose >= strict
    assert fewer_conflicts >= loose
