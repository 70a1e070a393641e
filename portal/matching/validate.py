"""The final check of every hard rule on the engine's answer.

``propose_cohorts`` runs ``ensure_valid`` on every result before returning it: a cohort that
breaks a hard rule is a bug in the engine, so it raises ``InvalidResult`` and is never shown
to an officer. The rules checked, each with a code:

- ``size``: a cohort has between the round's smallest and largest number of members;
- ``format``: every member can meet in the cohort's format (online or in person);
- ``slot``: every member can make the cohort's weekly time;
- ``area``: an in-person cohort draws all its members from one area of near districts;
- ``conflict``: no two members declared a conflict, or were kept apart by an officer;
- ``basis``: when the basis is a hard rule, every member shares the cohort's basis value;
- ``together``: people locked together are placed together or wait together;
- ``twice``: nobody is in two cohorts, or both in a cohort and on the waitlist;
- ``pool``: the cohorts and the waitlist hold exactly the pool, and the counts add up.

``cohort_violations`` checks one cohort (so a later feature that lets officers change a
confirmed cohort can use it); ``result_violations`` checks a whole result. Locked cohorts are
kept as the officer fixed them and are checked only for ``twice`` and ``pool``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from portal.matching.model import (
    Applicant,
    Basis,
    CohortDelivery,
    Conflict,
    Locks,
    MatchingRules,
    MatchResult,
    Slot,
)
from portal.matching.problem import Problem
from portal.matching.scoring import basis_values
from portal.matching.words import plural


@dataclass(frozen=True)
class Violation:
    """One broken hard rule: a code (see the module docstring), the people involved, and
    what is wrong in plain English."""

    code: str
    members: tuple[int, ...]
    message: str


class InvalidResult(AssertionError):
    """The engine produced an answer that breaks a hard rule (always a bug)."""

    def __init__(self, violations: Sequence[Violation]) -> None:
        self.violations = tuple(violations)
        shown = "; ".join(f"{v.code}: {v.message}" for v in self.violations[:5])
        more = len(self.violations) - 5
        super().__init__(
            f"The matching result breaks {len(self.violations)} hard rule(s): {shown}"
            + (f" (and {more} more)" if more > 0 else "")
        )


@dataclass(frozen=True)
class CohortShape:
    """What a cohort promises: its format, weekly time and (when it has one) basis value."""

    delivery: CohortDelivery
    slot: Slot
    basis: Basis = Basis.MIXED
    basis_value: str | None = None


def cohort_violations(
    members: Sequence[Applicant],
    shape: CohortShape,
    rules: MatchingRules,
    conflicts: Iterable[Conflict] = (),
    locks: Locks = Locks(),  # noqa: B008 - frozen, so a shared default is safe
    run_basis: Basis | None = None,
) -> list[Violation]:
    """The hard rules one cohort breaks (an empty list when it meets them all).

    ``run_basis`` is the basis the run was made on; when the basis is a hard rule, a run on
    one basis must form cohorts on that basis.
    """
    problem = Problem(members, conflicts, rules, run_basis or shape.basis, Locks(apart=locks.apart))
    return _cohort(problem, [m.id for m in members], shape, "The cohort")


def result_violations(
    applicants: Sequence[Applicant],
    conflicts: Iterable[Conflict],
    rules: MatchingRules,
    basis: Basis,
    locks: Locks,
    result: MatchResult,
) -> list[Violation]:
    """Every hard rule the result breaks, for the pool it was made from."""
    problem = Problem(applicants, conflicts, rules, basis, locks)
    return _result(problem, result)


def ensure_valid(problem: Problem, result: MatchResult) -> None:
    """Raise ``InvalidResult`` when the result breaks any hard rule."""
    found = _result(problem, result)
    if found:
        raise InvalidResult(found)


def _result(problem: Problem, result: MatchResult) -> list[Violation]:
    found: list[Violation] = []
    where: Counter[int] = Counter()
    home: dict[int, int] = {}
    for number, cohort in enumerate(result.cohorts, start=1):
        for member in cohort.members:
            where[member] += 1
            home[member] = number
        unknown = [m for m in cohort.members if m not in problem.by_id]
        if unknown:
            found.append(
                Violation("pool", tuple(unknown), f"Cohort {number} holds people not in the pool")
            )
            continue
        if cohort.locked:
            continue
        shape = CohortShape(cohort.delivery, cohort.slot, cohort.basis, cohort.basis_value)
        found.extend(_cohort(problem, list(cohort.members), shape, f"Cohort {number}"))
    for entry in result.waitlist:
        where[entry.applicant_id] += 1
        if entry.applicant_id not in problem.by_id:
            found.append(
                Violation("pool", (entry.applicant_id,), "The waitlist holds someone not in it")
            )
    twice = sorted(i for i, n in where.items() if n > 1)
    if twice:
        found.append(Violation("twice", tuple(twice), "People placed or listed more than once"))
    missing = sorted(i for i in problem.by_id if i not in where)
    if missing:
        found.append(Violation("pool", tuple(missing), "People neither placed nor waiting"))
    placed = sum(len(c.members) for c in result.cohorts)
    if result.placed != placed or placed + len(result.waitlist) != len(problem.by_id):
        found.append(
            Violation(
                "pool",
                (),
                f"{placed} placed and {len(result.waitlist)} waiting do not make the pool of "
                f"{len(problem.by_id)} (the result says {result.placed} placed)",
            )
        )
    if result.upper_bound < result.placed:
        found.append(
            Violation(
                "pool",
                (),
                f"The upper bound {result.upper_bound} is below the {result.placed} placed",
            )
        )
    for unit in problem.units:
        homes = {home.get(m) for m in unit.members}
        if len(homes) > 1:
            found.append(
                Violation("together", unit.members, "People locked together were split up")
            )
    return found


def _cohort(problem: Problem, ids: list[int], shape: CohortShape, name: str) -> list[Violation]:
    rules = problem.rules
    people = [problem.by_id[i] for i in ids]
    found: list[Violation] = []
    if not rules.min_size <= len(ids) <= rules.max_size:
        found.append(
            Violation(
                "size",
                tuple(ids),
                f"{name} has {plural(len(ids), 'member')}; "
                f"it must have {rules.min_size} to {rules.max_size}",
            )
        )
    doubled = sorted(i for i, n in Counter(ids).items() if n > 1)
    if doubled:
        found.append(Violation("twice", tuple(doubled), f"{name} lists someone twice"))
    wrong_format = tuple(p.id for p in people if shape.delivery not in p.formats())
    if wrong_format:
        found.append(
            Violation("format", wrong_format, f"{name} meets {shape.delivery}; they cannot")
        )
    wrong_slot = tuple(p.id for p in people if shape.slot not in p.availability)
    if wrong_slot:
        found.append(Violation("slot", wrong_slot, f"{name}'s weekly time does not suit them"))
    if shape.delivery == "in_person":
        areas = {problem.area_of(p.district) for p in people}
        if len(areas) > 1:
            found.append(
                Violation("area", tuple(ids), f"{name} meets in person across {len(areas)} areas")
            )
    for index, a in enumerate(ids):
        for b in ids[index + 1 :]:
            if problem.is_blocked(a, b):
                found.append(Violation("conflict", (a, b), f"{name} holds two people kept apart"))
    if rules.basis_required:
        found.extend(_basis(problem, people, shape, name))
    return found


def _basis(
    problem: Problem, people: list[Applicant], shape: CohortShape, name: str
) -> list[Violation]:
    if shape.basis is Basis.MIXED or not shape.basis_value:
        return [
            Violation(
                "basis",
                tuple(p.id for p in people),
                f"{name} has no basis value, but the basis is a hard rule",
            )
        ]
    if problem.basis is not Basis.MIXED and shape.basis is not problem.basis:
        return [
            Violation(
                "basis",
                tuple(p.id for p in people),
                f"{name} was formed on {shape.basis.value} in a run on {problem.basis.value}",
            )
        ]
    value = (shape.basis.value, shape.basis_value)
    outside = tuple(p.id for p in people if value not in basis_values(p, shape.basis))
    if outside:
        return [
            Violation(
                "basis",
                outside,
                f"{name} is for {shape.basis.value} {shape.basis_value}; they do not share it",
            )
        ]
    return []
