"""The turnover bands, defined once: registration asks them, the baseline and follow-up
surveys ask them again, and anything that reports them reads them from here.

Plain Python: no Flask, no database. Bounds are whole pounds, inclusive, and neither
overlap nor leave gaps, so every turnover is in exactly one band; the labels say the same
(one band ends at £1,000,000, the next starts at £1,000,001). The lower bounds sit one
pound above round numbers because the published eligibility rule is "turnover above
£100,000": a band starting at £100,000 would straddle it, and every applicant in it
would need checking by hand.

The codes are stored (applications' ``turnover_band``, survey answers under the
``turnover_band`` measure), so a code never changes meaning: a different band needs a
new code. Surveys answered before the surveys used these bands keep the codes and labels
of the version they were answered on.
"""

from __future__ import annotations

import enum


class TurnoverBand(enum.StrEnum):
    """The yearly turnover bands, with inclusive bounds in pounds."""

    UNDER_50K = "under_50k"
    FROM_50K_TO_100K = "50k_to_100k"
    FROM_100K_TO_250K = "100k_to_250k"
    FROM_250K_TO_1M = "250k_to_1m"
    FROM_1M_TO_5M = "1m_to_5m"
    OVER_5M = "over_5m"

    @property
    def label(self) -> str:
        return _TURNOVER_BANDS[self][0]

    @property
    def lower_pounds(self) -> int:
        """The smallest turnover in the band, in whole pounds."""
        return _TURNOVER_BANDS[self][1]

    @property
    def upper_pounds(self) -> int | None:
        """The largest turnover in the band, in whole pounds; None for the top band."""
        return _TURNOVER_BANDS[self][2]

    @classmethod
    def containing(cls, pounds: int) -> TurnoverBand:
        """The band a turnover of ``pounds`` (0 or more) is in."""
        if pounds < 0:
            raise ValueError("A turnover cannot be negative")
        return next(
            band
            for band in cls
            if band.lower_pounds <= pounds
            and (band.upper_pounds is None or pounds <= band.upper_pounds)
        )


_TURNOVER_BANDS: dict[TurnoverBand, tuple[str, int, int | None]] = {
    TurnoverBand.UNDER_50K: ("Under £50,000", 0, 49_999),
    TurnoverBand.FROM_50K_TO_100K: ("£50,000 to £100,000", 50_000, 100_000),
    TurnoverBand.FROM_100K_TO_250K: ("£100,001 to £250,000", 100_001, 250_000),
    TurnoverBand.FROM_250K_TO_1M: ("£250,001 to £1,000,000", 250_001, 1_000_000),
    TurnoverBand.FROM_1M_TO_5M: ("£1,000,001 to £5,000,000", 1_000_001, 5_000_000),
    TurnoverBand.OVER_5M: ("Over £5,000,000", 5_000_001, None),
}


def turnover_options() -> list[dict[str, str]]:
    """The bands as a survey question's options (value and label), in order."""
    return [{"value": band.value, "label": band.label} for band in TurnoverBand]


OPTION_LISTS = {"turnover_bands": turnover_options}
"""Named option lists a survey definition file may use (``"options_from"``)."""
