"""Every figure officers report, defined once, as docs/figures.md defines it.

No Flask here: each function takes a SQLAlchemy session, a round and an "as at" moment, and
aggregates in SQL, counting only what had happened by that moment. Figures that count people
count distinct people; "business supported" counts distinct businesses. The definitions are
quoted from figures.md in each docstring; where the data model needs an interpretation, the
docstring says which one is used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, distinct, func, select
from sqlalchemy.orm import Session

from portal.cohorts.models import (
    Attendance,
    Cohort,
    CohortSession,
    Place,
    PlaceStatus,
    SessionStatus,
    SessionTheme,
)
from portal.outcomes.figures_inputs import (
    OVERALL_SATISFACTION,
    WOULD_RECOMMEND,
    MeasureCounts,
    RecommendFigures,
    SatisfactionFigures,
    answer_counts,
    recommend_figures,
    satisfaction_figures,
)
from portal.registration.models import (
    Application,
    ApplicationIssue,
    ApplicationStatus,
    StatusChange,
)
from portal.rounds.models import Round
from portal.surveys.models import SurveyTiming
from portal.transaction_cache import within_transaction

LONDON = ZoneInfo("Europe/London")


def as_at_moment(day: dt.date) -> dt.datetime:
    """The end of ``day`` in London, in UTC: "as at 10 February 2022" includes that whole day."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=LONDON).astimezone(
        dt.UTC
    )


# People


def applicants(session: Session, round_id: int, as_at: dt.datetime) -> int:
    """**Applicant**: a person who submitted a registration of interest for the round."""
    return _count(
        select(func.count(distinct(Application.person_id))).where(
            Application.round_id == round_id,
            Application.submitted_at.is_not(None),
            Application.submitted_at < as_at,
        ),
        session,
    )


_SCREENING = (
    ApplicationStatus.ELIGIBLE,
    ApplicationStatus.INELIGIBLE,
    ApplicationStatus.NEEDS_REVIEW,
)


def eligible_applicants(session: Session, round_id: int, as_at: dt.datetime) -> int:
    """**Eligible applicant**: an applicant whose eligibility result is eligible, including
    officer overrides (which are recorded with their reason).

    As at a moment, the result is the latest screening status (eligible, ineligible or needs
    review) the application had reached by then; an override is such a status change too.
    """
    ranked = (
        select(
            StatusChange.application_id,
            StatusChange.status,
            func.row_number()
            .over(
                partition_by=StatusChange.application_id,
                order_by=(StatusChange.changed_at.desc(), StatusChange.id.desc()),
            )
            .label("rank"),
        )
        .join(Application, Application.id == StatusChange.application_id)
        .where(
            Application.round_id == round_id,
            StatusChange.status.in_(_SCREENING),
            StatusChange.changed_at < as_at,
        )
        .subquery()
    )
    return _count(
        select(func.count(distinct(Application.person_id)))
        .join(ranked, ranked.c.application_id == Application.id)
        .where(ranked.c.rank == 1, ranked.c.status == ApplicationStatus.ELIGIBLE),
        session,
    )


Scope = Collection[int] | None
"""Contractor ids to count (a contractor lead's own cohorts), or None for every cohort."""


def _in_scope(round_id: int, contractor_ids: Scope) -> list[ColumnElement[bool]]:
    """Conditions on ``Cohort`` that keep the round's cohorts within the scope."""
    conditions: list[ColumnElement[bool]] = [Cohort.round_id == round_id]
    if contractor_ids is not None:
        conditions.append(Cohort.contractor_id.in_(list(contractor_ids)))
    return conditions


def _held_sessions(
    round_id: int, as_at: dt.datetime, contractor_ids: Scope
) -> list[ColumnElement[bool]]:
    """Conditions on ``Cohort`` and ``CohortSession``: the scope's sessions held by ``as_at``."""
    return [
        *_in_scope(round_id, contractor_ids),
        CohortSession.status == SessionStatus.HELD,
        CohortSession.starts_at < as_at,
    ]


def attended_sessions_query(
    round_id: int, as_at: dt.datetime, contractor_ids: Scope = None
) -> Select[int, int, Decimal]:
    """(place, person, hours) for each attended session held by ``as_at``."""
    return (
        select(Place.id, Place.person_id, Attendance.hours)
        .join(Attendance, Attendance.place_id == Place.id)
        .join(CohortSession, CohortSession.id == Attendance.session_id)
        .join(Cohort, Cohort.id == Place.cohort_id)
        .where(
            *_held_sessions(round_id, as_at, contractor_ids),
            Place.accepted_at.is_not(None),
            Place.accepted_at < as_at,
            Attendance.hours > 0,
        )
    )


@dataclass(frozen=True)
class _AttendedPlace:
    """A place with at least one attended session held by the as-at moment."""

    place_id: int
    person_id: int
    application_id: int
    business_id: int | None
    # Left (status "left") with an end before the as-at moment.
    left: bool
    hours: Decimal


def _attended_places(
    session: Session, round_id: int, as_at: dt.datetime, contractor_ids: Scope = None
) -> tuple[_AttendedPlace, ...]:
    """Every place with attended hours, with its hours summed in SQL (one row per place).

    The people, hours and business figures all read this, so the dashboard runs the
    registers' join once per transaction (``within_transaction``), not once per figure.
    """
    scope = None if contractor_ids is None else frozenset(contractor_ids)

    def compute() -> tuple[_AttendedPlace, ...]:
        attended = attended_sessions_query(round_id, as_at, scope).subquery()
        rows = session.execute(
            select(
                Place.id,
                Place.person_id,
                Place.application_id,
                Application.business_id,
                Place.status,
                Place.ended_at,
                func.sum(attended.c.hours),
            )
            .join(attended, attended.c.id == Place.id)
            .join(Application, Application.id == Place.application_id)
            .group_by(
                Place.id,
                Place.person_id,
                Place.application_id,
                Application.business_id,
                Place.status,
                Place.ended_at,
            )
        )
        return tuple(
            _AttendedPlace(
                place_id,
                person_id,
                application_id,
                business_id,
                status == PlaceStatus.LEFT and ended_at is not None and ended_at < as_at,
                Decimal(hours),
            )
            for place_id, person_id, application_id, business_id, status, ended_at, hours in rows
        )

    return within_transaction(session, ("attended_places", round_id, as_at, scope), compute)


def placed(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> int:
    """**Placed**: an applicant who accepted a place in a cohort of the round."""
    return _count(
        select(func.count(distinct(Place.person_id)))
        .join(Cohort, Cohort.id == Place.cohort_id)
        .where(
            *_in_scope(round_id, contractor_ids),
            Place.accepted_at.is_not(None),
            Place.accepted_at < as_at,
        ),
        session,
    )


def participants(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> int:
    """**Participant** (the board's "participants"): a placed person who attended at least one
    session of their cohort. People who left before their first session are not participants.
    """
    return len(participant_ids(session, round_id, as_at, contractor_ids=contractor_ids))


def participant_ids(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> set[int]:
    """The people counted as participants (for drilling down to the records)."""
    return {place.person_id for place in _attended_places(session, round_id, as_at, contractor_ids)}


def group_hours_by_person(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> dict[int, Decimal]:
    """Each participant's group hours attended, from the registers."""
    scope = None if contractor_ids is None else frozenset(contractor_ids)

    def compute() -> dict[int, Decimal]:
        totals: dict[int, Decimal] = {}
        for place in _attended_places(session, round_id, as_at, scope):
            totals[place.person_id] = totals.get(place.person_id, Decimal(0)) + place.hours
        return totals

    key = ("hours_by_person", round_id, as_at, scope)
    return dict(within_transaction(session, key, compute))


def completer_ids(
    session: Session, programme_round: Round, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> set[int]:
    """The people counted as completers."""
    threshold = Decimal(programme_round.completion_threshold_hours)
    hours_by_person = group_hours_by_person(
        session, programme_round.id, as_at, contractor_ids=contractor_ids
    )
    return {person for person, total in hours_by_person.items() if total >= threshold}


def completers(
    session: Session, programme_round: Round, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> int:
    """**Completer**: a participant whose attended group hours reach the round's completion
    threshold (default 12 of the planned 18 hours). Group hours only: 1:1 hours do not count.
    """
    return len(completer_ids(session, programme_round, as_at, contractor_ids=contractor_ids))


def withdrawn_ids(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> set[int]:
    """The people counted as withdrawn."""
    return {
        place.person_id
        for place in _attended_places(session, round_id, as_at, contractor_ids)
        if place.left
    }


def withdrawn(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> int:
    """**Withdrawn**: a participant who left after their first session; still a participant."""
    return len(withdrawn_ids(session, round_id, as_at, contractor_ids=contractor_ids))


def businesses_supported(
    session: Session, programme_round: Round, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> int:
    """**Business supported**: a business (not a person) whose participants together received
    at least the round's support threshold in group hours attended plus 1:1 hours delivered
    (default 12 hours). Each business counts once per round, however many people took part.
    """
    return len(
        supported_business_ids(session, programme_round, as_at, contractor_ids=contractor_ids)
    )


def supported_business_ids(
    session: Session, programme_round: Round, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> set[int]:
    """The businesses counted as supported.

    A person's business is the business on the application their place came from. Group hours
    are the registers' attended hours; 1:1 hours are those ``portal.coaching.hours`` counts as
    delivered, for the same places. Applications with no business record are left out: they
    cannot be counted as a business.
    """
    from portal.coaching.hours import delivered_support

    threshold_minutes = Decimal(programme_round.business_supported_threshold_hours) * 60
    minutes_by_business: dict[int, Decimal] = {}
    for place in _attended_places(session, programme_round.id, as_at, contractor_ids):
        if place.business_id is not None:
            minutes_by_business[place.business_id] = (
                minutes_by_business.get(place.business_id, Decimal(0)) + place.hours * 60
            )
    support = delivered_support(
        session, round_id=programme_round.id, as_at=as_at, contractor_ids=contractor_ids
    )
    if support:
        place_business = dict(
            session.execute(
                select(Place.id, Application.business_id)
                .join(Application, Application.id == Place.application_id)
                .join(Cohort, Cohort.id == Place.cohort_id)
                .where(Cohort.round_id == programme_round.id, Application.business_id.is_not(None))
            ).all()
        )
        for item in support:
            business_id = place_business.get(item.place_id)
            if business_id is not None:
                minutes_by_business[business_id] = minutes_by_business.get(
                    business_id, Decimal(0)
                ) + Decimal(item.minutes)
    return {
        business
        for business, minutes in minutes_by_business.items()
        if minutes >= threshold_minutes
    }


# Cohorts and contractors


def _held_cohorts(round_id: int, as_at: dt.datetime, contractor_ids: Scope = None) -> Select[int]:
    return (
        select(Cohort.id)
        .distinct()
        .join(CohortSession, CohortSession.cohort_id == Cohort.id)
        .where(*_held_sessions(round_id, as_at, contractor_ids))
    )


def cohort_ids(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> set[int]:
    """The cohorts counted (those that have held at least one session)."""
    return set(session.scalars(_held_cohorts(round_id, as_at, contractor_ids)))


def cohorts(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> int:
    """**Cohort** (the board's "cohorts"): a cohort of the round that has held at least one
    session."""
    return _count(
        select(func.count()).select_from(_held_cohorts(round_id, as_at, contractor_ids).subquery()),
        session,
    )


def planned_cohort_ids(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> set[int]:
    """The cohorts formed but not yet started."""
    from portal.cohorts.models import CohortStatus, CohortStatusChange

    confirmed = select(CohortStatusChange.cohort_id).where(
        CohortStatusChange.status == CohortStatus.CONFIRMED, CohortStatusChange.changed_at < as_at
    )
    return set(
        session.scalars(
            select(Cohort.id).where(
                *_in_scope(round_id, contractor_ids),
                Cohort.id.in_(confirmed),
                Cohort.status != CohortStatus.CANCELLED,
                Cohort.id.not_in(_held_cohorts(round_id, as_at, contractor_ids)),
            )
        )
    )


def planned_cohorts(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> int:
    """Cohorts formed (confirmed, not cancelled) but not yet started, reported separately."""
    return len(planned_cohort_ids(session, round_id, as_at, contractor_ids=contractor_ids))


def contractors_delivering(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> int:
    """**Contractors delivering**: contractors with at least one counted cohort."""
    return _count(
        select(func.count(distinct(Cohort.contractor_id))).where(
            Cohort.id.in_(_held_cohorts(round_id, as_at, contractor_ids)),
            Cohort.contractor_id.is_not(None),
        ),
        session,
    )


# Hours


def held_sessions_query(
    round_id: int, as_at: dt.datetime, contractor_ids: Scope = None
) -> Select[int, dt.datetime, dt.datetime]:
    """(session, starts, ends) for each group session held by ``as_at``: what the group
    hours delivered sum, and what the dashboard's records list."""
    return (
        select(CohortSession.id, CohortSession.starts_at, CohortSession.ends_at)
        .join(Cohort, Cohort.id == CohortSession.cohort_id)
        .where(*_held_sessions(round_id, as_at, contractor_ids))
    )


def group_hours_delivered(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> Decimal:
    """**Group hours delivered**: the sum of the lengths of sessions held."""
    rows = session.execute(held_sessions_query(round_id, as_at, contractor_ids)).all()
    total = sum(((end - start).total_seconds() for _id, start, end in rows), 0.0)
    return Decimal(int(total)) / Decimal(3600)


def group_hours_attended(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> Decimal:
    """**Group hours attended**: the sum of each participant's attended hours from the
    registers."""
    places = _attended_places(session, round_id, as_at, contractor_ids)
    return sum((place.hours for place in places), Decimal(0))


def one_to_one_hours(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> Decimal:
    """**1:1 hours delivered**: actual minutes of bookings marked delivered, plus 1:1 support
    recorded outside the booking system, divided by 60. No-shows and cancellations count zero.

    ``portal.coaching.hours`` holds the definition of what counts; this is its total.
    """
    from portal.coaching.hours import delivered_support, hours_from_minutes

    support = delivered_support(
        session, round_id=round_id, as_at=as_at, contractor_ids=contractor_ids
    )
    return hours_from_minutes(sum(item.minutes for item in support))


# Issues


@dataclass(frozen=True)
class IssueCoverage:
    issue_code: str
    named_by_participants: int
    sessions_discussed: int


def issues_covered(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> list[IssueCoverage]:
    """**Issues covered**: for each issue, the number of participants who named it when
    applying, and the number of sessions in which the facilitator recorded it as discussed."""
    attended_applications = {
        place.application_id for place in _attended_places(session, round_id, as_at, contractor_ids)
    }
    people_naming: dict[str, set[int]] = {}
    for application_id, person_id, issue_code in session.execute(
        select(ApplicationIssue.application_id, Application.person_id, ApplicationIssue.issue_code)
        .join(Application, Application.id == ApplicationIssue.application_id)
        .where(Application.round_id == round_id)
    ):
        if application_id in attended_applications:
            people_naming.setdefault(issue_code, set()).add(person_id)
    named = {code: len(people) for code, people in people_naming.items()}
    held = held_sessions_query(round_id, as_at, contractor_ids).subquery()
    discussed = dict(
        session.execute(
            select(SessionTheme.issue_code, func.count(distinct(SessionTheme.session_id)))
            .where(SessionTheme.session_id.in_(select(held.c.id)))
            .group_by(SessionTheme.issue_code)
        ).all()
    )
    codes = sorted(set(named) | set(discussed))
    return [
        IssueCoverage(code, int(named.get(code, 0)), int(discussed.get(code, 0))) for code in codes
    ]


# Satisfaction and other answers


def satisfaction(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> SatisfactionFigures:
    """**Satisfaction rating** = (fairly satisfied + very satisfied) ÷ respondents;
    **very satisfied** = very satisfied ÷ respondents; **response rate** = respondents ÷
    participants invited to the exit survey.

    Respondents are participants who answered the exit survey's ``overall_satisfaction``
    question; non-respondents and skipped answers are outside the denominator.
    ``portal.outcomes.figures_inputs`` says exactly which answers count.
    """
    counts = answer_counts(
        session, as_at=as_at, round_ids=[round_id], contractor_ids=contractor_ids
    )
    return satisfaction_figures(counts[0] if counts else _no_answers(round_id, as_at))


def would_recommend(
    session: Session, round_id: int, as_at: dt.datetime, *, contractor_ids: Scope = None
) -> RecommendFigures:
    """**Would recommend** (0-10): NPS = % answering 9-10 minus % answering 0-6, of those
    answering the exit survey's ``would_recommend`` question."""
    counts = answer_counts(
        session,
        as_at=as_at,
        measure_code=WOULD_RECOMMEND,
        round_ids=[round_id],
        contractor_ids=contractor_ids,
    )
    return recommend_figures(counts[0] if counts else _no_answers(round_id, as_at, WOULD_RECOMMEND))


def _no_answers(
    round_id: int, as_at: dt.datetime, measure_code: str = OVERALL_SATISFACTION
) -> MeasureCounts:
    return MeasureCounts(round_id, SurveyTiming.EXIT, measure_code, as_at, {}, 0, 0)


def _count(query: Select[int], session: Session) -> int:
    return int(session.scalar(query) or 0)


# Money


@dataclass(frozen=True)
class RoundCost:
    pence: int
    # "recorded spend" when spend has been entered for the round, otherwise "grant".
    basis: str


def round_cost(session: Session, programme_round: Round, as_at: dt.datetime) -> RoundCost:
    """**Round cost**: the recorded spend on the round where it has been entered, otherwise
    the grant awarded; the report says which one it used. As at a date, only spend recorded
    on or before that date counts.

    Spend to date is entered per contractor, each entry with the day it was recorded; an
    entry replaced later is kept (``SupersededSpend``). As at a moment, each contractor's
    spend is the latest entry recorded by then, and the round's recorded spend is their
    total, used as soon as any contractor had spend recorded. Spend with no recorded day
    cannot be placed in time, so it is not counted.
    """
    from portal.outcomes.models import ContractorContract, SupersededSpend

    last_day = last_day_counted(as_at)
    contracts = select(ContractorContract.id).where(
        ContractorContract.round_id == programme_round.id
    )
    # (contract, day recorded, order within the day, spend): the current entries come after
    # every superseded one.
    entries = [
        *session.execute(
            select(
                SupersededSpend.contract_id,
                SupersededSpend.spend_recorded_on,
                SupersededSpend.id,
                SupersededSpend.spend_to_date_pence,
            ).where(
                SupersededSpend.contract_id.in_(contracts),
                SupersededSpend.spend_recorded_on <= last_day,
            )
        ),
        *(
            (contract_id, day, None, pence)
            for contract_id, day, pence in session.execute(
                select(
                    ContractorContract.id,
                    ContractorContract.spend_recorded_on,
                    ContractorContract.spend_to_date_pence,
                ).where(
                    ContractorContract.round_id == programme_round.id,
                    ContractorContract.spend_recorded_on <= last_day,
                )
            )
        ),
    ]
    latest: dict[int, tuple[dt.date, float, int | None]] = {}
    for contract_id, day, order, pence in entries:
        key = (day, float("inf") if order is None else order)
        if contract_id not in latest or key > latest[contract_id][:2]:
            latest[contract_id] = (*key, pence)
    spent = [pence for _day, _order, pence in latest.values() if pence is not None]
    if spent:
        return RoundCost(sum(spent), "recorded spend")
    return RoundCost(programme_round.grant_pence, "grant")


def last_day_counted(as_at: dt.datetime) -> dt.date:
    """The last London day whose records count as at ``as_at``: the chosen day for
    ``as_at_moment(day)``, today for the present moment."""
    return (as_at.astimezone(LONDON) - dt.timedelta(microseconds=1)).date()


def still_running(programme_round: Round, as_at: dt.datetime) -> bool:
    """Figures of a round still running are marked as such wherever they appear.

    A round is still running as at a moment before the end of its last day (its end date in
    London): its cohorts and costs can still change, so its cost per cohort is not final.
    """
    return as_at < as_at_moment(programme_round.ends_on)


def cost_per(cost_pence: int, count: int) -> Decimal | None:
    """**Cost per cohort** = round cost ÷ cohorts; **cost per participant** = round cost ÷
    participants. In pence, exact; None when there is nothing to divide by."""
    return None if count == 0 else Decimal(cost_pence) / Decimal(count)


@dataclass(frozen=True)
class Projection:
    cohorts_planned: int
    total_cost_pence: int
    total_cohorts: int
    cost_per_cohort_pence: Decimal | None
    projected_pence: Decimal | None


def projection(cohorts_planned: int, costs_and_cohorts: list[tuple[int, int]]) -> Projection:
    """**Projection** for N cohorts over chosen rounds = N x (sum of those rounds' costs ÷ sum
    of their cohorts). For Rounds 1 and 2: 15 x (£822,000 ÷ 54) = 15 x £15,222 = £228,333.

    ``costs_and_cohorts`` holds (round cost in pence, cohorts) for each chosen round.
    """
    total_cost = sum(cost for cost, _ in costs_and_cohorts)
    total_cohorts = sum(count for _, count in costs_and_cohorts)
    per = cost_per(total_cost, total_cohorts)
    return Projection(
        cohorts_planned,
        total_cost,
        total_cohorts,
        per,
        None if per is None else per * cohorts_planned,
    )
