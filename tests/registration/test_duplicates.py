"""The same business written two ways is recognised as one."""

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from portal.registration.duplicates import (
    BusinessKey,
    match_key,
    normalise_business_name,
    normalise_company_number,
    same_business,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Smith & Jones Ltd", "smith and jones"),
        ("SMITH AND JONES LIMITED", "smith and jones"),
        ("Smith&Jones Ltd.", "smith and jones"),
        ("  Smith   and  Jones  ", "smith and jones"),
        ("Smith & Jones (Preston) Ltd.", "smith and jones preston"),
        ("Smith-Jones Plc", "smith jones"),
        ("Smith's Bakery", "smiths bakery"),
        ("Smith’s Bakery Co.", "smiths bakery"),
        ("A.B.C. Engineering Co. Ltd", "abc engineering"),
        ("Smith & Co Ltd", "smith"),
        ("Smith and Company Limited", "smith"),
        ("Ribble Valley Brewing LLP", "ribble valley brewing"),
        ("Pendle Community Cafe CIC", "pendle community cafe"),
        ("Cwmni Caws Cyf", "cwmni caws"),
        ("Café Crème", "cafe creme"),
        ("ＡＢＣ Ｌｔｄ", "abc"),
        ("John Smith t/a Smith's Plumbing", "smiths plumbing"),
        ("JOHN SMITH T/A SMITHS PLUMBING LTD", "smiths plumbing"),
        ("Jane Doe trading as Doe Designs", "doe designs"),
        ("Art/Antiques Ltd", "art antiques"),
        ("Limited Editions Ltd", "limited editions"),
        ("Company Ltd", "company"),
        ("The Works Ltd", "the works"),
        ("", ""),
        ("  &  ", "and"),
    ],
)
def test_business_names_are_normalised(name, expected):
    assert normalise_business_name(name) == expected


@given(st.text())
def test_name_normalisation_is_idempotent(name):
    once = normalise_business_name(name)
    assert normalise_business_name(once) == once


# Words that mean something to the normaliser (legal endings, "and", "t/a") are left out.
SPECIAL_WORDS = {"ltd", "limited", "plc", "llp", "lp", "cic", "co", "company", "cyf"}
SPECIAL_WORDS |= {"cyfyngedig", "cwmni", "and", "trading", "as", "t", "a"}
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=8).filter(
    lambda word: word not in SPECIAL_WORDS
)


@given(
    name_words=st.lists(words, min_size=1, max_size=5),
    data=st.data(),
)
def test_names_differing_only_in_case_punctuation_and_legal_endings_match(name_words, data):
    plain = " ".join(name_words)
    written = ""
    for index, word in enumerate(name_words):
        if index:
            written += data.draw(st.sampled_from([" ", "  ", ", ", " - ", " & ", " and "]))
        cased = "".join(
            data.draw(st.sampled_from([letter.lower(), letter.upper()])) for letter in word
        )
        written += data.draw(st.sampled_from(["{}", "({})", "{}.", "{}'", '"{}"'])).format(cased)
    written += data.draw(st.sampled_from(["", " Ltd", " Limited", " LTD.", " & Co. Ltd", " plc"]))

    plain_with_joins = normalise_business_name(written)
    # "&" and "and" between words both read as "and"; every other difference disappears.
    assert plain_with_joins.replace(" and ", " ") == plain.replace(" and ", " ")
    assert normalise_business_name(written.replace("&", "and")) == plain_with_joins


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12345678", "12345678"),
        ("1234567", "01234567"),
        ("123456", "00123456"),
        (" 0123 4567 ", "01234567"),
        ("sc123456", "SC123456"),
        ("SC 123456", "SC123456"),
        ("NI123456", "NI123456"),
        ("OC123456", "OC123456"),
        ("SO123456", "SO123456"),
        ("NC123456", "NC123456"),
        ("R0123456", "R0123456"),
        ("r0 123456", "R0123456"),
    ],
)
def test_companies_house_numbers_are_normalised(typed, expected):
    assert normalise_company_number(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        "12345",
        "123456789",
        "00000000",
        "SC12345",
        "SC1234567",
        "S1234567",
        "R1123456",
        "12-345-678",
        "SC12345A",
        "１２３４５６７８",  # full-width digits
    ],
)
def test_invalid_company_numbers_are_refused(typed):
    assert normalise_company_number(typed) is None


@given(st.text(max_size=12))
def test_company_numbers_are_eight_characters_or_nothing(typed):
    number = normalise_company_number(typed)
    assert number is None or (len(number) == 8 and normalise_company_number(number) == number)


def test_the_same_company_number_is_the_same_business_whatever_the_name():
    a = BusinessKey("Smith Holdings Ltd", "PR1 2AB", "01234567")
    b = BusinessKey("Smiths", None, "1234567")
    assert same_business(a, b)


def test_the_same_name_and_postcode_is_the_same_business():
    a = BusinessKey("Smith & Jones Ltd", "pr12ab", None)
    b = BusinessKey("SMITH AND JONES LIMITED", "PR1 2AB", "SC123456")
    assert same_business(a, b)
    assert match_key("Smith & Jones Ltd", "pr12ab") == "smith and jones|PR1 2AB"


def test_the_same_name_elsewhere_is_a_different_business():
    assert not same_business(
        BusinessKey("Smith & Jones Ltd", "PR1 2AB"), BusinessKey("Smith & Jones Ltd", "BB1 1AA")
    )


def test_a_missing_or_invalid_postcode_never_matches_on_the_name():
    assert match_key("Smith & Jones Ltd", None) is None
    assert match_key("Smith & Jones Ltd", "not a postcode") is None
    assert match_key("", "PR1 2AB") is None
    assert not same_business(BusinessKey("Smith", None), BusinessKey("Smith", None))
    assert not same_business(BusinessKey("Smith", "junk"), BusinessKey("Smith", "junk"))


def test_different_company_numbers_with_the_same_name_and_postcode_still_match():
    # Companies House does not register the same name twice, so one number is a typing slip.
    a = BusinessKey("Smith & Jones Ltd", "PR1 2AB", "01234567")
    b = BusinessKey("Smith and Jones", "PR1 2AB", "01234568")
    assert same_business(a, b)


postcodes = st.sampled_from(["PR1 2AB", "pr12ab", "BB1 1AA", "FY1 1AA", None, "junk"])
numbers = st.sampled_from(["01234567", "1234567", "SC123456", "sc 123456", None, "bad"])
names = st.sampled_from(["Smith & Jones Ltd", "smith and jones", "Smith", "Jones Co", ""])
keys = st.builds(
    BusinessKey, name=names | st.text(max_size=10), postcode=postcodes, company_number=numbers
)


@given(a=keys, b=keys)
def test_same_business_is_symmetric_and_agrees_with_the_lookup_columns(a, b):
    assert same_business(a, b) == same_business(b, a)
    number = normalise_company_number(a.company_number)
    key = match_key(a.name, a.postcode)
    by_columns = (number is not None and number == normalise_company_number(b.company_number)) or (
        key is not None and key == match_key(b.name, b.postcode)
    )
    assert same_business(a, b) == by_columns


@given(a=keys)
def test_a_business_with_a_number_or_a_full_address_matches_itself(a):
    identifiable = (
        normalise_company_number(a.company_number) is not None
        or match_key(a.name, a.postcode) is not None
    )
    assume(identifiable)
    assert same_business(a, a)
