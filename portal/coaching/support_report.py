"""The officers' and contractor leads' report: 1:1 hours booked and delivered, no-shows and
late cancellations, per participant, cohort, coach or contractor.

- Hours delivered: ``portal.coaching.hours.delivered_support`` (figures.md's definition),
  grouped. It includes support recorded outside the booking system.
- Hours booked: the booked length of every booking not cancelled (still to come, delivered
  or not attended).
- No-shows: bookings recorded as not attended. Late cancellations: bookings the participant
  cancelled after the round's cut-off.

Contractor leads see only support given by their own contractors' coaches (a booking
belongs to the contractor it was booked through: see ``scope.booking_contractor_id``).
No side effects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Contractor, User
from portal.coaching.hours import delivered_support, hours_from_minutes
from portal.coaching.models import Booking, BookingStatus
from portal.cohorts.models import Cohort, Place
from portal.exports import Cell
from portal.rounds.models import Round

Grouping = Literal["participant", "cohort", "coach", "contractor"]
GROUPINGS: tuple[Grouping, ...] = ("participant", "cohort", "coach", "contractor")
NO_CONTRACTOR = "No contractor"


@dataclass
class ReportRow:
    key: int | None
    name: str
    detail: str = ""  # the participant's cohort, or the coach's or cohort's contractor
    people: set[int] = field(default_factory=set)
    booked_minutes: int = 0
    delivered_minutes: int = 0
    no_shows: int = 0
    late_cancellations: int = 0

    @property
    def booked_hours(self) -> Decimal:
        return hours_from_minutes(self.booked_minutes)

    @property
    def delivered_hours(self) -> Decimal:
        return hours_from_minutes(self.delivered_minutes)


@dataclass(frozen=True)
class Report:
    round: Round
    by: Grouping
    rows: list[ReportRow]
    total: ReportRow


def _key(
    by: Grouping, *, participant: int, cohort: int, coach: int, contractor: int | None
) -> int | None:
    return {"participant": participant, "cohort": cohort, "coach": coach, "contractor": contractor}[
        by
    ]


def support_report(
    session: Session,
    programme_round: Round,
    *,
    by: Grouping,
    contractor_ids: Collection[int] | None = None,
) -> Report:
    """The round's 1:1 support grouped ``by`` one of GROUPINGS, for the given contractors
    only if given (contractor leads), with a total row."""
    bookings = select(Booking, Place.cohort_id).join(Place, Place.id == Booking.place_id)
    bookings = bookings.where(Booking.round_id == programme_round.id)
    if contractor_ids is not None:
        bookings = bookings.where(Booking.contractor_id.in_(list(contractor_ids)))
    rows: dict[int | None, ReportRow] = {}
    total = ReportRow(None, "Total")

    def row_for(participant: int, cohort: int, coach: int, contractor: int | None) -> ReportRow:
        key = _key(by, participant=participant, cohort=cohort, coach=coach, contractor=contractor)
        if key not in rows:
            rows[key] = ReportRow(key, "")
        return rows[key]

    details: dict[int | None, tuple[int, int | None]] = {}
    for booking, cohort_id in session.execute(bookings):
        row = row_for(booking.participant_id, cohort_id, booking.coach_id, booking.contractor_id)
        details.setdefault(row.key, (cohort_id, booking.contractor_id))
        for target in (row, total):
            target.people.add(booking.participant_id)
            if booking.status != BookingStatus.CANCELLED:
                target.booked_minutes += booking.minutes
            if booking.status == BookingStatus.NO_SHOW:
                target.no_shows += 1
            if booking.late_cancellation:
                target.late_cancellations += 1
    for item in delivered_support(
        session, round_id=programme_round.id, contractor_ids=contractor_ids
    ):
        row = row_for(item.participant_id, item.cohort_id, item.coach_id, item.contractor_id)
        details.setdefault(row.key, (item.cohort_id, item.contractor_id))
        for target in (row, total):
            target.people.add(item.participant_id)
            target.delivered_minutes += item.minutes
    _name_rows(session, by, rows, details)
    ordered = sorted(rows.values(), key=lambda r: (r.name.lower(), r.detail.lower(), r.key or 0))
    return Report(programme_round, by, ordered, total)


def _name_rows(
    session: Session,
    by: Grouping,
    rows: dict[int | None, ReportRow],
    details: dict[int | None, tuple[int, int | None]],
) -> None:
    cohort_ids = {cohort for cohort, _ in details.values()}
    contractor_ids = {c for _, c in details.values() if c is not None}
    cohorts = {c.id: c for c in session.scalars(select(Cohort).where(Cohort.id.in_(cohort_ids)))}
    contractor_ids |= {c.contractor_id for c in cohorts.values() if c.contractor_id}
    contractors = {
        c.id: c.name
        for c in session.scalars(select(Contractor).where(Contractor.id.in_(contractor_ids)))
    }
    user_ids = {key for key in rows if key is not None} if by in ("participant", "coach") else set()
    users = {u.id: u.name for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
    for key, row in rows.items():
        cohort_id, contractor_id = details[key]
        if by in ("participant", "coach"):
            row.name = users.get(key or 0, "")
        if by == "participant":
            row.detail = cohorts[cohort_id].name if cohort_id in cohorts else ""
        elif by == "coach":
            row.detail = contractors.get(contractor_id or 0, NO_CONTRACTOR)
        elif by == "cohort":
            cohort = cohorts.get(cohort_id)
            row.name = cohort.name if cohort else ""
            row.detail = contractors.get(cohort.contractor_id or 0, NO_CONTRACTOR) if cohort else ""
        else:
            row.name = (
                contractors.get(key or 0, NO_CONTRACTOR) if key is not None else NO_CONTRACTOR
            )


FIRST_COLUMNS: dict[Grouping, tuple[str, str]] = {
    "participant": ("Participant", "Cohort"),
    "cohort": ("Cohort", "Cohort's contractor"),
    "coach": ("Coach", "Contractor"),
    "contractor": ("Contractor", ""),
}


def table(report: Report) -> tuple[list[str], list[list[Cell]]]:
    """The report as a header and rows for the page and the exports: hours as numbers to
    two decimal places, counts as whole numbers, the total last."""
    first, second = FIRST_COLUMNS[report.by]
    header = [first, *([second] if second else [])]
    header += [
        "People supported",
        "1:1 hours booked",
        "1:1 hours delivered",
        "No-shows",
        "Late cancellations",
    ]

    def cells(row: ReportRow) -> list[Cell]:
        leading: list[Cell] = [row.name, *([row.detail] if second else [])]
        return [
            *leading,
            len(row.people),
            row.booked_hours,
            row.delivered_hours,
            row.no_shows,
            row.late_cancellations,
        ]

    return header, [cells(row) for row in report.rows] + [cells(report.total)]


def rounds_for_report(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.starts_on.desc(), Round.id.desc())))


def default_round(rounds: list[Round], today: dt.date) -> Round | None:
    """The round running today, else the latest."""
    for programme_round in rounds:
        if programme_round.includes(today):
            return programme_round
    return rounds[0] if rounds else None
