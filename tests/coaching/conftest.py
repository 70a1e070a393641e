"""One-to-one support tests' helpers: the bookings that hold a coach's time. The records
they use are made by ``tests/fixtures/factories.py`` (the ``coaching`` fixture)."""

from __future__ import annotations

from portal.coaching.models import Booking


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
