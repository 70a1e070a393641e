"""Officers' locks: together, apart, whole cohorts kept, and re-running for the rest."""

from portal.matching import Basis, LockedCohort, Locks, Weights, propose_cohorts
from tests.matching.helpers import MON_AM, TUE_AM, cohort_of, people, person, reasons, rules


def run(pool, locks):  # type: ignore[no-untyped-def]
    return propose_cohorts(pool, [], rules(), Weights(), Basis.MIXED, locks, work_limit=1)


def test_locked_together_share_a_cohort() -> None:
    pool = people(1, 20, availability=[MON_AM, TUE_AM])

    result = run(pool, Locks(together=(frozenset({1, 20}),)))

    assert cohort_of(result, 1) == cohort_of(result, 20) is not None


def test_locked_apart_never_share_a_cohort() -> None:
    result = run(people(1, 9), Locks(apart=((1, 2),)))

    assert result.placed == 8
    assert cohort_of(result, 1) != cohort_of(result, 2)


def test_locked_together_with_no_time_in_common_wait_together() -> None:
    pool = [*people(1, 8), person(9, availability=[TUE_AM])]

    result = run(pool, Locks(together=(frozenset({1, 9}),)))

    assert reasons(result)[1] == reasons(result)[9]
    assert reasons(result)[9][0] == "locked_together"
    assert "no format, area and time in common" in reasons(result)[9][1]


def test_locked_cohort_is_kept_and_the_rest_rerun() -> None:
    pool = people(1, 18)
    kept = LockedCohort(frozenset(range(1, 9)), "online", MON_AM)

    result = run(pool, Locks(cohorts=(kept,)))

    locked = [c for c in result.cohorts if c.locked]
    assert [c.members for c in locked] == [tuple(range(1, 9))]
    others = [c for c in result.cohorts if not c.locked]
    assert [c.members for c in others] == [tuple(range(9, 19))]
    assert result.placed == 18


def test_locked_cohort_members_are_not_placed_again() -> None:
    kept = LockedCohort(frozenset(range(1, 5)), "online", MON_AM)

    result = run(people(1, 11), Locks(cohorts=(kept,)))

    assert result.placed == 4
    assert sorted(reasons(result)) == list(range(5, 12))
