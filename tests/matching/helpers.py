"""Hand-built applicants for the matching tests."""

from __future__ import annotations

from collections.abc import Iterable

from portal.matching import Applicant, MatchingRules, MatchResult
from portal.matching.model import Slot

MON_AM: Slot = (0, "morning")
TUE_AM: Slot = (1, "morning")
WED_PM: Slot = (2, "afternoon")

NEAR = (
    frozenset({"preston", "south-ribble", "chorley"}),
    frozenset({"burnley", "pendle", "hyndburn", "rossendale"}),
    frozenset({"lancaster"}),
)
AREA_NAMES = ("Central Lancashire", "Pennine Lancashire", "Lancaster and Morecambe")


def rules(**changes: object) -> MatchingRules:
    """The default 8-10 rules with the test districts."""
    settings: dict[str, object] = {"near_districts": NEAR, "area_names": AREA_NAMES}
    settings.update(changes)
    return MatchingRules(**settings)  # type: ignore[arg-type]


def person(
    applicant_id: int,
    *,
    availability: Iterable[Slot] = (MON_AM,),
    delivery: str = "online",
    district: str = "preston",
    sector: str = "C",
    ownership: Iterable[str] = (),
    organisations: Iterable[str] = (),
    issues: Iterable[str] = ("finance",),
    employees: float = 10.0,
    business: str | None = None,
    name: str | None = None,
) -> Applicant:
    return Applicant(
        id=applicant_id,
        name=name or f"Person {applicant_id}",
        business_name=business or f"Business {applicant_id}",
        sector=sector,
        ownership=frozenset(ownership),
        organisations=frozenset(organisations),
        issues=frozenset(issues),
        employees=employees,
        district=district,
        delivery=delivery,  # type: ignore[arg-type]
        availability=frozenset(availability),
    )


def people(first: int, count: int, **details: object) -> list[Applicant]:
    """``count`` alike applicants with ids from ``first``."""
    return [person(first + i, **details) for i in range(count)]  # type: ignore[arg-type]


def reasons(result: MatchResult) -> dict[int, tuple[str, str]]:
    """Waitlisted applicant id -> (code, sentence)."""
    return {entry.applicant_id: (entry.reason_code, entry.reason) for entry in result.waitlist}


def cohort_of(result: MatchResult, applicant_id: int) -> int | None:
    """The number (from 1) of the applicant's cohort, or None."""
    for number, cohort in enumerate(result.cohorts, start=1):
        if applicant_id in cohort.members:
            return number
    return None
