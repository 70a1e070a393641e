"""One-to-one support records for the access inventory (tests/test_access_inventory.py):
the coach set up with availability, and a booking between the inventory's participant and
coach three days ahead, so every page answers as it would in use."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Role
from portal.coaching.models import (
    AvailabilityException,
    Booking,
    BookingStatus,
    ExceptionKind,
    LocationType,
    WeeklyWindow,
)
from portal.cohorts.models import Cohort, Place, PlaceStatus
from portal.db_base import utcnow
from portal.rounds.models import CoachPool, Round
from tests.fixtures.factories import next_slot_start, set_up_coach


def make_coaching_world(
    app: Flask, session: Session, users: dict[Role, Any], delivery_cohort: Cohort
) -> dict[str, Any]:
    """World fields: ``coaching_booking``, ``coaching_window``, ``coaching_day_change``.

    The participant's group (``delivery_cohort``) has no contractor, so its round offers
    every coach (``coach_pool`` all) and the inventory's coach is offered to them.
    """
    coach = users[Role.COACH]
    participant = users[Role.PARTICIPANT]
    programme_round = session.get(Round, delivery_cohort.round_id)
    assert programme_round is not None
    programme_round.coach_pool = CoachPool.ALL
    profile = set_up_coach(session, coach)
    place = session.scalars(
        select(Place).where(
            Place.cohort_id == delivery_cohort.id,
            Place.person_id == participant.id,
            Place.status == PlaceStatus.ACCEPTED,
        )
    ).one()
    starts_at = next_slot_start(utcnow())
    booking = Booking(
        round_id=programme_round.id,
        place_id=place.id,
        participant_id=participant.id,
        coach_id=coach.id,
        contractor_id=coach.memberships[0].contractor_id if coach.memberships else None,
        support_type="coaching",
        topic="Finding new customers",
        location_type=LocationType.VIDEO,
        location_detail=profile.location_detail,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        buffer_minutes=15,
        blocked_from=starts_at,
        blocked_until=starts_at + dt.timedelta(minutes=75),
        status=BookingStatus.BOOKED,
    )
    day_change = AvailabilityException(
        coach_id=coach.id,
        on=starts_at.date() + dt.timedelta(days=7),
        kind=ExceptionKind.TIME_OFF,
    )
    session.add_all([booking, day_change])
    session.commit()
    window = session.scalars(select(WeeklyWindow).where(WeeklyWindow.coach_id == coach.id)).first()
    session.commit()
    return {
        "coaching_booking": booking,
        "coaching_window": window,
        "coaching_day_change": day_change,
    }


def a_coach(world: Any) -> dict[str, Any]:
    return {"coach_id": world.users[Role.COACH].id}


def a_coaching_booking(world: Any) -> dict[str, Any]:
    return {"booking_id": world.coaching_booking.id}


def a_coaching_window(world: Any) -> dict[str, Any]:
    return {"window_id": world.coaching_window.id}


def a_coaching_day_change(world: Any) -> dict[str, Any]:
    return {"change_id": world.coaching_day_change.id}


def a_support_download(world: Any) -> dict[str, Any]:
    return {"fmt": "csv"}
