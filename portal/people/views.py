"""The people pages (officers, and contractor leads for their own contractors' people): a
person's whole record across rounds, and officers' contact notes."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, officers, officers_and_leads
from portal.cohorts.hours import hours_text
from portal.forms import form_status
from portal.messages.services import messages_to
from portal.paging import page_items, requested_page
from portal.people.forms import ContactNoteForm, SearchForm
from portal.people.models import ContactChannel
from portal.people.notes import NoteRefused, add_contact_note, contact_notes
from portal.people.person_record import person_record
from portal.people.scope import Viewer, person_for, viewer_of
from portal.people.search import MOST, search_people
from portal.timefmt import today_in_london

bp = Blueprint("people", __name__, url_prefix="/people")


def _viewer() -> Viewer:
    return viewer_of(current_person())


@bp.get("/")
@officers_and_leads
def search() -> tuple[str, int]:
    """Search people and businesses across every round (one box)."""
    form = SearchForm(request.args)
    valid = form.validate()
    text = form.q.data or ""
    page = requested_page(request.args.get("page", "1"))
    result = search_people(db.session, text, _viewer(), page=page) if valid and text else None
    return render_template(
        "people/search.html",
        form=form,
        result=result,
        text=text,
        page_items=page_items(result.page, result.pages) if result else [],
        most=MOST,
    ), 200 if valid else 400


@bp.get("/<int:person_id>")
@officers_and_leads
def show_person(person_id: int) -> str:
    viewer = _viewer()
    person = person_for(db.session, viewer, person_id)
    return render_template(
        "people/person.html",
        record=person_record(db.session, person, viewer),
        notes=contact_notes(db.session, person) if viewer.is_officer else [],
        group_messages=messages_to(db.session, person) if viewer.is_officer else [],
        officer=viewer.is_officer,
        hours=hours_text,
    )


@bp.route("/<int:person_id>/contact-notes/new", methods=["GET", "POST"])
@officers
def add_note(person_id: int) -> str | Response | tuple[str, int]:
    viewer = _viewer()
    person = person_for(db.session, viewer, person_id)
    if person.is_erased:
        raise NotFound
    form = ContactNoteForm()
    if form.validate_on_submit():
        try:
            add_contact_note(
                db.session,
                person,
                actor=viewer.user,
                contacted_on=form.contacted_on.data,
                channel=ContactChannel(form.channel.data),
                text=form.text.data,
                today=today_in_london(),
            )
        except NoteRefused as refused:
            form[refused.field].errors = [refused.message]
        else:
            flash("The contact note has been saved.", "success")
            return redirect(url_for("people.show_person", person_id=person.id) + "#notes")
    return render_template("people/add_note.html", form=form, person=person), form_status(form)
