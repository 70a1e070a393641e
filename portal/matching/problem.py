"""The engine's working view of a run: who may meet whom, where, when and on what basis.

``Problem`` answers the questions every stage asks (which cohort types an applicant can join,
whether two applicants are kept apart, how to name an area) in one place, so the solver, the
checks and the waitlist reasons apply the same hard rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from portal.matching.model import (
    Applicant,
    Basis,
    CohortDelivery,
    Conflict,
    Locks,
    MatchingRules,
    Slot,
)
from portal.matching.scoring import BasisValue, basis_values
from portal.matching.words import join_words, label, slot_order

Area = tuple[str, ...]  # the sorted district codes an in-person cohort draws from; () online


class CohortType(NamedTuple):
    """What a cohort's members must all be able to do: its format, area, slot (and value)."""

    delivery: CohortDelivery
    area: Area
    slot: Slot
    value: BasisValue | None

    def sort_key(self) -> tuple[object, ...]:
        value = ("", "") if self.value is None else self.value
        return (self.delivery, self.area, slot_order(self.slot), value)


@dataclass(frozen=True)
class Unit:
    """Applicants an officer locked together: placed together or not at all."""

    members: tuple[int, ...]

    @property
    def size(self) -> int:
        return len(self.members)


class Problem:
    """The pool (locked cohorts' members removed) with its rules, conflicts and locks."""

    def __init__(
        self,
        applicants: Sequence[Applicant],
        conflicts: Iterable[Conflict],
        rules: MatchingRules,
        basis: Basis,
        locks: Locks,
    ) -> None:
        self.rules = rules
        self.basis = basis
        self.locks = locks
        self.labels: Mapping[str, str] = rules.label_map()
        self.by_id: dict[int, Applicant] = {}
        for applicant in applicants:
            if applicant.id in self.by_id:
                raise ValueError(f"Applicant {applicant.id} appears twice")
            self.by_id[applicant.id] = applicant
        self._area_of: dict[str, Area] = {}
        for group in rules.near_districts:
            area = tuple(sorted(group))
            for district in group:
                self._area_of[district] = area
        self._area_names = {
            tuple(sorted(group)): name
            for group, name in zip(rules.near_districts, rules.area_names, strict=False)
        }
        self.conflicts: dict[frozenset[int], list[Conflict]] = {}
        for conflict in conflicts:
            if conflict.a in self.by_id and conflict.b in self.by_id:
                self.conflicts.setdefault(frozenset((conflict.a, conflict.b)), []).append(conflict)
        self.apart: set[frozenset[int]] = set()
        for a, b in locks.apart:
            if a == b:
                raise ValueError(f"Applicant {a} cannot be kept apart from themselves")
            self.apart.add(frozenset((a, b)))
        self.blocked: dict[int, set[int]] = {}
        for pair in [*self.conflicts, *self.apart]:
            a, b = sorted(pair)
            self.blocked.setdefault(a, set()).add(b)
            self.blocked.setdefault(b, set()).add(a)

        locked_members: set[int] = set()
        for cohort in locks.cohorts:
            for member in cohort.members:
                if member not in self.by_id:
                    raise ValueError(f"Locked cohort member {member} is not an applicant")
                if member in locked_members:
                    raise ValueError(f"Applicant {member} is in two locked cohorts")
                locked_members.add(member)
        self.locked_members = frozenset(locked_members)
        self.pool: tuple[int, ...] = tuple(
            sorted(i for i in self.by_id if i not in self.locked_members)
        )
        self.units, self.unit_of = self._units()
        self._options: dict[int, frozenset[CohortType]] = {}
        self._unit_options: dict[Unit, frozenset[CohortType]] = {}

    def _units(self) -> tuple[tuple[Unit, ...], dict[int, Unit]]:
        parent = {i: i for i in self.pool}

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for group in self.locks.together:
            members = sorted(group)
            for member in members:
                if member not in self.by_id:
                    raise ValueError(f"Locked-together applicant {member} is not an applicant")
                if member in self.locked_members:
                    raise ValueError(
                        f"Applicant {member} is in a locked cohort and locked together with others"
                    )
            for member in members[1:]:
                parent[find(member)] = find(members[0])
        grouped: dict[int, list[int]] = {}
        for i in self.pool:
            grouped.setdefault(find(i), []).append(i)
        units = tuple(Unit(tuple(sorted(m))) for m in sorted(grouped.values()))
        return units, {i: unit for unit in units for i in unit.members}

    # Rules about applicants ----------------------------------------------------------------

    def area_of(self, district: str) -> Area:
        """The area an in-person cohort with this district draws from."""
        return self._area_of.get(district, (district,))

    def area_name(self, area: Area) -> str:
        """ "Preston, South Ribble and Chorley", or the officer's name for the group."""
        if area in self._area_names:
            return self._area_names[area]
        return join_words([label(d, self.labels) for d in area])

    def values(self, applicant_id: int) -> frozenset[BasisValue]:
        """The applicant's values on the run's basis."""
        return basis_values(self.by_id[applicant_id], self.basis)

    def options(self, applicant_id: int) -> frozenset[CohortType]:
        """Every cohort type this applicant could join under the hard rules."""
        cached = self._options.get(applicant_id)
        if cached is not None:
            return cached
        applicant = self.by_id[applicant_id]
        values: Iterable[BasisValue | None] = (
            sorted(self.values(applicant_id)) if self.rules.basis_required else [None]
        )
        values = list(values)
        found = frozenset(
            CohortType(
                delivery,
                () if delivery == "online" else self.area_of(applicant.district),
                slot,
                value,
            )
            for delivery in applicant.formats()
            for slot in applicant.availability
            for value in values
        )
        self._options[applicant_id] = found
        return found

    def unit_options(self, unit: Unit) -> frozenset[CohortType]:
        """The cohort types every member of a locked-together unit can join."""
        cached = self._unit_options.get(unit)
        if cached is None:
            cached = self._unit_options[unit] = self._find_unit_options(unit)
        return cached

    def _find_unit_options(self, unit: Unit) -> frozenset[CohortType]:
        options = self.options(unit.members[0])
        for member in unit.members[1:]:
            options = options & self.options(member)
        if self.unit_blocked_inside(unit) or unit.size > self.rules.max_size:
            return frozenset()
        return options

    def unit_blocked_inside(self, unit: Unit) -> bool:
        """True when two members of a locked-together unit are in conflict."""
        return any(
            other in self.blocked.get(member, ())
            for index, member in enumerate(unit.members)
            for other in unit.members[index + 1 :]
        )

    def is_blocked(self, a: int, b: int) -> bool:
        """True when a and b may not share a cohort (a conflict or an apart lock)."""
        return b in self.blocked.get(a, ())

    def blocks_with(self, applicant_id: int, members: Iterable[int]) -> list[int]:
        """The members that applicant may not share a cohort with."""
        blocked = self.blocked.get(applicant_id, set())
        return [m for m in members if m in blocked]

    def fits(self, applicant_id: int, cohort_type: CohortType) -> bool:
        """True when the applicant could join a cohort of this type."""
        return cohort_type in self.options(applicant_id)

    def name(self, applicant_id: int) -> str:
        return self.by_id[applicant_id].name

    def business(self, applicant_id: int) -> str:
        applicant = self.by_id[applicant_id]
        return applicant.business_name or applicant.name
