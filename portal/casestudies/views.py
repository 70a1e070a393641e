"""Telling your story: the participant's case study, and facilitators drafting one for a
member of their group (which the participant then checks and consents to)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import roles_required, signed_in_user
from portal.auth.forms import ConfirmForm
from portal.auth.models import Role, User
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
from portal.cohorts.membership import facilitated_cohorts, members_of
from portal.db import utcnow

bp = Blueprint("case_study", __name__, url_prefix="/case-study")
drafts = Blueprint("case_study_drafts", __name__, url_prefix="/facilitation/case-studies")
bp.context_processor(template_helpers)
drafts.context_processor(template_helpers)

Page = str | Response | tuple[str, int]
participants = roles_required(Role.PARTICIPANT)
facilitators = roles_required(Role.FACILITATOR)


def _mine_addresses() -> Addresses:
    return Addresses(
        question="case_study.question",
        check="case_study.check",
        values={},
        caption="Your story",
        facilitator=False,
        back_to=url_for("case_study.index"),
    )


def _me() -> User:
    user = signed_in_user()
    assert user is not None
    return user


def _mine() -> CaseStudy | None:
    return services.latest_of(db.session, _me())


@bp.get("/")
@participants
def index() -> Page:
    case_study = _mine()
    places = services.places_of(db.session, _me())
    drafter = (
        db.session.get(User, case_study.drafted_by_id)
        if case_study and case_study.drafted_by_id
        else None
    )
    return render_template(
        "casestudies/index.html",
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
    places = services.places_of(db.session, _me())
    if not places or not ConfirmForm().validate_on_submit():
        return redirect(url_for("case_study.index"))
    case_study = services.start(db.session, places[0], actor=_me(), now=utcnow())
    return redirect(resume_url(case_study, _mine_addresses()))


@bp.route("/question/<slug>", methods=["GET", "POST"])
@participants
def question(slug: str) -> Page:
    case_study = _mine()
    if case_study is None or case_study.status in FINISHED:
        return redirect(url_for("case_study.index"))
    return question_page(case_study, slug, _mine_addresses(), actor=_me())


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
            services.submit(db.session, case_study, actor=_me(), now=utcnow())
        except services.CaseStudyError as error:
            db.mark_failed()
            flash(error.message, "info")
            return redirect(url_for("case_study.index"))
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
    ), (400 if form.errors else 200)


@bp.route("/withdraw-consent", methods=["GET", "POST"])
@participants
def withdraw() -> Page:
    case_study = _mine()
    if case_study is None or case_study.status not in CONSENTED:
        return redirect(url_for("case_study.index"))
    form = WithdrawConsentForm()
    if form.validate_on_submit():
        try:
            services.withdraw_consent(db.session, case_study, actor=_me(), now=utcnow())
        except services.CaseStudyError as error:
            db.mark_failed()
            flash(error.message, "info")
        else:
            flash("You have withdrawn your consent. We have stopped using your story.", "success")
        return redirect(url_for("case_study.index"))
    return render_template(
        "casestudies/withdraw.html",
        form=form,
        case_study=case_study,
        title="Withdraw your consent",
    ), (400 if form.errors else 200)


# Facilitators drafting for a member of their group


def _drafting(case_study: CaseStudy, person: User) -> Addresses:
    return Addresses(
        question="case_study_drafts.question",
        check="case_study_drafts.check",
        values={"case_study_id": case_study.id},
        caption=f"Drafting {person.name}’s story",
        facilitator=True,
        back_to=url_for("case_study_drafts.index"),
    )


@drafts.get("/", endpoint="index")
@facilitators
def drafting_index() -> Page:
    me = _me()
    cohorts = facilitated_cohorts(db.session, me)
    groups = [(cohort, members_of(db.session, cohort)) for cohort in cohorts]
    mine = services.drafted_by(db.session, me)
    people = {u.id: u for u in (db.session.get(User, c.person_id) for c in mine) if u}
    return render_template(
        "casestudies/drafts.html",
        groups=groups,
        drafts=mine,
        people=people,
        started={c.place_id: c for c in mine},
        form=ConfirmForm(formdata=None),
        title="Case studies you are drafting",
    )


@drafts.post("/places/<int:place_id>/start")
@facilitators
def start_for(place_id: int) -> Page:
    place = services.member_place(db.session, _me(), place_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("case_study_drafts.index"))
    person = db.session.get(User, place.person_id)
    assert person is not None
    existing = services.latest_of(db.session, person)
    if (
        existing is not None
        and existing.status not in FINISHED
        and existing.drafted_by_id != _me().id
    ):
        flash(f"{person.name} is already writing their story.", "info")
        return redirect(url_for("case_study_drafts.index"))
    case_study = services.start(db.session, place, actor=_me(), now=utcnow(), on_behalf=True)
    return redirect(resume_url(case_study, _drafting(case_study, person)))


def _drafted(case_study_id: int) -> tuple[CaseStudy, User]:
    case_study = services.for_facilitator(db.session, _me(), case_study_id)
    person = db.session.get(User, case_study.person_id)
    assert person is not None
    return case_study, person


@drafts.route("/<int:case_study_id>/question/<slug>", methods=["GET", "POST"], endpoint="question")
@facilitators
def drafting_question(case_study_id: int, slug: str) -> Page:
    case_study, person = _drafted(case_study_id)
    return question_page(case_study, slug, _drafting(case_study, person), actor=_me())


@drafts.route("/<int:case_study_id>/check", methods=["GET", "POST"], endpoint="check")
@facilitators
def drafting_check(case_study_id: int) -> Page:
    case_study, person = _drafted(case_study_id)
    addresses = _drafting(case_study, person)
    if not services.can_edit(case_study, facilitator=True):
        return redirect(addresses.back_to)
    missing = journey.next_step(case_study, addresses.steps)
    if missing is not None:
        return redirect(addresses.step_url(missing))
    form = ConfirmForm()
    if form.validate_on_submit() and case_study.status == CaseStudyStatus.DRAFT:
        try:
            services.send_to_participant(db.session, case_study, actor=_me(), now=utcnow())
        except services.CaseStudyError as error:
            db.mark_failed()
            flash(error.message, "info")
        else:
            flash(
                f"We have emailed {person.name} to check the story and give their consent.",
                "success",
            )
        return redirect(addresses.back_to)
    return render_template(
        "casestudies/check.html",
        form=form,
        case_study=case_study,
        sections=summary_sections(case_study, addresses, consent=False),
        resubmitting=False,
        facilitator=True,
        person=person,
        waiting=case_study.status == CaseStudyStatus.AWAITING_CONFIRMATION,
        title=f"Check {person.name}’s story",
    ), (400 if form.errors else 200)
