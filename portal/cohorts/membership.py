"""Who is in a delivered cohort: scope, members, joining and leaving, calendar feed links.

Facilitators see only the cohorts they facilitate; participants only their own place. The
members at each session (for its register), everyone who held a place with their hours,
whether someone new may still join, a participant leaving their group (the place may be
offered to someone waiting), and the secret link of a member's calendar feed.

Functions flush and never commit. Scope checks (a facilitator's own cohorts, a
participant's own place) answer 404 through ``NotFound``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload, lazyload
from werkzeug.exceptions import NotFound

from portal.audit.services import record
from portal.auth.models import User
from portal.cohorts import events
from portal.cohorts.delivery import DELIVERING, DeliveryError, active_sessions, round_of
from portal.cohorts.hours import hours_by_place
from portal.cohorts.models import Cohort, CohortSession, Place, PlaceStatus
from portal.cohorts.offers import backfill, token_hash
from portal.cohorts.services import set_place_status
from portal.registration import services as applications
from portal.registration.models import Application, ApplicationStatus
from portal.rounds.models import Round
from portal.state_changes import StatusConflict

# Statuses a place can have once it was accepted.
_ONCE_ACCEPTED = (PlaceStatus.ACCEPTED, PlaceStatus.LEFT, PlaceStatus.MOVED, PlaceStatus.REMOVED)


# Scope: whose records these are


def facilitated_cohorts(session: Session, facilitator: User) -> list[Cohort]:
    """The cohorts this person facilitates, newest first."""
    return list(
        session.scalars(
            select(Cohort)
            .where(Cohort.facilitator_id == facilitator.id)
            .order_by(Cohort.start_on.desc().nulls_first(), Cohort.id.desc())
        )
    )


def cohort_for_facilitator(session: Session, facilitator: User, cohort_id: int) -> Cohort:
    """The cohort, if this person facilitates it; otherwise 404."""
    cohort = session.get(Cohort, cohort_id)
    if cohort is None or cohort.facilitator_id != facilitator.id:
        raise NotFound()
    return cohort


def session_for_facilitator(session: Session, facilitator: User, session_id: int) -> CohortSession:
    """The session, if this person facilitates its cohort; otherwise 404."""
    cohort_session = session.get(CohortSession, session_id)
    if cohort_session is None or cohort_session.cohort.facilitator_id != facilitator.id:
        raise NotFound()
    return cohort_session


def current_place(session: Session, person: User) -> Place | None:
    """The person's place in a cohort (the latest they accepted and still hold), if any."""
    return session.scalar(
        select(Place)
        .where(Place.person_id == person.id, Place.status == PlaceStatus.ACCEPTED)
        .options(joinedload(Place.cohort))
        .order_by(Place.accepted_at.desc().nulls_last(), Place.id.desc())
        .limit(1)
    )


def current_place_and_round(session: Session, person: User) -> tuple[Place, Round] | None:
    """``current_place`` with its cohort and round in the same query, and the cohort's
    sessions (not their registers or themes) in one more."""
    row = session.execute(
        select(Place, Round)
        .join(Cohort, Cohort.id == Place.cohort_id)
        .join(Round, Round.id == Cohort.round_id)
        .where(Place.person_id == person.id, Place.status == PlaceStatus.ACCEPTED)
        .options(
            contains_eager(Place.cohort)
            .selectinload(Cohort.sessions)
            .options(lazyload(CohortSession.themes), lazyload(CohortSession.attendance))
        )
        .order_by(Place.accepted_at.desc().nulls_last(), Place.id.desc())
        .limit(1)
    ).first()
    return None if row is None else (row[0], row[1])


def session_for_participant(place: Place, session_id: int) -> CohortSession:
    """A session of the person's own cohort; otherwise 404."""
    for cohort_session in place.cohort.sessions:
        if cohort_session.id == session_id:
            return cohort_session
    raise NotFound()


# Members


def is_member_at(place: Place, cohort_session: CohortSession) -> bool:
    """Whether the place counts for this session's register: it was accepted by the end of
    the session and had not ended before the session started."""
    if place.status not in _ONCE_ACCEPTED:
        return False
    if place.accepted_at is None:
        if place.status != PlaceStatus.ACCEPTED:
            return False
    elif place.accepted_at > cohort_session.ends_at:
        return False
    return place.ended_at is None or place.ended_at > cohort_session.starts_at


def session_members(cohort_session: CohortSession) -> list[Place]:
    return [p for p in cohort_session.cohort.places if is_member_at(p, cohort_session)]


def current_members(cohort: Cohort) -> list[Place]:
    return [p for p in cohort.places if p.status == PlaceStatus.ACCEPTED]


def people(session: Session, places: Iterable[Place]) -> dict[int, User]:
    """The person behind each place, by place id."""
    ids = {p.person_id for p in places}
    if not ids:
        return {}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    return {p.id: users[p.person_id] for p in places}


@dataclass(frozen=True)
class Member:
    place: Place
    person: User
    business_name: str
    shares_with_cohort: bool
    hours: Decimal


def members_of(
    session: Session, cohort: Cohort, *, hours: dict[int, Decimal] | None = None
) -> list[Member]:
    """Everyone who holds or held an accepted place, with their hours, by name.

    ``hours``: each place's group hours, if the caller has them already
    (``hours_from_registers``); otherwise they are read."""
    places = [
        p
        for p in cohort.places
        if p.status == PlaceStatus.ACCEPTED or (p.status in _ONCE_ACCEPTED and p.accepted_at)
    ]
    if hours is None:
        hours = hours_by_place(session, cohort)
    # Each person with the two answers shown, in one query (whole applications would bring
    # their lists with them).
    found = {
        row.place_id: row
        for row in session.execute(
            select(
                Place.id.label("place_id"),
                User,
                Application.business_name,
                Application.share_with_cohort,
            )
            .join(User, User.id == Place.person_id)
            .outerjoin(Application, Application.id == Place.application_id)
            .where(Place.id.in_([p.id for p in places]))
        )
    }
    rows = [
        Member(
            place=p,
            person=found[p.id].User,
            business_name=found[p.id].business_name or "",
            shares_with_cohort=bool(found[p.id].share_with_cohort),
            hours=hours.get(p.id, Decimal(0)),
        )
        for p in places
    ]
    return sorted(rows, key=lambda m: (m.place.status != PlaceStatus.ACCEPTED, m.person.name))


# Joining and leaving


def can_join(cohort: Cohort, now: dt.datetime) -> bool:
    """Whether someone new may still join: before the round's cut-off session starts
    (``join_before_session_number``, default 3: up to the second session)."""
    if cohort.status not in DELIVERING:
        return False
    cut_off = round_of(cohort).join_before_session_number
    sessions = active_sessions(cohort)
    if len(sessions) < cut_off:
        return True
    return now < sessions[cut_off - 1].starts_at


def leave_cohort(
    session: Session,
    place: Place,
    *,
    reason: str,
    now: dt.datetime,
    actor: User | None = None,
) -> None:
    """The person leaves their group, saying why (or an officer, ``actor``, withdraws
    them). Their place ends (it still counts for the sessions they attended: figures.md
    counts someone who left after their first session as withdrawn, still a participant),
    their calendar link stops working, their application is withdrawn, and while people
    may still join, the place is offered to someone waiting. Sends ``events.member_left``
    (someone who attended is invited to the exit survey).

    Raises DeliveryError if the place is not held. Side effects: flushes the place, the
    application's status, audit events and perhaps an offer to someone else.
    """
    if place.status != PlaceStatus.ACCEPTED:
        raise DeliveryError("You do not have a place in this group")
    person = actor or session.get(User, place.person_id)
    try:
        set_place_status(
            session,
            place,
            PlaceStatus.LEFT,
            actor=person,
            now=now,
            allowed_from={PlaceStatus.ACCEPTED},
            values={"ended_at": now, "end_reason": reason, "feed_token_hash": None},
            fields=["status", "end_reason"],
        )
    except StatusConflict as conflict:  # left in another tab at the same moment
        raise DeliveryError(
            "You have already left this group"
            if conflict.current == PlaceStatus.LEFT
            else "You do not have a place in this group"
        ) from conflict
    events.member_left.send(place, session=session, now=now)
    application = session.get(Application, place.application_id)
    if application is not None and application.status != ApplicationStatus.WITHDRAWN:
        applications.set_status(
            session,
            application,
            ApplicationStatus.WITHDRAWN,
            actor=person,
            now=now,
            reason="Left their group" if actor is None else "Withdrawn from their group",
            values={"withdrawn_reason": reason},
        )
    cohort = place.cohort
    if can_join(cohort, now):
        backfill(session, cohort, now=now)


# Calendar feed links


def new_feed_token(session: Session, place: Place) -> str:
    """A new secret for the person's calendar feed; the old one stops working at once.

    Only its SHA-256 hash is stored, so the link can be shown only now. Side effects:
    flushes the place and an audit event.
    """
    if place.status != PlaceStatus.ACCEPTED:
        raise DeliveryError("You do not have a place in this group")
    raw = secrets.token_urlsafe(32)
    place.feed_token_hash = token_hash(raw)
    session.flush()
    record(
        session,
        actor=session.get(User, place.person_id),
        action="cohort_place.feed_link_created",
        entity_type="cohort_place",
        entity_id=place.id,
        fields=["feed_token_hash"],
    )
    return raw


def place_for_feed_token(session: Session, raw: str) -> Place | None:
    """The place whose current feed secret this is, if it is still held; else None."""
    if not raw or len(raw) > 200:
        return None
    place = session.scalar(select(Place).where(Place.feed_token_hash == token_hash(raw)))
    if place is None or place.status != PlaceStatus.ACCEPTED:
        return None
    return place
