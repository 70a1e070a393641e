"""UK postcodes are checked for their format and written one way."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.registration.postcodes import normalise_postcode

CANONICAL = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}|GIR 0AA")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("PR1 2AB", "PR1 2AB"),
        ("pr12ab", "PR1 2AB"),
        ("  Pr1   2aB ", "PR1 2AB"),
        ("P R 1 2 A B", "PR1 2AB"),
        ("bb11 1aa", "BB11 1AA"),
        ("FY1 1AA", "FY1 1AA"),
        ("LA1\t4YW", "LA1 4YW"),
        ("L1 8JQ", "L1 8JQ"),
        ("M60 1NW", "M60 1NW"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("SW1W 0NY", "SW1W 0NY"),
        ("gir0aa", "GIR 0AA"),
    ],
)
def test_valid_postcodes_are_written_one_way(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        "   ",
        "PR1",
        "PR1 2A",
        "PR1 2ABC",
        "PR1-2AB",
        "QR1 2AB",  # Q never starts a postcode
        "PI1 2AB",  # I is never the second letter
        "PR1 2CB",  # C is never in the inward code
        "PR1 2AO",
        "123 4AB",
        "PRR1 2AB",
        "XM4 5HQ",
        "BFPO 123",
        "PR1 2AB\x00",
        "ＰＲ１ ２ＡＢ",  # full-width characters
    ],
)
def test_anything_else_is_refused(typed):
    assert normalise_postcode(typed) is None


# The government pattern, written out as canonical postcodes to generate from.
valid_postcodes = st.from_regex(
    re.compile(
        r"(?:[A-PR-UWYZ][0-9][0-9]?"
        r"|[A-PR-UWYZ][A-HK-Y][0-9][0-9]?"
        r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]"
        r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]"
        r") [0-9][ABD-HJLNP-UW-Z]{2}"
    ),
    fullmatch=True,
)


def retyped(postcode, data):
    """The postcode as someone might type it: any case, any spaces between characters."""
    characters = postcode.replace(" ", "")
    typed = ""
    for character in characters:
        typed += data.draw(st.sampled_from(["", " ", "  ", "\t"]))
        typed += data.draw(st.sampled_from([character.lower(), character.upper()]))
    return typed + data.draw(st.sampled_from(["", " ", "\n"]))


@given(postcode=valid_postcodes, data=st.data())
def test_valid_postcodes_round_trip_however_they_are_typed(postcode, data):
    assert normalise_postcode(postcode) == postcode
    assert normalise_postcode(retyped(postcode, data)) == postcode


@given(junk=st.text())
def test_junk_is_refused_and_anything_accepted_is_canonical(junk):
    normal = normalise_postcode(junk)
    assert normal is None or (CANONICAL.fullmatch(normal) and normalise_postcode(normal) == normal)
    if any(not (ch.isascii() and (ch.isalnum() or ch.isspace())) for ch in junk):
        assert normal is None


@given(junk=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ", max_size=12))
def test_a_string_of_postcode_characters_is_accepted_only_in_a_postcode_shape(junk):
    normal = normalise_postcode(junk)
    compact = junk.replace(" ", "")
    if normal is not None:
        assert normal.replace(" ", "") == compact
        assert 5 <= len(compact) <= 7
