"""Money: each round's grant, contractors' contract values and spend, the round's cost, and
the what-if projection. Administrators change contracts; officers read."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import admins, officers_and_admins, signed_in_user
from portal.auth.models import Role
from portal.forms import form_status
from portal.outcomes import money, stored
from portal.outcomes.board_report import projection_for, projection_formula
from portal.outcomes.figures import as_at_moment
from portal.outcomes.money_forms import ContractForm, ProjectionForm, read_choices
from portal.presentation import plural, pounds
from portal.rounds.services import get_round, rounds_by_start
from portal.timefmt import govuk_date, today_in_london

bp = Blueprint("money", __name__, url_prefix="/money")


def _can_change() -> bool:
    user = signed_in_user()
    return user is not None and user.has_role(Role.ADMIN)


def _money(value: object) -> str:
    return "–" if value is None else pounds(value)  # type: ignore[arg-type]


@bp.get("/")
@officers_and_admins
def index() -> str:
    moment = as_at_moment(today_in_london())
    summaries = [stored.round_summary(db.session, r, moment) for r in rounds_by_start(db.session)]
    return render_template(
        "money/index.html",
        summaries=summaries,
        money=_money,
        today=govuk_date(today_in_london()),
    )


@bp.get("/rounds/<int:round_id>")
@officers_and_admins
def round_money(round_id: int) -> str:
    found = get_round(db.session, round_id)
    lines = money.contract_lines(db.session, found)
    contracted, spent = money.totals(lines)
    return render_template(
        "money/round.html",
        round=found,
        summary=stored.round_summary(db.session, found, as_at_moment(today_in_london())),
        lines=lines,
        contracted=contracted,
        spent=spent,
        money=_money,
        govuk_date=govuk_date,
        today=govuk_date(today_in_london()),
        can_change=_can_change(),
    )


@bp.route("/rounds/<int:round_id>/contractors/<int:contractor_id>", methods=["GET", "POST"])
@admins
def contract(round_id: int, contractor_id: int) -> Response | tuple[str, int]:
    found = get_round(db.session, round_id)
    contractor = money.get_contractor(db.session, contractor_id)
    existing = money.find_contract(db.session, found, contractor)
    form = ContractForm()
    if request.method == "GET" and existing is not None:
        form.contract_value.data = existing.contract_value_pence
        form.spend_to_date.data = existing.spend_to_date_pence
    if form.validate_on_submit():
        money.save_contract(
            db.session,
            found,
            contractor,
            contract_value_pence=form.contract_value.data,
            spend_to_date_pence=form.spend_to_date.data,
            today=today_in_london(),
            actor=signed_in_user(),
        )
        flash(f"{contractor.name}’s contract in {found.name} has been saved.", "success")
        return redirect(url_for("money.round_money", round_id=found.id))
    return render_template(
        "money/contract.html", form=form, round=found, contractor=contractor, existing=existing
    ), form_status(form)


@bp.get("/projection")
@officers_and_admins
def projection() -> tuple[str, int]:
    form, choices = read_choices(ProjectionForm, request.args, rounds_by_start(db.session))
    result = None
    if choices is not None:
        moment = as_at_moment(choices.as_at)
        summaries = [stored.round_summary(db.session, r, moment) for r in choices.rounds]
        projected = projection_for(summaries, choices.cohorts, choices.basis)
        result = {
            "projection": projected,
            "formula": projection_formula(projected),
            "summaries": summaries,
            "basis": choices.basis,
            "cohorts_text": plural(choices.cohorts, "cohort"),
            "as_at": govuk_date(choices.as_at),
            "running": [s for s in summaries if s.still_running],
        }
    return render_template(
        "money/projection.html",
        form=form,
        result=result,
        money=_money,
    ), form_status(form)
