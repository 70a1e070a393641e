"""A cohort itself: finding it, its members, its status changes, and who delivers it.

What every cohort room shares. Forming cohorts is in ``portal.cohorts.forming`` (with the
engine's inputs in ``portal.cohorts.matching_inputs``), offers and replies in
``portal.cohorts.offers``, and delivering a cohort in ``portal.cohorts.delivery`` and the
rooms it names. Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import Contractor, ContractorMembership, Role, User, UserRole
from portal.cohorts.models import (
    HOLDING_PLACE,
    Cohort,
    CohortStatus,
    CohortStatusChange,
    Place,
    PlaceStatus,
)
from portal.db import found_or_404
from portal.registration.models import Application
from portal.rounds.models import Round
from portal.state_changes import Audit, change_status


class CohortError(Exception):
    """A rule stopped the change. ``problems`` are sentences for the officer to read."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def get_cohort(session: Session, cohort_id: int) -> Cohort:
    return found_or_404(session, Cohort, cohort_id)


def round_cohorts(
    session: Session, programme_round: Round, *statuses: CohortStatus
) -> list[Cohort]:
    query = select(Cohort).where(Cohort.round_id == programme_round.id)
    if statuses:
        query = query.where(Cohort.status.in_(statuses))
    return list(session.scalars(query.order_by(Cohort.id)))


# Members and places


def propose_place(
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


# Status changes


def set_cohort_status(
    session: Session,
    cohort: Cohort,
    status: CohortStatus,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
    allowed_from: Collection[CohortStatus] | None = None,
    values: Mapping[str, Any] | None = None,
) -> None:
    """The one way a cohort's status changes: guarded (portal.state_changes), with one
    history row and one audit event. Nothing happens if it is already ``status``.

    Raises StatusConflict if the status is not in ``allowed_from`` or another request
    changed it since this one loaded it. ``values``: other columns set with the status.
    """
    if cohort.status == status:
        return
    change_status(
        session,
        cohort,
        status,
        now=now,
        allowed_from=allowed_from,
        values=values,
        history=CohortStatusChange(
            cohort_id=cohort.id,
            status=status,
            changed_at=now,
            changed_by_id=actor.id if actor else None,
            reason=reason,
        ),
        audit=Audit(actor, f"cohort.{status.value}", "cohort", reason=reason or None),
    )


def set_place_status(
    session: Session,
    place: Place,
    status: PlaceStatus,
    *,
    actor: User | None,
    now: dt.datetime,
    allowed_from: Collection[PlaceStatus],
    values: Mapping[str, Any] | None = None,
    fields: Sequence[str] = ("status",),
    reason: str | None = None,
) -> None:
    """The one way a place's status changes: guarded (portal.state_changes), so of two
    requests answering one offer (or leaving one group) only one does, with one audit
    event. The person's history is their application's, which the caller changes with it.

    Raises StatusConflict with the place's status now when it is not in ``allowed_from``
    or another request changed it first.
    """
    change_status(
        session,
        place,
        status,
        now=now,
        allowed_from=allowed_from,
        values=values,
        audit=Audit(
            actor, f"cohort_place.{status.value}", "cohort_place", fields=fields, reason=reason
        ),
    )


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
