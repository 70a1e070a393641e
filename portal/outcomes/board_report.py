"""The board report in its own words: sentences, paragraphs and a table built from round
summaries.

Pure: no Flask and no database. Every number comes from ``RoundSummary`` (and through it from
``portal.outcomes.figures``); this module only words them, as figures.md says they are shown.
A ``BoardReport`` is plain data that survives a round trip through JSON, so an issued report
can be frozen (``portal.outcomes.snapshot``) and shown again exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from portal.outcomes import figures
from portal.outcomes.round_figures import RoundSummary
from portal.presentation import NOT_FINAL, STILL_RUNNING, Percentage, plural, pounds

DEFAULT_PROJECTED_COHORTS = 15
MAX_PROJECTED_COHORTS = 1_000


class CostBasis(enum.StrEnum):
    """Which cost a report uses for its money figures."""

    # figures.md's round cost: recorded spend where entered, otherwise the grant.
    RECORDED = "recorded"
    GRANT = "grant"

    @property
    def label(self) -> str:
        return {
            "recorded": "Recorded costs (spend where entered, otherwise the grant)",
            "grant": "Grants only",
        }[self.value]


def cost_for(summary: RoundSummary, basis: CostBasis) -> tuple[int, str]:
    """(cost in pence, what it is) of a round on ``basis``: 'grant' or 'recorded spend'."""
    if basis is CostBasis.GRANT:
        return summary.grant_pence, "grant"
    return summary.cost.pence, summary.cost.basis


def govuk_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def pence_text(value: Decimal | int | None) -> str:
    return "–" if value is None else pounds(value)


def projection_formula(projection: figures.Projection) -> str | None:
    """The projection's formula as the page shows it (for Rounds 1 and 2 of the board report,
    15 x (£822,000 / 54) = 15 x £15,222 = £228,333, with the real signs), or None when there
    are no cohorts to divide by."""
    if projection.cost_per_cohort_pence is None or projection.projected_pence is None:
        return None
    return (
        f"{projection.cohorts_planned:,} × ({pounds(projection.total_cost_pence)} ÷ "
        f"{projection.total_cohorts:,}) = {projection.cohorts_planned:,} × "
        f"{pounds(projection.cost_per_cohort_pence)} = {pounds(projection.projected_pence)}"
    )


def names_in_words(names: Sequence[str]) -> str:
    """'Round 1', 'Round 1 and Round 2', 'Round 1, Round 2 and Round 3'."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


@dataclass(frozen=True)
class RoundSection:
    """One round's part of the report."""

    round_id: int
    round_name: str
    year_label: str
    sentences: list[str]
    funding: str
    cost: str


@dataclass(frozen=True)
class ProjectionText:
    cohorts: int
    sentence: str
    formula: str | None


@dataclass(frozen=True)
class BoardReport:
    """Everything the report shows, as text: what an issued report freezes."""

    title: str
    area: str
    as_at: str  # ISO date
    as_at_text: str
    basis: str
    basis_sentence: str
    satisfaction_note: str
    rounds: list[RoundSection]
    table_header: list[str]
    table_rows: list[list[str]]
    projection: ProjectionText
    funding_paragraph: str = ""
    round_ids: list[int] = field(default_factory=list)

    @property
    def as_at_date(self) -> dt.date:
        return dt.date.fromisoformat(self.as_at)

    def all_sentences(self) -> list[str]:
        """Every sentence of the report, in order (the page, the document and the tests)."""
        found: list[str] = []
        for section in self.rounds:
            found += [*section.sentences, section.funding, section.cost]
        return [*found, self.projection.sentence, self.basis_sentence]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BoardReport:
        values = dict(data)
        values["rounds"] = [RoundSection(**section) for section in values["rounds"]]
        values["projection"] = ProjectionText(**values["projection"])
        return cls(**values)


def _headline(summary: RoundSummary, area: str, as_at_text: str) -> str:
    opening = (
        f"In {summary.year_label} Peer Networks was delivered to "
        f"{plural(summary.cohorts, 'cohort')} of businesses in {area} with "
        f"{plural(summary.participants, 'participant')}"
    )
    rating = summary.satisfaction_rating
    if rating.denominator == 0:
        return (
            f"{opening}; no one had answered the exit survey’s satisfaction question "
            f"by {as_at_text}."
        )
    return f"{opening} and a {rating.whole()} satisfaction rating (n = {rating.denominator:,})."


def _very_satisfied(summary: RoundSummary) -> str | None:
    very: Percentage = summary.very_satisfied
    if very.denominator == 0:
        return None
    return f"{very.whole()} of respondents were very satisfied (n = {very.denominator:,})."


def _funding(summary: RoundSummary, basis: CostBasis) -> str:
    grant = pounds(summary.grant_pence)
    sentence = f"{summary.round_name} ({summary.year_label}) was funded by a grant of {grant}."
    if basis is CostBasis.RECORDED and summary.cost.basis == "recorded spend":
        spend = summary.cost.pence
        if spend <= summary.grant_pence:
            return f"{sentence} Recorded spend is {pounds(spend)}, which the grant covers in full."
        over = pounds(spend - summary.grant_pence)
        return f"{sentence} Recorded spend is {pounds(spend)}, {over} more than the grant."
    return sentence


def _cost(summary: RoundSummary, basis: CostBasis) -> str:
    cost, used = cost_for(summary, basis)
    per_cohort = figures.cost_per(cost, summary.cohorts)
    per_participant = figures.cost_per(cost, summary.participants)
    if per_cohort is None:
        return (
            f"{summary.round_name} had no cohorts that had met by the report’s date, so it has "
            f"no cost per cohort yet (cost {pounds(cost)}, the {used})."
        )
    sentence = (
        f"Cost per cohort in {summary.round_name}: {pounds(per_cohort)} "
        f"({pounds(cost)} {used} ÷ {plural(summary.cohorts, 'cohort')})"
    )
    if per_participant is not None:
        sentence += f"; cost per participant: {pounds(per_participant)}"
    if summary.still_running:
        sentence += f". {STILL_RUNNING}"
    return sentence + "."


def _section(summary: RoundSummary, area: str, as_at_text: str, basis: CostBasis) -> RoundSection:
    sentences = [_headline(summary, area, as_at_text)]
    very = _very_satisfied(summary)
    if very:
        sentences.append(very)
    sentences.append(
        f"{plural(summary.contractors_delivering, 'contractor')} delivered the "
        f"{summary.year_label} programme."
    )
    if summary.planned_cohorts:
        sentences.append(
            f"A further {plural(summary.planned_cohorts, 'cohort')} had formed but not yet met."
        )
    if summary.still_running:
        sentences.append(
            f"{summary.round_name} was still running on {as_at_text}, so its figures are not final."
        )
    return RoundSection(
        round_id=summary.round_id,
        round_name=summary.round_name,
        year_label=summary.year_label,
        sentences=sentences,
        funding=_funding(summary, basis),
        cost=_cost(summary, basis),
    )


def _percent_cell(share: Percentage) -> str:
    return (
        "No responses"
        if share.denominator == 0
        else f"{share.in_table()} (n = {share.denominator:,})"
    )


def _per(cost: int, count: int, summary: RoundSummary) -> str:
    """A cost per cohort or participant cell, marked when the round is still running."""
    shown = pence_text(figures.cost_per(cost, count))
    return f"{shown} ({NOT_FINAL})" if summary.still_running else shown


def _table(
    summaries: Sequence[RoundSummary], basis: CostBasis
) -> tuple[list[str], list[list[str]]]:
    header = ["", *(f"{s.round_name} ({s.year_label})" for s in summaries)]
    costs = [cost_for(s, basis) for s in summaries]
    rows = [
        ["Cohorts", *(f"{s.cohorts:,}" for s in summaries)],
        ["Participants", *(f"{s.participants:,}" for s in summaries)],
        ["Satisfaction rating", *(_percent_cell(s.satisfaction_rating) for s in summaries)],
        ["Very satisfied", *(_percent_cell(s.very_satisfied) for s in summaries)],
        ["Contractors delivering", *(f"{s.contractors_delivering:,}" for s in summaries)],
        ["Grant", *(pounds(s.grant_pence) for s in summaries)],
        ["Cost used", *(f"{pounds(cost)} ({used})" for cost, used in costs)],
        [
            "Cost per cohort",
            *(_per(cost, s.cohorts, s) for (cost, _), s in zip(costs, summaries, strict=True)),
        ],
        [
            "Cost per participant",
            *(_per(cost, s.participants, s) for (cost, _), s in zip(costs, summaries, strict=True)),
        ],
    ]
    return header, rows


def projection_for(
    summaries: Sequence[RoundSummary], cohorts: int, basis: CostBasis
) -> figures.Projection:
    return figures.projection(cohorts, [(cost_for(s, basis)[0], s.cohorts) for s in summaries])


def _projection(
    summaries: Sequence[RoundSummary], cohorts: int, basis: CostBasis
) -> ProjectionText:
    projected = projection_for(summaries, cohorts, basis)
    formula = projection_formula(projected)
    over = names_in_words([s.round_name for s in summaries])
    if formula is None or projected.projected_pence is None:
        sentence = f"There is no projection: {over} had no cohorts that had met by then."
    else:
        sentence = (
            f"At the average cost per cohort of {over}, "
            f"{plural(cohorts, 'cohort')} would cost {pounds(projected.projected_pence)}."
        )
    return ProjectionText(cohorts=cohorts, sentence=sentence, formula=formula)


def _basis_sentence(summaries: Sequence[RoundSummary], basis: CostBasis, as_at_text: str) -> str:
    if basis is CostBasis.GRANT:
        used = "each round’s grant"
    else:
        each = "; ".join(f"{s.round_name}: {s.cost.basis}" for s in summaries)
        used = (
            f"each round’s recorded spend where it has been entered, otherwise its grant ({each})"
        )
    return (
        f"Figures are as at {as_at_text}. Money figures use {used}; money is shown in whole pounds."
    )


SATISFACTION_NOTE = (
    "The satisfaction rating is the share of respondents to the exit survey who were fairly "
    "or very satisfied; “very satisfied” is the share who were very satisfied. Respondents "
    "are participants who answered the question; n is their number."
)


def build_report(
    summaries: Sequence[RoundSummary],
    *,
    area: str,
    as_at: dt.date,
    basis: CostBasis = CostBasis.RECORDED,
    projected_cohorts: int = DEFAULT_PROJECTED_COHORTS,
) -> BoardReport:
    """The board report for these rounds (in the order given) as at ``as_at``."""
    if not summaries:
        raise ValueError("A board report needs at least one round")
    as_at_text = govuk_date(as_at)
    header, rows = _table(summaries, basis)
    names = names_in_words([s.round_name for s in summaries])
    sections = [_section(s, area, as_at_text, basis) for s in summaries]
    return BoardReport(
        title=f"Peer Networks board report: {names}",
        area=area,
        as_at=as_at.isoformat(),
        as_at_text=as_at_text,
        basis=basis.value,
        basis_sentence=_basis_sentence(summaries, basis, as_at_text),
        satisfaction_note=SATISFACTION_NOTE,
        rounds=sections,
        table_header=header,
        table_rows=rows,
        projection=_projection(summaries, projected_cohorts, basis),
        funding_paragraph=" ".join(section.funding for section in sections),
        round_ids=[s.round_id for s in summaries],
    )
