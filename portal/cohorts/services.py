"""Forming cohorts: matching runs, proposals and moves, hand-made cohorts, offers and replies.

The matching itself is pure (portal.matching); this module turns records into its inputs,
stores its proposals as cohorts with status "proposed", checks officers' changes with the same
hard rules, and handles offers: accept or decline in one click, lapsing, and backfilling from
the waiting list. Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal import matching
from portal.audit.services import record
from portal.auth.models import Contractor, ContractorMembership, Role, User, UserRole
from portal.cohorts.models import (
    HOLDING_PLACE,
    Cohort,
    CohortBasis,
    CohortDelivery,
    CohortStatus,
    CohortStatusChange,
    ConfirmedConflict,
    Place,
    PlaceStatus,
)
from portal.matching.checks import Move, check_cohort, check_move
from portal.matching.conflicts import (
    ConflictDeclaration,
    ConflictSuggestion,
    exact_conflicts,
    suggest_conflicts,
)
from portal.matching.model import (
    Applicant,
    Basis,
    Conflict,
    LockedCohort,
    Locks,
    MatchingRules,
    ProposedCohort,
    Weights,
)
from portal.matching.scoring import score_cohort
from portal.notifications.services import queue_email
from portal.reference.models import ReferenceItem
from portal.registration import services as applications
from portal.registration.models import (
    WEEKDAYS,
    Application,
    ApplicationStatus,
    DeliveryPreference,
    PartOfDay,
)
from portal.rounds.models import Round
from portal.timefmt import govuk_date
from portal.urls import external_url

# Applications that can be matched: eligible, or waiting for a group.
MATCHABLE = (ApplicationStatus.ELIGIBLE, ApplicationStatus.WAITLISTED)
OFFER_REPLY_DAYS = 7
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


class CohortError(Exception):
    """A rule stopped the change. ``problems`` are sentences for the officer to read."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def get_cohort(session: Session, cohort_id: int) -> Cohort:
    cohort = session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound()
    return cohort


def round_cohorts(
    session: Session, programme_round: Round, *statuses: CohortStatus
) -> list[Cohort]:
    query = select(Cohort).where(Cohort.round_id == programme_round.id)
    if statuses:
        query = query.where(Cohort.status.in_(statuses))
    return list(session.scalars(query.order_by(Cohort.id)))


# Turning applications into the engine's applicants


def as_applicant(application: Application, person_name: str) -> Applicant:
    delivery = application.delivery or DeliveryPreference.EITHER
    return Applicant(
        id=application.id,
        name=person_name,
        business_name=application.business_name or "",
        sector=application.sector_code or "",
        ownership=frozenset(a.fact_code for a in application.ownership if a.answer.value == "yes"),
        organisations=frozenset(o.organisation_code for o in application.organisations),
        issues=frozenset(i.issue_code for i in application.issues),
        employees=float(application.employees or 0),
        district=application.district_code or "",
        delivery=delivery.value,  # type: ignore[arg-type]
        availability=frozenset(
            (slot.weekday, slot.part_of_day.value) for slot in application.availability
        ),
    )


def matchable_applications(session: Session, programme_round: Round) -> list[Application]:
    """Eligible or waiting applications of the round that hold no place yet."""
    holding = select(Place.application_id).where(Place.status.in_(HOLDING_PLACE))
    return list(
        session.scalars(
            select(Application)
            .where(
                Application.round_id == programme_round.id,
                Application.status.in_(MATCHABLE),
                Application.id.not_in(holding),
                # Not those whose processing is restricted (portal.privacy.restriction).
                Application.person_id.not_in(
                    select(User.id).where(User.restricted_at.is_not(None))
                ),
            )
            .order_by(Application.id)
        )
    )


def _names(session: Session, applications_: Iterable[Application]) -> dict[int, str]:
    ids = {a.person_id for a in applications_}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def engine_inputs(
    session: Session, applications_: Sequence[Application]
) -> tuple[list[Applicant], list[Conflict]]:
    """The engine's applicants, and the hard conflicts among them: exact name matches of what
    they declared, plus the pairs officers confirmed."""
    names = _names(session, applications_)
    applicants = [as_applicant(a, names.get(a.person_id, "")) for a in applications_]
    declarations = [
        ConflictDeclaration(a.id, c.business_name, c.kind.value)
        for a in applications_
        for c in a.conflicts
    ]
    conflicts = set(exact_conflicts(applicants, declarations))
    ids = {a.id for a in applications_}
    for confirmed in session.scalars(
        select(ConfirmedConflict).where(
            ConfirmedConflict.application_a_id.in_(ids), ConfirmedConflict.application_b_id.in_(ids)
        )
    ):
        conflicts.add(
            Conflict(confirmed.application_a_id, confirmed.application_b_id, confirmed.kind)
        )
    return applicants, sorted(conflicts, key=lambda c: (c.a, c.b, c.kind))


def conflict_suggestions(session: Session, programme_round: Round) -> list[ConflictSuggestion]:
    """Likely conflicts for officers to confirm, not already confirmed."""
    pool = matchable_applications(session, programme_round)
    names = _names(session, pool)
    applicants = [as_applicant(a, names.get(a.person_id, "")) for a in pool]
    declarations = [
        ConflictDeclaration(a.id, c.business_name, c.kind.value) for a in pool for c in a.conflicts
    ]
    confirmed = {
        (c.application_a_id, c.application_b_id) for c in session.scalars(select(ConfirmedConflict))
    }
    return [
        s
        for s in suggest_conflicts(applicants, declarations)
        if (s.applicant_id, s.other_id) not in confirmed
    ]


def confirm_conflict(
    session: Session, *, a: Application, b: Application, kind: str, actor: User, now: dt.datetime
) -> ConfirmedConflict:
    existing = session.scalar(
        select(ConfirmedConflict).where(
            ConfirmedConflict.application_a_id == a.id, ConfirmedConflict.application_b_id == b.id
        )
    )
    if existing is not None:
        return existing
    conflict = ConfirmedConflict(
        application_a_id=a.id,
        application_b_id=b.id,
        kind=kind,
        confirmed_by_id=actor.id,
        confirmed_at=now,
    )
    session.add(conflict)
    session.flush()
    record(
        session,
        actor=actor,
        action="cohort.conflict_confirmed",
        entity_type="application",
        entity_id=a.id,
        fields=["conflicts"],
    )
    return conflict


def matching_rules(
    programme_round: Round,
    near_districts: Sequence[frozenset[str]] = (),
    session: Session | None = None,
) -> MatchingRules:
    """The round's hard rules for the engine, with reference labels for its sentences."""
    labels: tuple[tuple[str, str], ...] = ()
    if session is not None:
        labels = tuple(
            sorted(
                (code, label)
                for code, label in session.execute(select(ReferenceItem.code, ReferenceItem.label))
            )
        )
    return MatchingRules(
        min_size=programme_round.cohort_size_min,
        max_size=programme_round.cohort_size_max,
        near_districts=tuple(near_districts),
        labels=labels,
    )


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


def run_matching(
    session: Session,
    programme_round: Round,
    *,
    settings: RunSettings,
    actor: User,
    now: dt.datetime,
    only: Sequence[Application] | None = None,
) -> RunOutcome:
    """Replace the round's unlocked proposals with a fresh run of the engine.

    Locked proposed cohorts are kept as they are and their members leave the pool. People left
    over go on the waiting list with the engine's reason. ``only`` limits the pool (filters).
    Side effects: deletes unlocked proposed cohorts, adds new ones with proposed places,
    changes application statuses to waitlisted where needed, records the run in the audit log.
    """
    proposals = round_cohorts(session, programme_round, CohortStatus.PROPOSED)
    locked = [c for c in proposals if c.locked]
    for cohort in proposals:
        if not cohort.locked:
            _discard(session, cohort)
    session.flush()
    pool = list(only) if only is not None else matchable_applications(session, programme_round)
    locked_members = {
        p.application_id for c in locked for p in c.places if p.status == PlaceStatus.PROPOSED
    }
    everyone = pool + [
        session.get(Application, application_id)  # type: ignore[misc]
        for application_id in sorted(locked_members - {a.id for a in pool})
    ]
    applicants, conflicts = engine_inputs(session, everyone)
    locks = Locks(
        cohorts=tuple(
            LockedCohort(
                frozenset(p.application_id for p in c.places if p.status == PlaceStatus.PROPOSED),
                c.delivery.value,  # type: ignore[arg-type]
                (c.meeting_weekday, c.meeting_part_of_day.value),
            )
            for c in locked
        )
    )
    result = matching.propose_cohorts(
        applicants,
        conflicts,
        matching_rules(programme_round, settings.near_districts, session),
        settings.weights,
        settings.basis,
        locks,
        seed=settings.seed,
        work_limit=settings.work_limit,
    )
    by_id = {a.id: a for a in everyone}
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
        fields=[settings.basis.value],
        reason=f"{result.placed} placed of an upper bound of {result.upper_bound}",
    )
    return RunOutcome(locked + created, waitlist, result)


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
        _propose_place(session, cohort.id, application, now)
    session.flush()
    return cohort


def _propose_place(
    session: Session, cohort_id: int, application: Application, now: dt.datetime
) -> Place:
    """A proposed place for ``application`` in the cohort (flushed by the caller)."""
    place = Place(
        cohort_id=cohort_id,
        application_id=application.id,
        person_id=application.person_id,
        status=PlaceStatus.PROPOSED,
        status_changed_at=now,
    )
    session.add(place)
    return place


def members(cohort: Cohort, *statuses: PlaceStatus) -> list[Place]:
    wanted = statuses or tuple(HOLDING_PLACE)
    return [p for p in cohort.places if p.status in wanted]


def as_proposed(session: Session, cohort: Cohort) -> ProposedCohort:
    places = members(cohort)
    return ProposedCohort(
        members=tuple(p.application_id for p in places),
        basis=next((b for b, c in _BASIS.items() if c == cohort.basis), Basis.MIXED),
        basis_value=cohort.basis_value or None,
        delivery=cohort.delivery.value,  # type: ignore[arg-type]
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
        current.status = PlaceStatus.REMOVED
        current.status_changed_at = now
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
        _propose_place(session, to_cohort.id, application, now)
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
            delivery=delivery.value,  # type: ignore[arg-type]
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
        _propose_place(session, cohort.id, application, now)
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


# Status changes, confirming, offers


def set_cohort_status(
    session: Session,
    cohort: Cohort,
    status: CohortStatus,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
) -> None:
    """The one way a cohort's status changes: history and audit together."""
    if cohort.status == status:
        return
    cohort.status = status
    cohort.status_changed_at = now
    session.add(
        CohortStatusChange(
            cohort_id=cohort.id,
            status=status,
            changed_at=now,
            changed_by_id=actor.id if actor else None,
            reason=reason,
        )
    )
    session.flush()
    record(
        session,
        actor=actor,
        action=f"cohort.{status.value}",
        entity_type="cohort",
        entity_id=cohort.id,
        fields=["status"],
        reason=reason or None,
    )


def _token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def confirm_cohort(
    session: Session,
    cohort: Cohort,
    *,
    name: str,
    actor: User,
    now: dt.datetime,
    reply_days: int = OFFER_REPLY_DAYS,
) -> None:
    """Confirm a proposed cohort and offer each member a place, by email, with a reply-by date."""
    if cohort.status != CohortStatus.PROPOSED:
        raise CohortError(["Only a proposed cohort can be confirmed"])
    if not members(cohort, PlaceStatus.PROPOSED):
        raise CohortError(["The cohort has no members"])
    cohort.name = name
    set_cohort_status(session, cohort, CohortStatus.CONFIRMED, actor=actor, now=now)
    for place in members(cohort, PlaceStatus.PROPOSED):
        offer_place(session, place, actor=actor, now=now, reply_days=reply_days)


def offer_place(
    session: Session,
    place: Place,
    *,
    actor: User | None,
    now: dt.datetime,
    reply_days: int = OFFER_REPLY_DAYS,
) -> None:
    """Offer the place: one-click accept and decline links, a reply-by date, an email."""
    raw = secrets.token_urlsafe(32)
    place.status = PlaceStatus.OFFERED
    place.status_changed_at = now
    place.offered_at = now
    place.reply_by = (now + dt.timedelta(days=reply_days)).date()
    place.offer_token_hash = _token_hash(raw)
    application = session.get(Application, place.application_id)
    person = session.get(User, place.person_id)
    assert application is not None
    assert person is not None
    applications.set_status(session, application, ApplicationStatus.OFFERED, actor=actor, now=now)
    cohort = session.get(Cohort, place.cohort_id)
    assert cohort is not None
    queue_email(
        session,
        to=person,
        subject="You have been offered a place in a Peer Networks group",
        template="place_offered",
        context={
            "name": person.name,
            "cohort": cohort_summary(cohort),
            "reply_by": govuk_date(place.reply_by, weekday=True),
            "accept_url": external_url("offers.respond", token=raw, answer="accept"),
            "decline_url": external_url("offers.respond", token=raw, answer="decline"),
            "portal_url": external_url("offers.mine"),
        },
    )


def cohort_summary(cohort: Cohort) -> str:
    """ "Cohort 4: meets online, Tuesday mornings, every 2 weeks"."""
    when = f"{WEEKDAYS[cohort.meeting_weekday]} {cohort.meeting_part_of_day.value}s"
    weeks = cohort.session_frequency_days // 7
    return f"{cohort.name}: meets {cohort.delivery.label.lower()}, {when}, every {weeks} weeks"


def place_for_offer_token(session: Session, raw: str) -> Place | None:
    return session.scalar(select(Place).where(Place.offer_token_hash == _token_hash(raw)))


def respond_to_offer(session: Session, place: Place, *, accept: bool, now: dt.datetime) -> None:
    """Accept (the person is placed) or decline (the place goes to the waiting list).

    Raises CohortError when the offer is no longer open.
    """
    if place.status != PlaceStatus.OFFERED:
        raise CohortError(["This offer is no longer open"])
    application = session.get(Application, place.application_id)
    person = session.get(User, place.person_id)
    assert application is not None
    place.status_changed_at = now
    if accept:
        place.status = PlaceStatus.ACCEPTED
        place.accepted_at = now
        applications.set_status(
            session, application, ApplicationStatus.PLACED, actor=person, now=now
        )
    else:
        place.status = PlaceStatus.DECLINED
        place.ended_at = now
        applications.set_status(
            session,
            application,
            ApplicationStatus.ELIGIBLE,
            actor=person,
            now=now,
            reason="Declined a place",
        )
        cohort = session.get(Cohort, place.cohort_id)
        assert cohort is not None
        backfill(session, cohort, now=now)
    session.flush()


def lapse_overdue_offers(session: Session, now: dt.datetime) -> str:
    """A job: offers not answered by their reply-by date lapse, and the place is offered on."""
    today = now.date()
    overdue = list(
        session.scalars(
            select(Place).where(Place.status == PlaceStatus.OFFERED, Place.reply_by < today)
        )
    )
    for place in overdue:
        place.status = PlaceStatus.LAPSED
        place.status_changed_at = now
        place.ended_at = now
        application = session.get(Application, place.application_id)
        assert application is not None
        applications.set_status(
            session,
            application,
            ApplicationStatus.ELIGIBLE,
            actor=None,
            now=now,
            reason="Offer lapsed",
        )
        cohort = session.get(Cohort, place.cohort_id)
        assert cohort is not None
        backfill(session, cohort, now=now)
    return f"{len(overdue)} offers lapsed"


def backfill(session: Session, cohort: Cohort, *, now: dt.datetime) -> Place | None:
    """Offer a free place to the best-suited waiting applicant the hard rules allow, if any."""
    if cohort.status not in (CohortStatus.CONFIRMED, CohortStatus.RUNNING):
        return None
    programme_round = session.get(Round, cohort.round_id)
    assert programme_round is not None
    holding = members(cohort)
    if len(holding) >= programme_round.cohort_size_max or join_cut_off_passed(
        cohort, programme_round, now
    ):
        return None
    current = [session.get(Application, p.application_id) for p in holding]
    waiting = list(
        session.scalars(
            select(Application)
            .where(
                Application.round_id == cohort.round_id,
                Application.status == ApplicationStatus.WAITLISTED,
            )
            .order_by(Application.submitted_at, Application.id)
        )
    )
    best: tuple[float, Application] | None = None
    for candidate in waiting:
        group = [a for a in current if a is not None] + [candidate]
        applicants, conflicts = engine_inputs(session, group)
        problems = check_cohort(
            applicants,
            MatchingRules(min_size=2, max_size=programme_round.cohort_size_max),
            conflicts,
            delivery=cohort.delivery.value,  # type: ignore[arg-type]
            slot=(cohort.meeting_weekday, cohort.meeting_part_of_day.value),
        )
        if problems:
            continue
        score = score_cohort(applicants, Basis.MIXED, Weights()).score
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is None:
        return None
    place = _propose_place(session, cohort.id, best[1], now)
    session.flush()
    offer_place(session, place, actor=None, now=now)
    session.refresh(cohort)
    return place


# Who delivers it


def contractor_load(session: Session, programme_round: Round) -> list[tuple[Contractor, int, int]]:
    """Each active contractor with its confirmed-or-running cohorts and places in the round."""
    rows = []
    for contractor in session.scalars(
        select(Contractor).where(Contractor.ended_at.is_(None)).order_by(Contractor.name)
    ):
        cohorts = list(
            session.scalars(
                select(Cohort).where(
                    Cohort.round_id == programme_round.id,
                    Cohort.contractor_id == contractor.id,
                    Cohort.status.in_(
                        (CohortStatus.CONFIRMED, CohortStatus.RUNNING, CohortStatus.COMPLETED)
                    ),
                )
            )
        )
        rows.append(
            (
                contractor,
                len(cohorts),
                sum(len(members(c, PlaceStatus.ACCEPTED, PlaceStatus.OFFERED)) for c in cohorts),
            )
        )
    return rows


def facilitators_of(session: Session, contractor: Contractor) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .join(ContractorMembership, ContractorMembership.user_id == User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                ContractorMembership.contractor_id == contractor.id,
                UserRole.role == Role.FACILITATOR,
            )
            .order_by(User.name)
        )
    )


def assign_delivery(
    session: Session,
    cohort: Cohort,
    *,
    contractor: Contractor,
    facilitator: User | None,
    actor: User,
) -> None:
    if facilitator is not None and (
        contractor.id not in facilitator.contractor_ids
        or not facilitator.has_role(Role.FACILITATOR)
    ):
        raise CohortError([f"{facilitator.name} is not a facilitator at {contractor.name}"])
    changed = [
        name
        for name, value in (
            ("contractor", contractor.id),
            ("facilitator", facilitator.id if facilitator else None),
        )
        if getattr(cohort, f"{name}_id") != value
    ]
    cohort.contractor_id = contractor.id
    cohort.facilitator_id = facilitator.id if facilitator else None
    if changed:
        record(
            session,
            actor=actor,
            action="cohort.delivery_assigned",
            entity_type="cohort",
            entity_id=cohort.id,
            fields=changed,
        )


def offers_for(session: Session, person: User) -> list[Place]:
    return list(
        session.scalars(
            select(Place)
            .where(
                Place.person_id == person.id,
                or_(Place.status == PlaceStatus.OFFERED, Place.status == PlaceStatus.ACCEPTED),
            )
            .order_by(Place.id.desc())
        )
    )


def join_cut_off_passed(cohort: Cohort, programme_round: Round, now: dt.datetime) -> bool:
    """People may join until the round's cut-off session starts (default: the third)."""
    from portal.cohorts.models import SessionStatus

    live = [s for s in cohort.sessions if s.status != SessionStatus.CANCELLED]
    number = programme_round.join_before_session_number
    return len(live) >= number and live[number - 1].starts_at <= now


def add_to_cohort(
    session: Session, cohort: Cohort, application: Application, *, actor: User, now: dt.datetime
) -> Place:
    """Offer a waiting applicant a place in a confirmed or running cohort with room."""
    programme_round = session.get(Round, cohort.round_id)
    assert programme_round is not None
    problems = []
    if cohort.status not in (CohortStatus.CONFIRMED, CohortStatus.RUNNING):
        problems.append("Only a confirmed or running cohort can take new members")
    if join_cut_off_passed(cohort, programme_round, now):
        problems.append(
            f"People can only join before session {programme_round.join_before_session_number}"
        )
    current = [session.get(Application, p.application_id) for p in members(cohort)]
    group = [a for a in current if a is not None] + [application]
    applicants, conflicts = engine_inputs(session, group)
    problems += list(
        check_cohort(
            applicants,
            MatchingRules(min_size=2, max_size=programme_round.cohort_size_max),
            conflicts,
            delivery=cohort.delivery.value,  # type: ignore[arg-type]
            slot=(cohort.meeting_weekday, cohort.meeting_part_of_day.value),
            name=cohort.name,
            tense="would have",
        )
    )
    if problems:
        raise CohortError(problems)
    place = _propose_place(session, cohort.id, application, now)
    session.flush()
    offer_place(session, place, actor=actor, now=now)
    session.refresh(cohort)
    return place


def init_app(app: Flask) -> None:
    """Register the job that lapses unanswered offers and offers the places on."""
    from portal import jobs

    jobs.register(
        app,
        jobs.Job(
            "lapse-offers", dt.timedelta(hours=1), lambda s, now: lapse_overdue_offers(s, now)
        ),
    )
