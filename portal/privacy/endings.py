"""What an erased person still held ends: places, offers, applications, future bookings and
survey links.

Each change goes through the feature's own guarded status change (``portal.state_changes``),
so it writes its history row and audit event like any other. Nothing that already happened
changes: a place ends now (``ended_at``), so every figure as at an earlier moment stays as
it was; a booking already held, a finished cohort's place or a submitted survey response
is left alone. Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.coaching.models import Booking, BookingStatus
from portal.coaching.services import cancel_for_erasure
from portal.cohorts.delivery import DELIVERING
from portal.cohorts.models import Cohort, CohortStatus, Place, PlaceStatus
from portal.cohorts.services import set_place_status
from portal.registration.models import Application, ApplicationStatus
from portal.registration.services import set_status
from portal.surveys.models import SurveyInvitation, SurveyLink

# What each place still held becomes, and from which statuses.
_PLACE_ENDS = {
    PlaceStatus.ACCEPTED: PlaceStatus.LEFT,
    PlaceStatus.OFFERED: PlaceStatus.DECLINED,
    PlaceStatus.PROPOSED: PlaceStatus.REMOVED,
}
# Applications still open become withdrawn; decided ones (not eligible, withdrawn) and
# those placed in a cohort already finished stay as they were.
_OPEN_APPLICATIONS = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.NEEDS_REVIEW,
    ApplicationStatus.WAITLISTED,
    ApplicationStatus.OFFERED,
)
ENDED_REASON = "Personal data erased"


def end_what_they_hold(
    session: Session, person: User, *, actor: User | None, now: dt.datetime
) -> dict[str, int]:
    """End ``person``'s places in cohorts not yet finished, decline their offers, withdraw
    their open applications, cancel their bookings still to come and expire their survey
    links. Returns how many of each changed."""
    ended = _end_places(session, person, actor=actor, now=now)
    withdrawn = 0
    for application in session.scalars(
        select(Application).where(
            Application.person_id == person.id,
            Application.status.in_([*_OPEN_APPLICATIONS, ApplicationStatus.PLACED]),
        )
    ):
        if application.status == ApplicationStatus.PLACED and application.id not in ended:
            continue  # placed in a cohort that has finished: what happened stays
        set_status(
            session,
            application,
            ApplicationStatus.WITHDRAWN,
            actor=actor,
            now=now,
            reason=ENDED_REASON,
        )
        withdrawn += 1
    cancelled = 0
    for booking in session.scalars(
        select(Booking).where(
            Booking.participant_id == person.id,
            Booking.status == BookingStatus.BOOKED,
            Booking.starts_at > now,
        )
    ):
        cancel_for_erasure(session, booking, participant=person, actor=actor, now=now)
        cancelled += 1
    invitations = select(SurveyInvitation.id).where(SurveyInvitation.person_id == person.id)
    links = session.execute(
        update(SurveyLink)
        .where(SurveyLink.invitation_id.in_(invitations), SurveyLink.expires_at > now)
        .values(expires_at=now)
    )
    return {
        "places": len(ended),
        "applications withdrawn": withdrawn,
        "bookings cancelled": cancelled,
        "survey links": int(getattr(links, "rowcount", 0) or 0),
    }


def _end_places(
    session: Session, person: User, *, actor: User | None, now: dt.datetime
) -> set[int]:
    """End each place the person holds in a cohort not yet finished (proposed, confirmed or
    running). Returns the ids of the applications those places came from."""
    places = session.scalars(
        select(Place)
        .join(Cohort, Cohort.id == Place.cohort_id)
        .where(
            Place.person_id == person.id,
            Place.status.in_(list(_PLACE_ENDS)),
            Cohort.status.in_([CohortStatus.PROPOSED, *DELIVERING]),
        )
        .order_by(Place.id)
    ).all()
    applications: set[int] = set()
    for place in places:
        status = _PLACE_ENDS[place.status]
        values: dict[str, object] = {"feed_token_hash": None, "offer_token_hash": None}
        if status is PlaceStatus.LEFT:
            values |= {"ended_at": now, "end_reason": ENDED_REASON}
        set_place_status(
            session,
            place,
            status,
            actor=actor,
            now=now,
            allowed_from={place.status},
            values=values,
        )
        applications.add(place.application_id)
    return applications
