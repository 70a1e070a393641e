"""One-to-one hours delivered, as figures.md defines them, in one place.

figures.md: "1:1 hours delivered: actual minutes of bookings marked delivered, plus 1:1
support recorded outside the booking system, divided by 60. No-shows and cancellations count
zero."

``delivered_support`` is that definition: every piece of support that counts, with who got
it and who gave it. Everything else here (per place, the total) and the officers' report are
sums of it. The outcome figures call ``one_to_one_minutes_by_place`` (for "business
supported", add each place's minutes to its group hours) and ``one_to_one_hours_delivered``
(the round's total).

As at a date: a session counts once it started on or before ``as_at`` and is (now) marked
delivered; support recorded outside the booking system counts from the London date it
happened. Hours are minutes divided by 60, to the hundredth, rounded half up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.coaching.models import Booking, BookingStatus, OutsideSupport
from portal.cohorts.models import Place
from portal.timefmt import to_london
from portal.transaction_cache import within_transaction

_HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class DeliveredSupport:
    """One piece of 1:1 support that counts: a delivered booking or a record of support
    given outside the booking system."""

    place_id: int
    participant_id: int
    cohort_id: int
    coach_id: int
    contractor_id: int | None
    minutes: int
    booking_id: int | None  # None for support recorded outside the booking system


def delivered_support(
    session: Session,
    *,
    round_id: int,
    as_at: dt.datetime | None = None,
    contractor_ids: Collection[int] | None = None,
) -> list[DeliveredSupport]:
    """Every piece of 1:1 support delivered in the round (see the module docstring), as at
    ``as_at`` (UTC) if given, for the given contractors only if given. No side effects.

    Read once per transaction (``within_transaction``): a round's figures add it up more
    than once. The list returned is the caller's own."""
    key = (
        "delivered_support",
        round_id,
        as_at,
        None if contractor_ids is None else frozenset(contractor_ids),
    )
    found = within_transaction(
        session, key, lambda: _delivered_support(session, round_id, as_at, contractor_ids)
    )
    return list(found)


def _delivered_support(
    session: Session,
    round_id: int,
    as_at: dt.datetime | None,
    contractor_ids: Collection[int] | None,
) -> list[DeliveredSupport]:
    bookings = (
        select(
            Booking.id,
            Booking.place_id,
            Booking.participant_id,
            Place.cohort_id,
            Booking.coach_id,
            Booking.contractor_id,
            Booking.delivered_minutes,
        )
        .join(Place, Place.id == Booking.place_id)
        .where(Booking.round_id == round_id, Booking.status == BookingStatus.DELIVERED)
    )
    outside = (
        select(
            OutsideSupport.place_id,
            OutsideSupport.participant_id,
            Place.cohort_id,
            OutsideSupport.coach_id,
            OutsideSupport.contractor_id,
            OutsideSupport.minutes,
        )
        .join(Place, Place.id == OutsideSupport.place_id)
        .where(OutsideSupport.round_id == round_id)
    )
    if as_at is not None:
        bookings = bookings.where(Booking.starts_at <= as_at)
        outside = outside.where(OutsideSupport.happened_on <= to_london(as_at).date())
    if contractor_ids is not None:
        bookings = bookings.where(Booking.contractor_id.in_(list(contractor_ids)))
        outside = outside.where(OutsideSupport.contractor_id.in_(list(contractor_ids)))
    found = [
        DeliveredSupport(place, person, cohort, coach, contractor, minutes or 0, booking_id)
        for booking_id, place, person, cohort, coach, contractor, minutes in session.execute(
            bookings
        )
    ]
    found += [
        DeliveredSupport(place, person, cohort, coach, contractor, minutes, None)
        for place, person, cohort, coach, contractor, minutes in session.execute(outside)
    ]
    return found


def hours_from_minutes(minutes: int) -> Decimal:
    """Minutes as hours to the hundredth, half up: 90 is 1.50, 20 is 0.33, 50 is 0.83."""
    return (Decimal(minutes) / Decimal(60)).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)


def one_to_one_minutes_by_place(
    session: Session, *, round_id: int, as_at: dt.datetime | None = None
) -> dict[int, int]:
    """1:1 minutes delivered per place (a person's participation) in the round. Places
    with none are left out."""
    totals: dict[int, int] = {}
    for item in delivered_support(session, round_id=round_id, as_at=as_at):
        totals[item.place_id] = totals.get(item.place_id, 0) + item.minutes
    return totals


def one_to_one_hours_delivered(
    session: Session, *, round_id: int, as_at: dt.datetime | None = None
) -> Decimal:
    """The round's 1:1 hours delivered (figures.md)."""
    minutes = sum(
        item.minutes for item in delivered_support(session, round_id=round_id, as_at=as_at)
    )
    return hours_from_minutes(minutes)
