"""Why each unplaced applicant is waiting: a code and a true, specific sentence.

The reasons are worked out from the final cohorts, in this order, and each one is a fact
that can be checked against the input (the tests do):

- ``locked_together``: their locked-together group cannot share a cohort (a conflict inside,
  more people than a cohort holds, or no format, area and time in common).
- ``no_times``: they gave no weekly time they can make.
- ``no_basis_value``: the basis is a hard rule and they have no value on it.
- ``no_group``: for every format, area and time they can make, fewer than the minimum
  number of people in the pool could meet that way.
- ``conflicts``: every cohort they could join that had room has someone they are in
  conflict with (or kept apart from).
- ``cohorts_full``: cohorts they could join exist, and all are full.
- ``too_few_left``: no cohort suits them, and for every format, area and time they can make
  fewer than the minimum of the people not in a cohort (and not in conflict with them) can.
- ``conflicts_among_rest``: enough such people are left, but conflicts between them leave
  no group of the minimum size (proven by an exhaustive search).
- ``not_placed``: none of the above could be shown within the search limit.

Where a group was at most ``NEAR_MISS`` people short (``no_group`` and ``too_few_left``),
the reason adds what would help: "They would fit a Tuesday-evening online group if 1 more
person who can make Tuesday evenings joins".
"""

from __future__ import annotations

from collections.abc import Sequence

from portal.matching.forming import WorkCohort, conflict_free_group
from portal.matching.model import Basis, WaitlistEntry
from portal.matching.problem import CohortType, Problem, Unit
from portal.matching.words import join_words, label, plural, slot_adjective, slot_phrase

BASIS_NOUNS = {
    Basis.SECTOR: "sector",
    Basis.OWNERSHIP: "ownership profile",
    Basis.ORGANISATION: "business organisation",
    Basis.MIXED: "sector, ownership profile or business organisation",
}


def explain_waitlist(
    problem: Problem,
    cohorts: Sequence[WorkCohort],
    unplaced: Sequence[Unit],
    type_weight: dict[CohortType, int],
) -> list[WaitlistEntry]:
    """One entry per unplaced applicant; ``cohorts`` are numbered from 1 in this order."""
    entries: list[WaitlistEntry] = []
    waiting = sorted(set(unplaced), key=lambda u: u.members)
    # Head counts of individuals (not locked-together units), so "no group of 8 people"
    # stays true even when someone who could meet is locked to someone who cannot.
    people_per_type: dict[CohortType, int] = {}
    for applicant_id in problem.pool:
        for cohort_type in problem.options(applicant_id):
            people_per_type[cohort_type] = people_per_type.get(cohort_type, 0) + 1
    del type_weight
    for unit in waiting:
        code, reason = _reason(problem, cohorts, waiting, unit, people_per_type)
        entries.extend(WaitlistEntry(member, code, reason) for member in unit.members)
    return sorted(entries, key=lambda e: e.applicant_id)


def format_phrase(problem: Problem, applicant_id: int) -> str:
    """ "who want online sessions", "in Burnley who want in-person sessions", ..."""
    applicant = problem.by_id[applicant_id]
    area = problem.area_name(problem.area_of(applicant.district))
    if applicant.delivery == "online":
        return "who want online sessions"
    if applicant.delivery == "in_person":
        return f"in {area} who want in-person sessions"
    return f"who want online sessions, or in-person sessions in {area},"


def _basis_phrase(problem: Problem, applicant_id: int) -> str:
    if not problem.rules.basis_required:
        return ""
    values = sorted(problem.values(applicant_id))
    if problem.basis is Basis.SECTOR and values:
        return f" in the {label(values[0][1], problem.labels)} sector"
    return f" who share {BASIS_NOUNS[problem.basis]} with them"


def _reason(
    problem: Problem,
    cohorts: Sequence[WorkCohort],
    waiting: Sequence[Unit],
    unit: Unit,
    type_weight: dict[CohortType, int],
) -> tuple[str, str]:
    rules = problem.rules
    lead = unit.members[0]
    if unit.size > 1:
        others = join_words(problem.name(m) for m in unit.members)
        if problem.unit_blocked_inside(unit):
            return (
                "locked_together",
                f"Locked together ({others}), but two of them are in conflict",
            )
        if unit.size > rules.max_size:
            return (
                "locked_together",
                f"Locked together ({others}): {unit.size} people, more than a cohort of "
                f"at most {rules.max_size} holds",
            )
        if not problem.unit_options(unit):
            return (
                "locked_together",
                f"Locked together ({others}), but they have no format, area and time in common",
            )
    applicant = problem.by_id[lead]
    if not applicant.availability:
        return ("no_times", "Gave no weekly time they can make")
    if rules.basis_required and not problem.values(lead):
        noun = BASIS_NOUNS[problem.basis]
        return (
            "no_basis_value",
            f"Has no {noun}, and every cohort in this run must share one",
        )
    options = problem.unit_options(unit)
    fmt = format_phrase(problem, lead)
    if all(type_weight.get(t, 0) < rules.min_size for t in options):
        heads = {t: type_weight.get(t, 0) for t in options}
        return (
            "no_group",
            f"No group of at least {rules.min_size} people {fmt}{_basis_phrase(problem, lead)} "
            "and share a time" + _near_miss(problem, lead, heads, "registers"),
        )
    numbered = list(enumerate(cohorts, start=1))
    suitable = [(n, c) for n, c in numbered if not c.locked and c.cohort_type in options]
    with_room = [(n, c) for n, c in suitable if len(c.members) + unit.size <= rules.max_size]
    if with_room:
        details = []
        for number, cohort in with_room:
            blockers = [b for m in unit.members for b in problem.blocks_with(m, cohort.members)]
            if not blockers:
                return ("not_placed", _not_placed())
            details.append(f"cohort {number} has {problem.business(blockers[0])}")
        shown = details[:3]
        if len(details) > 3:
            shown.append(f"{plural(len(details) - 3, 'more cohort')}")
        return (
            "conflicts",
            "Conflicts with every cohort that had room: " + join_words(shown),
        )
    if suitable:
        joinable = {c.cohort_type for _, c in suitable}
        eligible = sum(1 for i in problem.pool if any(t in joinable for t in problem.options(i)))
        count = len(suitable)
        if eligible > count * rules.max_size:
            return (
                "cohorts_full",
                f"Cohorts were full: the pool had {eligible} eligible people for "
                f"{plural(count, 'cohort')} of at most {rules.max_size}",
            )
        numbers = join_words(str(n) for n, _ in suitable)
        return (
            "cohorts_full",
            f"Every cohort they could join was full (cohort{'s' if count > 1 else ''} {numbers})",
        )
    left = [
        other
        for other in waiting
        if other is unit
        or not any(problem.is_blocked(a, b) for a in unit.members for b in other.members)
    ]
    most = 0
    exact = True
    counts: dict[CohortType, int] = {}
    for cohort_type in sorted(options, key=CohortType.sort_key):
        able = [u for u in left if cohort_type in problem.unit_options(u)]
        counts[cohort_type] = sum(u.size for u in able)
        if sum(u.size for u in able) < rules.min_size:
            most = max(most, sum(u.size for u in able))
            continue
        able_others = [u for u in able if u is not unit]
        group, proven = _group_with(problem, unit, able_others)
        if sum(u.size for u in group) >= rules.min_size:
            return ("not_placed", _not_placed())
        exact = exact and proven
        most = max(most, rules.min_size)
    if most < rules.min_size:
        return (
            "too_few_left",
            f"Too few people were left to start another group: counting them, only {most} of "
            f"those not already in a cohort {fmt.rstrip(',')} could meet at the same time, and "
            f"{rules.min_size} are needed" + _near_miss(problem, lead, counts, "joins"),
        )
    if exact:
        return (
            "conflicts_among_rest",
            f"Enough people {fmt.rstrip(',')} were left to start another group, but "
            f"conflicts between them leave fewer than {rules.min_size} who can meet together",
        )
    return ("not_placed", _not_placed())


NEAR_MISS = 3  # say what would help when a group is this many people or fewer short


def _near_miss(problem: Problem, lead: int, counts: dict[CohortType, int], verb: str) -> str:
    """ ". They would fit a Tuesday-evening online group if 1 more person who can make
    Tuesday evenings joins", for the type they could join that is closest to the minimum."""
    if not counts:
        return ""
    best = min(counts, key=lambda t: (-counts[t], t.sort_key()))
    short = problem.rules.min_size - counts[best]
    if not 0 < short <= NEAR_MISS:
        return ""
    if best.delivery == "online":
        group = f"a {slot_adjective(best.slot)} online group"
    else:
        group = f"a {slot_adjective(best.slot)} in-person group in {problem.area_name(best.area)}"
    people = "person" if short == 1 else "people"
    verb = verb if short == 1 else verb.removesuffix("s")
    who = _basis_phrase(problem, lead)
    return (
        f". They would fit {group} if {short} more {people}{who} who can make "
        f"{slot_phrase(best.slot)} {verb}"
    )


def _group_with(problem: Problem, unit: Unit, others: list[Unit]) -> tuple[list[Unit], bool]:
    group, proven = conflict_free_group(problem, others, problem.rules.max_size - unit.size)
    return [unit, *group], proven


def _not_placed() -> str:
    return (
        "Could not be placed within the search limit, though a place may exist: "
        "an officer can place them by hand"
    )
