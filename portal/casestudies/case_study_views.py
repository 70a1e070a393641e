"""Telling your story: the participant's own case study, from starting it to consenting and
withdrawing consent. Facilitators drafting one for a member of their group (which the
participant then checks and consents to) are in ``portal.casestudies.case_study_drafts_views``;
both use the drafting pages in ``portal.casestudies.pages``."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, participants
from portal.auth.forms import ConfirmForm
from portal.auth.models import User
from portal.casestudies import journey, services
from portal.casestudies.forms import WithdrawConsentForm
from portal.casestudies.models import CONSENTED, FINISHED, CaseStudy, CaseStudyStatus
from portal.casestudies.pages import (
    Addresses,
    question_page,
    resume_url,
    summary_sections,
    template_helpers,
)
from portal.db_base import utcnow
from portal.forms import form_status
from portal.refusals import refuse

bp = Blueprint("case_study", __name__, url_prefix="/case-study")
bp.context_processor(template_helpers)

Page = str | Response | tuple[str, int]


def _mine_addresses() -> Addresses:
    return Addresses(
        question="case_study.question",
        check="case_study.check",
        values={},
        caption="Your story",
        facilitator=False,
        back_to=url_for("case_study.index"),
    )


def _mine() -> CaseStudy | None:
    return services.latest_of(db.session, current_person())


@bp.get("/")
@participants
def index() -> Page:
    case_study = _mine()
    places = services.places_of(db.session, current_person())
    drafter = (
        db.session.get(User, case_study.drafted_by_id)
        if case_study and case_study.drafted_by_id
        else None
    )
    return render_template(
        "case_study/index.html",
        case_study=case_study,
        can_start=bool(places) and (case_study is None or case_study.status in FINISHED),
        has_place=bool(places),
        drafter=drafter,
        sections=summary_sections(case_study, None) if case_study else [],
        consented=case_study is not None and case_study.status in CONSENTED,
        form=ConfirmForm(formdata=None),
        title="Your story",
    )


@bp.post("/start")
@participants
def start() -> Page:
    places = services.places_of(db.session, current_person())
    if not places or not ConfirmForm().validate_on_submit():
        return redirect(url_for("case_study.index"))
    case_study = services.start(db.session, places[0], actor=current_person(), now=utcnow())
    return redirect(resume_url(case_study, _mine_addresses()))


@bp.route("/question/<slug>", methods=["GET", "POST"])
@participants
def question(slug: str) -> Page:
    case_study = _mine()
    if case_study is None or case_study.status in FINISHED:
        return redirect(url_for("case_study.index"))
    return question_page(case_study, slug, _mine_addresses(), actor=current_person())


@bp.route("/check-your-answers", methods=["GET", "POST"])
@participants
def check() -> Page:
    case_study = _mine()
    if case_study is None or not services.can_edit(case_study, facilitator=False):
        return redirect(url_for("case_study.index"))
    addresses = _mine_addresses()
    missing = journey.next_step(case_study, addresses.steps)
    if missing is not None:
        return redirect(addresses.step_url(missing))
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.submit(db.session, case_study, actor=current_person(), now=utcnow())
        except services.CaseStudyError as error:
            return refuse(error.message, url_for("case_study.index"))
        flash("Your story is sent. We will email you when an officer has looked at it.", "success")
        return redirect(url_for("case_study.index"))
    return render_template(
        "casestudies/check.html",
        form=form,
        case_study=case_study,
        sections=summary_sections(case_study, addresses),
        resubmitting=case_study.status == CaseStudyStatus.CHANGES_REQUESTED,
        facilitator=False,
        title="Check your story",
    ), form_status(form)


@bp.route("/withdraw-consent", methods=["GET", "POST"])
@participants
def withdraw() -> Page:
    case_study = _mine()
    if case_study is None or case_study.status not in CONSENTED:
        return redirect(url_for("case_study.index"))
    form = WithdrawConsentForm()
    if form.validate_on_submit():
        try:
            services.withdraw_consent(db.session, case_study, actor=current_person(), now=utcnow())
        except services.CaseStudyError as error:
            return refuse(error.message, url_for("case_study.index"))
        flash("You have withdrawn your consent. We have stopped using your story.", "success")
        return redirect(url_for("case_study.index"))
    return render_template(
        "case_study/withdraw.html",
        form=form,
        case_study=case_study,
        title="Withdraw your consent",
    ), form_status(form)
