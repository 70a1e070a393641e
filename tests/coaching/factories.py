"""Records for one-to-one support tests: a round, a contractor's cohort whose members hold
accepted places, and coaches with availability. Plain functions, so the access inventory and
the browser tests can use them too; ``tests/coaching/conftest.py`` wraps them as fixtures.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from portal.auth.models import Contractor, User
from portal.coaching.models import CoachProfile, LocationType, WeeklyWindow
from portal.cohorts.models import (
    Cohort,
    CohortBasis,
    CohortDelivery,
    CohortStatus,
    Place,
    PlaceStatus,
)
from portal.registration.models import Application, ApplicationStatus, PartOfDay
from portal.rounds.models import Round, RoundStatus
from portal.rounds.services import create_round

_numbers = itertools.count(1)
EVERY_DAY = tuple(range(7))


def coaching_round(session: Session, **settings: Any) -> Round:
    """An open round (2026-27) with its one-to-one settings changed as given."""
    made = create_round(
        session,
        actor=None,
        name=f"Coaching round {next(_numbers)}",
        year_label="2026-27",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2027, 8, 31),
        funder="Department for Business and Trade",
        grant_pence=40_000_000,
        status=RoundStatus.OPEN,
    )
    for name, value in settings.items():
        setattr(made, name, value)
    session.flush()
    return made


def cohort_of(
    session: Session,
    programme_round: Round,
    contractor: Contractor | None,
    *,
    facilitator: User | None = None,
    status: CohortStatus = CohortStatus.RUNNING,
) -> Cohort:
    cohort = Cohort(
        round_id=programme_round.id,
        name=f"Makers of Lancashire {next(_numbers)}",
        basis=CohortBasis.SECTOR,
        basis_value="C",
        delivery=CohortDelivery.IN_PERSON,
        meeting_weekday=1,
        meeting_part_of_day=PartOfDay.MORNING,
        status=status,
        planned_hours=18,
        session_length_minutes=150,
        session_frequency_days=14,
        contractor_id=contractor.id if contractor else None,
        facilitator_id=facilitator.id if facilitator else None,
    )
    session.add(cohort)
    session.flush()
    return cohort


def place_in(
    session: Session, cohort: Cohort, person: User, *, phone: str = "01632 960 123"
) -> Place:
    """An accepted place in the cohort, with the application behind it."""
    application = Application(
        reference=f"PN-TEST-{next(_numbers):04d}",
        round_id=cohort.round_id,
        person_id=person.id,
        status=ApplicationStatus.PLACED,
        phone=phone,
        business_name=f"{person.name.split()[0]}'s Business Ltd",
    )
    session.add(application)
    session.flush()
    place = Place(
        cohort_id=cohort.id,
        application_id=application.id,
        person_id=person.id,
        status=PlaceStatus.ACCEPTED,
        accepted_at=dt.datetime(2026, 9, 20, tzinfo=dt.UTC),
    )
    session.add(place)
    session.flush()
    return place


def set_up_coach(
    session: Session,
    coach: User,
    *,
    days: Sequence[int] = EVERY_DAY,
    hours: tuple[str, str] = ("08:00", "20:00"),
    lengths: Sequence[int] = (60,),
    buffer_minutes: int = 15,
    min_notice_hours: int = 24,
    horizon_weeks: int = 8,
    support_types: Sequence[str] = ("coaching", "mentoring"),
    location_type: LocationType = LocationType.VIDEO,
    location_detail: str = "https://meet.example.com/coach",
) -> CoachProfile:
    profile = CoachProfile(
        coach_id=coach.id,
        session_lengths=list(lengths),
        buffer_minutes=buffer_minutes,
        min_notice_hours=min_notice_hours,
        horizon_weeks=horizon_weeks,
        support_types=list(support_types),
        location_type=location_type,
        location_detail=location_detail,
        about="Twenty years running manufacturing businesses in Lancashire.",
    )
    session.add(profile)
    for day in days:
        session.add(
            WeeklyWindow(coach_id=coach.id, weekday=day, start_time=hours[0], end_time=hours[1])
        )
    session.flush()
    return profile


@dataclass
class Coaching:
    round: Round
    contractor: Contractor
    cohort: Cohort
    coach: User
    profile: CoachProfile
    people: list[User] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)


def next_slot_start(now: dt.datetime, *, days_ahead: int = 3, hour: int = 10) -> dt.datetime:
    """A whole hour on London clocks ``days_ahead`` days from now, as UTC (in the default
    coach's hours, beyond the default notice)."""
    from portal.cohorts.schedule import to_utc
    from portal.timefmt import to_london

    day = to_london(now).date() + dt.timedelta(days=days_ahead)
    return to_utc(day, dt.time(hour, 0))
