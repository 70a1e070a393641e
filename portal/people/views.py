"""The people pages (officers, and contractor leads for their own contractors' people): a
person's whole record across rounds."""

from __future__ import annotations

from flask import Blueprint, render_template

from portal import db
from portal.auth.access import current_person, officers_and_leads
from portal.cohorts.hours import hours_text
from portal.people.person_record import person_record
from portal.people.scope import Viewer, person_for, viewer_of

bp = Blueprint("people", __name__, url_prefix="/people")


def _viewer() -> Viewer:
    return viewer_of(current_person())


@bp.get("/<int:person_id>")
@officers_and_leads
def show_person(person_id: int) -> str:
    viewer = _viewer()
    person = person_for(db.session, viewer, person_id)
    return render_template(
        "people/person.html",
        record=person_record(db.session, person, viewer),
        officer=viewer.is_officer,
        hours=hours_text,
    )
