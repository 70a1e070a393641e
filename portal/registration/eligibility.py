"""Who may take part in a round: the eligibility rules as data, and the assessment.

Plain Python: no Flask, no database. The service that stores an application builds
`EligibilityRules` from the round (`EligibilityRules.from_round`) and `ApplicantFacts` from
what the person told us, calls `assess`, and keeps every answer whatever the outcome.

Borderline answers ("needs review") are the cases where what we were told cannot settle the
rule, so an officer checks with the applicant rather than the portal turning them away:

- Trading for exactly the minimum number of months to the day. "More than 12 months" is
  counted in whole days: a business that started on 3 May 2025 has, on 3 May 2026, completed
  12 months and is into its 366th day of trading, and the start date people give is often
  approximate. One day earlier fails outright; one day later passes.
- A turnover band (``portal.reference.bands``) that straddles the minimum (with a minimum
  of £150,000, the band "£100,001 to £250,000" may be either side of it). A band wholly at
  or below the minimum fails outright: "£50,000 to £100,000" is not above £100,000.
- An employee count that is not a whole number, where counting the part-time people as
  nobody or as whole people would change the answer: 5.5 against "more than 5", 249.5
  against "fewer than 250", 4.5 against "at least 5". The half is an approximation of
  someone's hours, so the answer hangs on how they are counted. A whole count exactly on a
  "more than" line (5 employees, "more than 5") is not borderline: it fails.
- No sector given while the round excludes some sectors.

If any rule fails outright the outcome is ineligible, and the borderline items are still
listed so an officer sees the whole picture.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from portal.reference.bands import TurnoverBand
from portal.reference.shipped import shipped_codes
from portal.timefmt import govuk_date

# Lancashire's 12 districts and 2 unitary areas: the codes of reference/data/districts.csv.
LANCASHIRE_DISTRICTS: frozenset[str] = frozenset(shipped_codes("districts.csv"))
DEFAULT_ALLOWED_ROLES: frozenset[str] = frozenset({"owner", "director", "manager"})
# The order roles are named in messages; any other allowed role follows, alphabetically.
_ROLE_ORDER = ("owner", "director", "manager")


class ReturningRule(enum.StrEnum):
    """Who from an earlier round may take part again.

    The values match `portal.rounds.models.ReturningParticipantRule`, which this module
    cannot import (it is a database model).
    """

    ANYONE_MAY_REAPPLY = "anyone_may_reapply"
    COMPLETERS_EXCLUDED = "completers_excluded"
    PARTICIPANTS_EXCLUDED = "participants_excluded"


class PreviousParticipation(enum.StrEnum):
    """What the person did in earlier rounds."""

    NONE = "none"
    TOOK_PART = "took_part"  # held a place but did not complete
    COMPLETED = "completed"


class RoundSettings(Protocol):
    """The eligibility settings of a round, as `portal.rounds.models.Round` names them."""

    eligible_district_codes: list[str]
    min_months_trading: int
    min_employees: int
    min_employees_inclusive: bool
    max_employees_exclusive: int
    min_turnover_pounds: int
    allowed_business_roles: list[str]
    excluded_sector_codes: list[str]
    max_people_per_business: int

    @property
    def returning_participant_rule(self) -> str: ...  # a str enum on Round


@dataclass(frozen=True, kw_only=True)
class EligibilityRules:
    """One round's eligibility rules; the defaults are Lancashire's published rules."""

    eligible_districts: frozenset[str] = LANCASHIRE_DISTRICTS
    # "Trading for more than one year".
    min_months_trading: int = 12
    # "More than five employees"; part-time employees count as half.
    min_employees: float = 5
    exactly_min_employees_qualifies: bool = False
    # An SME has fewer than 250 employees.
    max_employees_exclusive: float = 250
    # "Turnover above £100,000".
    min_turnover_pounds: int = 100_000
    allowed_roles: frozenset[str] = DEFAULT_ALLOWED_ROLES
    # SIC 2007 section letters.
    excluded_sectors: frozenset[str] = frozenset()
    returning_rule: ReturningRule = ReturningRule.COMPLETERS_EXCLUDED
    max_people_per_business: int = 1

    def __post_init__(self) -> None:
        if self.min_months_trading < 0:
            raise ValueError("min_months_trading cannot be negative")
        if not 0 <= self.min_employees < self.max_employees_exclusive:
            raise ValueError("min_employees must be at least 0 and below max_employees_exclusive")
        if not math.isfinite(self.max_employees_exclusive):
            raise ValueError("max_employees_exclusive must be a number")
        if self.min_turnover_pounds < 0:
            raise ValueError("min_turnover_pounds cannot be negative")
        if self.max_people_per_business < 1:
            raise ValueError("max_people_per_business must be at least 1")

    @classmethod
    def from_round(cls, settings: RoundSettings) -> EligibilityRules:
        """The rules a round's settings describe."""
        return cls(
            eligible_districts=frozenset(settings.eligible_district_codes),
            min_months_trading=settings.min_months_trading,
            min_employees=settings.min_employees,
            exactly_min_employees_qualifies=settings.min_employees_inclusive,
            max_employees_exclusive=settings.max_employees_exclusive,
            min_turnover_pounds=settings.min_turnover_pounds,
            allowed_roles=frozenset(settings.allowed_business_roles),
            excluded_sectors=frozenset(settings.excluded_sector_codes),
            returning_rule=ReturningRule(settings.returning_participant_rule),
            max_people_per_business=settings.max_people_per_business,
        )


@dataclass(frozen=True, kw_only=True)
class ApplicantFacts:
    """What an applicant told us that the rules look at."""

    # None when they chose "My business is not in any of these".
    district: str | None
    role: str
    # Full-time employees count 1 and part-time employees 0.5.
    employees: float
    turnover: TurnoverBand
    started_trading_on: dt.date
    # SIC 2007 section letter; None if not given.
    sector: str | None = None
    previous_participation: PreviousParticipation = PreviousParticipation.NONE
    # Other active applications in this round from people at the same business.
    other_active_applications: int = 0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.employees) and self.employees >= 0):
            raise ValueError("employees must be a number, 0 or more")
        if self.other_active_applications < 0:
            raise ValueError("other_active_applications cannot be negative")


class Outcome(enum.StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_REVIEW = "needs_review"


class ReasonCode(enum.StrEnum):
    """Stable codes for the rules, safe to store and to test against."""

    DISTRICT = "district"
    TRADING_TIME = "trading_time"
    TOO_FEW_EMPLOYEES = "too_few_employees"
    TOO_MANY_EMPLOYEES = "too_many_employees"
    TURNOVER = "turnover"
    ROLE = "role"
    SECTOR = "sector"
    RETURNING = "returning"
    BUSINESS_LIMIT = "business_limit"


@dataclass(frozen=True)
class Reason:
    """A rule the applicant did not meet, or (borderline) that an officer needs to check."""

    code: ReasonCode
    message: str
    borderline: bool = False


@dataclass(frozen=True)
class EligibilityResult:
    outcome: Outcome
    reasons: tuple[Reason, ...]

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        return tuple(reason.code for reason in self.reasons)


class _Verdict(enum.Enum):
    PASS = enum.auto()
    FAIL = enum.auto()
    BORDERLINE = enum.auto()


def months_after(day: dt.date, months: int) -> dt.date | None:
    """The same day of the month `months` later, or that month's last day if it is shorter.

    31 January + 1 month is 28 February (29 in a leap year); 29 February 2024 + 12 months is
    28 February 2025. None when the answer is beyond the calendar (after year 9999).
    """
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        return None
    last_day = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last_day))


def assess(facts: ApplicantFacts, rules: EligibilityRules, today: dt.date) -> EligibilityResult:
    """Check every rule, listing each one failed or borderline (in a fixed order)."""
    found = (
        _district(facts.district, rules.eligible_districts),
        _trading_time(facts.started_trading_on, rules.min_months_trading, today),
        _too_few_employees(facts.employees, rules),
        _too_many_employees(facts.employees, rules.max_employees_exclusive),
        _turnover(facts.turnover, rules.min_turnover_pounds),
        _role(facts.role, rules.allowed_roles),
        _sector(facts.sector, rules.excluded_sectors),
        _returning(facts.previous_participation, rules.returning_rule),
        _business_limit(facts.other_active_applications, rules.max_people_per_business),
    )
    reasons = tuple(reason for reason in found if reason is not None)
    if any(not reason.borderline for reason in reasons):
        outcome = Outcome.INELIGIBLE
    elif reasons:
        outcome = Outcome.NEEDS_REVIEW
    else:
        outcome = Outcome.ELIGIBLE
    return EligibilityResult(outcome=outcome, reasons=reasons)


def _district(district: str | None, eligible: frozenset[str]) -> Reason | None:
    if district in eligible:
        return None
    if district is None:
        return Reason(
            ReasonCode.DISTRICT,
            "Your business needs to be in one of the districts we listed. "
            "You told us it is not in any of them.",
        )
    return Reason(
        ReasonCode.DISTRICT, "This round is not open to businesses in the district you chose."
    )


def _trading_time(started: dt.date, min_months: int, today: dt.date) -> Reason | None:
    anniversary = months_after(started, min_months)
    if anniversary is not None and today > anniversary:
        return None
    months = _plural(min_months, "month")
    told = (
        f"Your business needs to have been trading for more than {months}. "
        f"You told us it started trading on {govuk_date(started)}"
    )
    if today == anniversary:
        return Reason(
            ReasonCode.TRADING_TIME,
            f"{told}, exactly {months} ago, so we need to check this with you.",
            borderline=True,
        )
    return Reason(ReasonCode.TRADING_TIME, f"{told}.")


def _too_few_employees(count: float, rules: EligibilityRules) -> Reason | None:
    minimum = rules.min_employees
    if rules.exactly_min_employees_qualifies:
        needed, verdict = "at least", _judge_count(count, lambda whole: whole >= minimum)
    else:
        needed, verdict = "more than", _judge_count(count, lambda whole: whole > minimum)
    needed = f"{needed} {_plural(minimum, 'employee')}"
    return _employees(ReasonCode.TOO_FEW_EMPLOYEES, verdict, needed, count)


def _too_many_employees(count: float, maximum: float) -> Reason | None:
    verdict = _judge_count(count, lambda whole: whole < maximum)
    needed = f"fewer than {_plural(maximum, 'employee')}"
    return _employees(ReasonCode.TOO_MANY_EMPLOYEES, verdict, needed, count)


def _judge_count(count: float, qualifies: Callable[[int], bool]) -> _Verdict:
    """A whole count is taken as it is. A count with part-time people in it is borderline
    when counting them as nobody or as whole people would change the answer."""
    low_passes, high_passes = qualifies(math.floor(count)), qualifies(math.ceil(count))
    if low_passes and high_passes:
        return _Verdict.PASS
    if low_passes or high_passes:
        return _Verdict.BORDERLINE
    return _Verdict.FAIL


def _employees(code: ReasonCode, verdict: _Verdict, needed: str, count: float) -> Reason | None:
    if verdict is _Verdict.PASS:
        return None
    told = f"Your business needs to have {needed}. You told us it has {_number(count)}."
    if verdict is _Verdict.FAIL:
        return Reason(code, told)
    return Reason(
        code,
        f"{told} We need to check this with you because the total includes part-time employees.",
        borderline=True,
    )


def _turnover(band: TurnoverBand, minimum: int) -> Reason | None:
    if band.lower_pounds > minimum:
        return None
    told = (
        f"Your business needs a yearly turnover of more than £{minimum:,}. "
        f"You told us its turnover is {_in_sentence(band.label)}"
    )
    if band.upper_pounds is not None and band.upper_pounds <= minimum:
        return Reason(ReasonCode.TURNOVER, f"{told}.")
    return Reason(
        ReasonCode.TURNOVER, f"{told}, so we need to check this with you.", borderline=True
    )


def _role(role: str, allowed: frozenset[str]) -> Reason | None:
    if role in allowed:
        return None
    if not allowed:
        return Reason(ReasonCode.ROLE, "This round is not open to people in your role.")
    return Reason(
        ReasonCode.ROLE, f"You need to be {_role_list(allowed)} of the business to take part."
    )


def _sector(sector: str | None, excluded: frozenset[str]) -> Reason | None:
    if not excluded or (sector is not None and sector not in excluded):
        return None
    if sector is None:
        return Reason(
            ReasonCode.SECTOR,
            "Businesses in some sectors cannot take part in this round. "
            "We need to check your business’s sector with you.",
            borderline=True,
        )
    return Reason(ReasonCode.SECTOR, "This round is not open to businesses in your sector.")


def _returning(before: PreviousParticipation, rule: ReturningRule) -> Reason | None:
    if before == PreviousParticipation.COMPLETED and rule != ReturningRule.ANYONE_MAY_REAPPLY:
        done = "completed"
    elif before == PreviousParticipation.TOOK_PART and rule == ReturningRule.PARTICIPANTS_EXCLUDED:
        done = "took part in"
    else:
        return None
    return Reason(
        ReasonCode.RETURNING,
        f"You cannot take part again because you {done} Peer Networks in an earlier round.",
    )


def _business_limit(others: int, limit: int) -> Reason | None:
    if others < limit:
        return None
    if limit == 1:
        allowed = "Only 1 person from each business can take part in this round"
    else:
        allowed = f"Up to {limit} people from each business can take part in this round"
    if others == 1:
        applied = "someone else from your business has already applied"
    else:
        applied = f"{others} other people from your business have already applied"
    return Reason(ReasonCode.BUSINESS_LIMIT, f"{allowed}, and {applied}.")


def _number(value: float) -> str:
    """5 -> '5', 5.5 -> '5.5', 1200 -> '1,200'."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _plural(value: float, noun: str) -> str:
    return f"{_number(value)} {noun}" + ("" if value == 1 else "s")


def _in_sentence(label: str) -> str:
    """'Under £50,000' -> 'under £50,000' (a label that starts with '£' is unchanged)."""
    return label[0].lower() + label[1:]


def _role_list(roles: frozenset[str]) -> str:
    """'an owner, director or manager' from role codes (others shown as written)."""
    ordered = [role for role in _ROLE_ORDER if role in roles]
    ordered += sorted(roles - set(_ROLE_ORDER))
    words = [role.replace("_", " ").replace("-", " ") for role in ordered]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"
    article = "an" if listed[0] in "aeiou" else "a"
    return f"{article} {listed}"


@dataclass(frozen=True)
class Signpost:
    """Other help for someone who cannot take part. `link_key` names a link the hub sets."""

    title: str
    text: str
    link_key: str


_LOCAL_GROWTH_HUB = Signpost(
    "Your local Growth Hub",
    "Every area of England has a Growth Hub that can tell you about business support near you.",
    "local_growth_hub",
)
_START_UP_SUPPORT = Signpost(
    "Support for new businesses",
    "We can tell you about help for businesses in their first years of trading.",
    "start_up_support",
)
_GROWTH_HUB_SUPPORT = Signpost(
    "Other support from the Growth Hub",
    "We offer other support, including workshops and advice for smaller businesses.",
    "growth_hub_support",
)
_NATIONAL_SUPPORT = Signpost(
    "Business support from government",
    "GOV.UK lists finance, advice and support for businesses of every size and sector.",
    "national_business_support",
)
_APPLY_INSTEAD = Signpost(
    "Ask an owner or manager to apply",
    "Someone who owns, directs or manages your business can apply instead.",
    "peer_networks_information",
)
_CONTACT_US = Signpost(
    "Contact us",
    "If you want to take the place of someone else from your business, contact us.",
    "contact",
)
_SIGNPOSTS: dict[ReasonCode, Signpost] = {
    ReasonCode.DISTRICT: _LOCAL_GROWTH_HUB,
    ReasonCode.TRADING_TIME: _START_UP_SUPPORT,
    ReasonCode.TOO_FEW_EMPLOYEES: _GROWTH_HUB_SUPPORT,
    ReasonCode.TOO_MANY_EMPLOYEES: _NATIONAL_SUPPORT,
    ReasonCode.TURNOVER: _GROWTH_HUB_SUPPORT,
    ReasonCode.ROLE: _APPLY_INSTEAD,
    ReasonCode.SECTOR: _NATIONAL_SUPPORT,
    ReasonCode.RETURNING: _GROWTH_HUB_SUPPORT,
    ReasonCode.BUSINESS_LIMIT: _CONTACT_US,
}


def signposting(reasons: Iterable[Reason]) -> tuple[Signpost, ...]:
    """What else may help, for the rules failed outright, each signpost once, in order.

    Borderline reasons give none: those applicants are not turned away.
    """
    found: list[Signpost] = []
    for reason in reasons:
        if reason.borderline:
            continue
        if (signpost := _SIGNPOSTS[reason.code]) not in found:
            found.append(signpost)
    return tuple(found)
