"""The officers' outcomes dashboard: one round's figures as at a date, rounds side by side,
the records behind every figure, charts, downloads and the definitions.

Officers and administrators see every contractor's cohorts, with exact small numbers marked
unpublishable; contractor leads see the same pages for their own contractors' cohorts, with
small numbers shown as "fewer than 5". Every number comes from ``portal.outcomes.round_figures``
and ``portal.outcomes.figures``; this module only parses the request and renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request
from markupsafe import Markup
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import db
from portal.auth.access import current_person, officers_admins_and_leads
from portal.auth.models import Role, User
from portal.db import found_or_404
from portal.outcomes import charts, drilldown, stored, tables
from portal.outcomes.figures import as_at_moment
from portal.outcomes.forms import (
    IN_THE_FUTURE,
    NOT_A_DATE,
    CompareForm,
    DashboardForm,
    date_args,
)
from portal.outcomes.round_figures import Dimension, RoundSummary
from portal.paging import requested_page
from portal.presentation import hours
from portal.rounds.models import Round
from portal.timefmt import govuk_date, today_in_london

bp = Blueprint("outcomes", __name__, url_prefix="/outcomes")


def _scope(user: User) -> frozenset[int] | None:
    """None (every contractor) for officers and administrators; a lead's own otherwise."""
    return None if user.has_role(Role.OFFICER, Role.ADMIN) else user.contractor_ids


def _round_label(programme_round: Round) -> str:
    return f"{programme_round.name} ({programme_round.year_label})"


def _parse_as_at(form: DashboardForm | CompareForm, not_a_date: bool) -> tuple[dt.date, bool]:
    """The chosen day (today in London when none), and whether the choice was valid."""
    if not_a_date:
        form.as_at.errors = [NOT_A_DATE]
        form.as_at.data = None
        return today_in_london(), False
    if form.as_at.errors:
        return today_in_london(), False
    today = today_in_london()
    if form.as_at.data is not None and form.as_at.data > today:
        form.as_at.errors = [IN_THE_FUTURE]
        return today, False
    day = form.as_at.data or today
    form.as_at.data = day
    if not any(form.as_at.raw_data or ()):
        form.as_at.raw_data = None  # no date typed: the boxes show the day used
    return day, True


def _as_at_only() -> dt.date:
    """The as-at day of a drill-down or download link (``as_at=YYYY-MM-DD``)."""
    value = request.args.get("as_at", "").strip()
    if not value:
        return today_in_london()
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        abort(400)
    if day > today_in_london():
        abort(400)
    return day


def _round_or_404(round_id: int) -> Round:
    return found_or_404(db.session, Round, round_id)


@dataclass(frozen=True)
class Dashboard:
    round: Round
    as_at: dt.date
    summary: RoundSummary
    # When the figures were worked out (they may come from the store: portal.outcomes.stored).
    worked_out_at: dt.datetime
    sections: list[tuple[str, list[tables.SummaryLine]]]
    breakdowns: list[tables.Table]
    issues: tables.Table
    hours: tables.Table
    issues_chart: Markup
    hours_chart: Markup


def _dashboard(programme_round: Round, day: dt.date, scope: frozenset[int] | None) -> Dashboard:
    found = stored.dashboard_figures(db.session, programme_round, as_at_moment(day), scope)
    figures = found.figures
    for_officer = scope is None
    breakdowns = [
        tables.breakdown_table(dimension, rows, for_officer=for_officer)
        for dimension, rows in figures.breakdowns.items()
    ]
    issues = tables.issues_table(figures.summary, figures.issue_labels, for_officer=for_officer)
    by_contractor = figures.hours_by_contractor
    return Dashboard(
        round=programme_round,
        as_at=day,
        summary=figures.summary,
        worked_out_at=found.worked_out_at,
        sections=tables.summary_sections(figures.summary),
        breakdowns=breakdowns,
        issues=issues,
        hours=tables.hours_table(by_contractor),
        issues_chart=_issues_chart(issues),
        hours_chart=(
            charts.bar_chart(
                "Hours by contractor",
                [
                    charts.Bar(
                        row.contractor,
                        [row.group_delivered, row.one_to_one],
                        [hours(row.group_delivered), hours(row.one_to_one)],
                    )
                    for row in by_contractor
                ],
                series=["Group hours delivered", "1:1 hours delivered"],
            )
        ),
    )


def _issues_chart(issues: tables.Table) -> Markup:
    bars = [
        charts.Bar(
            row[0].text,
            [
                row[1].value if isinstance(row[1].value, int) else 0,
                row[2].value if isinstance(row[2].value, int) else 0,
            ],
            [row[1].text, row[2].text],
        )
        for row in issues.rows
    ]
    return charts.bar_chart(
        "Issues covered",
        bars,
        series=["Participants who named it", "Sessions in which it was discussed"],
    )


@bp.get("/")
@officers_admins_and_leads
def dashboard() -> tuple[str, int]:
    session = db.session
    rounds = drilldown.all_rounds(session)
    args, not_a_date = date_args(request.args)
    form = DashboardForm(args)
    form.round.choices = [SelectChoice(str(r.id), _round_label(r)) for r in rounds]
    form.validate()
    if form.round.errors:
        abort(404)
    day, valid = _parse_as_at(form, not_a_date)
    by_id = {str(r.id): r for r in rounds}
    chosen = by_id.get(form.round.data or "") or drilldown.default_round(session)
    me = current_person()
    scope = _scope(me)
    found = _dashboard(chosen, day, scope) if chosen is not None else None
    if chosen is not None:
        form.round.data = str(chosen.id)
    return render_template(
        "outcomes/index.html",
        form=form,
        dashboard=found,
        scoped_to=None if scope is None else me.contractors,
        for_officer=scope is None,
        as_at_text=day.isoformat(),
        as_at_words=govuk_date(day),
    ), 200 if valid else 400


@bp.get("/compare")
@officers_admins_and_leads
def compare() -> tuple[str, int]:
    session = db.session
    rounds = drilldown.all_rounds(session)
    args, not_a_date = date_args(request.args)
    form = CompareForm(args)
    form.round.choices = [SelectChoice(str(r.id), _round_label(r)) for r in reversed(rounds)]
    form.validate()
    if form.round.errors:
        abort(404)
    day, valid = _parse_as_at(form, not_a_date)
    by_id = {str(r.id): r for r in rounds}
    chosen = [by_id[value] for value in form.round.data or [] if value in by_id]
    if not chosen:
        chosen = drilldown.rounds_with_cohorts(session)
        form.round.data = [str(r.id) for r in chosen]
    chosen.sort(key=lambda r: (r.starts_on, r.id))
    me = current_person()
    scope = _scope(me)
    moment = as_at_moment(day)
    summaries = [
        stored.dashboard_figures(session, r, moment, scope).figures.summary for r in chosen
    ]
    lines = [tables.summary_sections(found) for found in summaries]
    rows: list[tuple[str, str, list[tables.Shown]]] = []
    if lines:
        for section_index, (section, section_lines) in enumerate(lines[0]):
            for line_index, line in enumerate(section_lines):
                rows.append(
                    (
                        section,
                        line.label,
                        [each[section_index][1][line_index].shown for each in lines],
                    )
                )
    participants_chart = charts.bar_chart(
        "Participants by round",
        [
            charts.Bar(_round_label(found_round), [found.participants], [f"{found.participants:,}"])
            for found_round, found in zip(chosen, summaries, strict=True)
        ],
        series=["Participants"],
    )
    satisfaction_chart = charts.bar_chart(
        "Satisfaction by round",
        [
            charts.Bar(
                _round_label(found_round),
                [
                    found.satisfaction_rating.rounded(1) or 0,
                    found.very_satisfied.rounded(1) or 0,
                ],
                [found.satisfaction_rating.whole(), found.very_satisfied.whole()],
            )
            for found_round, found in zip(chosen, summaries, strict=True)
        ],
        series=["Satisfaction rating", "Very satisfied"],
        maximum=100,
    )
    return render_template(
        "outcomes/compare.html",
        form=form,
        rounds=chosen,
        summaries=summaries,
        rows=rows,
        participants_chart=participants_chart,
        satisfaction_chart=satisfaction_chart,
        scoped_to=None if scope is None else me.contractors,
        as_at_text=day.isoformat(),
        as_at_words=govuk_date(day),
        round_label=_round_label,
    ), 200 if valid else 400


@bp.get("/<int:round_id>/records/<figure>")
@officers_admins_and_leads
def records(round_id: int, figure: str) -> str:
    programme_round = _round_or_404(round_id)
    if figure not in drilldown.FIGURES:
        abort(404)
    day = _as_at_only()
    me = current_person()
    scope = _scope(me)
    found = drilldown.records(db.session, programme_round, as_at_moment(day), figure, scope)
    page = requested_page(request.args.get("page", "1"))
    per_page = 500
    pages = max(1, -(-len(found.rows) // per_page))
    page = min(page, pages)
    table = tables.records_table(found)
    return render_template(
        "outcomes/records.html",
        round=programme_round,
        records=found,
        table=table,
        rows=table.rows[(page - 1) * per_page : page * per_page],
        # Names and businesses link to their pages for the staff who may open them.
        links=found.links[(page - 1) * per_page : page * per_page]
        if me.has_role(Role.OFFICER, Role.CONTRACTOR_LEAD)
        else None,
        page=page,
        pages=pages,
        scoped_to=None if scope is None else me.contractors,
        as_at_text=day.isoformat(),
        as_at_words=govuk_date(day),
        round_label=_round_label(programme_round),
    )


EXPORT_FORMATS = ("csv", "xlsx")
SUMMARY_TABLES = ("summary", "issues", "hours-by-contractor")


@bp.get("/<int:round_id>/export/<table>.<fmt>")
@officers_admins_and_leads
def export(round_id: int, table: str, fmt: str) -> Response:
    programme_round = _round_or_404(round_id)
    if fmt not in EXPORT_FORMATS:
        abort(404)
    day = _as_at_only()
    scope = _scope(current_person())
    session = db.session
    moment = as_at_moment(day)
    dimensions = {f"by-{d.value}": d for d in Dimension}
    if table not in drilldown.FIGURES and table not in {*SUMMARY_TABLES, *dimensions}:
        abort(404)
    if table in drilldown.FIGURES:
        chosen = tables.records_table(
            drilldown.records(session, programme_round, moment, table, scope)
        )
        return tables.download(
            chosen, fmt, round_name=programme_round.name, as_at_text=day.isoformat()
        )
    figures = stored.dashboard_figures(session, programme_round, moment, scope).figures
    # Downloads are published summaries: small numbers are always suppressed.
    if table == "summary":
        chosen = tables.summary_table(figures.summary)
    elif table == "issues":
        chosen = tables.issues_table(figures.summary, figures.issue_labels, for_officer=False)
    elif table == "hours-by-contractor":
        chosen = tables.hours_table(figures.hours_by_contractor)
    else:
        dimension = dimensions[table]
        chosen = tables.breakdown_table(dimension, figures.breakdowns[dimension], for_officer=False)
    return tables.download(chosen, fmt, round_name=programme_round.name, as_at_text=day.isoformat())


@bp.get("/help")
@officers_admins_and_leads
def help_page() -> str:
    return render_template("outcomes/help.html")
