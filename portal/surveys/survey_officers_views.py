"""Officers' survey pages: response rates, a cohort's invitations, sending a due invitation
now or an invitation again, keying in answers given on paper or by phone, and reading a
response.

Officers only: answers in people's own words are for officers' eyes (the issue's privacy
rule), so facilitators and contractors have no page here.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, officers
from portal.auth.forms import ConfirmForm
from portal.auth.models import Contractor, User
from portal.cohorts.models import Cohort
from portal.db_base import utcnow
from portal.forms import form_status
from portal.rounds.models import Round
from portal.rounds.services import current_round, get_round, rounds_by_start
from portal.surveys import due, invitations, rates, runner
from portal.surveys.forms import KeyInForm
from portal.surveys.models import ResponseMode, SurveyInvitation, SurveyTiming
from portal.surveys.runner_pages import (
    Addresses,
    check_page,
    question_page,
    resume_url,
    summary_rows,
)
from portal.timefmt import today_in_london
from portal.urls import whole_number

bp = Blueprint("survey_officers", __name__, url_prefix="/surveys")

Page = str | Response | tuple[str, int]


def _chosen_round() -> Round | None:
    round_id = whole_number(request.args.get("round", ""))
    if round_id is not None:
        return get_round(db.session, round_id)
    found = current_round(db.session, today_in_london())
    if found is None:
        every = rounds_by_start(db.session)
        found = every[0] if every else None
    return found


def _chosen_timing() -> SurveyTiming:
    value = request.args.get("timing", "")
    return SurveyTiming(value) if value in set(SurveyTiming) else SurveyTiming.EXIT


@bp.get("/")
@officers
def index() -> Page:
    programme_round = _chosen_round()
    timing = _chosen_timing()
    tables = (
        rates.response_rates(db.session, programme_round.id, timing) if programme_round else None
    )
    return render_template(
        "survey_officers/index.html",
        programme_round=programme_round,
        rounds=rounds_by_start(db.session),
        timing=timing,
        timings=list(SurveyTiming),
        tables=tables,
        small_number=rates.SMALL_NUMBER,
    )


@bp.get("/cohorts/<int:cohort_id>")
@officers
def cohort(cohort_id: int) -> Page:
    found = db.session.get(Cohort, cohort_id)
    if found is None:
        raise NotFound()
    return render_template(
        "survey_officers/cohort.html",
        cohort=found,
        programme_round=db.session.get(Round, found.round_id),
        contractor=db.session.get(Contractor, found.contractor_id) if found.contractor_id else None,
        rows=rates.cohort_invitations(db.session, found),
        due_rows=due.due_not_sent(db.session, found, utcnow()),
        resend_form=ConfirmForm(formdata=None),
    )


@bp.post("/cohorts/<int:cohort_id>/send-now/<int:place_id>/<timing>")
@officers
def send_now(cohort_id: int, place_id: int, timing: str) -> Page:
    """Send an invitation that is due and has not been sent, at once."""
    found = db.session.get(Cohort, cohort_id)
    if found is None or timing not in {t.value for t in SurveyTiming}:
        raise NotFound()
    place = next((p for p in found.places if p.id == place_id), None)
    if place is None:
        raise NotFound()
    person = db.session.get(User, place.person_id)
    assert person is not None
    survey = SurveyTiming(timing).label.lower()
    back = url_for("survey_officers.cohort", cohort_id=found.id)
    if not ConfirmForm().validate_on_submit():
        flash("The page was open for too long. Try sending the invitation again.", "info")
        return redirect(back)
    try:
        due.send_now(
            db.session,
            found,
            place.id,
            SurveyTiming(timing),
            actor=current_person(),
            now=utcnow(),
        )
    except due.AlreadySent:
        db.mark_failed()
        flash(f"The {survey} survey has already been sent to {person.name}.", "info")
    except due.NotDue:
        db.mark_failed()
        flash(f"The {survey} survey is not due for {person.name}, so it was not sent.", "info")
    else:
        flash(f"We have sent the {survey} survey to {person.email}.", "success")
    return redirect(back)


@bp.post("/invitations/<int:invitation_id>/resend")
@officers
def resend(invitation_id: int) -> Page:
    invitation = rates.get_invitation(db.session, invitation_id)
    form = ConfirmForm()
    back = url_for("survey_officers.cohort", cohort_id=invitation.cohort_id)
    if not form.validate_on_submit():
        flash("The page was open for too long. Try sending the invitation again.", "info")
        return redirect(back)
    person = db.session.get(User, invitation.person_id)
    assert person is not None
    try:
        invitations.resend(db.session, invitation, actor=current_person(), now=utcnow())
    except invitations.NotResendable:
        db.mark_failed()
        flash(f"{person.name} has already answered this survey.", "info")
    except invitations.JustResent:
        db.mark_failed()
        flash(
            f"The {invitation.timing.label.lower()} survey has just been sent to "
            f"{person.email} again by someone else.",
            "info",
        )
    else:
        flash(
            f"We have sent the {invitation.timing.label.lower()} survey to {person.email} again.",
            "success",
        )
    return redirect(back)


def _key_in_addresses(invitation: SurveyInvitation, person: User) -> Addresses:
    return Addresses(
        page="survey_officers.key_in_page",
        check="survey_officers.key_in_check",
        done="survey_officers.key_in_done",
        values={"invitation_id": invitation.id},
        caption=f"Keying in {person.name}’s answers",
        actor=current_person(),
        back_to=url_for("survey_officers.key_in", invitation_id=invitation.id),
    )


def _person(invitation: SurveyInvitation) -> User:
    person = db.session.get(User, invitation.person_id)
    assert person is not None
    return person


@bp.route("/invitations/<int:invitation_id>/key-in", methods=["GET", "POST"])
@officers
def key_in(invitation_id: int) -> Page:
    """Start keying in answers given on paper or by phone (recorded as such)."""
    invitation = rates.get_invitation(db.session, invitation_id)
    person = _person(invitation)
    if invitation.answered:
        flash(f"{person.name} has already answered this survey.", "info")
        return redirect(url_for("survey_officers.cohort", cohort_id=invitation.cohort_id))
    form = KeyInForm()
    if not form.is_submitted() and invitation.response and invitation.response.keyed_in_by_id:
        form.mode.data = invitation.response.mode.value
    if form.validate_on_submit():
        try:
            response = runner.start_response(
                db.session,
                invitation,
                now=utcnow(),
                mode=ResponseMode(form.mode.data),
                keyed_in_by=current_person(),
            )
        except runner.NotAvailable:
            form.mode.errors = ["This survey has no published version to answer"]
        except runner.ReadOnly:
            return redirect(url_for("survey_officers.cohort", cohort_id=invitation.cohort_id))
        else:
            return redirect(resume_url(response, _key_in_addresses(invitation, person)))
    return render_template(
        "survey_officers/key_in.html",
        form=form,
        invitation=invitation,
        person=person,
        title=f"Key in {person.name}’s answers",
    ), form_status(form)


def _keyed_response(invitation_id: int) -> tuple[SurveyInvitation, User]:
    invitation = rates.get_invitation(db.session, invitation_id)
    return invitation, _person(invitation)


@bp.route("/invitations/<int:invitation_id>/key-in/page/<page_key>", methods=["GET", "POST"])
@officers
def key_in_page(invitation_id: int, page_key: str) -> Page:
    invitation, person = _keyed_response(invitation_id)
    if invitation.response is None:
        return redirect(url_for("survey_officers.key_in", invitation_id=invitation.id))
    return question_page(invitation.response, page_key, _key_in_addresses(invitation, person))


@bp.route("/invitations/<int:invitation_id>/key-in/check", methods=["GET", "POST"])
@officers
def key_in_check(invitation_id: int) -> Page:
    invitation, person = _keyed_response(invitation_id)
    if invitation.response is None:
        return redirect(url_for("survey_officers.key_in", invitation_id=invitation.id))
    return check_page(invitation.response, _key_in_addresses(invitation, person))


@bp.get("/invitations/<int:invitation_id>/key-in/done")
@officers
def key_in_done(invitation_id: int) -> Page:
    invitation, person = _keyed_response(invitation_id)
    if invitation.response is None or not invitation.response.is_submitted:
        return redirect(url_for("survey_officers.key_in", invitation_id=invitation.id))
    flash(f"{person.name}’s answers are saved.", "success")
    return redirect(url_for("survey_officers.response", response_id=invitation.response.id))


@bp.get("/responses/<int:response_id>")
@officers
def response(response_id: int) -> Page:
    """A response's answers, free text included (officers only)."""
    found = rates.get_response(db.session, response_id)
    invitation = found.invitation
    person = _person(invitation)
    return render_template(
        "survey_officers/response.html",
        response=found,
        invitation=invitation,
        person=person,
        keyed_in_by=db.session.get(User, found.keyed_in_by_id) if found.keyed_in_by_id else None,
        cohort=db.session.get(Cohort, invitation.cohort_id),
        sections=summary_rows(found, None),
        title=f"{person.name}: {invitation.timing.label.lower()} survey",
    )
