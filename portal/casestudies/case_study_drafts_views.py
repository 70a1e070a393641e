"""Facilitators drafting a case study for a member of their group, which the participant
then checks and consents to (``portal.casestudies.case_study_views``). Facilitators reach
only the members of the groups they facilitate; anything else answers 404."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, facilitators
from portal.auth.forms import ConfirmForm
from portal.auth.models import User
from portal.casestudies import journey, services
from portal.casestudies.models import FINISHED, CaseStudy, CaseStudyStatus
from portal.casestudies.pages import (
    Addresses,
    question_page,
    resume_url,
    summary_sections,
    template_helpers,
)
from portal.cohorts.membership import facilitated_cohorts, members_of
from portal.db_base import utcnow
from portal.forms import form_status
from portal.refusals import refuse

bp = Blueprint("case_study_drafts", __name__, url_prefix="/facilitation/case-studies")
bp.context_processor(template_helpers)

Page = str | Response | tuple[str, int]


def _drafting(case_study: CaseStudy, person: User) -> Addresses:
    return Addresses(
        question="case_study_drafts.question",
        check="case_study_drafts.check",
        values={"case_study_id": case_study.id},
        caption=f"Drafting {person.name}’s story",
        facilitator=True,
        back_to=url_for("case_study_drafts.index"),
    )


@bp.get("/", endpoint="index")
@facilitators
def drafting_index() -> Page:
    me = current_person()
    cohorts = facilitated_cohorts(db.session, me)
    groups = [(cohort, members_of(db.session, cohort)) for cohort in cohorts]
    mine = services.drafted_by(db.session, me)
    people = {u.id: u for u in (db.session.get(User, c.person_id) for c in mine) if u}
    return render_template(
        "case_study_drafts/index.html",
        groups=groups,
        drafts=mine,
        people=people,
        # Each member's latest story, whoever wrote it: a story the person wrote and
        # published themselves is not offered for drafting again.
        started={
            member.place.id: latest
            for _cohort, members in groups
            for member in members
            if (latest := services.latest_of(db.session, member.person)) is not None
        },
        me=me,
        form=ConfirmForm(formdata=None),
        title="Case studies you are drafting",
    )


@bp.post("/places/<int:place_id>/start")
@facilitators
def start_for(place_id: int) -> Page:
    place = services.member_place(db.session, current_person(), place_id)
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("case_study_drafts.index"))
    person = db.session.get(User, place.person_id)
    assert person is not None
    existing = services.latest_of(db.session, person)
    # A story can be drafted where there is none, or only finished ones (rejected,
    # consent withdrawn or ended); a draft of the facilitator's own is carried on.
    if existing is not None and existing.status not in FINISHED:
        mine = existing.drafted_by_id == current_person().id
        if not (mine and existing.status == CaseStudyStatus.DRAFT):
            if existing.status == CaseStudyStatus.DRAFT:
                flash(f"{person.name} is already writing their story.", "info")
            else:
                flash(
                    f"{person.name} already has a story ({existing.status.label.lower()}): "
                    "there is nothing to draft.",
                    "info",
                )
            return redirect(url_for("case_study_drafts.index"))
    case_study = services.start(
        db.session, place, actor=current_person(), now=utcnow(), on_behalf=True
    )
    return redirect(resume_url(case_study, _drafting(case_study, person)))


def _drafted(case_study_id: int) -> tuple[CaseStudy, User]:
    case_study = services.for_facilitator(db.session, current_person(), case_study_id)
    person = db.session.get(User, case_study.person_id)
    assert person is not None
    return case_study, person


@bp.route("/<int:case_study_id>/question/<slug>", methods=["GET", "POST"], endpoint="question")
@facilitators
def drafting_question(case_study_id: int, slug: str) -> Page:
    case_study, person = _drafted(case_study_id)
    return question_page(case_study, slug, _drafting(case_study, person), actor=current_person())


@bp.route("/<int:case_study_id>/check", methods=["GET", "POST"], endpoint="check")
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
            services.send_to_participant(
                db.session, case_study, actor=current_person(), now=utcnow()
            )
        except services.CaseStudyError as error:
            return refuse(error.message, addresses.back_to)
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
    ), form_status(form)
