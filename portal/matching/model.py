"""The matching engine's inputs and outputs: plain frozen dataclasses, no Flask, no database.

Everything the engine reads or returns is defined here, so a service can build the inputs from
its records and store the outputs without knowing how the engine works.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Delivery = Literal["online", "in_person", "either"]
CohortDelivery = Literal["online", "in_person"]
PartOfDay = Literal["morning", "afternoon", "evening"]
Slot = tuple[int, str]

PARTS_OF_DAY: tuple[str, ...] = ("morning", "afternoon", "evening")
WEEKDAYS: tuple[str, ...] = (
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
CONFLICT_KINDS: tuple[str, ...] = ("competitor", "customer", "supplier")


class Basis(enum.Enum):
    """What a cohort has in common. A run names one; MIXED lets the engine use all three."""

    SECTOR = "sector"
    OWNERSHIP = "ownership"
    ORGANISATION = "organisation"
    MIXED = "mixed"


@dataclass(frozen=True)
class Applicant:
    """One eligible applicant as the engine sees them.

    ``availability`` holds (weekday, part of day) pairs: weekday 0 is Monday, part of day is
    "morning", "afternoon" or "evening". ``employees`` may be fractional (full-time
    equivalents). ``ownership`` and ``organisations`` are reference-data codes; an empty set
    means none.
    """

    id: int
    name: str
    business_name: str
    sector: str
    ownership: frozenset[str]
    organisations: frozenset[str]
    issues: frozenset[str]
    employees: float
    district: str
    delivery: Delivery
    availability: frozenset[Slot]

    def formats(self) -> tuple[CohortDelivery, ...]:
        """The cohort formats this applicant can join."""
        if self.delivery == "either":
            return ("online", "in_person")
        return (self.delivery,)


@dataclass(frozen=True)
class Conflict:
    """``a`` declared ``b`` as a competitor, customer or supplier (or an officer confirmed it).

    Either direction keeps the two apart: they are never placed in the same cohort.
    """

    a: int
    b: int
    kind: str = "competitor"

    def __post_init__(self) -> None:
        if self.a == self.b:
            raise ValueError("A conflict needs two different applicants")
        if self.kind not in CONFLICT_KINDS:
            raise ValueError(f"Conflict kind must be one of {', '.join(CONFLICT_KINDS)}")


@dataclass(frozen=True)
class MatchingRules:
    """The round's hard rules.

    ``near_districts`` are the groups of district codes an officer marks as near each other:
    an in-person cohort draws all its members from one group (a district in no group is near
    only to itself). Groups must not overlap. ``area_names`` optionally names each group
    ("Lancaster and Morecambe"), in the same order. ``labels`` gives display names for codes
    (districts, sectors, ownership profiles, organisations); a code without one is shown
    tidied ("south-ribble" as "South Ribble"). With ``basis_required`` every member of a
    cohort must share the cohort's basis value (a hard rule); without it, sharing it is the
    weighted "homogeneity" goal.
    """

    min_size: int = 8
    max_size: int = 10
    near_districts: tuple[frozenset[str], ...] = ()
    area_names: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    basis_required: bool = False

    def __post_init__(self) -> None:
        if self.min_size < 2:
            raise ValueError("The smallest cohort must have at least 2 members")
        if self.max_size < self.min_size:
            raise ValueError("The largest cohort size must not be below the smallest")
        seen: set[str] = set()
        for group in self.near_districts:
            overlap = seen & group
            if overlap:
                raise ValueError(f"District {sorted(overlap)[0]} is in more than one group")
            seen |= group
        if self.area_names and len(self.area_names) != len(self.near_districts):
            raise ValueError("Give a name for every group of near districts, or none")

    def label_map(self) -> Mapping[str, str]:
        """Display names by code."""
        return dict(self.labels)


@dataclass(frozen=True)
class Weights:
    """How much each soft goal counts in a cohort's score. Each must be zero or more."""

    homogeneity: float = 1.0
    shared_issues: float = 1.0
    similar_size: float = 1.0
    no_isolation: float = 1.0

    def __post_init__(self) -> None:
        for name in ("homogeneity", "shared_issues", "similar_size", "no_isolation"):
            if getattr(self, name) < 0:
                raise ValueError(f"The weight for {name.replace('_', ' ')} must not be negative")


@dataclass(frozen=True)
class LockedCohort:
    """A cohort an officer has fixed: kept as it is; its members leave the pool."""

    members: frozenset[int]
    delivery: CohortDelivery
    slot: Slot


@dataclass(frozen=True)
class Locks:
    """Officers' locks: members kept together or apart, and whole cohorts kept as they are."""

    together: tuple[frozenset[int], ...] = ()
    apart: tuple[tuple[int, int], ...] = ()
    cohorts: tuple[LockedCohort, ...] = ()


@dataclass(frozen=True)
class ProposedCohort:
    """A cohort the engine proposes (or a locked one, kept as it was).

    ``basis`` is the basis the cohort was formed on: the run's basis (``basis_value`` is then
    the value most members have, or the value all share when the basis is a hard rule); in
    a MIXED run, the first basis all members share (MIXED when they share none), with that
    shared code as ``basis_value``, or None. ``districts`` are the
    members' districts. ``score`` is the cohort's quality, 0-100 (see
    ``portal.matching.scoring``); ``missed_goals`` says in plain English which soft goals
    it falls short of.
    """

    members: tuple[int, ...]
    basis: Basis
    basis_value: str | None
    delivery: CohortDelivery
    slot: Slot
    districts: tuple[str, ...]
    score: float
    missed_goals: tuple[str, ...] = ()
    locked: bool = False


@dataclass(frozen=True)
class WaitlistEntry:
    """An applicant the engine could not place, with the reason as a code and in words."""

    applicant_id: int
    reason_code: str
    reason: str


@dataclass(frozen=True)
class MatchResult:
    """What a run proposes, and how good the answer is known to be.

    ``placed`` counts members of all cohorts (locked ones included). ``upper_bound`` is a
    proven upper bound on how many could be placed under the hard rules. ``gap`` is
    (upper_bound - placed) / upper_bound (0 when the bound is 0). ``proven_optimal`` is true
    when placement equals the bound and the cohorts' quality (worst, then total) was proven
    optimal by the exact solver. ``stats`` holds figures about the run (see
    ``propose_cohorts``).
    """

    cohorts: tuple[ProposedCohort, ...]
    waitlist: tuple[WaitlistEntry, ...]
    placed: int
    upper_bound: int
    proven_optimal: bool
    gap: float | None
    stats: Mapping[str, object] = field(default_factory=dict)
