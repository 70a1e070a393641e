"""Re-checking the hard rules, in plain English, for a cohort or for a proposed move.

``check_cohort`` checks one set of members (a cohort an officer builds by hand, or one the
engine proposed); ``check_move`` applies a move (a member to another cohort or to the
waitlist) to proposed cohorts and checks the cohorts it changes, before anything is saved.
Both return the violations as sentences; an empty tuple means the rules are met.
"""

from __future__ import annotations

import re
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
    ProposedCohort,
    Slot,
)
from portal.matching.problem import Problem
from portal.matching.scoring import basis_values
from portal.matching.words import (
    delivery_phrase,
    join_words,
    label,
    plural,
    slot_phrase,
    slots_phrase,
)


@dataclass(frozen=True)
class Move:
    """Move ``applicant_id`` to cohort number ``to_cohort`` (from 1), or to the waitlist (None)."""

    applicant_id: int
    to_cohort: int | None


def in_sentence(name: str) -> str:
    """A cohort's name inside a sentence: the portal's own labels ("Cohort 2", "Proposed
    cohort 3", "The cohort") read "cohort 2"; a name a person gave ("Coast and countryside
    leaders") stays as it was given."""
    generic = re.fullmatch(r"(Cohort|Proposed cohort) \d+|The cohort", name)
    return name[0].lower() + name[1:] if generic else name


def check_cohort(
    members: Sequence[Applicant],
    rules: MatchingRules,
    conflicts: Iterable[Conflict] = (),
    *,
    delivery: CohortDelivery | None = None,
    slot: Slot | None = None,
    locks: Locks = Locks(),  # noqa: B008 - frozen, so a shared default is safe
    basis: Basis | None = None,
    basis_value: str | None = None,
    name: str = "The cohort",
    tense: str = "has",
) -> tuple[str, ...]:
    """The hard rules this cohort breaks, in plain English.

    Without ``delivery`` or ``slot`` the check is that some format (or weekly time) suits
    everyone; with them, that everyone can meet that way. ``basis`` and ``basis_value`` are
    checked only when the rules make the basis a hard rule. ``name`` is how the cohort is
    called ("Cohort 3"); ``tense`` is "has" or "would have".
    """
    problem = Problem(members, conflicts, rules, basis or Basis.MIXED, Locks(apart=locks.apart))
    return tuple(
        _check(problem, [m.id for m in members], delivery, slot, basis, basis_value, name, tense)
    )


def check_move(
    cohorts: Sequence[ProposedCohort],
    move: Move,
    applicants: Sequence[Applicant],
    conflicts: Iterable[Conflict],
    rules: MatchingRules,
    locks: Locks = Locks(),  # noqa: B008 - frozen, so a shared default is safe
) -> tuple[str, ...]:
    """The hard rules the cohorts would break after ``move`` (empty when it is allowed)."""
    by_id = {a.id: a for a in applicants}
    person = by_id.get(move.applicant_id)
    if person is None:
        return (f"Applicant {move.applicant_id} is not in this round's pool",)
    source = next((n for n, c in enumerate(cohorts, 1) if move.applicant_id in c.members), None)
    if move.to_cohort is not None and not 1 <= move.to_cohort <= len(cohorts):
        return (f"There is no cohort {move.to_cohort}",)
    if source == move.to_cohort:
        return ()
    problems: list[str] = []
    for number in (source, move.to_cohort):
        if number is not None and cohorts[number - 1].locked:
            problems.append(f"Cohort {number} is locked")
    partners = sorted(
        other
        for group in locks.together
        if move.applicant_id in group
        for other in group
        if other != move.applicant_id
    )
    if partners:
        names = join_words(by_id[p].name if p in by_id else str(p) for p in partners)
        problems.append(f"{person.name} is locked together with {names}")
    problem = Problem(applicants, conflicts, rules, Basis.MIXED, Locks(apart=locks.apart))
    if source is not None:
        cohort = cohorts[source - 1]
        rest = [m for m in cohort.members if m != move.applicant_id]
        problems.extend(
            _check(
                problem,
                rest,
                cohort.delivery,
                cohort.slot,
                cohort.basis,
                cohort.basis_value,
                f"Cohort {source}",
                "would have",
                only_size=True,
            )
        )
    if move.to_cohort is not None:
        cohort = cohorts[move.to_cohort - 1]
        grown = [*cohort.members, move.applicant_id]
        problems.extend(
            _check(
                problem,
                grown,
                cohort.delivery,
                cohort.slot,
                cohort.basis,
                cohort.basis_value,
                f"Cohort {move.to_cohort}",
                "would have",
                newcomer=move.applicant_id,
            )
        )
    return tuple(problems)


def _check(
    problem: Problem,
    ids: list[int],
    delivery: CohortDelivery | None,
    slot: Slot | None,
    basis: Basis | None,
    basis_value: str | None,
    name: str,
    tense: str,
    *,
    only_size: bool = False,
    newcomer: int | None = None,
) -> list[str]:
    rules = problem.rules
    people = [problem.by_id[i] for i in ids]
    problems: list[str] = []
    size = len(ids)
    if size > rules.max_size:
        problems.append(f"{name} {tense} {plural(size, 'member')}; the most is {rules.max_size}")
    if 0 < size < rules.min_size or (size == 0 and tense == "has"):
        problems.append(f"{name} {tense} {plural(size, 'member')}; the fewest is {rules.min_size}")
    if only_size:
        return problems
    for applicant_id, times in sorted(Counter(ids).items()):
        if times > 1:
            problems.append(f"{problem.name(applicant_id)} is in {in_sentence(name)} twice")
    problems.extend(_check_format(problem, people, delivery, name))
    problems.extend(_check_slot(people, slot, name, newcomer))
    for index, a in enumerate(ids):
        for b in ids[index + 1 :]:
            problems.extend(_conflict_sentences(problem, a, b))
    if rules.basis_required and basis is not None and basis is not Basis.MIXED and basis_value:
        for person in people:
            if (basis.value, basis_value) not in basis_values(person, basis):
                problems.append(
                    f"{person.name} does not share the cohort's {basis.value} "
                    f"({label(basis_value, problem.labels)})"
                )
    elif rules.basis_required and people:
        common = frozenset.intersection(*(basis_values(p, basis or Basis.MIXED) for p in people))
        if not common:
            problems.append(f"Members of {in_sentence(name)} share no {_basis_noun(basis)}")
    return problems


def _basis_noun(basis: Basis | None) -> str:
    if basis is Basis.SECTOR:
        return "sector"
    if basis is Basis.OWNERSHIP:
        return "ownership profile"
    if basis is Basis.ORGANISATION:
        return "business organisation"
    return "sector, ownership profile or business organisation"


def _check_format(
    problem: Problem, people: list[Applicant], delivery: CohortDelivery | None, name: str
) -> list[str]:
    problems = []
    if delivery is None:
        online = [p for p in people if p.delivery == "online"]
        in_person = [p for p in people if p.delivery == "in_person"]
        if online and in_person:
            problems.append(
                f"{name} mixes people who want online sessions only "
                f"({join_words(p.name for p in online)}) with people who want in-person "
                f"sessions only ({join_words(p.name for p in in_person)})"
            )
            return problems
        delivery = "in_person" if in_person else "online" if online else None
    if delivery is not None:
        for person in people:
            if delivery not in person.formats():
                problems.append(
                    f"{person.name} wants {_adjective(person.delivery)} sessions only; "
                    f"{in_sentence(name)} meets {delivery_phrase(delivery)}"
                )
    if delivery == "in_person" and people:
        areas = Counter(problem.area_of(p.district) for p in people)
        main = min(areas, key=lambda a: (-areas[a], a))
        for person in people:
            if problem.area_of(person.district) != main:
                problems.append(
                    f"{person.name} is in {label(person.district, problem.labels)}, which is "
                    f"not near {problem.area_name(main)}, where {in_sentence(name)} meets"
                )
    return problems


def _adjective(delivery: str) -> str:
    return "in-person" if delivery == "in_person" else "online"


def _check_slot(
    people: list[Applicant], slot: Slot | None, name: str, newcomer: int | None
) -> list[str]:
    problems = []
    lonely = []
    for person in people:
        others = set().union(*(p.availability for p in people if p.id != person.id))
        if people[1:] and person.availability and not (person.availability & others):
            lonely.append(person)
    if slot is None:
        common = frozenset.intersection(*(p.availability for p in people)) if people else None
        if people and not common:
            problems.append(
                f"There is no weekly time that everyone in {in_sentence(name)} can make"
            )
    else:
        for person in people:
            if slot not in person.availability:
                problems.append(
                    f"{person.name} cannot make {slot_phrase(slot)}, when {in_sentence(name)} meets"
                )
    for person in lonely:
        if newcomer is None or person.id == newcomer:
            problems.append(
                f"Nobody else in {in_sentence(name)} can make {slots_phrase(person.availability)}"
            )
    return problems


def _conflict_sentences(problem: Problem, a: int, b: int) -> list[str]:
    sentences = []
    declared = problem.conflicts.get(frozenset((a, b)), [])
    kinds = {(c.a, c.kind) for c in declared}
    shown: set[tuple[int, str]] = set()
    for conflict in sorted(declared, key=lambda c: (c.a, c.b, c.kind)):
        if (conflict.a, conflict.kind) in shown:
            continue
        first, second = problem.business(conflict.a), problem.business(conflict.b)
        if conflict.kind == "competitor" and (conflict.b, "competitor") in kinds:
            if (conflict.b, "competitor") in shown:
                continue
            sentences.append(f"{first} and {second} declared each other as competitors")
            shown.add((conflict.b, "competitor"))
        else:
            sentences.append(f"{first} declared {second} as a {conflict.kind}")
        shown.add((conflict.a, conflict.kind))
    if frozenset((a, b)) in problem.apart:
        sentences.append(f"An officer has kept {problem.name(a)} and {problem.name(b)} apart")
    return sentences
