"""Demo cohorts: matching the open demo round, confirming some cohorts, replies to offers,
each dated as ``portal.demo_dates`` tells the demo's story (so statuses and the audit log
agree)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import demo_dates
from portal.auth.models import Contractor, Role, User, UserRole
from portal.cohorts import forming, offers, services
from portal.cohorts.models import PlaceStatus
from portal.db_base import utcnow
from portal.rounds.models import Round, RoundStatus

# Names for the cohorts the demo confirms, in order; the rest stay proposed for officers.
CONFIRMED_NAMES = ["Preston and Central makers", "Coast and countryside leaders"]


def load(session: Session) -> int:
    """Run the matching for the open demo round once, confirm two cohorts, have most people
    accept and one decline, and give the cohorts a contractor and facilitator.

    Returns how many cohorts were made (0 when the round already has cohorts).
    """
    programme_round = session.scalar(
        select(Round).where(Round.status == RoundStatus.OPEN).order_by(Round.starts_on.desc())
    )
    if programme_round is None or services.round_cohorts(session, programme_round):
        return 0
    officer = session.scalar(
        select(User).join(UserRole).where(UserRole.role == Role.OFFICER).order_by(User.id)
    )
    if officer is None:
        return 0
    today = utcnow()
    now = demo_dates.cohorts_formed_at(today)
    replied = demo_dates.offers_answered_at(today)
    outcome = forming.run_matching(
        session, programme_round, settings=forming.RunSettings(), actor=officer, now=now
    )
    contractors = list(session.scalars(select(Contractor).order_by(Contractor.id)))
    for number, (cohort, name) in enumerate(zip(outcome.cohorts, CONFIRMED_NAMES, strict=False)):
        cohort.start_on = demo_dates.first_session_day(today)
        offers.confirm_cohort(session, cohort, name=name, actor=officer, now=now)
        contractor = contractors[number % len(contractors)] if contractors else None
        if contractor is not None:
            facilitators = services.facilitators_of(session, contractor)
            services.assign_delivery(
                session,
                cohort,
                contractor=contractor,
                facilitator=facilitators[0] if facilitators else None,
                actor=officer,
            )
        offered = [p for p in cohort.places if p.status == PlaceStatus.OFFERED]
        for index, place in enumerate(offered):
            # Everyone accepts, except the last person in the second cohort, who declines.
            accept = not (number == 1 and index == len(offered) - 1)
            answered = replied + dt.timedelta(hours=index)
            offers.respond_to_offer(session, place, accept=accept, now=answered)
    session.flush()
    return len(outcome.cohorts)
