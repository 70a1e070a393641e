"""Merge fields: known names are filled in, anything else in braces is an error to show."""

from __future__ import annotations

from portal.merge_fields import fields_in, merge, paragraphs, unknown_fields_error

ALLOWED = ["first_name", "cohort", "next_session"]


def test_known_fields_are_filled_in_and_nothing_is_evaluated():
    text = "Dear {first_name}, {cohort} meets {next_session}. {0.__class__} {cohort}"
    merged = merge(text, {"first_name": "Priya", "cohort": "Makers", "next_session": "Monday"})
    assert merged == "Dear Priya, Makers meets Monday. {0.__class__} Makers"


def test_unknown_fields_are_named_with_the_ones_that_can_be_used():
    assert unknown_fields_error("Dear {first_name}", ALLOWED) is None
    assert unknown_fields_error("Dear {firstname} of {team}", ALLOWED) == (
        "Remove or correct the merge fields {firstname}, {team}: you can use "
        "{first_name}, {cohort} or {next_session}"
    )
    assert unknown_fields_error("Dear { first_name }", ["first_name"]) == (
        "Remove or correct the merge field { first_name }: you can use {first_name}"
    )
    assert fields_in("{a}{b}{a}") == ["a", "b"]


def test_paragraphs_split_at_blank_lines():
    assert paragraphs("One\nline two\r\n\r\n  \nThree\n\n") == ["One\nline two", "Three"]
