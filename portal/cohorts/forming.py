"""Forming cohorts: matching runs, proposals and moves, locks, and hand-made cohorts.

The matching itself is pure (portal.matching); this module stores its proposals as cohorts
with status "proposed" and checks officers' changes with the same hard rules. Confirming a
cohort and its offers are in ``portal.cohorts.offers``. Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import matching
from portal.audit.models import AuditEvent
from portal.audit.services import record
from portal.auth.models import User
from portal.cohorts.matching_inputs import engine_inputs, matchable_applications, matching_rules
from portal.cohorts.models import (
    HOLDING_PLACE,
    Cohort,
    CohortBasis,
    CohortDelivery,
    CohortStatus,
    CohortStatusChange,
    Place,
    PlaceStatus,
)
from portal.cohorts.services import (
    CohortError,
    members,
    propose_place,
    round_cohorts,
    set_place_status,
)
from portal.matching.checks import Move, check_cohort, check_move
from portal.matching.model import (
    Basis,
    LockedCohort,
    Locks,
    MatchingRules,
    ProposedCohort,
    Weights,
)
from portal.registration import services as applications
from portal.registration.models import Application, ApplicationStatus, PartOfDay
from portal.rounds.models import Round
from portal.state_changes import StatusConflict

_PART = {
    "morning": PartOfDay.MORNING,
    "afternoon": PartOfDay.AFTERNOON,
    "evening": PartOfDay.EVENING,
}
_BASIS = {
    Basis.SECTOR: CohortBasis.SECTOR,
    Basis.OWNERSHIP: CohortBasis.OWNERSHIP,
    Basis.ORGANISATION: CohortBasis.ORGANISATION,
    Basis.MIXED: CohortBasis.MIXED,
}


# Matching runs


@dataclass(frozen=True)
class RunSettings:
    basis: Basis = Basis.MIXED
    weights: Weights = field(default_factory=Weights)
    near_districts: tuple[frozenset[str], ...] = ()
    seed: int = 0
    work_limit: float = 2.0


@dataclass(frozen=True)
class RunOutcome:
    cohorts: list[Cohort]
    waitlist: list[tuple[Application, str]]
    result: matching.MatchResult


class RunChanged(CohortError):
    """The round's proposals or applicants changed between reading and storing a run."""

    def __init__(self) -> None:
        super().__init__(
            ["The cohorts or applicants changed while the matching ran. Run the matching again."]
        )


@dataclass
class PreparedRun:
    """What a matching run reads before it solves: nothing written, no lock held after."""

    programme_round: Round
    settings: RunSettings
    locked: list[Cohort]
    kept: list[Cohort]
    replaced_ids: list[int]
    everyone: list[Application]
    pool_ids: frozenset[int]
    inputs: tuple[list[matching.Applicant], list[matching.Conflict], MatchingRules, Locks]


def prepare_run(
    session: Session,
    programme_round: Round,
    *,
    settings: RunSettings,
    only: Sequence[Application] | None = None,
    delivery: str | None = None,
) -> PreparedRun:
    """Read what a run needs (see ``run_matching`` for who is in the pool), without
    writing: the proposals it replaces are only named, their members counted as free."""
    proposals = round_cohorts(session, programme_round, CohortStatus.PROPOSED)
    locked = [c for c in proposals if c.locked]
    kept = [
        c
        for c in proposals
        if not c.locked
        and not all(
            _wants(session.get_one(Application, p.application_id), delivery) for p in members(c)
        )
    ]
    replaced = [c for c in proposals if not c.locked and c not in kept]
    released = {p.application_id for cohort in replaced for p in members(cohort)}
    replaced_ids = [c.id for c in replaced]
    pool = [
        a
        for a in matchable_applications(session, programme_round, releasing=replaced_ids)
        if _wants(a, delivery) and (only is None or a in only or a.id in released)
    ]
    locked_members = {
        p.application_id for c in locked for p in c.places if p.status == PlaceStatus.PROPOSED
    }
    everyone = pool + [
        session.get_one(Application, application_id)
        for application_id in sorted(locked_members - {a.id for a in pool})
    ]
    applicants, conflicts = engine_inputs(session, everyone)
    locks = Locks(
        cohorts=tuple(
            LockedCohort(
                frozenset(p.application_id for p in c.places if p.status == PlaceStatus.PROPOSED),
                c.delivery.value,
                (c.meeting_weekday, c.meeting_part_of_day.value),
            )
            for c in locked
        )
    )
    rules = matching_rules(programme_round, settings.near_districts, session)
    return PreparedRun(
        programme_round,
        settings,
        locked,
        kept,
        replaced_ids,
        everyone,
        frozenset(a.id for a in pool),
        (applicants, conflicts, rules, locks),
    )


def solve(prepared: PreparedRun) -> matching.MatchResult:
    """Run the engine on a prepared run (pure: no database)."""
    applicants, conflicts, rules, locks = prepared.inputs
    return matching.propose_cohorts(
        applicants,
        conflicts,
        rules,
        prepared.settings.weights,
        prepared.settings.basis,
        locks,
        seed=prepared.settings.seed,
        work_limit=prepared.settings.work_limit,
    )


def store_run(
    session: Session,
    prepared: PreparedRun,
    result: matching.MatchResult,
    *,
    actor: User,
    now: dt.datetime,
) -> RunOutcome:
    """Replace the proposals the run read with its cohorts, and put those left over on the
    waiting list with the engine's reason.

    Raises RunChanged (nothing written) if the proposals or the pool changed since
    ``prepare_run``. Side effects: as ``run_matching``; flushes.
    """
    programme_round = prepared.programme_round
    proposals = round_cohorts(session, programme_round, CohortStatus.PROPOSED)
    by_state = sorted((c.id, c.locked) for c in proposals)
    seen = sorted(
        [(c.id, True) for c in prepared.locked]
        + [(c.id, False) for c in prepared.kept]
        + [(cohort_id, False) for cohort_id in prepared.replaced_ids]
    )
    if by_state != seen:
        raise RunChanged
    still_matchable = {
        a.id
        for a in matchable_applications(session, programme_round, releasing=prepared.replaced_ids)
    }
    if not prepared.pool_ids <= still_matchable:
        raise RunChanged
    for cohort in proposals:
        if cohort.id in prepared.replaced_ids:
            _discard(session, cohort)
    session.flush()
    by_id = {a.id: a for a in prepared.everyone}
    created = []
    for proposed in result.cohorts:
        if proposed.locked:
            continue
        created.append(_new_proposed_cohort(session, programme_round, proposed, by_id, actor, now))
    waitlist = []
    for entry in result.waitlist:
        application = by_id[entry.applicant_id]
        waitlist.append((application, entry.reason))
        if application.status != ApplicationStatus.WAITLISTED:
            applications.set_status(
                session,
                application,
                ApplicationStatus.WAITLISTED,
                actor=actor,
                now=now,
                reason=entry.reason,
            )
    record(
        session,
        actor=actor,
        action="cohort.matching_run",
        entity_type="round",
        entity_id=programme_round.id,
        fields=[prepared.settings.basis.value],
        reason=f"{result.placed} placed of an upper bound of {result.upper_bound}",
    )
    return RunOutcome(prepared.locked + prepared.kept + created, waitlist, result)


def run_matching(
    session: Session,
    programme_round: Round,
    *,
    settings: RunSettings,
    actor: User,
    now: dt.datetime,
    only: Sequence[Application] | None = None,
    delivery: str | None = None,
) -> RunOutcome:
    """Replace the round's unlocked proposals with a fresh run of the engine, in one go
    (the demo and tests; officers' runs are background tasks: ``prepare_run``, ``solve``
    and ``store_run`` in ``portal.cohorts.matching_task``).

    Locked proposed cohorts are kept as they are and their members leave the pool. People left
    over go on the waiting list with the engine's reason. ``delivery`` ("online" or
    "in_person") limits the run to people who want to meet that way or either: proposed
    cohorts with anyone else in them are kept as they are. ``only`` limits the pool to these
    applications. Either way the members of every replaced cohort are in the pool, so after
    a run each of them is in a cohort or on the waiting list with a reason, never in neither.
    Side effects: deletes unlocked proposed cohorts, adds new ones with proposed places,
    changes application statuses to waitlisted where needed, records the run in the audit log.
    """
    prepared = prepare_run(
        session, programme_round, settings=settings, only=only, delivery=delivery
    )
    return store_run(session, prepared, solve(prepared), actor=actor, now=now)


def last_run_basis(session: Session, programme_round: Round) -> Basis | None:
    """The basis of the round's last matching run (from the audit log), or None."""
    fields = session.scalar(
        select(AuditEvent.fields)
        .where(
            AuditEvent.action == "cohort.matching_run",
            AuditEvent.entity_type == "round",
            AuditEvent.entity_id == str(programme_round.id),
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if not fields:
        return None
    try:
        return Basis(fields[0])
    except ValueError:
        return None


def _wants(application: Application, delivery: str | None) -> bool:
    """True when the application wants to meet in ``delivery`` (or either, or did not say)."""
    return (
        delivery is None
        or application.delivery is None
        or application.delivery.value in (delivery, "either")
    )


def _discard(session: Session, cohort: Cohort) -> None:
    for place in list(cohort.places):
        session.delete(place)
    for change in session.scalars(
        select(CohortStatusChange).where(CohortStatusChange.cohort_id == cohort.id)
    ):
        session.delete(change)
    session.delete(cohort)


def _next_number(session: Session, programme_round: Round) -> int:
    return (
        int(
            session.scalar(
                select(func.count())
                .select_from(Cohort)
                .where(Cohort.round_id == programme_round.id)
            )
            or 0
        )
        + 1
    )


def _new_proposed_cohort(
    session: Session,
    programme_round: Round,
    proposed: ProposedCohort,
    by_id: dict[int, Application],
    actor: User,
    now: dt.datetime,
) -> Cohort:
    weekday, part = proposed.slot
    cohort = Cohort(
        round_id=programme_round.id,
        name=f"Proposed cohort {_next_number(session, programme_round)}",
        basis=_BASIS[proposed.basis],
        basis_value=proposed.basis_value or "",
        delivery=CohortDelivery(proposed.delivery),
        meeting_weekday=weekday,
        meeting_part_of_day=_PART[part],
        districts=sorted(set(proposed.districts)),
        score=round(proposed.score),
        missed_goals=list(proposed.missed_goals),
        status=CohortStatus.PROPOSED,
        status_changed_at=now,
        planned_hours=programme_round.planned_hours,
        session_length_minutes=programme_round.session_length_minutes,
        session_frequency_days=programme_round.session_frequency_days,
        created_at=now,
        created_by_id=actor.id,
    )
    session.add(cohort)
    session.flush()
    for member in proposed.members:
        application = by_id[member]
        propose_place(session, cohort.id, application, now)
    session.flush()
    return cohort


def as_proposed(session: Session, cohort: Cohort) -> ProposedCohort:
    places = members(cohort)
    return ProposedCohort(
        members=tuple(p.application_id for p in places),
        basis=next((b for b, c in _BASIS.items() if c == cohort.basis), Basis.MIXED),
        basis_value=cohort.basis_value or None,
        delivery=cohort.delivery.value,
        slot=(cohort.meeting_weekday, cohort.meeting_part_of_day.value),
        districts=tuple(cohort.districts),
        score=float(cohort.score or 0),
        locked=cohort.locked,
    )


def check_place_move(
    session: Session,
    programme_round: Round,
    application: Application,
    to_cohort: Cohort | None,
    near_districts: Sequence[frozenset[str]] = (),
) -> list[str]:
    """The hard rules a move of ``application`` (to ``to_cohort`` or the waiting list) breaks."""
    proposals = round_cohorts(session, programme_round, CohortStatus.PROPOSED)
    involved = {p.application_id for c in proposals for p in members(c)} | {application.id}
    pool = [session.get(Application, i) for i in sorted(involved)]
    applicants, conflicts = engine_inputs(session, [a for a in pool if a is not None])
    target = (
        None
        if to_cohort is None
        else next(n for n, c in enumerate(proposals, 1) if c.id == to_cohort.id)
    )
    return list(
        check_move(
            [as_proposed(session, c) for c in proposals],
            Move(application.id, target),
            applicants,
            conflicts,
            matching_rules(programme_round, near_districts, session),
        )
    )


def move_to(
    session: Session,
    programme_round: Round,
    application: Application,
    to_cohort: Cohort | None,
    *,
    actor: User,
    now: dt.datetime,
) -> None:
    """Move someone between proposed cohorts or to the waiting list, if the rules allow.

    Raises CohortError with every rule the move would break; nothing changes then.
    """
    problems = check_place_move(session, programme_round, application, to_cohort)
    if problems:
        raise CohortError(problems)
    current = session.scalar(
        select(Place).where(
            Place.application_id == application.id, Place.status == PlaceStatus.PROPOSED
        )
    )
    if current is not None:
        try:
            set_place_status(
                session,
                current,
                PlaceStatus.REMOVED,
                actor=actor,
                now=now,
                allowed_from={PlaceStatus.PROPOSED},
            )
        except StatusConflict as conflict:  # another officer moved them at the same moment
            raise CohortError(
                [f"{application.reference} was moved by someone else. Check and try again"]
            ) from conflict
    if to_cohort is None:
        applications.set_status(
            session,
            application,
            ApplicationStatus.WAITLISTED,
            actor=actor,
            now=now,
            reason="Moved to the waiting list by an officer",
        )
    else:
        propose_place(session, to_cohort.id, application, now)
    session.flush()
    for cohort in session.scalars(
        select(Cohort).where(
            Cohort.status == CohortStatus.PROPOSED, Cohort.round_id == programme_round.id
        )
    ):
        session.refresh(cohort)
    record(
        session,
        actor=actor,
        action="cohort.member_moved",
        entity_type="application",
        entity_id=application.id,
        fields=["cohort"],
    )


def set_locked(session: Session, cohort: Cohort, locked: bool, *, actor: User) -> None:
    cohort.locked = locked
    record(
        session,
        actor=actor,
        action="cohort.locked" if locked else "cohort.unlocked",
        entity_type="cohort",
        entity_id=cohort.id,
    )


def create_manual_cohort(
    session: Session,
    programme_round: Round,
    chosen: Sequence[Application],
    *,
    delivery: CohortDelivery,
    weekday: int,
    part: PartOfDay,
    actor: User,
    now: dt.datetime,
    near_districts: Sequence[frozenset[str]] = (),
) -> Cohort:
    """A cohort formed by hand (a partner network recruited it), checked like any other.

    Raises CohortError with the hard rules it breaks.
    """
    holding = set(
        session.scalars(
            select(Place.application_id).where(
                Place.application_id.in_([a.id for a in chosen]), Place.status.in_(HOLDING_PLACE)
            )
        )
    )
    problems = [
        f"{a.reference} already has a place or is in a proposed cohort"
        for a in chosen
        if a.id in holding
    ]
    applicants, conflicts = engine_inputs(session, chosen)
    problems += list(
        check_cohort(
            applicants,
            matching_rules(programme_round, near_districts, session),
            conflicts,
            delivery=delivery.value,
            slot=(weekday, part.value),
        )
    )
    if problems:
        raise CohortError(problems)
    cohort = Cohort(
        round_id=programme_round.id,
        name=f"Proposed cohort {_next_number(session, programme_round)}",
        basis=CohortBasis.MANUAL,
        basis_value="",
        delivery=delivery,
        meeting_weekday=weekday,
        meeting_part_of_day=part,
        districts=sorted({a.district_code or "" for a in chosen}),
        status=CohortStatus.PROPOSED,
        status_changed_at=now,
        locked=True,
        planned_hours=programme_round.planned_hours,
        session_length_minutes=programme_round.session_length_minutes,
        session_frequency_days=programme_round.session_frequency_days,
        created_at=now,
        created_by_id=actor.id,
    )
    session.add(cohort)
    session.flush()
    for application in chosen:
        propose_place(session, cohort.id, application, now)
    session.flush()
    session.refresh(cohort)
    record(
        session,
        actor=actor,
        action="cohort.created_by_hand",
        entity_type="cohort",
        entity_id=cohort.id,
    )
    return cohort
