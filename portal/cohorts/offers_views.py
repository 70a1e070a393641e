"""Participants answering their offers: the offers they hold, and the page the offer email
links to (one button sends the answer)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, participants, public
from portal.cohorts.forms import RespondForm
from portal.cohorts.models import Cohort, DeclineReason, PlaceStatus
from portal.cohorts.offer_details import offer_details
from portal.cohorts.offers import (
    OfferClosed,
    cohort_summary,
    offers_for,
    place_for_offer_token,
    respond_to_offer,
)
from portal.db_base import utcnow
from portal.forms import form_status

bp = Blueprint("offers", __name__, url_prefix="/offers")

Page = str | Response | tuple[str, int]


@bp.get("/")
@participants
def mine() -> Page:
    places = offers_for(db.session, current_person())
    return render_template(
        "offers/mine.html",
        places=places,
        cohorts={p.cohort_id: db.session.get(Cohort, p.cohort_id) for p in places},
        summary=cohort_summary,
    )


@bp.route("/<token>", methods=["GET", "POST"])
@public
def respond(token: str) -> Page:
    """The link in the offer email: shows the offer with the answer chosen; one button sends it.

    (Opening a link must not answer for the person: email scanners open links too.)
    """
    place = place_for_offer_token(db.session, token)
    if place is None:
        return render_template("offers/unknown.html"), 404
    cohort = db.session.get(Cohort, place.cohort_id)
    form = RespondForm()
    if not form.is_submitted() and request.args.get("answer") in ("accept", "decline"):
        form.answer.data = request.args["answer"]
    if place.status != PlaceStatus.OFFERED:
        return render_template(
            "offers/closed.html", place=place, cohort=cohort, outcome=place.status
        )
    if form.validate_on_submit():
        accept = form.answer.data == "accept"
        reason = DeclineReason(form.decline_reason.data) if form.decline_reason.data else None
        try:
            respond_to_offer(db.session, place, accept=accept, now=utcnow(), reason=reason)
        except OfferClosed as closed:
            # Answered at the same moment (another click, or the offer lapsed): nothing from
            # this request is kept, and the person sees the answer that counted.
            return render_template(
                "offers/closed.html", place=place, cohort=cohort, outcome=closed.status
            ), 409
        return render_template("offers/answered.html", accepted=accept, cohort=cohort)
    status = form_status(form)
    assert cohort is not None
    return render_template(
        "offers/respond.html",
        form=form,
        place=place,
        cohort=cohort,
        details=offer_details(db.session, cohort, now=utcnow()),
    ), status
