"""What needs officers and contractor leads now, counted in SQL: a fixed number of statements
whatever the size of the programme. No Flask; no side effects."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, exists, func, select
from sqlalchemy.orm import Session

from portal.auth.models import ContractorMembership, Role, User, UserRole, UserStatus
from portal.casestudies.models import CaseStudy, CaseStudyStatus
from portal.coaching.hours import hours_from_minutes
from portal.coaching.models import Booking, BookingStatus, OutsideSupport
from portal.cohorts.models import (
    Cohort,
    CohortSession,
    CohortStatus,
    Place,
    PlaceStatus,
    SessionStatus,
)
from portal.notifications.models import OutboxMessage, OutboxStatus
from portal.registration.models import Application, ApplicationStatus
from portal.rounds.models import Round
from portal.surveys.models import SurveyInvitation
from portal.tasks.models import UNFINISHED, BackgroundTask

# Offers whose reply date is this close count as lapsing soon.
LAPSING_DAYS = 3
# Cohorts still to deliver, or delivering.
DELIVERING = (CohortStatus.CONFIRMED, CohortStatus.RUNNING)
# Case studies waiting for an officer (as the review list's "to review").
TO_REVIEW = (CaseStudyStatus.SUBMITTED, CaseStudyStatus.RESUBMITTED, CaseStudyStatus.IN_REVIEW)


@dataclass(frozen=True)
class OfficerQueue:
    needs_review: int  # in the round the applicant list opens on
    offers_awaiting_reply: int
    offers_lapsing_soon: int
    cohorts_without_facilitator: int
    cohorts_without_schedule: int
    registers_missing: int
    case_studies_to_review: int
    surveys_not_sent: int
    emails_failed: int
    tasks_in_progress: int


def _count(session: Session, query: Select[int]) -> int:
    return session.scalar(query) or 0


def _register_missing(now: dt.datetime) -> ColumnElement[bool]:
    """A session that has ended with no register taken (and was not cancelled)."""
    return (
        (CohortSession.ends_at < now)
        & (CohortSession.status == SessionStatus.PLANNED)
        & CohortSession.register_taken_at.is_(None)
    )


def officer_queue(
    session: Session, *, round_id: int | None, now: dt.datetime, today: dt.date
) -> OfficerQueue:
    """What needs officers (see ``OfficerQueue``). ``round_id``: the round whose applications
    needing review are counted (the one the applicant list opens on)."""
    count = func.count()
    offered = select(count).select_from(Place).where(Place.status == PlaceStatus.OFFERED)
    confirmed = select(count).select_from(Cohort).where(Cohort.status == CohortStatus.CONFIRMED)
    scheduled = exists().where(
        CohortSession.cohort_id == Cohort.id, CohortSession.status != SessionStatus.CANCELLED
    )
    return OfficerQueue(
        needs_review=_count(
            session,
            select(count)
            .select_from(Application)
            .where(
                Application.round_id == round_id,
                Application.status == ApplicationStatus.NEEDS_REVIEW,
            ),
        )
        if round_id is not None
        else 0,
        offers_awaiting_reply=_count(session, offered),
        offers_lapsing_soon=_count(
            session, offered.where(Place.reply_by <= today + dt.timedelta(days=LAPSING_DAYS))
        ),
        cohorts_without_facilitator=_count(
            session, confirmed.where(Cohort.facilitator_id.is_(None))
        ),
        cohorts_without_schedule=_count(session, confirmed.where(~scheduled)),
        registers_missing=_count(
            session, select(count).select_from(CohortSession).where(_register_missing(now))
        ),
        case_studies_to_review=_count(
            session, select(count).select_from(CaseStudy).where(CaseStudy.status.in_(TO_REVIEW))
        ),
        surveys_not_sent=_count(
            session,
            select(count).select_from(SurveyInvitation).where(SurveyInvitation.sent_at.is_(None)),
        ),
        emails_failed=_count(
            session,
            select(count)
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED),
        ),
        tasks_in_progress=_count(
            session,
            select(count).select_from(BackgroundTask).where(BackgroundTask.status.in_(UNFINISHED)),
        ),
    )


@dataclass(frozen=True)
class LeadCohort:
    id: int
    name: str
    status: CohortStatus
    round_name: str
    facilitator: str
    members: int
    registers_missing: int
    one_to_one_hours: Decimal
    # The members' entitlement in all: members times the round's 1:1 hours each.
    one_to_one_entitlement: int


@dataclass(frozen=True)
class StaffMember:
    name: str
    roles: list[str]


@dataclass(frozen=True)
class LeadHome:
    cohorts: list[LeadCohort]
    staff: list[StaffMember]

    @property
    def registers_missing(self) -> int:
        return sum(cohort.registers_missing for cohort in self.cohorts)


def lead_home(session: Session, contractor_ids: Collection[int], *, now: dt.datetime) -> LeadHome:
    """A contractor lead's cohorts being delivered (with their facilitators, members, missing
    registers and 1:1 hours against the members' entitlement), and their contractors'
    facilitators and coaches."""
    wanted = list(contractor_ids)
    cohorts = session.execute(
        select(
            Cohort.id,
            Cohort.name,
            Cohort.status,
            Round.name,
            func.coalesce(User.name, ""),
            Round.one_to_one_hours_per_participant,
        )
        .join(Round, Round.id == Cohort.round_id)
        .outerjoin(User, User.id == Cohort.facilitator_id)
        .where(Cohort.contractor_id.in_(wanted), Cohort.status.in_(DELIVERING))
        .order_by(Round.starts_on.desc(), Cohort.name)
    ).all()
    ids = [row[0] for row in cohorts]
    members = dict(
        session.execute(
            select(Place.cohort_id, func.count())
            .where(Place.cohort_id.in_(ids), Place.status == PlaceStatus.ACCEPTED)
            .group_by(Place.cohort_id)
        ).all()
    )
    missing = dict(
        session.execute(
            select(CohortSession.cohort_id, func.count())
            .where(CohortSession.cohort_id.in_(ids), _register_missing(now))
            .group_by(CohortSession.cohort_id)
        ).all()
    )
    minutes: dict[int, int] = {}
    delivered = (
        select(Place.cohort_id, func.sum(Booking.delivered_minutes))
        .join(Place, Place.id == Booking.place_id)
        .where(Place.cohort_id.in_(ids), Booking.status == BookingStatus.DELIVERED)
        .group_by(Place.cohort_id)
        .union_all(
            select(Place.cohort_id, func.sum(OutsideSupport.minutes))
            .join(Place, Place.id == OutsideSupport.place_id)
            .where(Place.cohort_id.in_(ids))
            .group_by(Place.cohort_id)
        )
    )
    for cohort_id, total in session.execute(delivered):
        minutes[cohort_id] = minutes.get(cohort_id, 0) + int(total or 0)
    staff: dict[int, StaffMember] = {}
    for user_id, name, role in session.execute(
        select(User.id, User.name, UserRole.role)
        .join(UserRole, UserRole.user_id == User.id)
        .join(ContractorMembership, ContractorMembership.user_id == User.id)
        .where(
            ContractorMembership.contractor_id.in_(wanted),
            UserRole.role.in_([Role.FACILITATOR, Role.COACH]),
            User.status == UserStatus.ACTIVE,
        )
        .order_by(User.name, UserRole.role)
        .distinct()
    ):
        member = staff.setdefault(user_id, StaffMember(name, []))
        if Role(role).label not in member.roles:
            member.roles.append(Role(role).label)
    return LeadHome(
        cohorts=[
            LeadCohort(
                id=cohort_id,
                name=name,
                status=status,
                round_name=round_name,
                facilitator=facilitator,
                members=members.get(cohort_id, 0),
                registers_missing=missing.get(cohort_id, 0),
                one_to_one_hours=hours_from_minutes(minutes.get(cohort_id, 0)),
                one_to_one_entitlement=members.get(cohort_id, 0) * entitlement,
            )
            for cohort_id, name, status, round_name, facilitator, entitlement in cohorts
        ],
        staff=list(staff.values()),
    )
