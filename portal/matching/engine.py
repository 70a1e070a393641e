"""The cohort matching engine's entry point: ``propose_cohorts``.

How a run works:

1. **The pool.** Locked cohorts are kept as they are and their members leave the pool.
   Applicants locked together become one unit; apart locks count as conflicts.
2. **Stage 1, placement** (``placement``, 0.8 of ``work_limit``; in pools of up to
   ``SMALL_POOL`` people half of it, at most ``SMALL_POOL_PLACEMENT``): for each cohort
   type (format x area x weekly slot, x basis value when the basis is a hard rule) decide
   how many cohorts to open and who joins the type, placing as many people as possible. The
   pool splits into independent components; small ones are solved by CP-SAT, large ones by
   area (each area's in-person cohorts, with a fallback online) and then online; every
   component gets at least ``placement.MIN_WORK``. Types no conflict-free cohort around a
   unit could use are first dropped from its options. Its proven optimum is an upper bound
   on placement. Where conflicts are dense, a component's cohorts are also built directly
   (``dense``).
3. **Stage 2, cohorts** (``forming``): cut each type's people into cohorts of even size with
   alike people together, split conflicting pairs (or keep the cohorts stage 1 built, where
   they place more), give leftovers a cohort with room or a
   new cohort, then a local search raises the worst cohort's score, then the total.
4. **Polish** (``exact``): components of up to ``EXACT_PEOPLE`` people are re-solved by the
   exact model (placement, then worst cohort, then total), starting from stage 2's answer,
   and its answer is kept when it is better. In pools of up to ``SMALL_POOL`` people they
   may use up to ``POLISH_SHARE`` x ``work_limit`` deterministic seconds, as proving small
   pools optimal is cheap and worth it, but never more than ``SMALL_POOL_POLISH`` (pools
   where every cohort is interchangeable, everyone free at one time, could otherwise spend
   20 s failing to prove the worst cohort optimal); in larger pools, 0.2 of ``work_limit``
   (placing people matters more there, and stage 1 gets the rest).
5. **Waitlist** (``waitlist``): each unplaced applicant gets a true, specific reason.
6. **Validation** (``validate``): every hard rule is checked on the result; a violation
   raises ``InvalidResult`` (a bug in the engine, never shown to an officer).

Determinism: every CP-SAT solve runs on one worker with ``random_seed=seed`` and a
deterministic time limit (CP-SAT's own measure of work, not the clock); the local search
uses ``random.Random(seed)`` and a fixed number of evaluations; everything is iterated in
sorted order (never in set or hash order). So the same input and seed give the same cohorts
on any machine, however loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from portal.matching.exact import solve_exact
from portal.matching.forming import Forming, WorkCohort, form_cohorts, place_leftovers
from portal.matching.model import (
    Applicant,
    Basis,
    Conflict,
    Locks,
    MatchingRules,
    MatchResult,
    ProposedCohort,
    Weights,
)
from portal.matching.placement import Placement, plan_placement
from portal.matching.problem import CohortType, Problem
from portal.matching.scoring import main_value, score_cohort
from portal.matching.validate import ensure_valid
from portal.matching.waitlist import explain_waitlist

EXACT_PEOPLE = 40  # components up to this many people are polished by the exact model
EVALUATIONS_PER_WORK = 6_000  # local-search evaluations per unit of work_limit
POLISH_SHARE = 4.0  # in small pools the exact polish may use this many times work_limit,
SMALL_POOL_POLISH = 0.7  # but at most this many deterministic seconds (under 2 s in all),
SMALL_POOL = 200  # (in larger pools it gets 0.2 of work_limit)
SMALL_POOL_PLACEMENT = 0.8  # stage 1's most deterministic seconds in small pools


def propose_cohorts(
    applicants: Sequence[Applicant],
    conflicts: Iterable[Conflict],
    rules: MatchingRules,
    weights: Weights,
    basis: Basis,
    locks: Locks = Locks(),  # noqa: B008 - frozen, so a shared default is safe
    seed: int = 0,
    work_limit: float = 5.0,
) -> MatchResult:
    """Propose cohorts for ``applicants`` and explain everyone left on the waitlist.

    ``conflicts`` are the hard conflicts: declared or officer-confirmed pairs, plus exact
    business-name matches (see ``portal.matching.conflicts``). ``work_limit`` is the work
    allowed, in CP-SAT deterministic seconds (the local search gets a proportional number of
    evaluations); the default, 5, runs 10,000 applicants in well under a minute on 2 cores.
    The objective is lexicographic: place as many as the hard rules allow, then maximise the
    worst cohort's score, then the total of the scores (see ``portal.matching.scoring``).
    Where several numbers of cohorts fit a type's people, the fewest are opened (fuller
    cohorts cost less).

    ``stats`` in the result: ``pool`` (applicants not in locked cohorts), ``components``,
    ``placement_bound_proven`` (stage 1 proved its bound optimal everywhere),
    ``worst_score``, ``mean_score``, ``worst_score_proven`` (the exact model proved the worst
    cohort's score optimal), ``exact_components`` (components polished exactly).
    """
    problem = Problem(applicants, conflicts, rules, basis, locks)
    small = len(problem.pool) <= SMALL_POOL
    placement = plan_placement(
        problem, seed, min(work_limit * 0.5, SMALL_POOL_PLACEMENT) if small else work_limit * 0.8
    )
    forming = form_cohorts(
        problem, placement, weights, seed, int(EVALUATIONS_PER_WORK * work_limit)
    )
    polish_work = min(work_limit * POLISH_SHARE, SMALL_POOL_POLISH) if small else work_limit * 0.2
    polished = _polish(problem, forming, placement, weights, seed, polish_work)
    place_leftovers(forming)

    locked = [
        WorkCohort(
            _locked_type(problem, c.delivery, c.slot, c.members), sorted(c.members), 0.0, True
        )
        for c in locks.cohorts
    ]
    ordered = locked + sorted(forming.cohorts, key=lambda c: (c.cohort_type.sort_key(), c.members))
    waitlist = explain_waitlist(problem, ordered, forming.unplaced, placement.type_weight)
    proposed = tuple(_proposed(problem, cohort, weights) for cohort in ordered)

    placed = sum(len(c.members) for c in proposed)
    bound = len(problem.locked_members) + placement.bound + polished.tightening
    scores = [c.score for c in proposed if not c.locked]
    placement_optimal = placed == bound
    worst_proven = polished.proven and polished.count == len(placement.components)
    with_cohorts = {polished.component_of.get(c.members[0]) for c in forming.cohorts}
    proven = placement_optimal and worst_proven and len(with_cohorts) <= 1
    stats: dict[str, object] = {
        "pool": len(problem.pool),
        "components": len(placement.components),
        "placement_bound_proven": all(c.optimal for c in placement.components),
        "worst_score": round(min(scores), 1) if scores else None,
        "mean_score": round(sum(scores) / len(scores), 1) if scores else None,
        "worst_score_proven": worst_proven,
        "exact_components": polished.count,
    }
    result = MatchResult(
        cohorts=proposed,
        waitlist=tuple(waitlist),
        placed=placed,
        upper_bound=bound,
        proven_optimal=proven,
        gap=(bound - placed) / bound if bound else 0.0,
        stats=stats,
    )
    ensure_valid(problem, result)
    return result


class _Polished:
    def __init__(self) -> None:
        self.count = 0
        self.proven = True
        self.tightening = 0
        self.component_of: dict[int, int] = {}


def _polish(
    problem: Problem,
    forming: Forming,
    placement: Placement,
    weights: Weights,
    seed: int,
    work: float,
) -> _Polished:
    """Re-solve small components exactly and keep the exact answer when it is better."""
    polished = _Polished()
    for index, component in enumerate(placement.components):
        for unit in component.units:
            for member in unit.members:
                polished.component_of[member] = index
    small = sum(c.size for c in placement.components if c.size <= EXACT_PEOPLE) or 1
    for index, component in enumerate(placement.components):
        if component.size > EXACT_PEOPLE:
            polished.proven = False
            continue
        mine = [c for c in forming.cohorts if polished.component_of.get(c.members[0]) == index]
        hint = [(c.cohort_type, c.members) for c in mine]
        placed_now = sum(len(c.members) for c in mine)
        result = solve_exact(
            problem,
            weights,
            seed,
            work * component.size / small,
            units=component.units,
            hint=hint,
            placed_at_least=placed_now,
        )
        polished.count += 1
        if result.placement_optimal and result.placement_bound < component.bound:
            polished.tightening += result.placement_bound - component.bound
        if not (result.placement_optimal and result.worst_optimal and result.total_optimal):
            polished.proven = False
        if result.placed < placed_now or (not result.cohorts and placed_now):
            continue
        candidate = [WorkCohort(t, sorted(members)) for t, members in result.cohorts]
        for cohort in candidate:
            forming.rescore(cohort)
        if not _better(candidate, mine):
            continue
        placed_ids = {m for c in candidate for m in c.members}
        component_units = set(component.units)
        forming.cohorts = [c for c in forming.cohorts if c not in mine] + candidate
        forming.unplaced = [u for u in forming.unplaced if u not in component_units] + [
            u for u in component.units if u.members[0] not in placed_ids
        ]
    return polished


def _better(candidate: list[WorkCohort], current: list[WorkCohort]) -> bool:
    def key(cohorts: list[WorkCohort]) -> tuple[int, float, float]:
        scores = [c.score for c in cohorts]
        return (
            sum(len(c.members) for c in cohorts),
            round(min(scores), 6) if scores else 100.0,
            round(sum(scores), 6),
        )

    return key(candidate) > key(current)


def _locked_type(
    problem: Problem, delivery: str, slot: tuple[int, str], members: Iterable[int]
) -> CohortType:
    ids = sorted(members)
    area = () if delivery == "online" else problem.area_of(problem.by_id[ids[0]].district)
    return CohortType(delivery, area, slot, None)  # type: ignore[arg-type]


def _proposed(problem: Problem, cohort: WorkCohort, weights: Weights) -> ProposedCohort:
    members = [problem.by_id[i] for i in cohort.members]
    quality = score_cohort(members, problem.basis, weights, problem.labels)
    basis, value = quality.basis, quality.basis_value
    if cohort.cohort_type.value is not None:
        basis, value = Basis(cohort.cohort_type.value[0]), cohort.cohort_type.value[1]
    elif problem.basis is not Basis.MIXED and not cohort.locked:
        # Labelled by the basis the run formed it on, even where not everyone shares it
        # (its missed goals say how many do not).
        basis, value = problem.basis, main_value(members, problem.basis)
    return ProposedCohort(
        members=tuple(cohort.members),
        basis=basis,
        basis_value=value,
        delivery=cohort.cohort_type.delivery,
        slot=cohort.cohort_type.slot,
        districts=tuple(sorted({m.district for m in members})),
        score=round(quality.score, 1),
        missed_goals=quality.missed_goals,
        locked=cohort.locked,
    )
