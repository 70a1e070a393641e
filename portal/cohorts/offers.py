"""Offers of places: confirming a cohort, offering, replies, lapsing and backfilling.

Confirming a cohort offers each member a place by email; the link opens a page with
"Accept" and "Decline" (email scanners follow links, so the link alone never answers).
Offers not answered by their reply-by date lapse, and a free place is offered to the
best-suited person waiting. Only a token's SHA-256 hash is stored. Every change of a place's
or cohort's status is guarded (portal.state_changes): two answers at once count once.
Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask import Flask
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal.auth.models import User
from portal.cohorts import events
from portal.cohorts.matching_inputs import MATCHABLE, engine_inputs
from portal.cohorts.models import Cohort, CohortStatus, DeclineReason, Place, PlaceStatus
from portal.cohorts.offer_details import meeting_pattern, offer_details
from portal.cohorts.services import (
    CohortError,
    members,
    propose_place,
    set_cohort_status,
    set_place_status,
)
from portal.matching.checks import check_cohort
from portal.matching.model import Basis, MatchingRules, Weights
from portal.matching.scoring import score_cohort
from portal.notifications.services import queue_email
from portal.notifications.wording import rendered
from portal.presentation import first_name, plural
from portal.registration import services as applications
from portal.registration.models import Application, ApplicationStatus
from portal.rounds.models import Round
from portal.state_changes import StatusConflict
from portal.timefmt import govuk_date
from portal.urls import external_url

OFFER_REPLY_DAYS = 7
# Places whose ending offers them to someone else.
_REFILLED = (
    PlaceStatus.DECLINED,
    PlaceStatus.LAPSED,
    PlaceStatus.LEFT,
    PlaceStatus.MOVED,
    PlaceStatus.WITHDRAWN,
)


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class OfferClosed(CohortError):
    """The offer is no longer open (answered, lapsed or withdrawn, perhaps by another
    request at the same moment); ``status`` is the place's status now, the state that won."""

    def __init__(self, status: PlaceStatus | None) -> None:
        super().__init__(["This offer is no longer open"])
        self.status = status


_CHANGED_MEANWHILE = (
    "Someone changed this cohort or one of its members while you were confirming it. "
    "Check it and try again"
)


def confirm_cohort(
    session: Session,
    cohort: Cohort,
    *,
    name: str,
    actor: User,
    now: dt.datetime,
    reply_days: int = OFFER_REPLY_DAYS,
) -> None:
    """Confirm a proposed cohort and offer each member a place, by email, with a reply-by date.

    Raises CohortError if it is not proposed (also when another officer confirmed it at
    the same moment) or has no members.
    """
    if cohort.status != CohortStatus.PROPOSED:
        raise CohortError(["Only a proposed cohort can be confirmed"])
    if not members(cohort, PlaceStatus.PROPOSED):
        raise CohortError(["The cohort has no members"])
    try:
        set_cohort_status(
            session,
            cohort,
            CohortStatus.CONFIRMED,
            actor=actor,
            now=now,
            allowed_from={CohortStatus.PROPOSED},
            values={"name": name},
        )
        for place in members(cohort, PlaceStatus.PROPOSED):
            offer_place(session, place, actor=actor, now=now, reply_days=reply_days)
    except StatusConflict as conflict:
        if conflict.target is cohort:
            raise CohortError([f"This cohort is already {cohort.status.label.lower()}"]) from None
        raise CohortError([_CHANGED_MEANWHILE]) from conflict


def offer_place(
    session: Session,
    place: Place,
    *,
    actor: User | None,
    now: dt.datetime,
    reply_days: int = OFFER_REPLY_DAYS,
    reply_by: dt.date | None = None,
) -> None:
    """Offer the place: one-click accept and decline links, a reply-by date (``reply_by``,
    or ``reply_days`` from now), an email.

    Raises StatusConflict if the place or the application changed since this request
    loaded them (another request offered them, or the person withdrew).
    """
    raw = secrets.token_urlsafe(32)
    application = session.get(Application, place.application_id)
    person = session.get(User, place.person_id)
    assert application is not None
    assert person is not None
    applications.set_status(session, application, ApplicationStatus.OFFERED, actor=actor, now=now)
    reply_by = reply_by or (now + dt.timedelta(days=reply_days)).date()
    set_place_status(
        session,
        place,
        PlaceStatus.OFFERED,
        actor=actor,
        now=now,
        allowed_from={PlaceStatus.PROPOSED},
        values={"offered_at": now, "reply_by": reply_by, "offer_token_hash": token_hash(raw)},
    )
    cohort = session.get(Cohort, place.cohort_id)
    assert cohort is not None
    details = offer_details(session, cohort, now=now)
    wording = rendered(
        session,
        "offer",
        {
            "first_name": first_name(person.name),
            "cohort": details.cohort_name,
            "reply_by": govuk_date(reply_by, weekday=True),
        },
    )
    queue_email(
        session,
        to=person,
        subject=wording.subject,
        template="place_offered",
        context={
            "name": person.name,
            "opening": wording.opening,
            "details": details,
            "reply_by": govuk_date(reply_by, weekday=True),
            "accept_url": external_url("offers.respond", token=raw, answer="accept"),
            "decline_url": external_url("offers.respond", token=raw, answer="decline"),
            "portal_url": external_url("offers.mine"),
        },
    )


def cohort_summary(cohort: Cohort) -> str:
    """ "Cohort 4: meets online, Tuesday mornings, every 2 weeks"."""
    return f"{cohort.name}: meets {cohort.delivery.label.lower()}, {meeting_pattern(cohort)}"


def place_for_offer_token(session: Session, raw: str) -> Place | None:
    return session.scalar(select(Place).where(Place.offer_token_hash == token_hash(raw)))


def respond_to_offer(
    session: Session,
    place: Place,
    *,
    accept: bool,
    now: dt.datetime,
    reason: DeclineReason | None = None,
) -> Place | None:
    """Accept (the person is placed, and ``events.place_accepted`` is sent: the baseline
    survey invitation is queued with it) or decline, perhaps saying why (the place is
    offered at once to the best-suited person waiting; that new place is returned, if any).

    Guarded (portal.state_changes): of two answers sent at once, or an answer and the
    lapsing job, exactly one counts. Raises OfferClosed, with the state that won, when
    the offer is no longer open; nothing is changed then.
    """
    if place.status != PlaceStatus.OFFERED:
        raise OfferClosed(place.status)
    application = session.get(Application, place.application_id)
    person = session.get(User, place.person_id)
    assert application is not None
    try:
        if accept:
            set_place_status(
                session,
                place,
                PlaceStatus.ACCEPTED,
                actor=person,
                now=now,
                allowed_from={PlaceStatus.OFFERED},
                values={"accepted_at": now},
            )
            applications.set_status(
                session, application, ApplicationStatus.PLACED, actor=person, now=now
            )
            events.place_accepted.send(place, session=session, now=now)
            return None
        return _end_offer(
            session,
            place,
            application,
            PlaceStatus.DECLINED,
            actor=person,
            now=now,
            reason=reason.value if reason else "",
        )
    except StatusConflict as conflict:
        raise OfferClosed(place.status if conflict.target is place else None) from conflict


def _end_offer(
    session: Session,
    place: Place,
    application: Application,
    status: PlaceStatus,
    *,
    actor: User | None,
    now: dt.datetime,
    reason: str = "",
) -> Place | None:
    """The offer is declined or lapses, and the place is offered at once to the best-suited
    person waiting (returned, if there is one). Raises StatusConflict if another request
    answered it first.

    Someone who declines has chosen not to take part this round: their application is
    withdrawn (they can register again). Someone whose offer lapsed goes on the waiting
    list, for a place in another cohort.
    """
    set_place_status(
        session,
        place,
        status,
        actor=actor,
        now=now,
        allowed_from={PlaceStatus.OFFERED},
        values={"ended_at": now, "end_reason": reason},
    )
    declined = status == PlaceStatus.DECLINED
    applications.set_status(
        session,
        application,
        ApplicationStatus.WITHDRAWN if declined else ApplicationStatus.WAITLISTED,
        actor=actor,
        now=now,
        reason="Declined a place" if declined else "Offer lapsed",
    )
    cohort = session.get(Cohort, place.cohort_id)
    assert cohort is not None
    return backfill(session, cohort, now=now)


def lapse_overdue_offers(session: Session, now: dt.datetime) -> str:
    """A job: offers not answered by their reply-by date lapse, and the place is offered on.
    An offer answered at the same moment is left as the person answered it."""
    today = now.date()
    # Read afresh: each offer is lapsed only if it is still as this run reads it now.
    overdue = list(
        session.scalars(
            select(Place)
            .where(Place.status == PlaceStatus.OFFERED, Place.reply_by < today)
            .execution_options(populate_existing=True)
        )
    )
    lapsed = 0
    for place in overdue:
        application = session.get(Application, place.application_id, populate_existing=True)
        assert application is not None
        try:
            with session.begin_nested():
                _end_offer(session, place, application, PlaceStatus.LAPSED, actor=None, now=now)
        except StatusConflict:
            continue
        lapsed += 1
    return f"{plural(lapsed, 'offer')} lapsed"


def backfill(session: Session, cohort: Cohort, *, now: dt.datetime) -> Place | None:
    """Offer a free place to the best-suited person waiting whom the hard rules allow, if
    any: someone on the waiting list, or eligible and in no proposed cohort yet. Nobody who
    was offered a place in this cohort before is offered it again."""
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
                Application.status.in_(MATCHABLE),
                # Not anyone in a proposed cohort, nor anyone this cohort offered a place to.
                Application.id.not_in(
                    select(Place.application_id)
                    .join(Cohort, Cohort.id == Place.cohort_id)
                    .where(
                        or_(
                            (Place.cohort_id == cohort.id) & Place.offered_at.is_not(None),
                            (Cohort.status == CohortStatus.PROPOSED)
                            & (Place.status == PlaceStatus.PROPOSED),
                        )
                    )
                ),
            )
            .order_by(Application.submitted_at, Application.id)
        )
    )
    ranked: list[tuple[float, int, Application]] = []
    for candidate in waiting:
        group = [a for a in current if a is not None] + [candidate]
        applicants, conflicts = engine_inputs(session, group)
        # A cohort nobody holds a place in any more is not refilled one by one: the
        # fewest-members rule fails, and officers decide what happens to it.
        problems = check_cohort(
            applicants,
            MatchingRules(min_size=2, max_size=programme_round.cohort_size_max),
            conflicts,
            delivery=cohort.delivery.value,
            slot=(cohort.meeting_weekday, cohort.meeting_part_of_day.value),
        )
        if problems:
            continue
        score = score_cohort(applicants, Basis.MIXED, Weights()).score
        ranked.append((-score, len(ranked), candidate))
    # The best-suited first (the earliest of equals); one taken by another request at the
    # same moment (another place backfilled) is passed over for the next.
    for _, _, candidate in sorted(ranked, key=lambda item: item[:2]):
        try:
            with session.begin_nested():
                place = propose_place(session, cohort.id, candidate, now)
                session.flush()
                offer_place(session, place, actor=None, now=now)
        except StatusConflict:
            continue
        session.refresh(cohort)
        return place
    return None


@dataclass(frozen=True)
class ChainLink:
    """One offer made in a cohort, and the place it refilled (declined, lapsed or left at
    the moment it was made, in the same transaction), if any."""

    place: Place
    refills: Place | None


def offer_chain(cohort: Cohort) -> list[ChainLink]:
    """Every offer made in the cohort, the earliest first, each with the place it refilled."""
    offered = sorted(
        (p for p in cohort.places if p.offered_at is not None),
        key=lambda p: (p.offered_at, p.id),
    )
    # Places ended at each moment, in order: one lapsing run may end several at once.
    ended: dict[dt.datetime, list[Place]] = {}
    for p in offered:
        if p.ended_at is not None and p.status in _REFILLED:
            ended.setdefault(p.ended_at, []).append(p)
    chain = []
    for p in offered:
        waiting = ended.get(p.offered_at) if p.offered_at else None
        chain.append(ChainLink(p, waiting.pop(0) if waiting else None))
    return chain


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
            delivery=cohort.delivery.value,
            slot=(cohort.meeting_weekday, cohort.meeting_part_of_day.value),
            name=cohort.name,
            tense="would have",
        )
    )
    if problems:
        raise CohortError(problems)
    place = propose_place(session, cohort.id, application, now)
    session.flush()
    try:
        offer_place(session, place, actor=actor, now=now)
    except StatusConflict as conflict:
        raise CohortError(
            [f"{application.reference} changed while you were adding them. Check and try again"]
        ) from conflict
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
