"""Searching people and businesses across every round: one box that matches a person's name
or email address, a business's name (as registered or as answered), a postcode (spaces and
case ignored) or an application's reference. One row per application, newest round first;
two statements a page (the matching ids, then the page)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select, union
from sqlalchemy.orm import Session

from portal.auth.models import ERASED, User
from portal.cohorts.models import Place
from portal.paging import ResultsPage, within_pages
from portal.people.scope import Viewer, places_in_scope
from portal.registration.models import Application, ApplicationStatus, Business
from portal.rounds.models import Round

PER_PAGE = 50
# More matches than this ask for more detail instead of a list (see search_people).
MOST = 1000
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


def _page_query(ids: list[int], page: int) -> Select[Any]:
    """One page of the applications ``ids``, newest round first, then by name."""
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
        )
        .join(User, User.id == Application.person_id)
        .join(Round, Round.id == Application.round_id)
        .outerjoin(Business, Business.id == Application.business_id)
        .where(Application.id.in_(ids))
        .order_by(Round.starts_on.desc(), func.lower(User.name), Application.id)
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    )


def search_people(
    session: Session, text: str, viewer: Viewer, *, page: int = 1
) -> ResultsPage[Found]:
    """Applications whose person or business matches ``text`` (see the module docstring),
    within the viewer's scope: two statements, the matching ids (at most ``MOST`` and one
    more) and the page. More than ``MOST`` matches give no rows and a total of ``MOST`` + 1:
    a list that long helps nobody, and sorting it would cost every officer's search at
    national size (the page asks for more detail instead). No side effects."""
    found = _matching(text, viewer).subquery()
    ids = list(session.scalars(select(found.c.id).limit(MOST + 1)))
    if len(ids) > MOST:
        return ResultsPage([], len(ids), 1, PER_PAGE)
    page = within_pages(page, len(ids), PER_PAGE)
    rows = session.execute(_page_query(ids, page)).all() if ids else []
    return ResultsPage(
        [
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
        ],
        len(ids),
        page,
        PER_PAGE,
    )
