"""The dashboard's tables, as shown on screen and as downloaded (CSV and XLSX).

Each table is built once, here, with the small-number rule applied for whoever will read it:
contractor leads on screen and every download see "fewer than 5" (published summaries);
officers on screen see the exact number marked unpublishable. The downloads go through
``portal.exports``, so no cell can run as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask import Response

from portal.exports import Cell as ExportCell
from portal.exports import csv_response, xlsx_response
from portal.outcomes.drilldown import ContractorHours, Records
from portal.outcomes.round_figures import BreakdownRow, Dimension, RoundSummary
from portal.presentation import (
    FEWER_THAN_5,
    NOT_FINAL,
    STILL_RUNNING,
    Percentage,
    hours,
    percentage,
    pounds,
    suppress,
    total_is_safe,
)


@dataclass(frozen=True)
class Shown:
    """One cell: the text on screen, the value in a download, and whether it is a number
    officers may see but nobody may publish."""

    text: str
    value: ExportCell
    numeric: bool = False
    unpublishable: bool = False
    # The drill-down this cell's figure links to, if any.
    figure: str | None = None


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Shown]]
    numeric_columns: frozenset[int] = field(default_factory=frozenset)
    notes: list[str] = field(default_factory=list)

    @property
    def has_unpublishable(self) -> bool:
        return any(cell.unpublishable for row in self.rows for cell in row)

    def export_rows(self) -> list[list[ExportCell]]:
        return [[cell.value for cell in row] for row in self.rows]


def text(value: str) -> Shown:
    return Shown(value, value)


def number(value: int, *, figure: str | None = None) -> Shown:
    return Shown(f"{value:,}", value, numeric=True, figure=figure)


def decimal_hours(value: Decimal) -> Shown:
    return Shown(hours(value), value.quantize(Decimal("0.1"), ROUND_HALF_UP), numeric=True)


# The summary


def nps_text(score: Decimal | None, respondents: int) -> str:
    if score is None:
        return "no responses (n = 0)"
    whole = score.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{whole:+} (n = {respondents:,})" if whole else f"0 (n = {respondents:,})"


def _share(value: Percentage, figure: str | None = None) -> Shown:
    """A percentage in the summary table: one decimal place, with the count behind it."""
    exact = value.rounded(1)
    if exact is None:
        return Shown(value.in_sentence(), "", figure=figure)
    return Shown(f"{value.in_table()} (n = {value.denominator:,})", f"{exact}%", figure=figure)


@dataclass(frozen=True)
class SummaryLine:
    label: str
    shown: Shown
    count_behind: int | None = None


def summary_sections(found: RoundSummary) -> list[tuple[str, list[SummaryLine]]]:
    """The summary's figures in sections, in figures.md's order."""
    cost_per_cohort = found.cost_per_cohort_pence
    cost_per_participant = found.cost_per_participant_pence
    people = []
    if found.contractor_ids is None:
        people += [
            SummaryLine("Applicants", number(found.applicants)),
            SummaryLine("Eligible applicants", number(found.eligible_applicants)),
        ]
    people += [
        SummaryLine("Placed", number(found.placed)),
        SummaryLine("Participants", number(found.participants, figure="participants")),
        SummaryLine("Completers", number(found.completers, figure="completers")),
        SummaryLine(
            "Completion rate",
            _share(found.completion_rate, "completers"),
            found.participants,
        ),
        SummaryLine("Withdrawn", number(found.withdrawn, figure="withdrawn")),
        SummaryLine(
            "Businesses supported",
            number(found.businesses_supported, figure="businesses-supported"),
        ),
    ]
    answers = [
        SummaryLine(
            "Satisfaction rating (fairly or very satisfied)",
            _share(found.satisfaction_rating, "respondents"),
            found.satisfaction.respondents,
        ),
        SummaryLine(
            "Very satisfied",
            _share(found.very_satisfied, "respondents"),
            found.satisfaction.respondents,
        ),
        SummaryLine("Respondents", number(found.satisfaction.respondents, figure="respondents")),
        SummaryLine(
            "Response rate", _share(found.response_rate, "respondents"), found.satisfaction.invited
        ),
        SummaryLine(
            "Would recommend (net promoter score)",
            Shown(
                nps_text(found.recommend.net_promoter_score, found.recommend.respondents),
                found.recommend.net_promoter_score,
                numeric=False,
            ),
            found.recommend.respondents,
        ),
    ]
    time = [
        SummaryLine(
            "Group hours delivered",
            Shown(
                hours(found.group_hours_delivered),
                found.group_hours_delivered.quantize(Decimal("0.1"), ROUND_HALF_UP),
                figure="sessions",
            ),
        ),
        SummaryLine(
            "Group hours attended",
            Shown(
                hours(found.group_hours_attended),
                found.group_hours_attended.quantize(Decimal("0.1"), ROUND_HALF_UP),
                figure="participants",
            ),
        ),
        SummaryLine(
            "1:1 hours delivered",
            Shown(
                hours(found.one_to_one_hours),
                found.one_to_one_hours.quantize(Decimal("0.1"), ROUND_HALF_UP),
                figure="one-to-one",
            ),
        ),
    ]
    delivery = [
        SummaryLine("Cohorts", number(found.cohorts, figure="cohorts")),
        SummaryLine("Planned cohorts", number(found.planned_cohorts, figure="planned-cohorts")),
        SummaryLine(
            "Contractors delivering", number(found.contractors_delivering, figure="cohorts")
        ),
    ]
    money = [
        SummaryLine(
            "Round cost",
            Shown(f"{pounds(found.cost.pence)} ({found.cost.basis})", found.cost.pence // 100),
        ),
        SummaryLine("Round cost based on", text(found.cost.basis)),
        SummaryLine("Cost per cohort", _money(cost_per_cohort, found.still_running)),
        SummaryLine("Cost per participant", _money(cost_per_participant, found.still_running)),
        SummaryLine(
            "Round status",
            text(STILL_RUNNING if found.still_running else "Ended: these figures are final"),
        ),
    ]
    sections = [
        ("People and businesses", people),
        ("Satisfaction and other answers", answers),
        ("Hours", time),
        ("Cohorts and contractors", delivery),
    ]
    if found.contractor_ids is None:
        # The round's cost is the whole round's: it cannot be split by contractor.
        sections.append(("Money", money))
    return sections


def _money(pence: Decimal | None, still_running: bool = False) -> Shown:
    if pence is None:
        return Shown("–", None)
    shown = pounds(pence)
    if still_running:
        shown += f" ({NOT_FINAL})"
    return Shown(shown, int((pence / 100).quantize(Decimal(1), ROUND_HALF_UP)))


def summary_table(found: RoundSummary) -> Table:
    rows = [
        [text(section), text(line.label), line.shown, _count(line.count_behind)]
        for section, lines in summary_sections(found)
        for line in lines
    ]
    return Table(
        "summary",
        "Summary",
        ["Section", "Figure", "Value", "Count behind it (n)"],
        rows,
        frozenset({3}),
    )


def _count(value: int | None) -> Shown:
    return Shown("" if value is None else f"{value:,}", value, numeric=True)


# Breakdowns


def _suppressed(value: int, cell_hidden: bool, unpublishable: bool) -> Shown:
    if cell_hidden:
        return Shown(FEWER_THAN_5, FEWER_THAN_5, numeric=True)
    return Shown(f"{value:,}", value, numeric=True, unpublishable=unpublishable)


def _rate(part: Shown, whole: Shown, value: Percentage) -> Shown:
    if part.value == FEWER_THAN_5 or whole.value == FEWER_THAN_5:
        return Shown(FEWER_THAN_5, FEWER_THAN_5, numeric=True)
    exact = value.rounded(1)
    return Shown(
        value.in_table(),
        "" if exact is None else f"{exact}%",
        numeric=True,
        unpublishable=part.unpublishable or whole.unpublishable,
    )


BREAKDOWN_HEADER = [
    "Participants",
    "Completers",
    "Completion rate",
    "Respondents",
    "Satisfaction rating",
    "Very satisfied",
]


def breakdown_table(
    dimension: Dimension,
    rows: Sequence[BreakdownRow],
    *,
    for_officer: bool,
) -> Table:
    """A breakdown with the small-number rule applied to every count of people."""
    columns = {
        name: suppress([getattr(row, name) for row in rows], for_officer=for_officer)
        for name in ("participants", "completers", "respondents", "satisfied", "very_satisfied")
    }
    shown: list[list[Shown]] = []
    for index, row in enumerate(rows):
        cells = {
            name: _suppressed(cell[index].value, cell[index].suppressed, cell[index].unpublishable)
            for name, cell in columns.items()
        }
        shown.append(
            [
                text(row.label),
                cells["participants"],
                cells["completers"],
                _rate(
                    cells["completers"],
                    cells["participants"],
                    percentage(row.completers, row.participants),
                ),
                cells["respondents"],
                _rate(cells["satisfied"], cells["respondents"], row.satisfaction_rating),
                _rate(cells["very_satisfied"], cells["respondents"], row.very_satisfied_rate),
            ]
        )
    notes = []
    if dimension.one_per_person and rows:
        shown.append(_total_row(rows, for_officer=for_officer))
    elif rows:
        notes.append(
            "A person is counted under every ownership fact that applies to them, so the rows "
            "add up to more than the number of participants."
        )
    return Table(
        f"by-{dimension.value}",
        f"By {dimension.label.lower()}",
        [dimension.label, *BREAKDOWN_HEADER],
        shown,
        frozenset(range(1, 7)),
        notes,
    )


def _total_row(rows: Sequence[BreakdownRow], *, for_officer: bool) -> list[Shown]:
    def total(name: str) -> Shown:
        counts = [getattr(row, name) for row in rows]
        safe = total_is_safe(counts)
        return _suppressed(sum(counts), not safe and not for_officer, not safe and for_officer)

    participants, completers = total("participants"), total("completers")
    respondents = total("respondents")
    satisfied, very = total("satisfied"), total("very_satisfied")
    p = sum(row.participants for row in rows)
    c = sum(row.completers for row in rows)
    r = sum(row.respondents for row in rows)
    s = sum(row.satisfied for row in rows)
    v = sum(row.very_satisfied for row in rows)
    return [
        text("Total"),
        participants,
        completers,
        _rate(completers, participants, percentage(c, p)),
        respondents,
        _rate(satisfied, respondents, percentage(s, r)),
        _rate(very, respondents, percentage(v, r)),
    ]


# Issues and hours


def issues_table(found: RoundSummary, labels: dict[str, str], *, for_officer: bool) -> Table:
    issues = sorted(
        found.issues,
        key=lambda issue: (
            -issue.named_by_participants,
            -issue.sessions_discussed,
            labels.get(issue.issue_code, issue.issue_code),
        ),
    )
    named = suppress([issue.named_by_participants for issue in issues], for_officer=for_officer)
    rows = [
        [
            text(labels.get(issue.issue_code, issue.issue_code)),
            _suppressed(cell.value, cell.suppressed, cell.unpublishable),
            number(issue.sessions_discussed),
        ]
        for issue, cell in zip(issues, named, strict=True)
    ]
    return Table(
        "issues",
        "Issues covered",
        ["Issue", "Participants who named it when applying", "Sessions in which it was discussed"],
        rows,
        frozenset({1, 2}),
    )


def hours_table(rows: Sequence[ContractorHours]) -> Table:
    return Table(
        "hours-by-contractor",
        "Hours by contractor",
        ["Contractor", "Group hours delivered", "Group hours attended", "1:1 hours delivered"],
        [
            [
                text(row.contractor),
                decimal_hours(row.group_delivered),
                decimal_hours(row.group_attended),
                decimal_hours(row.one_to_one),
            ]
            for row in rows
        ],
        frozenset({1, 2, 3}),
    )


def records_table(found: Records) -> Table:
    def cell(index: int, value: object) -> Shown:
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return Shown(f"{value:,}", value, numeric=True)
        return Shown("" if value is None else str(value), None if value is None else str(value))

    return Table(
        found.figure,
        found.title,
        found.header,
        [[cell(i, value) for i, value in enumerate(row)] for row in found.rows],
        found.numeric,
    )


# Downloads


def download(table: Table, fmt: str, *, round_name: str, as_at_text: str) -> Response:
    name = f"{round_name}-{table.key}-as-at-{as_at_text}".lower().replace(" ", "-")
    if fmt == "csv":
        return csv_response(f"{name}.csv", table.header, table.export_rows())
    return xlsx_response(f"{name}.xlsx", table.title, table.header, table.export_rows())
