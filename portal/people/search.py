"""Searching people and businesses across every round: one box that matches a person's name
or email address, a business's name (as registered or as answered), a postcode (spaces and
case ignored) or an application's reference. One row per application, newest round first;
one statement a page (the page with the count of all matches)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, case, func, or_, select, union
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
    """The ids of the applications that match: a union of one scan per table (people,
    applications, businesses), each filtering its own rows before anything is joined, so a
    search at national size reads each table once instead of filtering their join."""
    wanted = text.strip().lower()
    squeezed = wanted.replace(" ", "").upper()

    def contains(column: ColumnElement[str], value: str) -> ColumnElement[bool]:
        # autoescape: a % or _ typed in the search matches itself, not any characters.
        return column.contains(value, autoescape=True)

    by_person = select(Application.id).where(
        Application.person_id.in_(
            select(User.id).where(
                or_(
                    contains(func.lower(User.name), wanted),
                    contains(func.lower(User.email), wanted),
                )
            )
        )
    )
    by_answers = select(Application.id).where(
        or_(
            contains(func.lower(Application.business_name), wanted),
            contains(func.replace(func.upper(Application.postcode), " ", ""), squeezed),
            contains(func.upper(Application.reference), wanted.upper()),
        )
    )
    # A business others share never finds an erased person (their own answers were erased;
    # the shared record is the others').
    by_business = (
        select(Application.id)
        .join(User, User.id == Application.person_id)
        .where(
            ~User.erased(),
            Application.business_id.in_(
                select(Business.id).where(contains(func.lower(Business.name), wanted))
            ),
        )
    )
    found = union(by_person, by_answers, by_business).subquery()
    query = select(found.c.id)
    if viewer.contractor_ids is not None:
        query = query.where(
            found.c.id.in_(
                select(Place.application_id).where(
                    Place.id.in_(places_in_scope(viewer.contractor_ids))
                )
            )
        )
    return query


def _page_query(ids: Subquery, page: int) -> Select[Any]:
    """One page of the matching applications, newest round first, each row with the count
    of all matches (a window count, so the page and the total are one statement)."""
    return (
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
            func.count().over(),
        )
        .join(User, User.id == Application.person_id)
        .join(Round, Round.id == Application.round_id)
        .outerjoin(Business, Business.id == Application.business_id)
        .where(Application.id.in_(select(ids.c.id)))
        .order_by(Round.starts_on.desc(), func.lower(User.name), Application.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )


def search_people(
    session: Session, text: str, viewer: Viewer, *, page: int = 1
) -> ResultsPage[Found]:
    """Applications whose person or business matches ``text`` (see the module docstring),
    within the viewer's scope. One statement (two for a page past the end, which shows the
    last page). No side effects."""
    ids = _matching(text, viewer).subquery()
    rows = session.execute(_page_query(ids, page)).all()
    total = rows[0][-1] if rows else 0
    if not rows and page > 1:  # past the end: count, then show the last page
        total = session.scalar(select(func.count()).select_from(ids)) or 0
        page = within_pages(page, total, PER_PAGE)
        rows = session.execute(_page_query(ids, page)).all() if total else []
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
