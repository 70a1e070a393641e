"""Whose records a member of staff may open here: officers everyone's; contractor leads only
people with a place in one of their contractors' cohorts, and only those places. Anything
outside answers 404, as everywhere else."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.auth.models import Role, User
from portal.cohorts.models import Cohort, Place
from portal.registration.models import Application, Business


@dataclass(frozen=True)
class Viewer:
    """Who is looking. ``contractor_ids`` None: everything (an officer)."""

    user: User
    contractor_ids: frozenset[int] | None

    @property
    def is_officer(self) -> bool:
        return self.contractor_ids is None


def viewer_of(user: User) -> Viewer:
    return Viewer(user, None if user.has_role(Role.OFFICER) else user.contractor_ids)


def places_in_scope(contractor_ids: Collection[int]) -> Select[int]:
    """The ids of places in these contractors' cohorts (a subquery)."""
    return (
        select(Place.id)
        .join(Cohort, Cohort.id == Place.cohort_id)
        .where(Cohort.contractor_id.in_(list(contractor_ids)))
    )


def person_for(session: Session, viewer: Viewer, person_id: int) -> User:
    """The person, or 404 if there is none or the viewer may not see them."""
    person = session.get(User, person_id)
    if person is None:
        raise NotFound
    if viewer.contractor_ids is not None:
        seen = session.scalar(
            select(Place.id)
            .where(
                Place.person_id == person_id,
                Place.id.in_(places_in_scope(viewer.contractor_ids)),
            )
            .limit(1)
        )
        if seen is None:
            raise NotFound
    return person


def business_for(session: Session, viewer: Viewer, business_id: int) -> Business:
    """The business, or 404 if there is none or none of its people is the viewer's."""
    business = session.get(Business, business_id)
    if business is None:
        raise NotFound
    if viewer.contractor_ids is not None:
        seen = session.scalar(
            select(Place.id)
            .join(Application, Application.id == Place.application_id)
            .where(
                Application.business_id == business_id,
                Place.id.in_(places_in_scope(viewer.contractor_ids)),
            )
            .limit(1)
        )
        if seen is None:
            raise NotFound
    return business
