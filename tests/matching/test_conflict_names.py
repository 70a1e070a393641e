"""Free-text conflict names: normalising, exact matches and suggestions to confirm."""

import pytest

from portal.matching import (
    Conflict,
    ConflictDeclaration,
    exact_conflicts,
    normalise_business_name,
    suggest_conflicts,
)
from tests.matching.helpers import person


@pytest.mark.parametrize(
    ("typed", "registered"),
    [
        ("Ann's Bakery Ltd", "anns bakery limited"),
        ("Smith & Sons", "Smith and Sons Ltd"),
        ("Bowland Print PLC", "bowland print"),
        ("  Red-Rose   Consulting LLP ", "red rose consulting"),
    ],
)
def test_names_normalise_alike(typed: str, registered: str) -> None:
    assert normalise_business_name(typed) == normalise_business_name(registered)


def test_exact_normalised_match_is_a_hard_conflict() -> None:
    pool = [person(1, business="Ann's Bakery Ltd"), person(2, business="Smith and Sons Ltd")]
    declarations = [
        ConflictDeclaration(2, "anns bakery limited", "competitor"),
        ConflictDeclaration(1, "Smith & Sons", "supplier"),
        ConflictDeclaration(1, "Ann's Bakery", "competitor"),  # their own name
    ]

    assert exact_conflicts(pool, declarations) == (
        Conflict(1, 2, "supplier"),
        Conflict(2, 1, "competitor"),
    )


def test_near_matches_are_suggested_not_imposed() -> None:
    pool = [
        person(1, business="Ann's Bakery Ltd"),
        person(2, business="Pennine Joinery"),
        person(3, business="Anns Bakes"),
    ]
    declarations = [ConflictDeclaration(2, "Anne's Bakery", "customer")]

    suggestions = suggest_conflicts(pool, declarations)

    assert exact_conflicts(pool, declarations) == ()
    assert suggestions[0].other_id == 1
    assert suggestions[0].business_name == "Ann's Bakery Ltd"
    assert suggestions[0].similarity >= 0.8
    assert suggestions[0].as_conflict() == Conflict(2, 1, "customer")
    assert all(s.other_id != 2 for s in suggestions)


def test_exact_matches_are_not_suggested_again() -> None:
    pool = [person(1, business="Smith & Sons"), person(2, business="Oak Print")]

    assert suggest_conflicts(pool, [ConflictDeclaration(2, "Smith and Sons Ltd")]) == ()


def test_unrelated_names_are_not_suggested() -> None:
    pool = [person(1, business="Harbour Logistics"), person(2, business="Oak Print")]

    assert suggest_conflicts(pool, [ConflictDeclaration(2, "Castle Textiles")]) == ()
