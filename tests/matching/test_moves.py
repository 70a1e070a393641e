"""Checking an officer's move, and a hand-made cohort, against the hard rules."""

from portal.matching import (
    Basis,
    Conflict,
    LockedCohort,
    Locks,
    Move,
    Weights,
    check_cohort,
    check_move,
    propose_cohorts,
)
from tests.matching.helpers import MON_AM, TUE_AM, WED_PM, people, person, rules

NO_LOCKS = Locks()


def proposal(pool, conflicts=(), locks=NO_LOCKS):  # type: ignore[no-untyped-def]
    return propose_cohorts(pool, conflicts, rules(), Weights(), Basis.MIXED, locks, work_limit=1)


def test_a_move_that_breaks_nothing() -> None:
    pool = people(1, 18)
    result = proposal(pool)

    member = result.cohorts[0].members[0]

    assert check_move(result.cohorts, Move(member, 2), pool, [], rules()) == ()


def test_too_many_and_too_few() -> None:
    pool = people(1, 20)
    result = proposal(pool)
    member = result.cohorts[0].members[0]

    violations = check_move(result.cohorts, Move(member, 2), pool, [], rules())

    assert violations == ("Cohort 2 would have 11 members; the most is 10",)


def test_moving_to_the_waitlist_below_the_minimum() -> None:
    pool = people(1, 8)
    result = proposal(pool)

    assert check_move(result.cohorts, Move(1, None), pool, [], rules()) == (
        "Cohort 1 would have 7 members; the fewest is 8",
    )


def test_declared_competitors() -> None:
    pool = [
        person(1, business="Ann's Bakery"),
        person(2, business="Bun Shop"),
        *people(3, 14),
    ]
    conflicts = [Conflict(1, 2, "competitor"), Conflict(2, 1, "competitor")]
    result = proposal(pool, conflicts)
    two = next(n for n, c in enumerate(result.cohorts, 1) if 2 in c.members)

    violations = check_move(result.cohorts, Move(1, two), pool, conflicts, rules())

    assert "Ann's Bakery and Bun Shop declared each other as competitors" in violations


def test_one_sided_declaration_and_apart_lock() -> None:
    pool = [person(1, business="Mill Print"), person(2, business="Oak Joinery", name="Bo")]
    locks = Locks(apart=((1, 2),))

    violations = check_cohort(
        pool, rules(min_size=2), [Conflict(1, 2, "supplier")], locks=locks, name="Cohort 3"
    )

    assert violations == (
        "Mill Print declared Oak Joinery as a supplier",
        "An officer has kept Person 1 and Bo apart",
    )


def test_nobody_else_can_make_the_time() -> None:
    pool = [*people(1, 16, availability=[MON_AM]), person(17, availability=[TUE_AM])]
    result = proposal(pool)

    violations = check_move(result.cohorts, Move(17, 2), pool, [], rules())

    assert "Person 17 cannot make Monday mornings, when cohort 2 meets" in violations
    assert "Nobody else in cohort 2 can make Tuesday mornings" in violations


def test_format_and_district() -> None:
    online = people(1, 8)
    in_person = people(9, 8, delivery="in_person")
    far = person(20, delivery="in_person", district="burnley")
    result = proposal([*online, *in_person, far])
    room = next(n for n, c in enumerate(result.cohorts, 1) if c.delivery == "in_person")
    online_room = next(n for n, c in enumerate(result.cohorts, 1) if c.delivery == "online")

    far_move = check_move(result.cohorts, Move(20, room), [*online, *in_person, far], [], rules())
    format_move = check_move(
        result.cohorts, Move(20, online_room), [*online, *in_person, far], [], rules()
    )

    assert (
        f"Person 20 is in Burnley, which is not near Central Lancashire, where cohort {room} meets"
        in far_move
    )
    assert (
        f"Person 20 wants in-person sessions only; cohort {online_room} meets online" in format_move
    )


def test_locked_cohorts_and_together_locks_refuse_moves() -> None:
    pool = people(1, 18)
    locks = Locks(
        together=(frozenset({9, 10}),),
        cohorts=(LockedCohort(frozenset(range(1, 9)), "online", MON_AM),),
    )
    result = proposal(pool, locks=locks)

    assert check_move(result.cohorts, Move(1, 2), pool, [], rules(), locks)[0] == (
        "Cohort 1 is locked"
    )
    assert "Person 9 is locked together with Person 10" in check_move(
        result.cohorts, Move(9, None), pool, [], rules(), locks
    )


def test_hand_made_cohort_without_a_shared_time() -> None:
    pool = [*people(1, 7, availability=[MON_AM, WED_PM]), person(8, availability=[TUE_AM])]

    violations = check_cohort(pool, rules())

    assert violations == (
        "There is no weekly time that everyone in the cohort can make",
        "Nobody else in the cohort can make Tuesday mornings",
    )


def test_hand_made_cohort_that_mixes_formats() -> None:
    pool = people(1, 4) + people(5, 4, delivery="in_person")

    assert check_cohort(pool, rules(), name="Cohort 4")[0].startswith(
        "Cohort 4 mixes people who want online sessions only (Person 1"
    )


def test_hand_made_cohort_that_is_fine() -> None:
    assert check_cohort(people(1, 9), rules(), delivery="online", slot=MON_AM) == ()


def test_a_cohort_of_one_is_one_member() -> None:
    assert check_cohort(people(1, 1), rules(), delivery="online", slot=MON_AM) == (
        "The cohort has 1 member; the fewest is 8",
    )


def test_a_cohorts_given_name_is_not_lowercased_in_a_sentence():
    from portal.matching.checks import in_sentence

    assert in_sentence("Cohort 12") == "cohort 12"
    assert in_sentence("Coast and countryside leaders") == "Coast and countryside leaders"
    assert in_sentence("Preston Makers") == "Preston Makers"
    assert in_sentence("Proposed cohort 3") == "proposed cohort 3"
