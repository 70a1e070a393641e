"""Demo data for delivering cohorts: schedules, and registers for the sessions already past.

``load`` is a step of ``portal.demo.load``, run once cohorts exist in the demo. It only
touches confirmed or running cohorts that have no sessions yet, so running it again adds
nothing twice, and it does nothing when there are no such cohorts. No email is sent. The
schedule is dated when the cohort was formed and each register as its session ended
(``portal.demo_dates``), so the records and the audit log agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import demo_dates
from portal.auth.models import User
from portal.cohorts.delivery import DELIVERING, DeliveryError, active_sessions
from portal.cohorts.hours import session_hours
from portal.cohorts.membership import session_members
from portal.cohorts.models import AttendanceStatus, Cohort
from portal.cohorts.registers import RegisterEntry, issue_labels, record_register, record_themes
from portal.cohorts.sessions import generate_schedule
from portal.db_base import utcnow

# Issue codes the demo's facilitators record as discussed, in turn.
DEMO_THEMES = (
    ("staffing", "finance"),
    ("supply-chain", "exporting"),
    ("marketing", "business-development"),
    ("technology", "people-management"),
)


def load(session: Session) -> int:
    """Schedule each confirmed or running demo cohort without sessions, and take the
    registers of its sessions already past. Returns how many sessions were made.

    Side effects: adds and flushes sessions, attendance, themes and audit events.
    """
    now = utcnow()
    cohorts = session.scalars(
        select(Cohort).where(Cohort.status.in_(DELIVERING)).order_by(Cohort.id)
    ).all()
    made = 0
    for cohort in cohorts:
        if cohort.sessions:
            continue
        facilitator = session.get(User, cohort.facilitator_id) if cohort.facilitator_id else None
        if cohort.start_on is None:
            cohort.start_on = demo_dates.first_session_day(now)
        scheduled = demo_dates.offers_answered_at(now)
        try:
            generate_schedule(session, cohort, actor=facilitator, now=scheduled, notify=False)
        except DeliveryError:
            continue  # settings no schedule can be made from: leave it for a facilitator
        made += len(cohort.sessions)
        if facilitator is not None:
            _take_registers(session, cohort, facilitator, now)
    return made


def _take_registers(session: Session, cohort: Cohort, facilitator: User, now: dt.datetime) -> None:
    past = [s for s in active_sessions(cohort) if s.ends_at <= now]
    for number, cohort_session in enumerate(past):
        entries = []
        members = sorted(session_members(cohort_session), key=lambda p: p.id)
        for position, place in enumerate(members):
            # Most come; one leaves early; one sends apologies now and then.
            turn = (position + number) % 7
            if turn == 5:
                entries.append(RegisterEntry(place.id, AttendanceStatus.APOLOGIES))
            elif turn == 6:
                hours = (session_hours(cohort_session) / 2).quantize(Decimal("0.01"))
                entries.append(RegisterEntry(place.id, AttendanceStatus.PARTIAL, hours))
            else:
                entries.append(RegisterEntry(place.id, AttendanceStatus.PRESENT))
        taken = min(cohort_session.ends_at + dt.timedelta(minutes=30), now)
        record_register(session, cohort_session, entries, actor=facilitator, now=taken)
        themes = DEMO_THEMES[(cohort.id + number) % len(DEMO_THEMES)]
        known = issue_labels(session)
        record_themes(
            session,
            cohort_session,
            [code for code in themes if code in known],
            actor=facilitator,
            now=taken,
        )
