"""A round's figures gathered for the dashboard, the exports and the board report.

No Flask, and no definitions of its own: every number comes from ``portal.outcomes.figures``.
``round_summary`` collects them for one round as at a moment, optionally limited to some
contractors' cohorts (a contractor lead's view). ``breakdown`` splits the people figures by
contractor, sector, district, ownership profile or cohort basis; the small-number rule is
applied where the numbers are shown (``portal.presentation.suppress``), not here.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.auth.models import Contractor
from portal.cohorts.models import Cohort, CohortBasis, Place
from portal.outcomes import figures
from portal.outcomes.figures_inputs import latest_answers
from portal.presentation import Percentage, percentage
from portal.reference.models import ReferenceItem, ReferenceKind
from portal.registration.models import Application, FactAnswer, OwnershipAnswer
from portal.rounds.models import Round
from portal.surveys.models import Satisfaction
from portal.transaction_cache import within_transaction


@dataclass(frozen=True)
class RoundSummary:
    """Every figure in figures.md for one round, as at a moment."""

    round_id: int
    round_name: str
    year_label: str
    as_at: dt.datetime
    # Limited to these contractors' cohorts, or None for the whole round.
    contractor_ids: frozenset[int] | None
    applicants: int
    eligible_applicants: int
    placed: int
    participants: int
    completers: int
    withdrawn: int
    businesses_supported: int
    cohorts: int
    planned_cohorts: int
    contractors_delivering: int
    group_hours_delivered: Decimal
    group_hours_attended: Decimal
    one_to_one_hours: Decimal
    satisfaction: figures.SatisfactionFigures
    recommend: figures.RecommendFigures
    issues: list[figures.IssueCoverage]
    grant_pence: int
    cost: figures.RoundCost
    completion_threshold_hours: int
    support_threshold_hours: int
    # The round had not ended by the as-at moment: its cohorts and cost are not final.
    still_running: bool = False

    @property
    def satisfaction_rating(self) -> Percentage:
        return percentage(self.satisfaction.satisfied, self.satisfaction.respondents)

    @property
    def very_satisfied(self) -> Percentage:
        return percentage(self.satisfaction.very_satisfied, self.satisfaction.respondents)

    @property
    def response_rate(self) -> Percentage:
        return percentage(
            min(self.satisfaction.respondents, self.satisfaction.invited),
            self.satisfaction.invited,
        )

    @property
    def completion_rate(self) -> Percentage:
        return percentage(self.completers, self.participants)

    @property
    def cost_per_cohort_pence(self) -> Decimal | None:
        return figures.cost_per(self.cost.pence, self.cohorts)

    @property
    def cost_per_participant_pence(self) -> Decimal | None:
        return figures.cost_per(self.cost.pence, self.participants)


def round_summary(
    session: Session,
    programme_round: Round,
    as_at: dt.datetime,
    *,
    contractor_ids: Collection[int] | None = None,
) -> RoundSummary:
    """All of ``programme_round``'s figures as at ``as_at`` (UTC)."""
    scope = None if contractor_ids is None else frozenset(contractor_ids)
    round_id = programme_round.id
    whole_round = scope is None
    return RoundSummary(
        round_id=round_id,
        round_name=programme_round.name,
        year_label=programme_round.year_label,
        as_at=as_at,
        contractor_ids=scope,
        # Applications belong to no contractor until placed: a contractor's view leaves
        # the applicant counts out (0) rather than showing the whole round's.
        applicants=figures.applicants(session, round_id, as_at) if whole_round else 0,
        eligible_applicants=(
            figures.eligible_applicants(session, round_id, as_at) if whole_round else 0
        ),
        placed=figures.placed(session, round_id, as_at, contractor_ids=scope),
        participants=figures.participants(session, round_id, as_at, contractor_ids=scope),
        completers=figures.completers(session, programme_round, as_at, contractor_ids=scope),
        withdrawn=figures.withdrawn(session, round_id, as_at, contractor_ids=scope),
        businesses_supported=figures.businesses_supported(
            session, programme_round, as_at, contractor_ids=scope
        ),
        cohorts=figures.cohorts(session, round_id, as_at, contractor_ids=scope),
        planned_cohorts=figures.planned_cohorts(session, round_id, as_at, contractor_ids=scope),
        contractors_delivering=figures.contractors_delivering(
            session, round_id, as_at, contractor_ids=scope
        ),
        group_hours_delivered=figures.group_hours_delivered(
            session, round_id, as_at, contractor_ids=scope
        ),
        group_hours_attended=figures.group_hours_attended(
            session, round_id, as_at, contractor_ids=scope
        ),
        one_to_one_hours=figures.one_to_one_hours(session, round_id, as_at, contractor_ids=scope),
        satisfaction=figures.satisfaction(session, round_id, as_at, contractor_ids=scope),
        recommend=figures.would_recommend(session, round_id, as_at, contractor_ids=scope),
        issues=figures.issues_covered(session, round_id, as_at, contractor_ids=scope),
        grant_pence=programme_round.grant_pence,
        cost=figures.round_cost(session, programme_round, as_at),
        completion_threshold_hours=programme_round.completion_threshold_hours,
        support_threshold_hours=programme_round.business_supported_threshold_hours,
        still_running=figures.still_running(programme_round, as_at),
    )


# Breakdowns


class Dimension(enum.StrEnum):
    CONTRACTOR = "contractor"
    SECTOR = "sector"
    DISTRICT = "district"
    OWNERSHIP = "ownership"
    BASIS = "basis"

    @property
    def label(self) -> str:
        return {
            "contractor": "Contractor",
            "sector": "Sector",
            "district": "District",
            "ownership": "Ownership profile",
            "basis": "Cohort basis",
        }[self.value]

    @property
    def one_per_person(self) -> bool:
        """False where a person can fall in more than one row (ownership profile)."""
        return self is not Dimension.OWNERSHIP


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    participants: int
    completers: int
    respondents: int
    satisfied: int
    very_satisfied: int

    @property
    def satisfaction_rating(self) -> Percentage:
        return percentage(self.satisfied, self.respondents)

    @property
    def very_satisfied_rate(self) -> Percentage:
        return percentage(self.very_satisfied, self.respondents)


NOT_RECORDED = ("", "Not recorded")


def breakdown(
    session: Session,
    programme_round: Round,
    as_at: dt.datetime,
    dimension: Dimension,
    *,
    contractor_ids: Collection[int] | None = None,
) -> list[BreakdownRow]:
    """Participants, completers and satisfaction split by ``dimension``, largest first.

    Each participant is placed by their place in the round (their cohort's contractor and
    basis) and the application it came from (sector, district, ownership profile). For the
    ownership profile a person is counted under every fact they answered yes to, so the rows
    can add up to more than the total; people who answered no to all are "None of these".
    """
    round_id = programme_round.id
    people = figures.participant_ids(session, round_id, as_at, contractor_ids=contractor_ids)
    finishing = figures.completer_ids(
        session, programme_round, as_at, contractor_ids=contractor_ids
    )
    answers = {
        person: values
        for (_round, person), values in latest_answers(
            session, as_at=as_at, round_ids=[round_id], contractor_ids=contractor_ids
        ).items()
    }
    groups = _groups(session, round_id, people, dimension)
    rows: list[BreakdownRow] = []
    for (key, label), members in groups.items():
        answered = [answers[p] for p in members if p in answers]
        very = sum(1 for values in answered if Satisfaction.VERY_SATISFIED.value in values)
        fairly = sum(1 for values in answered if Satisfaction.FAIRLY_SATISFIED.value in values)
        rows.append(
            BreakdownRow(
                key=key,
                label=label,
                participants=len(members),
                completers=len(members & finishing),
                respondents=len(answered),
                satisfied=very + fairly,
                very_satisfied=very,
            )
        )
    rows.sort(key=lambda row: (-row.participants, row.label))
    return rows


def _places(session: Session, round_id: int) -> list[Any]:
    """(person, accepted at, contractor, basis, application, sector, district) for every
    accepted place in the round, in the order they were accepted."""
    return list(
        session.execute(
            select(
                Place.person_id,
                Place.accepted_at,
                Cohort.contractor_id,
                Cohort.basis,
                Application.id,
                Application.sector_code,
                Application.district_code,
            )
            .join(Cohort, Cohort.id == Place.cohort_id)
            .join(Application, Application.id == Place.application_id)
            .where(Cohort.round_id == round_id, Place.accepted_at.is_not(None))
            .order_by(Place.accepted_at)
        ).all()
    )


def _groups(
    session: Session, round_id: int, people: set[int], dimension: Dimension
) -> dict[tuple[str, str], set[int]]:
    """(key, label) -> the participants in it."""
    if not people:
        return {}
    # Each participant's place in the round: the one accepted last if they had two. The
    # places are read once per transaction: the dashboard asks for every dimension.
    rows = within_transaction(
        session, ("breakdown_places", round_id), lambda: _places(session, round_id)
    )
    latest = {row[0]: row for row in rows if row[0] in people}
    groups: dict[tuple[str, str], set[int]] = {}

    def add(key: str | None, label: str | None, person: int) -> None:
        slot = (key, label or key) if key else NOT_RECORDED
        groups.setdefault((slot[0], slot[1] or ""), set()).add(person)

    if dimension is Dimension.CONTRACTOR:
        names = dict(session.execute(select(Contractor.id, Contractor.name)).all())
        for person, row in latest.items():
            contractor = row[2]
            add(None if contractor is None else str(contractor), names.get(contractor), person)
    elif dimension is Dimension.BASIS:
        for person, row in latest.items():
            basis = CohortBasis(row[3])
            add(basis.value, basis.label, person)
    elif dimension in (Dimension.SECTOR, Dimension.DISTRICT):
        kind = ReferenceKind.SECTOR if dimension is Dimension.SECTOR else ReferenceKind.DISTRICT
        labels = _labels(session, kind)
        column = 5 if dimension is Dimension.SECTOR else 6
        for person, row in latest.items():
            code = row[column]
            add(code, labels.get(code or "", code), person)
    else:
        labels = _labels(session, ReferenceKind.OWNERSHIP_FACT)
        application_person = {row[4]: person for person, row in latest.items()}
        yes: dict[int, set[str]] = {}
        # The round's "yes" answers, kept for the participants' applications (a join, not a
        # list of thousands of ids).
        for application_id, fact in session.execute(
            select(OwnershipAnswer.application_id, OwnershipAnswer.fact_code)
            .join(Application, Application.id == OwnershipAnswer.application_id)
            .where(Application.round_id == round_id, OwnershipAnswer.answer == FactAnswer.YES)
        ):
            if application_id in application_person:
                yes.setdefault(application_person[application_id], set()).add(fact)
        for person in latest:
            facts = yes.get(person)
            if not facts:
                groups.setdefault(("none", "None of these"), set()).add(person)
            for fact in sorted(facts or ()):
                add(fact, labels.get(fact, fact), person)
    return groups


def _labels(session: Session, kind: ReferenceKind) -> dict[str, str]:
    return dict(
        session.execute(
            select(ReferenceItem.code, ReferenceItem.label).where(ReferenceItem.kind == kind)
        ).all()
    )
