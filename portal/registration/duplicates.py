"""Recognising the same business written two ways.

The same business cannot hold more active applications in a round than the round allows,
so businesses are matched on their Companies House number, or on a normalised name plus a
normalised postcode. A database stores both `normalise_company_number(...)` and
`match_key(name, postcode)` as lookup columns and finds a business by either.

How names are normalised (`normalise_business_name`), and why:

- Unicode NFKC compatibility forms, case folded, accents removed ("Café" == "CAFE"):
  names are often typed by officers from a phone call, where accents are lost.
- "&" is "and"; "t/a" and "trading as": only the trading name after it is kept, since a
  sole trader's own name is the person, not the business, and the trading name is what
  people type when they apply.
- Apostrophes and full stops are removed without a gap ("Smith's", "A.B.C."); any other
  punctuation separates words ("Smith-Jones" == "Smith Jones"). Spaces are collapsed.
- Legal endings are dropped from the end, repeatedly: ltd, limited, plc, llp, lp, cic,
  co, company, and the Welsh cyf, cyfyngedig and cwmni, and a trailing "and" left behind
  ("Smith & Co Ltd" == "Smith"). A name is never reduced to nothing: "Company Ltd" keeps
  "company".
- A leading "the" is kept: a postcode already narrows the match, and "The Works" and
  "Works" at one address are more likely two businesses than one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from portal.registration.postcodes import normalise_postcode

_LEGAL_ENDINGS = frozenset(
    {
        "ltd",
        "limited",
        "plc",
        "llp",
        "lp",
        "cic",
        "co",
        "company",
        "cyf",
        "cyfyngedig",
        "cwmni",
        "and",
    }
)
_TRADING_AS = re.compile(r"(?<![^\W_])t\s*[/.]\s*a\b\.?")
_JOINING_PUNCTUATION = str.maketrans("", "", "'’‘`.")


def normalise_business_name(name: str) -> str:
    """The name reduced to what tells businesses apart (see the module docstring).

    'Smith & Jones (Preston) Ltd.' -> 'smith and jones preston'. Idempotent.
    """
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", name).casefold())
    text = "".join(ch for ch in folded if not unicodedata.combining(ch))
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _TRADING_AS.sub(" trading as ", text.replace("&", " and "))
    text = text.translate(_JOINING_PUNCTUATION)
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    words = _after_last_trading_as(words)
    while len(words) > 1 and words[-1] in _LEGAL_ENDINGS:
        words.pop()
    return " ".join(words)


def _after_last_trading_as(words: list[str]) -> list[str]:
    for index in range(len(words) - 2, -1, -1):
        if words[index] == "trading" and words[index + 1] == "as" and index + 2 < len(words):
            return words[index + 2 :]
    return words


# Companies House numbers: 8 digits, or a 2-letter prefix (SC Scotland, NI Northern
# Ireland, OC limited liability partnership, ...) and 6 digits, or R0 and 6 digits (Northern
# Ireland before 1922). Prefixes are checked by shape, not against a list, so a new kind
# of registration is not refused.
_COMPANY_NUMBER = re.compile(r"(?:[0-9]{2}|[A-Z]{2}|R0)[0-9]{6}")


def normalise_company_number(value: str | None) -> str | None:
    """'sc 123456' -> 'SC123456'; '123456' -> '00123456'; None when not a valid format.

    Spreadsheets drop leading zeros, so 6 or 7 digits are padded to 8. All zeros is not a
    number Companies House gives.
    """
    if value is None or not value.isascii():
        return None
    compact = "".join(value.split()).upper()
    if compact.isdigit() and 6 <= len(compact) <= 7:
        compact = compact.zfill(8)
    if not _COMPANY_NUMBER.fullmatch(compact) or compact == "00000000":
        return None
    return compact


@dataclass(frozen=True)
class BusinessKey:
    """What identifies a business when someone applies."""

    name: str
    postcode: str | None = None
    company_number: str | None = None


def match_key(name: str, postcode: str | None) -> str | None:
    """A lookup value for the name and postcode: 'smith and jones|PR1 2AB'.

    None when either is missing or the postcode is not valid, so an incomplete address
    never matches another one.
    """
    normal_name = normalise_business_name(name)
    normal_postcode = normalise_postcode(postcode)
    if not normal_name or normal_postcode is None:
        return None
    return f"{normal_name}|{normal_postcode}"


def same_business(a: BusinessKey, b: BusinessKey) -> bool:
    """True when the Companies House numbers match, or the names and postcodes do."""
    number = normalise_company_number(a.company_number)
    if number is not None and number == normalise_company_number(b.company_number):
        return True
    key = match_key(a.name, a.postcode)
    return key is not None and key == match_key(b.name, b.postcode)
