"""Each hard rule, and each waitlist reason, on hand-built pools."""

from portal.matching import Basis, Conflict, Weights, propose_cohorts
from tests.matching.helpers import MON_AM, TUE_AM, WED_PM, cohort_of, people, person, reasons, rules


def run(pool, conflicts=(), basis=Basis.MIXED, **rule_changes):  # type: ignore[no-untyped-def]
    return propose_cohorts(pool, conflicts, rules(**rule_changes), Weights(), basis, work_limit=1)


def test_cohorts_are_between_the_smallest_and_largest_size() -> None:
    result = run(people(1, 25))

    assert result.placed == 25
    assert sorted(len(c.members) for c in result.cohorts) == [8, 8, 9]
    assert result.proven_optimal


def test_too_few_people_wait_with_the_reason() -> None:
    result = run(people(1, 7))

    assert result.placed == 0
    code, reason = reasons(result)[1]
    assert code == "no_group"
    assert reason == (
        "No group of at least 8 people who want online sessions and share a time. They would "
        "fit a Monday-morning online group if 1 more person who can make Monday mornings "
        "registers"
    )


def test_a_group_far_short_says_nothing_of_what_would_help() -> None:
    result = run(people(1, 4))

    assert reasons(result)[1] == (
        "no_group",
        "No group of at least 8 people who want online sessions and share a time",
    )


def test_people_left_just_short_of_a_group_are_told_what_would_help() -> None:
    # 16 can make Monday mornings online and fill two cohorts; 7 more can only make
    # Tuesday evenings, one short of a group of 8.
    evening = (1, "evening")
    pool = people(1, 16) + people(17, 7, availability=(evening,))

    result = run(pool)

    assert result.placed == 16
    code, reason = reasons(result)[17]
    assert code == "no_group"
    assert reason.endswith(
        "They would fit a Tuesday-evening online group if 1 more person who can make "
        "Tuesday evenings registers"
    )


def test_a_near_miss_among_those_left_says_one_more_person_would_help() -> None:
    # Eight can make Tuesday evenings, but 1 and 8 are in conflict: 1 is left with 7.
    pool = people(1, 8, availability=((1, "evening"),))

    result = run(pool, [Conflict(1, 8)])

    assert result.placed == 0
    code, reason = reasons(result)[1]
    assert code == "too_few_left"
    assert reason.endswith(
        ". They would fit a Tuesday-evening online group if 1 more person who can make "
        "Tuesday evenings joins"
    )


def test_round_sizes_are_settings() -> None:
    result = run(people(1, 7), min_size=3, max_size=4)

    assert sorted(len(c.members) for c in result.cohorts) == [3, 4]


def test_one_delivery_format_per_cohort() -> None:
    pool = people(1, 5, delivery="online") + people(6, 5, delivery="in_person")

    result = run(pool)

    assert result.placed == 0
    assert reasons(result)[6] == (
        "no_group",
        "No group of at least 8 people in Central Lancashire who want in-person sessions "
        "and share a time. They would fit a Monday-morning in-person group in Central "
        "Lancashire if 3 more people who can make Monday mornings register",
    )


def test_people_who_accept_either_format_fill_a_cohort() -> None:
    pool = people(1, 5, delivery="in_person") + people(6, 4, delivery="either")

    result = run(pool)

    assert result.placed == 9
    assert result.cohorts[0].delivery == "in_person"


def test_in_person_cohorts_only_from_near_districts() -> None:
    near = people(1, 4, delivery="in_person", district="preston") + people(
        5, 4, delivery="in_person", district="chorley"
    )
    far = people(11, 4, delivery="in_person", district="burnley") + people(
        15, 4, delivery="in_person", district="lancaster"
    )

    result = run(near + far)

    assert result.placed == 8
    assert set(result.cohorts[0].districts) == {"preston", "chorley"}
    assert reasons(result)[15][0] == "no_group"
    assert "Lancaster and Morecambe" in reasons(result)[15][1]


def test_everyone_can_make_the_cohorts_slot() -> None:
    pool = [*people(1, 8, availability=[MON_AM, TUE_AM]), person(9, availability=[WED_PM])]

    result = run(pool)

    assert result.placed == 8
    assert all(result.cohorts[0].slot in p.availability for p in pool[:8])
    assert reasons(result)[9][0] == "no_group"


def test_slot_is_chosen_with_the_members() -> None:
    pool = people(1, 8, availability=[TUE_AM, WED_PM]) + people(9, 2, availability=[TUE_AM])

    result = run(pool)

    assert result.placed == 10
    assert result.cohorts[0].slot == TUE_AM


def test_conflicting_pair_never_shares_a_cohort() -> None:
    pool = people(1, 9)
    conflict = Conflict(1, 2, "competitor")

    result = run(pool, [conflict])

    assert result.placed == 8
    waiting = next(iter(reasons(result)))
    code, reason = reasons(result)[waiting]
    assert code == "conflicts"
    assert reason.startswith("Conflicts with every cohort that had room: cohort 1 has Business")


def test_conflicting_pair_is_split_between_cohorts() -> None:
    result = run(people(1, 16), [Conflict(1, 2, "supplier")])

    assert result.placed == 16
    assert cohort_of(result, 1) != cohort_of(result, 2)


def test_cohorts_full_reason_counts_the_pool() -> None:
    result = run(people(1, 23))

    assert result.placed == 20
    codes = {code for code, _ in reasons(result).values()}
    assert codes == {"cohorts_full"}
    assert next(iter(reasons(result).values()))[1] == (
        "Cohorts were full: the pool had 23 eligible people for 2 cohorts of at most 10"
    )


def test_too_few_left_when_the_others_formed_a_cohort_elsewhere() -> None:
    # Placing 10 on Tuesday beats placing 8 on Monday, so person 1 waits.
    pool = [person(1, availability=[MON_AM])]
    pool += people(2, 7, availability=[MON_AM, TUE_AM])
    pool += people(9, 3, availability=[TUE_AM])

    result = run(pool)

    assert result.placed == 10
    assert reasons(result)[1] == (
        "too_few_left",
        "Too few people were left to start another group: counting them, only 1 of those not "
        "already in a cohort who want online sessions could meet at the same time, and 8 are "
        "needed",
    )


def test_conflicts_among_the_rest() -> None:
    result = run(people(1, 8), [Conflict(1, 2, "competitor")])

    assert result.placed == 0
    assert reasons(result)[1][0] == "too_few_left"
    assert reasons(result)[5][0] == "conflicts_among_rest"


def test_no_times_given() -> None:
    result = run([*people(1, 8), person(9, availability=[])])

    assert reasons(result)[9] == ("no_times", "Gave no weekly time they can make")


def test_basis_as_a_hard_rule() -> None:
    pool = people(1, 8, sector="C") + people(9, 4, sector="F")

    result = run(pool, basis=Basis.SECTOR, basis_required=True)

    assert result.placed == 8
    assert result.cohorts[0].basis is Basis.SECTOR
    assert result.cohorts[0].basis_value == "C"
    assert reasons(result)[9] == (
        "no_group",
        "No group of at least 8 people who want online sessions in the F sector and share a time",
    )


def test_no_value_on_a_hard_basis() -> None:
    pool = [*people(1, 8, ownership=["women_led"]), person(9)]

    result = run(pool, basis=Basis.OWNERSHIP, basis_required=True)

    assert result.placed == 8
    assert reasons(result)[9][0] == "no_basis_value"


def test_cohort_is_labelled_by_what_members_share() -> None:
    pool = people(1, 8, sector="C", ownership=["family_owned"])

    result = run(pool, basis=Basis.MIXED)

    assert (result.cohorts[0].basis, result.cohorts[0].basis_value) == (Basis.SECTOR, "C")


def test_nobody_is_in_two_cohorts_and_nobody_is_lost() -> None:
    pool = people(1, 30, availability=[MON_AM, TUE_AM]) + people(31, 5, availability=[WED_PM])

    result = run(pool)

    placed = [m for c in result.cohorts for m in c.members]
    assert len(placed) == len(set(placed)) == result.placed
    assert sorted(placed + [e.applicant_id for e in result.waitlist]) == list(range(1, 36))
