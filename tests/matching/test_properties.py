"""Property tests on random small pools: every hard rule holds, nobody is lost or placed
twice, and every waitlist reason is true."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.matching import (
    Applicant,
    Basis,
    Conflict,
    Locks,
    MatchingRules,
    Weights,
    check_cohort,
    propose_cohorts,
)
from portal.matching.problem import CohortType, Problem
from portal.matching.scoring import Scorer, quality

SLOTS = [(0, "morning"), (0, "evening"), (2, "afternoon")]
DISTRICTS = ["preston", "chorley", "burnley", "lancaster"]
NEAR = (frozenset({"preston", "chorley"}), frozenset({"burnley"}))


@st.composite
def applicants(draw: st.DrawFn, applicant_id: int) -> Applicant:
    return Applicant(
        id=applicant_id,
        name=f"Person {applicant_id}",
        business_name=f"Business {applicant_id}",
        sector=draw(st.sampled_from("CFG")),
        ownership=draw(st.frozensets(st.sampled_from(["women_led", "family_owned"]))),
        organisations=draw(st.frozensets(st.sampled_from(["fsb", "chamber"]))),
        issues=draw(st.frozensets(st.sampled_from(["finance", "staffing", "exporting"]))),
        employees=draw(st.sampled_from([1.0, 6.0, 12.5, 40.0, 200.0])),
        district=draw(st.sampled_from(DISTRICTS)),
        delivery=draw(st.sampled_from(["online", "in_person", "either"])),
        availability=draw(st.frozensets(st.sampled_from(SLOTS), max_size=3)),
    )


@st.composite
def runs(draw: st.DrawFn) -> tuple[list[Applicant], list[Conflict], MatchingRules, Basis, Locks]:
    count = draw(st.integers(0, 40))
    pool = [draw(applicants(i)) for i in range(1, count + 1)]
    conflicts: list[Conflict] = []
    apart: list[tuple[int, int]] = []
    together: list[frozenset[int]] = []
    if count >= 2:
        pairs = st.tuples(st.integers(1, count), st.integers(1, count)).filter(
            lambda p: p[0] != p[1]
        )
        for a, b in draw(st.lists(pairs, max_size=4)):
            conflicts.append(Conflict(a, b, draw(st.sampled_from(["competitor", "supplier"]))))
        apart = draw(st.lists(pairs, max_size=2))
        together = [frozenset(p) for p in draw(st.lists(pairs, max_size=2))]
    smallest = draw(st.sampled_from([3, 4, 8]))
    rules = MatchingRules(
        min_size=smallest,
        max_size=smallest + draw(st.integers(0, 2)),
        near_districts=NEAR,
        basis_required=draw(st.booleans()),
    )
    basis = draw(st.sampled_from(list(Basis)))
    return pool, conflicts, rules, basis, Locks(together=tuple(together), apart=tuple(apart))


def cohort_type(problem: Problem, cohort) -> CohortType:  # type: ignore[no-untyped-def]
    first = problem.by_id[cohort.members[0]]
    area = () if cohort.delivery == "online" else problem.area_of(first.district)
    value = None
    if problem.rules.basis_required:
        value = (cohort.basis.value, cohort.basis_value)
    return CohortType(cohort.delivery, area, cohort.slot, value)


@given(runs())
def test_every_cohort_obeys_every_hard_rule(run) -> None:  # type: ignore[no-untyped-def]
    pool, conflicts, rules, basis, locks = run
    by_id = {a.id: a for a in pool}

    result = propose_cohorts(pool, conflicts, rules, Weights(), basis, locks, work_limit=0.05)

    for number, cohort in enumerate(result.cohorts, start=1):
        members = [by_id[i] for i in cohort.members]
        assert (
            check_cohort(
                members,
                rules,
                conflicts,
                delivery=cohort.delivery,
                slot=cohort.slot,
                locks=locks,
                basis=cohort.basis,
                basis_value=cohort.basis_value,
                name=f"Cohort {number}",
            )
            == ()
        )
        if rules.basis_required:
            assert cohort.basis is not Basis.MIXED
        assert 0 <= cohort.score <= 100
    for group in locks.together:
        homes = {
            next((n for n, c in enumerate(result.cohorts) if i in c.members), None) for i in group
        }
        assert len(homes) == 1


@given(runs())
def test_nobody_is_placed_twice_or_lost(run) -> None:  # type: ignore[no-untyped-def]
    pool, conflicts, rules, basis, locks = run

    result = propose_cohorts(pool, conflicts, rules, Weights(), basis, locks, work_limit=0.05)

    placed = [m for c in result.cohorts for m in c.members]
    waiting = [e.applicant_id for e in result.waitlist]
    assert len(placed) == len(set(placed)) == result.placed
    assert sorted(placed + waiting) == sorted(a.id for a in pool)
    assert result.placed <= result.upper_bound <= len(pool)
    assert result.gap is not None
    assert 0 <= result.gap <= 1


@given(runs())
def test_waitlist_reasons_are_true(run) -> None:  # type: ignore[no-untyped-def]
    pool, conflicts, rules, basis, locks = run
    problem = Problem(pool, conflicts, rules, basis, locks)

    result = propose_cohorts(pool, conflicts, rules, Weights(), basis, locks, work_limit=0.05)

    types = [cohort_type(problem, c) for c in result.cohorts]
    waiting = {e.applicant_id for e in result.waitlist}
    for entry in result.waitlist:
        unit = problem.unit_of[entry.applicant_id]
        options = problem.unit_options(unit)
        suitable = [
            (cohort, t) for cohort, t in zip(result.cohorts, types, strict=True) if t in options
        ]
        roomy = [c for c, _ in suitable if len(c.members) + unit.size <= rules.max_size]
        code = entry.reason_code
        assert code != "not_placed", entry
        if code == "no_times":
            assert not problem.by_id[entry.applicant_id].availability
        elif code == "no_basis_value":
            assert rules.basis_required
            assert not problem.values(entry.applicant_id)
        elif code == "locked_together":
            assert unit.size > 1
            assert not options
        elif code == "no_group":
            for option in options:
                able = sum(1 for i in problem.pool if option in problem.options(i))
                assert able < rules.min_size
        elif code == "conflicts":
            assert roomy
            for cohort in roomy:
                assert any(problem.blocks_with(m, cohort.members) for m in unit.members)
        elif code == "cohorts_full":
            assert suitable
            assert not roomy
        elif code in ("too_few_left", "conflicts_among_rest"):
            assert not suitable
            counts = []
            for option in options:
                # Counted by locked-together units: those locked to someone who cannot come
                # cannot come either.
                free = [
                    i
                    for i in waiting
                    if option in problem.unit_options(problem.unit_of[i])
                    and not any(
                        problem.is_blocked(a, b)
                        for a in problem.unit_of[i].members
                        for b in unit.members
                    )
                ]
                counts.append(len(free))
            if code == "too_few_left":
                assert all(n < rules.min_size for n in counts)
            else:
                assert any(n >= rules.min_size for n in counts)
        else:
            raise AssertionError(f"Unknown reason code {code}")


@given(runs(), st.integers(0, 3))
def test_the_fast_scorer_agrees_with_the_definition(run, weight) -> None:  # type: ignore[no-untyped-def]
    pool, _, _, basis, _ = run
    weights = Weights(1.0, float(weight), 0.5, 2.0)
    scorer = Scorer(pool, basis, weights)

    for start in range(0, len(pool), 7):
        members = pool[start : start + 9]
        assert abs(scorer([m.id for m in members]) - quality(members, basis, weights)) < 1e-9
