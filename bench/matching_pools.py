"""Realistic, seeded applicant pools for the matching benchmark (and for trying the engine).

The mixes follow Lancashire's: 14 districts (weighted roughly by business counts), SIC
sections A-U weighted towards C, F, G, I, M, N, Q and S, about 40% online, 25% in person and
35% either, each applicant free for 3-8 of the 15 weekday x part-of-day slots (mornings and
afternoons more often than evenings), and 3-8% of applicants declaring a conflict.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from portal.matching.model import Applicant, Conflict, MatchingRules

DISTRICTS: dict[str, int] = {
    "preston": 12,
    "blackburn-with-darwen": 11,
    "blackpool": 10,
    "lancaster": 10,
    "chorley": 9,
    "south-ribble": 8,
    "west-lancashire": 9,
    "wyre": 8,
    "fylde": 7,
    "burnley": 7,
    "hyndburn": 6,
    "pendle": 7,
    "ribble-valley": 6,
    "rossendale": 5,
}
NEAR_DISTRICTS: tuple[frozenset[str], ...] = (
    frozenset({"preston", "south-ribble", "chorley"}),
    frozenset({"burnley", "pendle", "hyndburn", "rossendale"}),
    frozenset({"blackburn-with-darwen", "ribble-valley"}),
    frozenset({"blackpool", "fylde", "wyre"}),
    frozenset({"lancaster"}),
    frozenset({"west-lancashire"}),
)
AREA_NAMES: tuple[str, ...] = (
    "Central Lancashire",
    "Pennine Lancashire",
    "Blackburn with Darwen and Ribble Valley",
    "the Fylde coast",
    "Lancaster and Morecambe",
    "West Lancashire",
)
SECTORS: dict[str, int] = {
    "A": 2, "B": 1, "C": 16, "D": 1, "E": 1, "F": 12, "G": 14, "H": 4, "I": 10, "J": 4,
    "K": 2, "L": 2, "M": 12, "N": 8, "O": 1, "P": 2, "Q": 7, "R": 3, "S": 7, "T": 1, "U": 1,
}  # fmt: skip
OWNERSHIP: dict[str, float] = {
    "women_led": 0.30,
    "family_owned": 0.25,
    "ethnic_minority_led": 0.10,
    "social_enterprise": 0.05,
}
ORGANISATIONS: dict[str, float] = {
    "nw-lancs-chamber": 0.15,
    "east-lancs-chamber": 0.12,
    "fsb-lancashire": 0.18,
    "lancs-women-leaders": 0.05,
    "lancs-manufacturing": 0.04,
    "lancs-digital": 0.03,
    "lancs-visitor-economy": 0.03,
    "social-enterprise-lancs": 0.02,
}
ISSUES: tuple[str, ...] = (
    "supply-chain",
    "staffing",
    "exporting",
    "production",
    "finance",
    "business-development",
    "marketing",
    "people-management",
    "technology",
    "covid-response",
)
SLOTS: tuple[tuple[int, str], ...] = tuple(
    (day, part) for day in range(5) for part in ("morning", "afternoon", "evening")
)
SLOT_WEIGHTS: tuple[float, ...] = tuple(
    {"morning": 1.2, "afternoon": 1.0, "evening": 0.6}[part] for _, part in SLOTS
)
NAME_WORDS = (
    "Ann's", "Pennine", "Ribble", "Fylde", "Bowland", "Red Rose", "Harbour", "Mill", "Valley",
    "Northern", "Brook", "Oak", "Moor", "Canal", "Station", "Castle", "Bridge", "Heritage",
)  # fmt: skip
NAME_TRADES = (
    "Bakery", "Joinery", "Engineering", "Print", "Cafe", "Consulting", "Care", "Logistics",
    "Builders", "Digital", "Textiles", "Foods", "Garage", "Studio", "Accountants", "Plastics",
)  # fmt: skip
NAME_SUFFIXES = ("Ltd", "Limited", "& Sons", "LLP", "plc", "", "", "")


def rules(min_size: int = 8, max_size: int = 10, **extra: object) -> MatchingRules:
    """Lancashire's rules for a round: cohorts of 8-10 and the benchmark's near districts."""
    return MatchingRules(
        min_size=min_size,
        max_size=max_size,
        near_districts=NEAR_DISTRICTS,
        area_names=AREA_NAMES,
        **extra,  # type: ignore[arg-type]
    )


@dataclass(frozen=True)
class Pool:
    """A generated pool: applicants and their declared conflicts."""

    applicants: tuple[Applicant, ...]
    conflicts: tuple[Conflict, ...]


def make_pool(size: int, seed: int) -> Pool:
    """A pool of ``size`` applicants; the same size and seed always give the same pool."""
    rng = random.Random(f"pool-{size}-{seed}")
    districts = list(DISTRICTS)
    district_weights = list(DISTRICTS.values())
    sectors = list(SECTORS)
    sector_weights = list(SECTORS.values())
    applicants = []
    for index in range(size):
        free = rng.randint(3, 8)
        availability: set[tuple[int, str]] = set()
        while len(availability) < free:
            availability.add(rng.choices(SLOTS, SLOT_WEIGHTS)[0])
        employees = round(min(249.0, max(2.0, rng.lognormvariate(2.6, 0.9))), 1)
        delivery = rng.choices(["online", "in_person", "either"], [40, 25, 35])[0]
        business = f"{rng.choice(NAME_WORDS)} {rng.choice(NAME_TRADES)} {index}"
        suffix = rng.choice(NAME_SUFFIXES)
        applicants.append(
            Applicant(
                id=index + 1,
                name=f"Applicant {index + 1}",
                business_name=f"{business} {suffix}".strip(),
                sector=rng.choices(sectors, sector_weights)[0],
                ownership=frozenset(p for p, share in OWNERSHIP.items() if rng.random() < share),
                organisations=frozenset(
                    o for o, share in ORGANISATIONS.items() if rng.random() < share
                ),
                issues=frozenset(rng.sample(ISSUES, rng.randint(1, 4))),
                employees=employees,
                district=rng.choices(districts, district_weights)[0],
                delivery=delivery,  # type: ignore[arg-type]
                availability=frozenset(availability),
            )
        )
    conflicts: list[Conflict] = []
    share = rng.uniform(0.03, 0.08)
    declaring = [a for a in applicants if rng.random() < share]
    for applicant in declaring:
        # Competitors are mostly in the same sector and nearby; customers and suppliers anywhere.
        same_sector = [
            b.id for b in applicants if b.sector == applicant.sector and b.id != applicant.id
        ]
        kind = rng.choices(["competitor", "customer", "supplier"], [6, 2, 2])[0]
        pool = same_sector if kind == "competitor" and same_sector else None
        other = rng.choice(pool) if pool else rng.randint(1, size)
        if other != applicant.id:
            conflicts.append(Conflict(applicant.id, other, kind))
    return Pool(tuple(applicants), tuple(conflicts))


def one_slot(pool: Pool) -> Pool:
    """The same pool with everyone free at one time only (Tuesday mornings): the hardest case
    for proving an answer optimal, as every cohort is interchangeable."""
    return Pool(
        tuple(replace(a, availability=frozenset({(1, "morning")})) for a in pool.applicants),
        pool.conflicts,
    )


def dense_conflicts(pool: Pool, share: float = 0.2, seed: int = 0) -> Pool:
    """The same pool with ``share`` of all same-sector pairs in conflict (competitors)."""
    rng = random.Random(f"dense-{len(pool.applicants)}-{seed}-{share}")
    by_sector: dict[str, list[int]] = {}
    for applicant in pool.applicants:
        by_sector.setdefault(applicant.sector, []).append(applicant.id)
    conflicts = list(pool.conflicts)
    for ids in by_sector.values():
        for index, a in enumerate(ids):
            for b in ids[index + 1 :]:
                if rng.random() < share:
                    conflicts.append(Conflict(a, b, "competitor"))
    return Pool(pool.applicants, tuple(conflicts))
