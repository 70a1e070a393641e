"""Records into the matching engine's inputs: applicants, conflicts and the round's rules.

Which applications can be matched, each as the engine's applicant, the hard conflicts among
them (exact name matches of what they declared, and pairs officers confirmed), likely
conflicts for officers to confirm, and the round's hard rules. Functions flush and never
commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.cohorts.models import HOLDING_PLACE, ConfirmedConflict, Place
from portal.matching.conflicts import (
    ConflictDeclaration,
    ConflictSuggestion,
    exact_conflicts,
    suggest_conflicts,
)
from portal.matching.model import Applicant, Conflict, MatchingRules
from portal.reference.models import ReferenceItem
from portal.registration.models import Application, ApplicationStatus, DeliveryPreference
from portal.rounds.models import Round

# Applications that can be matched: eligible, or waiting for a group.
MATCHABLE = (ApplicationStatus.ELIGIBLE, ApplicationStatus.WAITLISTED)


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
        delivery=delivery.value,
        availability=frozenset(
            (slot.weekday, slot.part_of_day.value) for slot in application.availability
        ),
    )


def matchable_applications(
    session: Session, programme_round: Round, *, releasing: Collection[int] = ()
) -> list[Application]:
    """Eligible or waiting applications of the round that hold no place yet, counting
    places in the cohorts ``releasing`` (proposals a run will replace) as free."""
    holding = select(Place.application_id).where(
        Place.status.in_(HOLDING_PLACE), Place.cohort_id.not_in(list(releasing))
    )
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
