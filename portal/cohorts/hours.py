"""Hours attended and completion: from the registers only.

Completion follows figures.md: group hours only; one-to-one hours count elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from portal.cohorts.models import Attendance, Cohort, CohortSession, SessionStatus
from portal.rounds.models import Round

_HUNDREDTH = Decimal("0.01")


def quantised(value: Decimal) -> Decimal:
    return value.quantize(_HUNDREDTH)


def session_hours(cohort_session: CohortSession) -> Decimal:
    """The session's length in hours, to the hundredth (as the register stores hours)."""
    return quantised(cohort_session.length_hours)


def registers_of(
    session: Session, cohort: Cohort
) -> list[Row[tuple[int, int, Any, Decimal, bool]]]:
    """Every register row of the cohort's sessions, as plain rows (no objects to build):
    ``session_id``, ``place_id``, ``status``, ``hours`` and ``held`` (the session was held)."""
    return list(
        session.execute(
            select(
                Attendance.session_id,
                Attendance.place_id,
                Attendance.status,
                Attendance.hours,
                (CohortSession.status == SessionStatus.HELD).label("held"),
            )
            .join(CohortSession, CohortSession.id == Attendance.session_id)
            .where(CohortSession.cohort_id == cohort.id)
        )
    )


def hours_from_registers(rows: Iterable[Row[Any]]) -> dict[int, Decimal]:
    """The same as ``hours_by_place``, from ``registers_of``'s rows."""
    totals: dict[int, Decimal] = {}
    for row in rows:
        if row.held:
            totals[row.place_id] = totals.get(row.place_id, Decimal(0)) + Decimal(row.hours)
    return {place_id: quantised(total) for place_id, total in totals.items()}


def hours_by_place(session: Session, cohort: Cohort) -> dict[int, Decimal]:
    """Group hours attended by each place in the cohort (places with none are left out)."""
    rows = session.execute(
        select(Attendance.place_id, Attendance.hours)
        .join(CohortSession, CohortSession.id == Attendance.session_id)
        .where(CohortSession.cohort_id == cohort.id, CohortSession.status == SessionStatus.HELD)
    )
    totals: dict[int, Decimal] = {}
    for place_id, hours in rows:
        totals[place_id] = totals.get(place_id, Decimal(0)) + Decimal(hours)
    return {place_id: quantised(total) for place_id, total in totals.items()}


def is_completer(hours: Decimal, programme_round: Round) -> bool:
    """Whether attended group hours reach the round's completion threshold (figures.md).

    One-to-one hours never count here: they count towards "business supported".
    """
    return hours >= Decimal(programme_round.completion_threshold_hours)


def hours_text(hours: Decimal) -> str:
    """Hours as people write them: 2.5, 1.75, 3."""
    return f"{hours.normalize():f}"


def hours_in_words(hours: Decimal | int) -> str:
    """ "1 hour", "2.5 hours", "0 hours": the number as ``hours_text`` writes it, and the
    noun singular for exactly one."""
    number = hours_text(Decimal(hours))
    return f"{number} hour" if Decimal(hours) == 1 else f"{number} hours"
