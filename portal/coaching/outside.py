"""One-to-one support given outside the booking system (a phone call, an email exchange),
recorded by the coach so the hours figures are complete. Functions flush, never commit."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.audit.services import record
from portal.auth.models import User
from portal.coaching import diary
from portal.coaching.models import OutsideSupport, SupportChannel
from portal.coaching.scope import BOOKING_COHORTS, booking_contractor_id
from portal.coaching.services import MAX_DELIVERED_MINUTES, BookingError
from portal.cohorts.models import Cohort, Place, PlaceStatus
from portal.rounds.models import CoachPool, Round, RoundStatus


def supportable_places(session: Session, coach: User) -> list[tuple[Place, User]]:
    """The places (with their people) whose one-to-one support this coach may record: people
    who may book them now, by name."""
    rows = session.execute(
        select(Place, User, Cohort, Round)
        .join(User, User.id == Place.person_id)
        .join(Cohort, Cohort.id == Place.cohort_id)
        .join(Round, Round.id == Cohort.round_id)
        .where(
            Place.status == PlaceStatus.ACCEPTED,
            Cohort.status.in_(BOOKING_COHORTS),
            Round.status != RoundStatus.CLOSED,
        )
        .order_by(User.name, Place.id)
    ).all()
    return [
        (place, person)
        for place, person, cohort, programme_round in rows
        if programme_round.coach_pool == CoachPool.ALL
        or cohort.contractor_id in coach.contractor_ids
    ]


def record_outside_support(
    session: Session,
    coach: User,
    *,
    place_id: int,
    support_type: str,
    channel: SupportChannel,
    happened_on: dt.date,
    minutes: int,
    note: str,
    today: dt.date,
) -> OutsideSupport:
    """Record one-to-one support given outside the booking system, so the hours figures
    are complete. It uses up the person's entitlement like a delivered session.

    Raises NotFound for a person the coach may not support, BookingError for a future date
    or minutes outside 1 to 480. Side effects: flushes the record and an audit event.
    """
    found = {place.id: place for place, _ in supportable_places(session, coach)}
    place = found.get(place_id)
    if place is None:
        raise NotFound()
    if happened_on > today:
        raise BookingError("The date cannot be in the future")
    if not 1 <= minutes <= MAX_DELIVERED_MINUTES:
        raise BookingError(f"The minutes must be between 1 and {MAX_DELIVERED_MINUTES}")
    if support_type not in diary.support_type_labels(session):
        raise BookingError("Select the kind of support")
    support = OutsideSupport(
        round_id=place.cohort.round_id,
        place_id=place.id,
        participant_id=place.person_id,
        coach_id=coach.id,
        contractor_id=booking_contractor_id(place, coach),
        support_type=support_type,
        channel=channel,
        happened_on=happened_on,
        minutes=minutes,
        note=note,
        recorded_by_id=coach.id,
    )
    session.add(support)
    session.flush()
    record(
        session,
        actor=coach,
        action="coaching.outside_support_recorded",
        entity_type="coaching_outside_support",
        entity_id=support.id,
    )
    return support


def outside_support_of(session: Session, coach: User) -> list[OutsideSupport]:
    return list(
        session.scalars(
            select(OutsideSupport)
            .where(OutsideSupport.coach_id == coach.id)
            .order_by(OutsideSupport.happened_on.desc(), OutsideSupport.id.desc())
        )
    )
