"""Who may book whom, the records each person may see, and the entitlement.

Participants with an accepted place book one-to-one support with the coaches their round
offers them (``coach_pool``: their cohort's contractor's coaches, or all). Records outside a
person's scope raise ``NotFound`` (404). The entitlement is a round setting; ``balance`` says
how much of it is used. No side effects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, contains_eager, lazyload
from werkzeug.exceptions import NotFound

from portal.auth.models import ContractorMembership, Role, User, UserRole, UserStatus
from portal.coaching import diary
from portal.coaching.models import Booking, BookingStatus, CoachProfile, OutsideSupport
from portal.cohorts.models import Cohort, CohortStatus, Place, PlaceStatus
from portal.presentation import minutes_in_words
from portal.reference.models import ReferenceItem, ReferenceKind
from portal.rounds.models import CoachPool, Round, RoundStatus

# Cohorts whose members may book one-to-one support.
BOOKING_COHORTS = (CohortStatus.CONFIRMED, CohortStatus.RUNNING, CohortStatus.COMPLETED)


# Who may book whom


def booking_place(session: Session, person: User) -> Place | None:
    """The place through which the person books one-to-one support: their latest accepted
    place, in a cohort that is confirmed, running or completed, of a round not closed."""
    return session.scalar(
        select(Place)
        .join(Cohort, Cohort.id == Place.cohort_id)
        .join(Round, Round.id == Cohort.round_id)
        .where(
            Place.person_id == person.id,
            Place.status == PlaceStatus.ACCEPTED,
            Cohort.status.in_(BOOKING_COHORTS),
            Round.status != RoundStatus.CLOSED,
        )
        # The cohort comes in the same query; its sessions and places only if read.
        .options(
            contains_eager(Place.cohort).options(lazyload(Cohort.sessions), lazyload(Cohort.places))
        )
        .order_by(Place.accepted_at.desc().nulls_last(), Place.id.desc())
        .limit(1)
    )


def round_of(session: Session, place: Place) -> Round:
    found = session.get(Round, place.cohort.round_id)
    assert found is not None
    return found


def _active_coaches() -> Select[User]:
    return (
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .join(CoachProfile, CoachProfile.coach_id == User.id)
        .where(UserRole.role == Role.COACH, User.status == UserStatus.ACTIVE)
    )


def offered_coaches(session: Session, place: Place) -> list[User]:
    """The coaches this person may book, by name: those of their cohort's contractor, or
    every coach on the programme, as the round's ``coach_pool`` says. Only coaches who have
    set up what they offer are listed."""
    programme_round = round_of(session, place)
    query = _active_coaches()
    if programme_round.coach_pool == CoachPool.CONTRACTOR:
        if place.cohort.contractor_id is None:
            return []
        query = query.join(ContractorMembership, ContractorMembership.user_id == User.id).where(
            ContractorMembership.contractor_id == place.cohort.contractor_id
        )
    return list(session.scalars(query.order_by(User.name, User.id)).unique())


def offered_coach(session: Session, place: Place, coach_id: int) -> tuple[User, CoachProfile]:
    """A coach this person may book, with their profile; 404 for anyone else."""
    for coach in offered_coaches(session, place):
        if coach.id == coach_id:
            profile = diary.profile_for(session, coach.id)
            assert profile is not None
            return coach, profile
    raise NotFound()


def booking_contractor_id(place: Place, coach: User) -> int | None:
    """The contractor the support counts for: the cohort's contractor when the coach works
    for it, otherwise the coach's own (the first by name)."""
    if place.cohort.contractor_id in coach.contractor_ids:
        return place.cohort.contractor_id
    contractors = coach.contractors
    return contractors[0].id if contractors else None


def booking_for_participant(session: Session, person: User, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None or booking.participant_id != person.id:
        raise NotFound()
    return booking


def booking_for_coach(session: Session, coach: User, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None or booking.coach_id != coach.id:
        raise NotFound()
    return booking


def bookings_of_participant(session: Session, person: User) -> list[Booking]:
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.participant_id == person.id)
            .order_by(Booking.starts_at, Booking.id)
        )
    )


def labelled_bookings_of_participant(
    session: Session, person: User
) -> tuple[list[Booking], dict[str, str]]:
    """``bookings_of_participant``, with the label of each support type they use (read in
    the same query; a type retired since keeps its label here)."""
    rows = session.execute(
        select(Booking, ReferenceItem.label)
        .outerjoin(
            ReferenceItem,
            (ReferenceItem.kind == ReferenceKind.SUPPORT_TYPE)
            & (ReferenceItem.code == Booking.support_type),
        )
        .where(Booking.participant_id == person.id)
        .order_by(Booking.starts_at, Booking.id)
    ).all()
    labels = {booking.support_type: label for booking, label in rows if label is not None}
    return [booking for booking, _label in rows], labels


def outside_support_of(session: Session, place: Place) -> list[OutsideSupport]:
    """Support coaches recorded outside bookings for the place's person in its round,
    oldest first: the items behind ``Balance.outside``."""
    programme_round = round_of(session, place)
    return list(
        session.scalars(
            select(OutsideSupport)
            .where(
                OutsideSupport.participant_id == place.person_id,
                OutsideSupport.round_id == programme_round.id,
            )
            .order_by(OutsideSupport.happened_on, OutsideSupport.id)
        )
    )


def bookings_of_coach(
    session: Session, coach: User, *, since: dt.datetime | None = None
) -> list[Booking]:
    query = select(Booking).where(Booking.coach_id == coach.id)
    if since is not None:
        query = query.where(Booking.ends_at >= since)
    return list(session.scalars(query.order_by(Booking.starts_at, Booking.id)))


# The entitlement


@dataclass(frozen=True)
class Balance:
    """A participant's one-to-one support in a round, in minutes."""

    entitled: int
    booked: int  # booked and not yet recorded as delivered or missed
    delivered: int  # actual minutes of sessions delivered
    lost: int  # late cancellations and no-shows, when the round counts them
    outside: int  # recorded outside the booking system

    @property
    def used(self) -> int:
        return self.booked + self.delivered + self.lost + self.outside

    @property
    def remaining(self) -> int:
        return max(0, self.entitled - self.used)


def balance(
    session: Session,
    place: Place,
    *,
    ignore_booking_id: int | None = None,
    bookings: Sequence[Booking] | None = None,
    outside: Sequence[OutsideSupport] | None = None,
) -> Balance:
    """What the person is entitled to in their round, and how much of it is used: booked
    sessions (their booked length), delivered ones (the actual minutes), late
    cancellations and no-shows (their booked length, if the round's policy counts them),
    and support recorded outside the booking system.

    ``bookings``: all the person's bookings, and ``outside``: their support recorded
    outside bookings in the round (``outside_support_of``), if the caller has read them."""
    programme_round = round_of(session, place)
    if bookings is None:
        bookings = list(
            session.scalars(
                select(Booking).where(
                    Booking.participant_id == place.person_id,
                    Booking.round_id == programme_round.id,
                )
            )
        )
    booked = delivered = lost = 0
    for booking in bookings:
        if booking.participant_id != place.person_id or booking.round_id != programme_round.id:
            continue
        if booking.id == ignore_booking_id:
            continue
        if booking.status == BookingStatus.BOOKED:
            booked += booking.minutes
        elif booking.status == BookingStatus.DELIVERED:
            delivered += booking.delivered_minutes or 0
        elif programme_round.late_cancellation_counts and (
            booking.status == BookingStatus.NO_SHOW or booking.late_cancellation
        ):
            lost += booking.minutes
    if outside is None:
        outside_minutes = session.scalar(
            select(func.coalesce(func.sum(OutsideSupport.minutes), 0)).where(
                OutsideSupport.participant_id == place.person_id,
                OutsideSupport.round_id == programme_round.id,
            )
        )
    else:
        outside_minutes = sum(record.minutes for record in outside)
    return Balance(
        entitled=programme_round.one_to_one_hours_per_participant * 60,
        booked=booked,
        delivered=delivered,
        lost=lost,
        outside=int(outside_minutes or 0),
    )


# One helper for lengths of time in words (portal.presentation), under its old name here.
minutes_text = minutes_in_words
