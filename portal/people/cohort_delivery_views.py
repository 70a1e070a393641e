"""A cohort's delivery for staff: its schedule, register, hours, surveys and case studies,
and downloads of the register and member list. Officers see every cohort; contractor leads
their own contractors' cohorts only (any other answers 404). Officers reach it from the
cohort page (``cohorts.detail``)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from sqlalchemy import select
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from portal import db, exports
from portal.auth.access import current_person, officers_and_leads, roles_required
from portal.auth.models import Role, User
from portal.cohorts.hours import hours_in_words, hours_text
from portal.cohorts.models import Cohort
from portal.people.cohort_record import delivery_record, table
from portal.people.scope import Viewer, viewer_of
from portal.rounds.models import Round
from portal.rounds.services import get_round
from portal.surveys.models import SurveyTiming

bp = Blueprint("cohort_delivery", __name__, url_prefix="/cohorts")


def _cohort_for(viewer: Viewer, cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound
    if viewer.contractor_ids is not None and cohort.contractor_id not in viewer.contractor_ids:
        raise NotFound
    return cohort


def _downloads(cohort: Cohort) -> list[dict[str, str]]:
    return [
        {
            "href": url_for("cohort_delivery.download", cohort_id=cohort.id, what=what, kind=kind),
            "text": f"{words} ({kind.upper()})",
        }
        for what, words in (("register", "Register"), ("members", "Member list"))
        for kind in ("csv", "xlsx")
    ]


@bp.get("/yours")
@roles_required(Role.CONTRACTOR_LEAD)
def index() -> str:
    """A contractor lead's cohorts: those of their own contractors, the newest round first."""
    rows = db.session.execute(
        select(Cohort, Round.name)
        .join(Round, Round.id == Cohort.round_id)
        .where(Cohort.contractor_id.in_(list(current_person().contractor_ids)))
        .order_by(Round.starts_on.desc(), Cohort.name, Cohort.id)
    ).all()
    return render_template("cohort_delivery/index.html", rows=rows)


@bp.get("/<int:cohort_id>/record")
@officers_and_leads
def show(cohort_id: int) -> str:
    viewer = viewer_of(current_person())
    cohort = _cohort_for(viewer, cohort_id)
    facilitator = db.session.get(User, cohort.facilitator_id) if cohort.facilitator_id else None
    return render_template(
        "cohort_delivery/show.html",
        cohort=cohort,
        programme_round=get_round(db.session, cohort.round_id),
        facilitator=facilitator,
        officer=viewer.is_officer,
        record=delivery_record(db.session, cohort),
        hours_text=hours_text,
        hours_in_words=hours_in_words,
        timings=SurveyTiming,
        person_link=lambda person_id: url_for("people.show_person", person_id=person_id),
        download_urls=_downloads(cohort),
    )


@bp.get("/<int:cohort_id>/record/<any(register, members):what>.<any(csv, xlsx):kind>")
@officers_and_leads
def download(cohort_id: int, what: str, kind: str) -> Response:
    """The register or the member list as a spreadsheet (``portal.exports``: formula-safe).
    Officers and contractor leads both see members' contact details (as on person pages)."""
    viewer = viewer_of(current_person())
    cohort = _cohort_for(viewer, cohort_id)
    header, rows = table(delivery_record(db.session, cohort), what, with_contacts=True)
    filename = f"{cohort.name} {what}.{kind}"
    if kind == "csv":
        return exports.csv_response(filename, header, rows)
    return exports.xlsx_response(filename, cohort.name, header, rows)
