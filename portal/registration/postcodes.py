"""UK postcodes: checking the format and writing them one way ("PR1 2AB").

Only the format is checked, never whether the postcode exists or where it is: the district
is asked separately, because boundaries and funders' areas do not follow postcodes.
"""

from __future__ import annotations

import re

# The UK Government Data Standards Catalogue pattern: an outward code (A9, A99, AA9, AA99,
# A9A or AA9A, with the letters each position allows) and an inward code (9AA, without
# C, I, K, M, O or V), plus the Girobank postcode GIR 0AA. British Forces (BFPO) and
# overseas territories' postcodes are not accepted.
_POSTCODE = re.compile(
    r"""
    (?P<outward>
        GIR(?=0AA)
      | [A-PR-UWYZ][0-9][0-9]?
      | [A-PR-UWYZ][A-HK-Y][0-9][0-9]?
      | [A-PR-UWYZ][0-9][A-HJKPSTUW]
      | [A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]
    )
    (?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})
    """,
    re.VERBOSE,
)


def normalise_postcode(value: str | None) -> str | None:
    """'pr12ab', ' PR1  2AB ' -> 'PR1 2AB'; None when it is not a UK postcode's format.

    Any spacing and case are accepted; anything other than ASCII letters, digits and
    whitespace is not.
    """
    if value is None or not value.isascii():
        return None
    compact = "".join(value.split()).upper()
    found = _POSTCODE.fullmatch(compact)
    if found is None:
        return None
    return f"{found['outward']} {found['inward']}"
