"""Searching people and businesses across every round: one box that matches a person's name
or email address, a business's name (as registered or as answered), a postcode (spaces and
case ignored) or an application's reference. One row per application, newest round first;
two statements a page (the count and the page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from portal.auth.models import ERASED, User
from portal.cohorts.models import Place
from portal.paging import ResultsPage, within_pages
from portal.people.scope import Viewer, places_in_scope
from portal.registration.models import Application, ApplicationStatus, Business
from portal.rounds.models import Round

PER_PAGE = 50
QUERY_MAX = 200


@dataclass(frozen=True)
class Found:
    person_id: int
    name: str
    email: str
    business_id: int | None
    business_name: str
    postcode: str
    round_name: str
    reference: str
    status: ApplicationStatus
    submitted_at: dt.datetime | None


def _matching(text: str, viewer: Viewer) -> Select[int]:
    wanted = text.strip().lower()
    squeezed = wanted.replace(" ", "").upper()
    query = (
        select(Application.id)
        .join(User, User.id == Application.person_id)
        .outerjoin(Business, Business.id == Application.business_id)
        .where(
            # autoescape: a % or _ typed in the search matches itself, not any characters.
            or_(
                func.lower(User.name).contains(wanted, autoescape=True),
                func.lower(User.email).contains(wanted, autoescape=True),
                func.lower(Application.business_name).contains(wanted, autoescape=True),
                # A business others share never finds an erased person (their own answers
                # were erased; the shared record is the others').
                and_(~User.erased(), func.lower(Business.name).contains(wanted, autoescape=True)),
                func.replace(func.upper(Application.postcode), " ", "").contains(
                    squeezed, autoescape=True
                ),
                func.upper(Application.reference).contains(wanted.upper(), autoescape=True),
            )
        )
    )
    if viewer.contractor_ids is not None:
        query = query.where(
            Application.id.in_(
                select(Place.application_id).where(
                    Place.id.in_(places_in_scope(viewer.contractor_ids))
                )
            )
        )
    return query


def search_people(
    session: Session, text: str, viewer: Viewer, *, page: int = 1
) -> ResultsPage[Found]:
    """Applications whose person or business matches ``text`` (see the module docstring),
    within the viewer's scope. No side effects."""
    ids = _matching(text, viewer).subquery()
    total = session.scalar(select(func.count()).select_from(ids)) or 0
    page = within_pages(page, total, PER_PAGE)
    rows = session.execute(
        select(
            User.id,
            User.name,
            User.email,
            Application.business_id,
            case(
                (User.erased(), ERASED),
                else_=func.coalesce(Business.name, Application.business_name, ""),
            ),
            func.coalesce(Application.postcode, ""),
            Round.name,
            Application.reference,
            Application.status,
            Application.submitted_at,
        )
        .join(User, User.id == Application.person_id)
        .join(Round, Round.id == Application.round_id)
        .outerjoin(Business, Business.id == Application.business_id)
        .where(Application.id.in_(select(ids.c.id)))
        .order_by(Round.starts_on.desc(), func.lower(User.name), Application.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )
    found = [
        Found(
            person_id=row[0],
            name=row[1],
            email=row[2],
            business_id=row[3],
            business_name=row[4],
            postcode=row[5],
            round_name=row[6],
            reference=row[7],
            status=row[8],
            submitted_at=row[9],
        )
        for row in rows
    ]
    return ResultsPage(found, total, page, PER_PAGE)
