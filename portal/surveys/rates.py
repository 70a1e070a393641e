"""Response rates for officers: per round, per contractor and per cohort.

Exact numbers, for officers only; a row built from fewer than ``SMALL_NUMBER`` people is
flagged so it is not published as it stands (figures.md's small-number rule).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.auth.models import Contractor, User
from portal.cohorts.models import Cohort
from portal.db import found_or_404
from portal.presentation import percent
from portal.surveys.models import (
    ResponseMode,
    ResponseStatus,
    SurveyInvitation,
    SurveyResponse,
    SurveyTiming,
)

SMALL_NUMBER = 5


@dataclass(frozen=True)
class RateRow:
    label: str
    invited: int
    responded: int
    keyed_in: int
    cohort_id: int | None = None

    @property
    def rate(self) -> Decimal | None:
        return percent(self.responded, self.invited)

    @property
    def small(self) -> bool:
        return self.invited < SMALL_NUMBER


@dataclass(frozen=True)
class RateTables:
    timing: SurveyTiming
    total: RateRow
    contractors: list[RateRow]
    cohorts: list[RateRow]


def response_rates(session: Session, round_id: int, timing: SurveyTiming) -> RateTables:
    submitted = SurveyResponse.status == ResponseStatus.SUBMITTED
    rows = session.execute(
        select(
            SurveyInvitation.cohort_id,
            func.count(SurveyInvitation.id),
            func.count(case((submitted, SurveyResponse.id))),
            func.count(
                case((submitted & (SurveyResponse.mode != ResponseMode.ONLINE), SurveyResponse.id))
            ),
        )
        .outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
        .where(SurveyInvitation.round_id == round_id, SurveyInvitation.timing == timing)
        .group_by(SurveyInvitation.cohort_id)
    ).all()
    cohorts = {
        c.id: c
        for c in session.scalars(
            select(Cohort).where(Cohort.id.in_([row[0] for row in rows] or [0]))
        )
    }
    contractor_names = {
        c.id: c.name
        for c in session.scalars(
            select(Contractor).where(
                Contractor.id.in_([c.contractor_id for c in cohorts.values() if c.contractor_id])
            )
        )
    }
    cohort_rows = sorted(
        (
            RateRow(cohorts[cohort_id].name, invited, responded, keyed, cohort_id=cohort_id)
            for cohort_id, invited, responded, keyed in rows
        ),
        key=lambda row: row.label,
    )
    by_contractor: dict[str, list[int]] = {}
    for cohort_id, invited, responded, keyed in rows:
        contractor_id = cohorts[cohort_id].contractor_id
        name = (
            contractor_names.get(contractor_id, "No contractor")
            if contractor_id
            else ("No contractor")
        )
        totals = by_contractor.setdefault(name, [0, 0, 0])
        totals[0] += invited
        totals[1] += responded
        totals[2] += keyed
    contractor_rows = [RateRow(name, *totals) for name, totals in sorted(by_contractor.items())]
    total = RateRow(
        "All cohorts",
        sum(row.invited for row in cohort_rows),
        sum(row.responded for row in cohort_rows),
        sum(row.keyed_in for row in cohort_rows),
    )
    return RateTables(timing, total, contractor_rows, cohort_rows)


@dataclass(frozen=True)
class InvitationRow:
    invitation: SurveyInvitation
    person: User
    status: str


def invitation_status(invitation: SurveyInvitation) -> str:
    response = invitation.response
    if response is None:
        return "Not started"
    if response.status == ResponseStatus.SUBMITTED:
        return "Answered" if response.mode == ResponseMode.ONLINE else "Keyed in"
    return "Started"


def cohort_invitations(session: Session, cohort: Cohort) -> list[InvitationRow]:
    invitations = list(
        session.scalars(
            select(SurveyInvitation)
            .where(SurveyInvitation.cohort_id == cohort.id)
            .order_by(SurveyInvitation.timing, SurveyInvitation.id)
        )
    )
    people = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_([i.person_id for i in invitations] or [0]))
        )
    }
    order = list(SurveyTiming)
    invitations.sort(key=lambda i: (order.index(i.timing), people[i.person_id].name, i.id))
    return [InvitationRow(i, people[i.person_id], invitation_status(i)) for i in invitations]


def get_invitation(session: Session, invitation_id: int) -> SurveyInvitation:
    return found_or_404(session, SurveyInvitation, invitation_id)


def get_response(session: Session, response_id: int) -> SurveyResponse:
    return found_or_404(session, SurveyResponse, response_id)
