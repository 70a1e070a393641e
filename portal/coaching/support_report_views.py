"""The one-to-one support report for officers (every contractor) and contractor leads (their
own contractors only), with CSV and XLSX downloads of what the page shows."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import db
from portal.auth.access import current_person, officers_and_leads
from portal.auth.models import Role, User
from portal.coaching import support_report
from portal.coaching.forms import ReportFilterForm
from portal.exports import csv_response, xlsx_response
from portal.timefmt import today_in_london

bp = Blueprint("support_report", __name__, url_prefix="/one-to-one-support")


def _scope(user: User) -> frozenset[int] | None:
    """None (everything) for officers; a contractor lead's own contractors otherwise."""
    return None if user.has_role(Role.OFFICER) else user.contractor_ids


def _chosen() -> tuple[ReportFilterForm, support_report.Report | None, bool]:
    rounds = support_report.rounds_for_report(db.session)
    form = ReportFilterForm(request.args)
    form.round_id.choices = [SelectChoice(str(r.id), f"{r.name} ({r.year_label})") for r in rounds]
    valid = form.validate() if request.args else True
    by_id = {str(r.id): r for r in rounds}
    chosen = by_id.get(form.round_id.data or "") if valid else None
    chosen = chosen or support_report.default_round(rounds, today_in_london())
    by: support_report.Grouping = (
        cast("support_report.Grouping", form.by.data)
        if valid and form.by.data in support_report.GROUPINGS
        else "participant"
    )
    if chosen is not None:
        form.round_id.data = str(chosen.id)
    form.by.data = by
    if chosen is None:
        return form, None, valid
    found = support_report.support_report(
        db.session, chosen, by=by, contractor_ids=_scope(current_person())
    )
    return form, found, valid


@bp.get("/")
@officers_and_leads
def index() -> tuple[str, int]:
    form, found, valid = _chosen()
    header, rows = support_report.table(found) if found else ([], [])
    me = current_person()
    return render_template(
        "support_report/index.html",
        form=form,
        report=found,
        header=header,
        rows=rows,
        scoped_to=None if me.has_role(Role.OFFICER) else me.contractors,
        args=request.args.to_dict(flat=False),
    ), 200 if valid else 400


@bp.get("/export.<fmt>")
@officers_and_leads
def export(fmt: str) -> Response:
    if fmt not in ("csv", "xlsx"):
        abort(404)
    _form, found, valid = _chosen()
    if found is None or not valid:
        abort(404)
    header, rows = support_report.table(found)
    name = f"one-to-one-support-{found.round.name}-by-{found.by}".lower().replace(" ", "-")
    if fmt == "csv":
        return csv_response(f"{name}.csv", header, rows)
    return xlsx_response(f"{name}.xlsx", "1:1 support", header, rows)
