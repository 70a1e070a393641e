"""Finding applications for officers: filters, search, sorting, pages and counts.

Read-only: nothing here changes data. The list page and the exports use the same
``applicants_query``, so a download holds exactly the applications the list shows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from portal.auth.models import User
from portal.paging import ResultsPage, within_pages
from portal.registration.models import (
    Application,
    ApplicationIssue,
    ApplicationOrganisation,
    ApplicationStatus,
    DeliveryPreference,
    FactAnswer,
    OwnershipAnswer,
)

PER_PAGE = 50
# Officers see applications once they are sent: a draft is still the person's own.
LISTED_STATUSES = tuple(status for status in ApplicationStatus if status != ApplicationStatus.DRAFT)
SORTS = ("submitted", "name", "business", "status")
_STATUS_ORDER = {status: position for position, status in enumerate(ApplicationStatus)}


@dataclass(frozen=True)
class ApplicantFilters:
    """What the officer chose on the list page. Empty values filter nothing."""

    status: ApplicationStatus | None = None
    district: str = ""
    sector: str = ""
    # An ownership fact code: applications that answered "yes" to it.
    ownership: str = ""
    organisation: str = ""
    issue: str = ""
    delivery: DeliveryPreference | None = None
    # Name, email address, business name or reference.
    search: str = ""
    sort: str = "submitted"
    descending: bool = True

    def used(self) -> list[str]:
        """The names of the filters in use (for the audit log: names, never values)."""
        return sorted(
            field.name
            for field in fields(self)
            if field.name not in {"sort", "descending"} and getattr(self, field.name)
        )


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _search(text: str) -> ColumnElement[bool]:
    pattern = f"%{_escaped(text.strip().lower())}%"
    return or_(
        func.lower(User.name).like(pattern, escape="\\"),
        User.email.like(pattern, escape="\\"),
        func.lower(Application.business_name).like(pattern, escape="\\"),
        func.lower(Application.reference).like(pattern, escape="\\"),
    )


def _order(filters: ApplicantFilters) -> list[ColumnElement[Any]]:
    status_order = case(
        *((Application.status == status, position) for status, position in _STATUS_ORDER.items()),
        else_=len(_STATUS_ORDER),
    )
    column: ColumnElement[Any] = {
        "submitted": Application.submitted_at,
        "name": func.lower(User.name),
        "business": func.lower(Application.business_name),
        "status": status_order,
    }.get(filters.sort, Application.submitted_at)  # type: ignore[assignment]
    ordered = column.desc() if filters.descending else column.asc()
    tie = Application.id.desc() if filters.descending else Application.id.asc()
    return [ordered.nulls_last(), tie]


def applicants_query(round_id: int, filters: ApplicantFilters) -> Select[Application, User]:
    """Sent applications in the round with their person, filtered and sorted."""
    query = (
        select(Application, User)
        .join(User, User.id == Application.person_id)
        .where(Application.round_id == round_id, Application.status.in_(LISTED_STATUSES))
    )
    if filters.status is not None:
        query = query.where(Application.status == filters.status)
    if filters.district:
        query = query.where(Application.district_code == filters.district)
    if filters.sector:
        query = query.where(Application.sector_code == filters.sector)
    if filters.delivery is not None:
        query = query.where(Application.delivery == filters.delivery)
    if filters.ownership:
        # An erased person's answers are kept for the figures only: no list finds them by one.
        query = query.where(
            ~User.erased(),
            Application.id.in_(
                select(OwnershipAnswer.application_id).where(
                    OwnershipAnswer.fact_code == filters.ownership,
                    OwnershipAnswer.answer == FactAnswer.YES,
                )
            ),
        )
    if filters.organisation:
        query = query.where(
            Application.id.in_(
                select(ApplicationOrganisation.application_id).where(
                    ApplicationOrganisation.organisation_code == filters.organisation
                )
            )
        )
    if filters.issue:
        query = query.where(
            Application.id.in_(
                select(ApplicationIssue.application_id).where(
                    ApplicationIssue.issue_code == filters.issue
                )
            )
        )
    if filters.search.strip():
        query = query.where(_search(filters.search))
    return query.order_by(*_order(filters))


def find_applicants(
    session: Session,
    round_id: int,
    filters: ApplicantFilters,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> ResultsPage[tuple[Application, User]]:
    """One page of the filtered list; a page past the end shows the last page."""
    query = applicants_query(round_id, filters)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page = within_pages(page, total, per_page)
    rows = session.execute(query.offset((page - 1) * per_page).limit(per_page)).all()
    return ResultsPage([(a, u) for a, u in rows], total, page, per_page)


def all_applicants(
    session: Session, round_id: int, filters: ApplicantFilters
) -> list[tuple[Application, User]]:
    """Every application the filters match, in the list's order (for exports)."""
    return list(session.execute(applicants_query(round_id, filters)))


def status_counts(session: Session, round_id: int) -> list[tuple[ApplicationStatus, int]]:
    """How many sent applications the round has in each status (zero included), in order."""
    found = dict(
        session.execute(
            select(Application.status, func.count())
            .where(Application.round_id == round_id, Application.status.in_(LISTED_STATUSES))
            .group_by(Application.status)
        ).all()
    )
    return [(status, int(found.get(status, 0))) for status in LISTED_STATUSES]


def people_by_id(session: Session, ids: set[int | None]) -> dict[int, User]:
    wanted = {person_id for person_id in ids if person_id is not None}
    if not wanted:
        return {}
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(wanted)))}


def application_reference(session: Session, application_id: int | None) -> str | None:
    if application_id is None:
        return None
    return session.scalar(select(Application.reference).where(Application.id == application_id))
