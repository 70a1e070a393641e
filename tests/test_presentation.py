"""Presentation rules from figures.md: half-up percentages, whole pounds, small numbers."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.presentation import percentage, pounds, suppress, total_is_safe


@pytest.mark.parametrize(
    ("numerator", "denominator", "sentence", "table"),
    [
        (193, 200, "97% (n = 200)", "96.5%"),  # 96.5 rounds half up to 97, not to even 96
        (317, 327, "97% (n = 327)", "96.9%"),
        (1, 8, "13% (n = 8)", "12.5%"),  # 12.5 -> 13 in sentences
        (1, 3, "33% (n = 3)", "33.3%"),
        (2, 3, "67% (n = 3)", "66.7%"),
        (0, 0, "no responses (n = 0)", "–"),
        (1234, 1234, "100% (n = 1,234)", "100.0%"),
    ],
)
def test_percentages_round_half_up_on_exact_values(numerator, denominator, sentence, table):
    share = percentage(numerator, denominator)
    assert share.in_sentence() == sentence
    assert share.in_table() == table


def test_a_percentage_cannot_exceed_its_count():
    with pytest.raises(ValueError, match="numerator"):
        percentage(5, 4)


def test_money_is_whole_pounds_with_separators():
    assert pounds(43_200_000) == "£432,000"
    assert pounds(Decimal("822000") * 100 / 54) == "£15,222"
    assert pounds(1_522_250) == "£15,223"  # £15,222.50 rounds half up
    assert pounds(228_333, in_pence=False) == "£228,333"


def test_cells_of_fewer_than_5_are_hidden_with_a_second_cell_when_needed():
    assert [cell.shown() for cell in suppress([12, 3, 30])] == [
        "fewer than 5",
        "fewer than 5",
        "30",
    ]
    assert [cell.shown() for cell in suppress([2, 4, 30])] == ["fewer than 5", "fewer than 5", "30"]
    assert [cell.shown() for cell in suppress([0, 7, 30])] == ["0", "7", "30"]
    officer = suppress([12, 3, 30], for_officer=True)
    assert [cell.shown() for cell in officer] == ["12", "3", "30"]
    assert [cell.unpublishable for cell in officer] == [True, True, False]


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=8))
def test_a_hidden_cell_can_never_be_worked_out_from_the_total(counts):
    cells = suppress(counts)
    hidden = [cell for cell in cells if cell.suppressed]
    assert all(cell.suppressed for cell in cells if 0 < cell.value < 5)
    assert len(hidden) != 1 or sum(counts) == hidden[0].value  # only itself: no other cells
    assert total_is_safe(counts) or len(counts) == 1


def test_the_projection_for_15_cohorts_over_rounds_1_and_2():
    from portal.outcomes.figures import projection

    result = projection(15, [(43_200_000, 31), (39_000_000, 23)])
    assert result.total_cohorts == 54
    assert pounds(result.cost_per_cohort_pence) == "£15,222"
    assert pounds(result.projected_pence) == "£228,333"
    # The February 2022 report's "£225,000" was 15 x a rounded £15,000.
    assert pounds(15 * 1_500_000) == "£225,000"
    assert projection(15, []).projected_pence is None


# Words: one helper each for plurals, lengths of time and possessives.


@pytest.mark.parametrize(
    ("count", "noun", "expected"),
    [(1, "cohort", "1 cohort"), (2, "cohort", "2 cohorts"), (0, "offer", "0 offers")],
)
def test_plural(count, noun, expected):
    from portal.presentation import plural

    assert plural(count, noun) == expected


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [(30, "30 minutes"), (60, "1 hour"), (85, "1 hour 25 minutes"), (150, "2 hours 30 minutes")],
)
def test_minutes_in_words(minutes, expected):
    from portal.presentation import minutes_in_words

    assert minutes_in_words(minutes) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Sam Coach", "Sam Coach's"), ("Friday afternoons", "Friday afternoons'")],
)
def test_possessive(name, expected):
    from portal.presentation import possessive

    assert possessive(name) == expected
