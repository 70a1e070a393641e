"""Surveys' test data: cohorts with members who took places and attended, the survey
definitions loaded, and the personal link from an invitation email."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy.orm import Session

from portal.auth.models import Contractor, Role, User
from portal.cohorts.models import (
    Attendance,
    AttendanceStatus,
    Cohort,
    CohortBasis,
    CohortDelivery,
    CohortSession,
    CohortStatus,
    Place,
    PlaceStatus,
    SessionStatus,
)
from portal.db_base import utcnow
from portal.registration.models import ApplicationStatus, PartOfDay
from portal.rounds.models import Round, RoundStatus
from portal.surveys.definitions import load_definitions

BASE_URL = "https://peernetworks.example.org.uk"


@dataclass
class Group:
    round: Round
    cohort: Cohort
    contractor: Contractor
    facilitator: User
    places: list[Place]
    people: list[User]


def load_surveys(app, session: Session) -> None:
    with app.app_context():
        load_definitions(session)
    session.commit()


@pytest.fixture
def surveys_loaded(app, session: Session) -> None:
    load_surveys(app, session)


@pytest.fixture
def make_group(
    app, session, make_round, make_application, make_user, make_contractor, surveys_loaded
) -> Callable[..., Group]:
    """``make_group(members=3)``: a running cohort of members who accepted places a day
    ago, each with an application; ``held=2`` adds two held sessions everyone attended."""
    return group_factory(session, make_round, make_application, make_user, make_contractor)


def group_factory(
    session, make_round, make_application, make_user, make_contractor
) -> Callable[..., Group]:
    """The factory behind ``make_group``, for other test modules' fixtures."""
    made: dict[str, Any] = {}

    def factory(
        *,
        members: int = 3,
        held: int = 0,
        name: str | None = None,
        programme_round: Round | None = None,
        contractor: Contractor | None = None,
        accepted_at: dt.datetime | None = None,
    ) -> Group:
        if programme_round is None:
            if "round" not in made:
                made["round"] = make_round(
                    name="Round 3",
                    year_label="2026-27",
                    starts_on=dt.date(2026, 9, 1),
                    ends_on=dt.date(2027, 8, 31),
                    status=RoundStatus.OPEN,
                )
            programme_round = made["round"]
        if contractor is None:
            if "contractor" not in made:
                made["contractor"] = make_contractor("Red Rose Business Growth Ltd")
            contractor = made["contractor"]
        facilitator = make_user(Role.FACILITATOR, contractors=[contractor])
        number = made["cohorts"] = made.get("cohorts", 0) + 1
        cohort = Cohort(
            round_id=programme_round.id,
            name=name or f"Makers group {number}",
            basis=CohortBasis.SECTOR,
            basis_value="C",
            delivery=CohortDelivery.ONLINE,
            meeting_weekday=0,
            meeting_part_of_day=PartOfDay.MORNING,
            status=CohortStatus.RUNNING,
            planned_hours=programme_round.planned_hours,
            session_length_minutes=programme_round.session_length_minutes,
            session_frequency_days=programme_round.session_frequency_days,
            contractor_id=contractor.id,
            facilitator_id=facilitator.id,
        )
        session.add(cohort)
        session.flush()
        places, people = [], []
        taken = accepted_at or utcnow() - dt.timedelta(days=1)
        for index in range(members):
            application = make_application(
                programme_round,
                name=f"Member {number}-{index + 1}",
                business_name=f"Mill {number}-{index + 1} Ltd",
            )
            application.status = ApplicationStatus.PLACED
            place = Place(
                cohort_id=cohort.id,
                application_id=application.id,
                person_id=application.person_id,
                status=PlaceStatus.ACCEPTED,
                accepted_at=taken,
            )
            session.add(place)
            places.append(place)
            people.append(session.get(User, application.person_id))
        session.commit()
        group = Group(programme_round, cohort, contractor, facilitator, places, people)
        for _ in range(held):
            hold_session(session, group)
        return group

    return factory


def hold_session(
    session: Session,
    group: Group,
    *,
    starts_at: dt.datetime | None = None,
    attended: list[Place] | None = None,
) -> CohortSession:
    """A held session of the group's cohort, attended by ``attended`` (everyone)."""
    existing = len(group.cohort.sessions)
    recently = utcnow().replace(microsecond=0) - dt.timedelta(days=2)
    start = starts_at or recently + dt.timedelta(hours=3 * existing)
    held = CohortSession(
        cohort_id=group.cohort.id,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=group.cohort.session_length_minutes),
        status=SessionStatus.HELD,
        register_taken_at=start + dt.timedelta(hours=3),
    )
    session.add(held)
    session.flush()
    length = Decimal(group.cohort.session_length_minutes) / 60
    for place in group.places if attended is None else attended:
        session.add(
            Attendance(
                session_id=held.id,
                place_id=place.id,
                status=AttendanceStatus.PRESENT,
                hours=length,
            )
        )
    session.commit()
    session.refresh(group.cohort)
    session.commit()  # ends the read: later reads see what requests commit
    return held


def survey_path(outbox, person: User) -> str:
    """The path of the survey link in the latest email to ``person``."""
    message = outbox.last(person.email)
    (link,) = [link for link in outbox.links(message) if "/survey/" in link]
    return link.removeprefix(BASE_URL)


def survey_emails(outbox, person: User) -> list:
    """The survey invitations and reminders sent to ``person``, oldest first."""
    return [m for m in outbox.messages(person.email) if "/survey/" in m.body_text]
