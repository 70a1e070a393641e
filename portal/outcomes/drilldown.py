"""The records behind each dashboard figure, and the dashboard's other tables.

No Flask and no definitions of its own: every list starts from the ids that
``portal.outcomes.figures`` counts (``participant_ids``, ``completer_ids`` ...), so a
drill-down always lists exactly the records behind the number it came from. Each function
makes a fixed number of queries, however many records there are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from portal.auth.models import ERASED, Contractor, User
from portal.coaching.hours import delivered_support, hours_from_minutes
from portal.cohorts.models import Cohort, CohortBasis, CohortSession, Place
from portal.outcomes import figures
from portal.outcomes.figures_inputs import OVERALL_SATISFACTION, latest_answers
from portal.reference.models import ReferenceItem, ReferenceKind
from portal.registration.models import Application, Business
from portal.rounds.models import Round
from portal.surveys.models import Satisfaction
from portal.timefmt import govuk_date, govuk_datetime

Scope = Collection[int] | None
Value = str | int | Decimal | None
# Which cells of a row name a person or a business: column -> ("person" or "business", id),
# for staff pages to link to the person's or business's page.
RowLinks = dict[int, tuple[str, int]]


@dataclass(frozen=True)
class Records:
    """A drill-down: a titled table of records, as shown and as exported."""

    figure: str
    title: str
    description: str
    header: list[str]
    rows: list[list[Value]]
    # Columns holding numbers (right-aligned on screen).
    numeric: frozenset[int] = frozenset()
    # One per row when the rows name people or businesses (empty otherwise).
    links: tuple[RowLinks, ...] = ()


@dataclass(frozen=True)
class Figure:
    slug: str
    title: str
    description: str
    build: Callable[[Session, Round, dt.datetime, Scope], Records]


# The people behind a figure


PlaceFacts = tuple[str, str, str, str, str, str, int | None]
NO_PLACE: PlaceFacts = ("", "", "", "", "", "", None)


def _places(session: Session, round_id: int, scope: Scope) -> dict[int, PlaceFacts]:
    """person -> (name, business, cohort, contractor, left on, reason, business id) of their
    place in the round: the one accepted last, as ``summary.breakdown`` places people."""
    query = (
        select(
            Place.person_id,
            Business.id,
            User.name,
            # An erased person's business is not named against them, even one that others
            # from the same business still share.
            case(
                (User.erased(), ERASED),
                else_=func.coalesce(Business.name, Application.business_name, ""),
            ),
            Cohort.name,
            func.coalesce(Contractor.name, ""),
            Place.ended_at,
            Place.end_reason,
        )
        .join(User, User.id == Place.person_id)
        .join(Cohort, Cohort.id == Place.cohort_id)
        .join(Application, Application.id == Place.application_id)
        .outerjoin(Business, Business.id == Application.business_id)
        .outerjoin(Contractor, Contractor.id == Cohort.contractor_id)
        .where(Cohort.round_id == round_id, Place.accepted_at.is_not(None))
        .order_by(Place.accepted_at, Place.id)
    )
    if scope is not None:
        query = query.where(Cohort.contractor_id.in_(list(scope)))
    found: dict[int, PlaceFacts] = {}
    for row in session.execute(query):
        person, business_id, name, business, cohort, contractor, ended_at, reason = row
        left = govuk_date(ended_at) if ended_at else ""
        found[person] = (name, business, cohort, contractor, left, reason or "", business_id)
    return found


def _person_links(person: int, business_id: int | None) -> RowLinks:
    links: RowLinks = {0: ("person", person)}
    if business_id is not None:
        links[1] = ("business", business_id)
    return links


def _one_to_one_minutes_by_person(
    session: Session, round_id: int, as_at: dt.datetime, scope: Scope
) -> dict[int, int]:
    minutes: dict[int, int] = {}
    for item in delivered_support(session, round_id=round_id, as_at=as_at, contractor_ids=scope):
        minutes[item.participant_id] = minutes.get(item.participant_id, 0) + item.minutes
    return minutes


def _people(
    session: Session,
    programme_round: Round,
    as_at: dt.datetime,
    scope: Scope,
    ids: set[int],
    *,
    with_leaving: bool = False,
) -> tuple[list[str], list[list[Value]], tuple[RowLinks, ...]]:
    places = _places(session, programme_round.id, scope)
    group = figures.group_hours_by_person(session, programme_round.id, as_at, contractor_ids=scope)
    one_to_one = _one_to_one_minutes_by_person(session, programme_round.id, as_at, scope)
    header = ["Name", "Business", "Cohort", "Contractor", "Group hours attended", "1:1 hours"]
    if with_leaving:
        header += ["Left on", "Reason for leaving"]
    rows: list[tuple[list[Value], RowLinks]] = []
    for person in ids:
        name, business, cohort, contractor, left, reason, business_id = places.get(person, NO_PLACE)
        row: list[Value] = [
            name,
            business,
            cohort,
            contractor,
            group.get(person, Decimal(0)).quantize(Decimal("0.01")),
            hours_from_minutes(one_to_one.get(person, 0)),
        ]
        if with_leaving:
            row += [left, reason]
        rows.append((row, _person_links(person, business_id)))
    rows.sort(key=lambda pair: (str(pair[0][2]), str(pair[0][0]).casefold()))
    return header, [row for row, _links in rows], tuple(links for _row, links in rows)


def participants(
    session: Session, programme_round: Round, as_at: dt.datetime, scope: Scope
) -> Records:
    ids = figures.participant_ids(session, programme_round.id, as_at, contractor_ids=scope)
    header, rows, links = _people(session, programme_round, as_at, scope, ids)
    return Records(
        "participants",
        "Participants",
        FIGURES_TEXT["participants"],
        header,
        rows,
        frozenset({4, 5}),
        links,
    )


def completers(
    session: Session, programme_round: Round, as_at: dt.datetime, scope: Scope
) -> Records:
    ids = figures.completer_ids(session, programme_round, as_at, contractor_ids=scope)
    header, rows, links = _people(session, programme_round, as_at, scope, ids)
    return Records(
        "completers",
        "Completers",
        FIGURES_TEXT["completers"],
        header,
        rows,
        frozenset({4, 5}),
        links,
    )


def withdrawn(
    session: Session, programme_round: Round, as_at: dt.datetime, scope: Scope
) -> Records:
    ids = figures.withdrawn_ids(session, programme_round.id, as_at, contractor_ids=scope)
    header, rows, links = _people(session, programme_round, as_at, scope, ids, with_leaving=True)
    return Records(
        "withdrawn",
        "Withdrawn",
        FIGURES_TEXT["withdrawn"],
        header,
        rows,
        frozenset({4, 5}),
        links,
    )


def respondents(
    session: Session, programme_round: Round, as_at: dt.datetime, scope: Scope
) -> Records:
    answers = latest_answers(
        session,
        as_at=as_at,
        measure_code=OVERALL_SATISFACTION,
        round_ids=[programme_round.id],
        contractor_ids=scope,
    )
    places = _places(session, programme_round.id, scope)
    labels = {item.value: item.label for item in Satisfaction}
    rows: list[tuple[list[Value], RowLinks]] = []
    for (_round, person), values in answers.items():
        name, business, cohort, contractor, *_rest, business_id = places.get(person, NO_PLACE)
        answer = ", ".join(labels.get(value, value) for value in values)
        rows.append(
            ([name, business, cohort, contractor, answer], _person_links(person, business_id))
        )
    rows.sort(key=lambda pair: (str(pair[0][2]), str(pair[0][0]).casefold()))
    return Records(
        "respondents",
        "Respondents",
        FIGURES_TEXT["respondents"],
        ["Name", "Business", "Cohort", "Contractor", "Overall satisfaction"],
        [row for row, _links in rows],
        links=tuple(links for _row, links in rows),
    )


# Businesses, cohorts, sessions and support


def businesses_supported(
    session: Session, programme_round: Round, as_at: dt.datetime, scope: Scope
) -> Records:
    ids = figures.supported_business_ids(session, programme_round, as_at, contractor_ids=scope)
    people: dict[int, list[str]] = {}
    details: dict[int, tuple[str, str, str]] = {}
    query = (
        select(Business.id, Business.name, Business.company_number, Business.postcode, User.name)
        .join(Application, Application.business_id == Business.id)
        .join(Place, Place.application_id == Application.id)
        .join(Cohort, Cohort.id == Place.cohort_id)
        .join(User, User.id == Place.person_id)
        .where(Cohort.round_id == programme_round.id, Place.accepted_at.is_not(None))
    )
    if scope is not None:
        query = query.where(Cohort.contractor_id.in_(list(scope)))
    for business_id, name, number, postcode, person in session.execute(query):
        if business_id not in ids:
            continue
        details[business_id] = (name, number or "", postcode or "")
        if person not in people.setdefault(business_id, []):
            people[business_id].append(person)
    found: list[tuple[list[Value], int]] = [
        (
            [*details.get(business, ("", "", "")), ", ".join(sorted(people.get(business, [])))],
            business,
        )
        for business in ids
    ]
    found.sort(key=lambda pair: str(pair[0][0]).casefold())
    business_links: tuple[RowLinks, ...] = tuple({0: ("business", b)} for _row, b in found)
    return Records(
        "businesses-supported",
        "Businesses supported",
        FIGURES_TEXT["businesses-supported"],
        ["Business", "Company number", "Postcode", "People who took part"],
        [row for row, _business in found],
        links=business_links,
    )


def _cohort_rows(session: Session, ids: set[int]) -> list[list[Value]]:
    if not ids:
        return []
    query = (
        select(Cohort.id, Cohort.name, func.coalesce(Contractor.name, ""), Cohort.basis)
        .outerjoin(Contractor, Contractor.id == Cohort.contractor_id)
        .where(Cohort.id.in_(list(ids)))
    )
    rows: list[list[Value]] = [
        [name, contractor, CohortBasis(basis).label]
        for _id, name, contractor, basis in session.execute(query)
    ]
    rows.sort(key=lambda row: str(row[0]).casefold())
    return rows


def cohorts(session: Session, programme_round: Round, as_at: dt.datetime, scope: Scope) -> Records:
    ids = figures.cohort_ids(session, programme_round.id, as_at, contractor_ids=scope)
    return Records(
        "cohorts",
        "Cohorts",
        FIGURES_TEXT["cohorts"],
        ["Cohort", "Contractor", "Basis"],
        _cohort_rows(session, ids),
    )


def planned_cohorts(
    session: Session, programme_round: Round, as_at: dt.datetime, scope: Scope
) -> Records:
    ids = figures.planned_cohort_ids(session, programme_round.id, as_at, contractor_ids=scope)
    return Records(
        "planned-cohorts",
        "Planned cohorts",
        FIGURES_TEXT["planned-cohorts"],
        ["Cohort", "Contractor", "Basis"],
        _cohort_rows(session, ids),
    )


def sessions_held(
    session: Session, programme_round: Round, as_at: dt.datetime, scope: Scope
) -> Records:
    held = figures.held_sessions_query(programme_round.id, as_at, scope).subquery()
    query = (
        select(held.c.starts_at, held.c.ends_at, Cohort.name, func.coalesce(Contractor.name, ""))
        .join(
            CohortSession,
            CohortSession.id == held.c.id,
        )
        .join(Cohort, Cohort.id == CohortSession.cohort_id)
        .outerjoin(Contractor, Contractor.id == Cohort.contractor_id)
        .order_by(held.c.starts_at, held.c.id)
    )
    rows: list[list[Value]] = []
    for starts_at, ends_at, cohort, contractor in session.execute(query):
        seconds = int((ends_at - starts_at).total_seconds())
        length = (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))
        rows.append([govuk_datetime(starts_at), cohort, contractor, length])
    return Records(
        "sessions",
        "Sessions held",
        FIGURES_TEXT["sessions"],
        ["Started", "Cohort", "Contractor", "Length (hours)"],
        rows,
        frozenset({3}),
    )


def one_to_one_support(
    session: Session, programme_round: Round, as_at: dt.datetime, scope: Scope
) -> Records:
    support = delivered_support(
        session, round_id=programme_round.id, as_at=as_at, contractor_ids=scope
    )
    names = _names(session, {i.participant_id for i in support} | {i.coach_id for i in support})
    cohort_names = _cohort_names(session, {item.cohort_id for item in support})
    contractor_names = dict(session.execute(select(Contractor.id, Contractor.name)).all())
    rows: list[list[Value]] = [
        [
            names.get(item.participant_id, ""),
            cohort_names.get(item.cohort_id, ""),
            names.get(item.coach_id, ""),
            contractor_names.get(item.contractor_id, "") if item.contractor_id else "",
            "Booked session" if item.booking_id else "Recorded outside the booking system",
            item.minutes,
        ]
        for item in support
    ]
    rows.sort(key=lambda row: (str(row[1]), str(row[0]).casefold()))
    return Records(
        "one-to-one",
        "1:1 support delivered",
        FIGURES_TEXT["one-to-one"],
        ["Participant", "Cohort", "Coach", "Contractor", "Kind", "Minutes"],
        rows,
        frozenset({5}),
    )


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(list(ids)))).all())


def _cohort_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.execute(select(Cohort.id, Cohort.name).where(Cohort.id.in_(list(ids)))).all()
    )


FIGURES_TEXT = {
    "participants": "Placed people who attended at least one session of their cohort.",
    "completers": "Participants whose attended group hours reach the round's completion threshold.",
    "withdrawn": "Participants who left after their first session. They are still participants.",
    "respondents": "Participants who answered the exit survey's overall satisfaction question.",
    "businesses-supported": "Businesses whose participants together received at least the "
    "round's support threshold in group hours attended plus 1:1 hours delivered.",
    "cohorts": "Cohorts of the round that have held at least one session.",
    "planned-cohorts": "Cohorts formed but not yet started.",
    "sessions": "Group sessions held. Group hours delivered is the sum of their lengths.",
    "one-to-one": "Bookings marked delivered and 1:1 support recorded outside the booking "
    "system. No-shows and cancellations count zero.",
}

FIGURES: dict[str, Figure] = {
    figure.slug: figure
    for figure in [
        Figure("participants", "Participants", FIGURES_TEXT["participants"], participants),
        Figure("completers", "Completers", FIGURES_TEXT["completers"], completers),
        Figure("withdrawn", "Withdrawn", FIGURES_TEXT["withdrawn"], withdrawn),
        Figure("respondents", "Respondents", FIGURES_TEXT["respondents"], respondents),
        Figure(
            "businesses-supported",
            "Businesses supported",
            FIGURES_TEXT["businesses-supported"],
            businesses_supported,
        ),
        Figure("cohorts", "Cohorts", FIGURES_TEXT["cohorts"], cohorts),
        Figure(
            "planned-cohorts", "Planned cohorts", FIGURES_TEXT["planned-cohorts"], planned_cohorts
        ),
        Figure("sessions", "Sessions held", FIGURES_TEXT["sessions"], sessions_held),
        Figure(
            "one-to-one", "1:1 support delivered", FIGURES_TEXT["one-to-one"], one_to_one_support
        ),
    ]
}


def records(
    session: Session, programme_round: Round, as_at: dt.datetime, figure: str, scope: Scope
) -> Records:
    """The records behind ``figure`` (a key of ``FIGURES``)."""
    return FIGURES[figure].build(session, programme_round, as_at, scope)


# The dashboard's other tables


@dataclass(frozen=True)
class ContractorHours:
    contractor: str
    group_delivered: Decimal
    group_attended: Decimal
    one_to_one: Decimal


def hours_by_contractor(
    session: Session, programme_round: Round, as_at: dt.datetime, scope: Scope
) -> list[ContractorHours]:
    """Group hours delivered and attended, and 1:1 hours delivered, per contractor: the
    same records the round's hours figures sum, split by the cohort's contractor."""
    names = dict(session.execute(select(Contractor.id, Contractor.name)).all())
    delivered: dict[int | None, int] = {}
    held = figures.held_sessions_query(programme_round.id, as_at, scope).add_columns(
        Cohort.contractor_id
    )
    for _id, starts_at, ends_at, contractor in session.execute(held):
        seconds = int((ends_at - starts_at).total_seconds())
        delivered[contractor] = delivered.get(contractor, 0) + seconds
    attended: dict[int | None, Decimal] = {}
    registers = figures.attended_sessions_query(programme_round.id, as_at, scope).add_columns(
        Cohort.contractor_id
    )
    for _place, _person, hours, contractor in session.execute(registers):
        attended[contractor] = attended.get(contractor, Decimal(0)) + Decimal(hours)
    minutes: dict[int | None, int] = {}
    contractor_of_cohort = dict(
        session.execute(
            select(Cohort.id, Cohort.contractor_id).where(Cohort.round_id == programme_round.id)
        ).all()
    )
    for item in delivered_support(
        session, round_id=programme_round.id, as_at=as_at, contractor_ids=scope
    ):
        contractor = contractor_of_cohort.get(item.cohort_id, item.contractor_id)
        minutes[contractor] = minutes.get(contractor, 0) + item.minutes
    rows = [
        ContractorHours(
            names.get(contractor, "Not recorded") if contractor else "Not recorded",
            Decimal(delivered.get(contractor, 0)) / Decimal(3600),
            attended.get(contractor, Decimal(0)),
            hours_from_minutes(minutes.get(contractor, 0)),
        )
        for contractor in set(delivered) | set(attended) | set(minutes)
    ]
    rows.sort(key=lambda row: (-row.group_delivered, row.contractor))
    return rows


def issue_labels(session: Session) -> dict[str, str]:
    return dict(
        session.execute(
            select(ReferenceItem.code, ReferenceItem.label).where(
                ReferenceItem.kind == ReferenceKind.ISSUE
            )
        ).all()
    )


def default_round(session: Session) -> Round | None:
    """The latest round that has cohorts."""
    return session.scalars(
        select(Round)
        .where(Round.id.in_(select(Cohort.round_id)))
        .order_by(Round.starts_on.desc(), Round.id.desc())
        .limit(1)
    ).first()


def rounds_with_cohorts(session: Session) -> list[Round]:
    return list(
        session.scalars(
            select(Round)
            .where(Round.id.in_(select(Cohort.round_id)))
            .order_by(Round.starts_on, Round.id)
        )
    )


def all_rounds(session: Session) -> list[Round]:
    return list(session.scalars(select(Round).order_by(Round.starts_on.desc(), Round.id.desc())))
