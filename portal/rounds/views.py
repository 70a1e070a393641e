from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import db
from portal.auth.access import admins, officers_and_admins, signed_in_user
from portal.auth.models import Role
from portal.forms import form_status
from portal.reference.models import ReferenceKind
from portal.rounds.forms import (
    EDIT_FORMS,
    AddRoundForm,
    CohortsForm,
    EligibilityForm,
    ThresholdsForm,
    form_for,
)
from portal.rounds.models import Round
from portal.rounds.services import (
    DuplicateRoundName,
    create_round,
    get_round,
    rounds_by_start,
    update_round_settings,
    whole_pounds,
)
from portal.rounds.settings_summary import GROUP_TITLES, as_text, labels_by_code, summary_groups

bp = Blueprint("rounds", __name__, url_prefix="/admin/rounds")

DUPLICATE_NAME_MESSAGE = "There is already a round with this name"

Page = str | Response | tuple[str, int]


def _can_change() -> bool:
    user = signed_in_user()
    return user is not None and user.has_role(Role.ADMIN)


@bp.get("/")
@officers_and_admins
def index() -> str:
    return render_template(
        "rounds/list.html",
        rounds=rounds_by_start(db.session),
        whole_pounds=whole_pounds,
        can_change=_can_change(),
    )


@bp.route("/add", methods=["GET", "POST"])
@admins
def add_round() -> Page:
    form = AddRoundForm()
    if form.validate_on_submit():
        try:
            new_round = create_round(db.session, actor=signed_in_user(), **form.details())
        except DuplicateRoundName:
            form.name.errors.append(DUPLICATE_NAME_MESSAGE)
        else:
            flash(f"{new_round.name} has been added. Check its settings below.", "success")
            return redirect(url_for("rounds.show_round", round_id=new_round.id))
    return render_template("rounds/add.html", form=form), form_status(form)


@bp.get("/<int:round_id>")
@officers_and_admins
def show_round(round_id: int) -> str:
    found = get_round(db.session, round_id)
    return render_template(
        "rounds/summary.html",
        round=found,
        groups=summary_groups(db.session, found),
        as_text=as_text,
        can_change=_can_change(),
    )


@bp.route("/<int:round_id>/<group>", methods=["GET", "POST"])
@admins
def edit_settings(round_id: int, group: str) -> Page:
    if group not in EDIT_FORMS:
        abort(404)
    found = get_round(db.session, round_id)
    form: Any = form_for(group, found, submitted=request.method == "POST")
    _prepare(form, found)
    if form.validate_on_submit():
        try:
            changed = update_round_settings(
                db.session,
                found,
                signed_in_user(),
                **form.settings(),
            )
        except DuplicateRoundName:
            form.name.errors.append(DUPLICATE_NAME_MESSAGE)
        else:
            if changed:
                flash(f"{GROUP_TITLES[group]} saved.", "success")
            # No #fragment: scrolling to it would take focus from the success banner.
            return redirect(url_for("rounds.show_round", round_id=found.id))
    return render_template(
        f"rounds/edit_{group.replace('-', '_')}.html",
        form=form,
        round=found,
        title=GROUP_TITLES[group],
    ), form_status(form)


def _prepare(form: Any, found: Round) -> None:
    """Give the form what it checks against: the round's other settings and live lists."""
    if isinstance(form, EligibilityForm):
        form.eligible_district_codes.choices = _reference_choices(
            ReferenceKind.DISTRICT, found.eligible_district_codes
        )
        form.excluded_sector_codes.choices = _reference_choices(
            ReferenceKind.SECTOR, found.excluded_sector_codes
        )
    elif isinstance(form, CohortsForm):
        form.completion_threshold_hours = found.completion_threshold_hours
    elif isinstance(form, ThresholdsForm):
        form.planned_hours = found.planned_hours


def _reference_choices(kind: ReferenceKind, chosen: list[str]) -> list[SelectChoice]:
    """The active items, plus any retired item the round still uses (so it is not lost)."""
    return [
        SelectChoice(code, item.label if item.is_active else f"{item.label} (retired)")
        for code, item in labels_by_code(db.session, kind).items()
        if item.is_active or code in chosen
    ]
