"""How figures are shown: percentages, money and small numbers, as figures.md defines.

Pure functions, no Flask and no database. Percentages are computed and rounded with exact
decimal arithmetic, half up (96.5% shows as 97%), never binary floating point's
round-half-even.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SMALL_NUMBER = 5
FEWER_THAN_5 = "fewer than 5"
# How a round's figures are marked while the round is still running (figures.md: "Figures of
# a round still running are marked as such wherever they appear").
STILL_RUNNING = "Round still running: cost per cohort not final"
NOT_FINAL = "round still running: not final"


@dataclass(frozen=True)
class Percentage:
    """A share with the counts behind it: ``numerator`` of ``denominator``."""

    numerator: int
    denominator: int

    @property
    def exact(self) -> Decimal | None:
        if self.denominator == 0:
            return None
        return Decimal(self.numerator) * 100 / Decimal(self.denominator)

    def rounded(self, places: int = 0) -> Decimal | None:
        exact = self.exact
        if exact is None:
            return None
        return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

    def in_sentence(self) -> str:
        """'97% (n = 212)': a whole number, for sentences."""
        value = self.rounded(0)
        return "no responses (n = 0)" if value is None else f"{value}% (n = {self.denominator:,})"

    def in_table(self) -> str:
        """'96.5%': one decimal place, for tables (the count goes in its own column)."""
        value = self.rounded(1)
        return "–" if value is None else f"{value}%"

    def whole(self) -> str:
        value = self.rounded(0)
        return "–" if value is None else f"{value}%"


def percentage(numerator: int, denominator: int) -> Percentage:
    if numerator < 0 or denominator < 0 or numerator > denominator:
        raise ValueError("A percentage needs 0 <= numerator <= denominator")
    return Percentage(numerator, denominator)


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` as a percentage to one decimal place, half up; None of none."""
    return Percentage(part, whole).rounded(1)


def pounds(pence_or_pounds: int | Decimal, *, in_pence: bool = True) -> str:
    """Whole pounds with thousands separators: '£432,000' (rounded half up)."""
    value = Decimal(pence_or_pounds) / 100 if in_pence else Decimal(pence_or_pounds)
    whole = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"£{whole:,.0f}" if whole >= 0 else f"-£{-whole:,.0f}"


def whole_number(value: Decimal | float | int) -> str:
    return f"{Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP):,.0f}"


def hours(value: Decimal | float | int) -> str:
    """Hours to one decimal place: '18.5'."""
    return f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,.1f}"


@dataclass(frozen=True)
class Cell:
    """A breakdown cell as a reader sees it: the number, or 'fewer than 5' when suppressed."""

    value: int
    suppressed: bool
    # Officers see the exact number even when it would be suppressed, marked unpublishable.
    unpublishable: bool = False

    def shown(self) -> str:
        return FEWER_THAN_5 if self.suppressed else f"{self.value:,}"


def suppress(counts: Sequence[int], *, for_officer: bool = False) -> list[Cell]:
    """Apply the small-number rule to a breakdown of people whose total is shown.

    Cells from 1 to 4 people are hidden ("fewer than 5"). If exactly one cell is hidden, the
    next smallest visible non-zero cell is hidden too, so the hidden one cannot be worked out
    by subtracting the others from the total. Zero is shown: it reveals nobody. Officers see
    every number, with hidden cells marked unpublishable.
    """
    hidden = {index for index, count in enumerate(counts) if 0 < count < SMALL_NUMBER}
    if len(hidden) == 1:
        candidates = sorted(
            (count, index)
            for index, count in enumerate(counts)
            if index not in hidden and count > 0
        )
        if candidates:
            hidden.add(candidates[0][1])
    return [
        Cell(
            count,
            suppressed=index in hidden and not for_officer,
            unpublishable=index in hidden and for_officer,
        )
        for index, count in enumerate(counts)
    ]


def total_is_safe(counts: Sequence[int]) -> bool:
    """True if the total can be published beside these cells without revealing a hidden one."""
    return sum(1 for cell in suppress(counts) if cell.suppressed) != 1


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """'1 cohort', '2 cohorts', '1,204 people' (``nouns`` when adding "s" is wrong)."""
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"


def minutes_in_words(minutes: int) -> str:
    """'2 hours 30 minutes', '1 hour', '55 minutes'."""
    whole_hours, rest = divmod(minutes, 60)
    parts = ([plural(whole_hours, "hour")] if whole_hours else []) + (
        [plural(rest, "minute")] if rest else []
    )
    return " ".join(parts) or "0 minutes"


def possessive(name: str) -> str:
    """ "Sam's", "Friday afternoons'" (a name ending in "s" takes only the apostrophe)."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def first_name(name: str) -> str:
    """The first word of a person's name, as a greeting uses it ("Priya Shah" -> "Priya");
    the whole name when it has one word, and "" for no name."""
    words = name.split()
    return words[0] if words else ""
