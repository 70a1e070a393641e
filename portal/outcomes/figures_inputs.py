"""What the outcome figures read from the surveys: answer counts per measure, per round.

``answer_counts`` is the one input the outcome-figures module aggregates for satisfaction,
"very satisfied", the response rate and would-recommend (figures.md). It reads and never
writes, and gives the same result for the same data and ``as_at`` however often it runs.

Exactly which answers it counts, for a measure code and a timing (exit by default):

- answers stored under that **measure code** (whatever the question's wording or version)
  with that **timing**;
- in responses that were **submitted** at or before ``as_at`` (online, or keyed in by an
  officer from paper or the phone: both are the person's answers). Responses still in
  progress, or submitted after ``as_at``, are not counted;
- grouped by the **round** of the invitation (the round of the cohort the place was in);
- **one answer per person per round**: if a person answered twice in one round (two places),
  only the answer submitted last (by ``as_at``) counts;
- a **skipped** (optional, unanswered) question has no answer row and is not counted, and
  neither is anyone who did not respond: both are outside the respondents, never counted
  as dissatisfied;
- for multiple-choice questions each chosen value is counted, so ``answers`` may add up to
  more than ``respondents``. Numbers (0-10) are counted by their whole-number text ("9").

``invited`` is the number of different people invited to that timing's survey in the
round, by invitations created at or before ``as_at`` (the response rate's denominator).

``satisfaction_figures`` and ``recommend_figures`` are pure arithmetic on those counts, with
percentages rounded half up to one decimal place (96.45 → 96.5), as figures.md asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from portal.cohorts.models import Cohort
from portal.presentation import percent
from portal.sql_hints import usually_true
from portal.surveys.models import (
    ResponseStatus,
    Satisfaction,
    SurveyAnswer,
    SurveyInvitation,
    SurveyResponse,
    SurveyTiming,
)
from portal.transaction_cache import within_transaction

OVERALL_SATISFACTION = "overall_satisfaction"
WOULD_RECOMMEND = "would_recommend"
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class MeasureCounts:
    """Counts behind one measure in one round, as at a moment."""

    round_id: int
    timing: SurveyTiming
    measure_code: str
    as_at: dt.datetime
    # Answer value -> how many respondents gave it.
    answers: Mapping[str, int]
    # People who answered the question (the denominator of satisfaction and NPS).
    respondents: int
    # People invited to the survey (the denominator of the response rate).
    invited: int


def latest_answers(
    session: Session,
    *,
    as_at: dt.datetime,
    measure_code: str = OVERALL_SATISFACTION,
    timing: SurveyTiming = SurveyTiming.EXIT,
    round_ids: Collection[int] | None = None,
    contractor_ids: Collection[int] | None = None,
) -> dict[tuple[int, int], list[str]]:
    """(round, person) -> the values of the answer that counts for that person (see the
    module docstring: the last one submitted by ``as_at``). People with no answer are left
    out. With ``contractor_ids``, only invitations for those contractors' cohorts count.

    Read once per transaction (``within_transaction``): the dashboard's summary and its five
    breakdowns all read the same answers. Treat the result as read-only."""
    key = (
        "latest_answers",
        as_at,
        measure_code,
        timing,
        None if round_ids is None else frozenset(round_ids),
        None if contractor_ids is None else frozenset(contractor_ids),
    )
    return within_transaction(
        session,
        key,
        lambda: _latest_answers(session, as_at, measure_code, timing, round_ids, contractor_ids),
    )


def _latest_answers(
    session: Session,
    as_at: dt.datetime,
    measure_code: str,
    timing: SurveyTiming,
    round_ids: Collection[int] | None,
    contractor_ids: Collection[int] | None,
) -> dict[tuple[int, int], list[str]]:
    answers = (
        select(
            SurveyInvitation.round_id,
            SurveyInvitation.person_id,
            SurveyResponse.submitted_at,
            SurveyResponse.id,
            SurveyAnswer.choice,
            SurveyAnswer.choices,
            SurveyAnswer.number,
        )
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .join(SurveyInvitation, SurveyInvitation.id == SurveyResponse.invitation_id)
        .where(
            SurveyAnswer.measure_code == measure_code,
            SurveyAnswer.timing == timing,
            SurveyResponse.status == ResponseStatus.SUBMITTED,
            usually_true(session, SurveyResponse.submitted_at <= as_at),
        )
    )
    if round_ids is not None:
        answers = answers.where(SurveyInvitation.round_id.in_(list(round_ids)))
    if contractor_ids is not None:
        answers = answers.where(SurveyInvitation.cohort_id.in_(_cohorts_of(contractor_ids)))
    latest: dict[tuple[int, int], tuple[dt.datetime, int, list[str]]] = {}
    for round_id, person_id, submitted_at, response_id, choice, choices, number in session.execute(
        answers
    ):
        values = _values(choice, choices, number)
        if not values:
            continue
        assert submitted_at is not None  # only submitted responses are read
        key = (round_id, person_id)
        if key not in latest or (submitted_at, response_id) > latest[key][:2]:
            latest[key] = (submitted_at, response_id, values)
    return {key: values for key, (_when, _id, values) in latest.items()}


def _cohorts_of(contractor_ids: Collection[int]) -> Select[int]:
    return select(Cohort.id).where(Cohort.contractor_id.in_(list(contractor_ids)))


def answer_counts(
    session: Session,
    *,
    as_at: dt.datetime,
    measure_code: str = OVERALL_SATISFACTION,
    timing: SurveyTiming = SurveyTiming.EXIT,
    round_ids: Collection[int] | None = None,
    contractor_ids: Collection[int] | None = None,
) -> list[MeasureCounts]:
    """Per round (ordered by round id): the answers to ``measure_code`` at ``timing`` as at
    ``as_at``, with respondents and invited (see the module docstring for exactly which
    answers). Rounds with invitations but no answers are included with zero counts. With
    ``contractor_ids``, only invitations for those contractors' cohorts count."""
    latest = latest_answers(
        session,
        as_at=as_at,
        measure_code=measure_code,
        timing=timing,
        round_ids=round_ids,
        contractor_ids=contractor_ids,
    )
    invited_by_round = within_transaction(
        session,
        (
            "invited",
            as_at,
            timing,
            None if round_ids is None else frozenset(round_ids),
            None if contractor_ids is None else frozenset(contractor_ids),
        ),
        lambda: _invited(session, as_at, timing, round_ids, contractor_ids),
    )
    tallies: dict[int, dict[str, int]] = {round_id: {} for round_id in invited_by_round}
    respondents: dict[int, int] = dict.fromkeys(invited_by_round, 0)
    for (round_id, _person_id), values in latest.items():
        tally = tallies.setdefault(round_id, {})
        respondents[round_id] = respondents.get(round_id, 0) + 1
        for value in values:
            tally[value] = tally.get(value, 0) + 1
    return [
        MeasureCounts(
            round_id=round_id,
            timing=timing,
            measure_code=measure_code,
            as_at=as_at,
            answers=dict(sorted(tallies[round_id].items())),
            respondents=respondents.get(round_id, 0),
            invited=int(invited_by_round.get(round_id, 0)),
        )
        for round_id in sorted(tallies)
    ]


def _invited(
    session: Session,
    as_at: dt.datetime,
    timing: SurveyTiming,
    round_ids: Collection[int] | None,
    contractor_ids: Collection[int] | None,
) -> dict[int, int]:
    """Round -> the different people invited to ``timing``'s survey by ``as_at``."""
    invited = (
        select(SurveyInvitation.round_id, func.count(SurveyInvitation.person_id.distinct()))
        .where(
            SurveyInvitation.timing == timing,
            usually_true(session, SurveyInvitation.created_at <= as_at),
        )
        .group_by(SurveyInvitation.round_id)
    )
    if round_ids is not None:
        invited = invited.where(SurveyInvitation.round_id.in_(list(round_ids)))
    if contractor_ids is not None:
        invited = invited.where(SurveyInvitation.cohort_id.in_(_cohorts_of(contractor_ids)))
    return {row[0]: row[1] for row in session.execute(invited)}


def _values(choice: str | None, choices: list[str] | None, number: Decimal | None) -> list[str]:
    if choices:
        return [str(value) for value in choices]
    if number is not None:
        return [str(int(Decimal(number)))]
    return [choice] if choice else []


@dataclass(frozen=True)
class SatisfactionFigures:
    respondents: int
    invited: int
    satisfied: int  # fairly or very satisfied
    very_satisfied: int
    satisfaction_rating: Decimal | None  # satisfied ÷ respondents, %
    very_satisfied_rate: Decimal | None  # very satisfied ÷ respondents, %
    response_rate: Decimal | None  # respondents ÷ invited, %


def satisfaction_figures(counts: MeasureCounts) -> SatisfactionFigures:
    """figures.md's satisfaction rating, "very satisfied" and response rate, from the
    overall-satisfaction counts of one round."""
    very = counts.answers.get(Satisfaction.VERY_SATISFIED.value, 0)
    satisfied = very + counts.answers.get(Satisfaction.FAIRLY_SATISFIED.value, 0)
    return SatisfactionFigures(
        respondents=counts.respondents,
        invited=counts.invited,
        satisfied=satisfied,
        very_satisfied=very,
        satisfaction_rating=percent(satisfied, counts.respondents),
        very_satisfied_rate=percent(very, counts.respondents),
        response_rate=percent(counts.respondents, counts.invited),
    )


@dataclass(frozen=True)
class RecommendFigures:
    respondents: int
    promoters: int  # 9 or 10
    detractors: int  # 0 to 6
    net_promoter_score: Decimal | None  # % promoters - % detractors


def recommend_figures(counts: MeasureCounts) -> RecommendFigures:
    """figures.md's would-recommend score (NPS) from the ``would_recommend`` counts."""
    promoters = sum(n for value, n in counts.answers.items() if value in {"9", "10"})
    detractors = sum(
        n for value, n in counts.answers.items() if value.isdigit() and int(value) <= 6
    )
    score = None
    if counts.respondents:
        score = (
            (Decimal(promoters) - Decimal(detractors)) * 100 / Decimal(counts.respondents)
        ).quantize(_TENTH, rounding=ROUND_HALF_UP)
    return RecommendFigures(counts.respondents, promoters, detractors, score)
