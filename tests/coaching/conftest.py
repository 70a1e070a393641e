"""Fixtures for one-to-one support tests (see factories.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from portal.auth.models import Role
from portal.coaching.models import Booking
from tests.coaching.factories import (
    Coaching,
    coaching_round,
    cohort_of,
    place_in,
    set_up_coach,
)


@pytest.fixture
def coaching(app, session, make_user, make_contractor, reference_data) -> Callable[..., Coaching]:
    """``coaching(people=2, coach_pool=..., lengths=(60, 90), ...)``: a running cohort of a
    contractor whose members hold accepted places, and a coach of that contractor with
    availability every day 8am to 8pm. Round settings and coach settings can be given."""
    contractors: list[Any] = []

    def factory(*, people: int = 2, coach_roles: tuple[Role, ...] = (), **options: Any) -> Coaching:
        round_settings = {
            key: options.pop(key)
            for key in list(options)
            if key
            in {
                "coach_pool",
                "one_to_one_hours_per_participant",
                "cancellation_cutoff_hours",
                "late_cancellation_counts",
            }
        }
        if not contractors:
            contractors.append(make_contractor("Red Rose Business Growth Ltd"))
        contractor = contractors[0]
        coach = make_user(Role.COACH, *coach_roles, name="Colin Coach", contractors=[contractor])
        with app.app_context():
            programme_round = coaching_round(session, **round_settings)
            cohort = cohort_of(session, programme_round, contractor)
            profile = set_up_coach(session, coach, **options)
            made = Coaching(programme_round, contractor, cohort, coach, profile)
            for number in range(people):
                person = make_user(Role.PARTICIPANT, name=f"Priya Participant {number + 1}")
                made.people.append(person)
                made.places.append(place_in(session, cohort, person))
            session.commit()
        return made

    return factory


def holding(session, coach_id: int) -> list[Booking]:
    """The coach's bookings that hold their time, as the database has them now."""
    from sqlalchemy import select

    from portal.coaching.models import HOLDING

    session.rollback()
    found = list(
        session.scalars(
            select(Booking)
            .where(Booking.coach_id == coach_id, Booking.status.in_(HOLDING))
            .execution_options(populate_existing=True)
        )
    )
    session.commit()
    return found
