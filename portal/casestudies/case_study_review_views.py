"""Officers reviewing case studies: the list, one story with its history, starting a
review, deciding (approve, ask for changes, reject with a reason) and publishing."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, officers
from portal.auth.forms import ConfirmForm
from portal.auth.models import User
from portal.casestudies import services
from portal.casestudies.forms import DecisionForm, PublishForm
from portal.casestudies.models import (
    AWAITING_REVIEW,
    CaseStudy,
    CaseStudyStatus,
    ConsentUse,
)
from portal.casestudies.pages import summary_sections, template_helpers
from portal.cohorts.models import Cohort
from portal.db_base import utcnow
from portal.forms import form_status
from portal.reference.models import ReferenceKind
from portal.reference.services import active_items
from portal.refusals import refuse
from portal.registration.models import Application

bp = Blueprint("case_study_review", __name__, url_prefix="/case-studies")
bp.context_processor(template_helpers)

Page = str | Response | tuple[str, int]

FILTERS = {
    "to-review": [
        CaseStudyStatus.SUBMITTED,
        CaseStudyStatus.RESUBMITTED,
        CaseStudyStatus.IN_REVIEW,
    ],
    "with-authors": [CaseStudyStatus.CHANGES_REQUESTED],
    "approved": [CaseStudyStatus.APPROVED],
    "published": [CaseStudyStatus.PUBLISHED],
    "closed": [CaseStudyStatus.REJECTED, CaseStudyStatus.WITHDRAWN, CaseStudyStatus.EXPIRED],
}
FILTER_NAMES = {
    "to-review": "To review",
    "with-authors": "With their authors",
    "approved": "Approved",
    "published": "Published",
    "closed": "Closed",
}


@bp.get("/")
@officers
def index() -> Page:
    chosen = request.args.get("show", "to-review")
    if chosen not in FILTERS:
        chosen = "to-review"
    stories = services.for_review(db.session, FILTERS[chosen])
    people = {u.id: u for u in (db.session.get(User, s.person_id) for s in stories) if u}
    return render_template(
        "case_study_review/index.html",
        stories=stories,
        people=people,
        chosen=chosen,
        filters=FILTER_NAMES,
        title="Case studies",
    )


def _detail(case_study: CaseStudy, **extra: object) -> str:
    application = db.session.get(Application, case_study.application_id)
    ids = {c.changed_by_id for c in case_study.history} | {case_study.person_id}
    ids |= {case_study.drafted_by_id, case_study.anonymity_confirmed_by_id}
    people = {i: u for i in ids if i is not None and (u := db.session.get(User, i)) is not None}
    sectors = {s.code: s.label for s in active_items(db.session, ReferenceKind.SECTOR)}
    values: dict[str, object] = {
        "case_study": case_study,
        "person": people[case_study.person_id],
        "people": people,
        "business_name": application.business_name if application else "",
        "sector": sectors.get(case_study.sector_code or "", "Not known"),
        "cohort": db.session.get(Cohort, case_study.cohort_id),
        "sections": summary_sections(case_study, None),
        "awaiting_review": case_study.status in AWAITING_REVIEW,
        "start_form": ConfirmForm(formdata=None),
        "title": case_study.title or "Untitled story",
    }
    values.update(extra)
    return render_template("case_study_review/detail.html", **values)


def _changed_meanwhile(case_study: CaseStudy, changed: services.CaseStudyChanged) -> Response:
    """Another officer (or the author) changed the story first: nothing from this request
    is kept, and the officer sees the story as it is now."""
    return refuse(changed.message, url_for("case_study_review.detail", case_study_id=case_study.id))


@bp.get("/<int:case_study_id>")
@officers
def detail(case_study_id: int) -> Page:
    case_study = services.get(db.session, case_study_id)
    if case_study.status in (CaseStudyStatus.DRAFT, CaseStudyStatus.AWAITING_CONFIRMATION):
        raise NotFound()  # still the author's: officers see it once it is sent
    return _detail(case_study)


@bp.post("/<int:case_study_id>/start-review")
@officers
def start_review(case_study_id: int) -> Page:
    case_study = services.get(db.session, case_study_id)
    if ConfirmForm().validate_on_submit():
        try:
            services.start_review(db.session, case_study, actor=current_person(), now=utcnow())
        except services.CaseStudyError as error:
            return refuse(
                error.message,
                url_for("case_study_review.detail", case_study_id=case_study.id),
            )
        flash("You are reviewing this story. We have told the author.", "success")
    return redirect(url_for("case_study_review.detail", case_study_id=case_study.id))


@bp.route("/<int:case_study_id>/decision", methods=["GET", "POST"])
@officers
def decision(case_study_id: int) -> Page:
    case_study = services.get(db.session, case_study_id)
    if case_study.status != CaseStudyStatus.IN_REVIEW:
        flash("Start reviewing the story before you decide.", "info")
        return redirect(url_for("case_study_review.detail", case_study_id=case_study.id))
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.decide(
                db.session,
                case_study,
                form.decision.data,
                comment=form.comment.data or "",
                actor=current_person(),
                now=utcnow(),
            )
        except services.CaseStudyChanged as changed:
            return _changed_meanwhile(case_study, changed)
        except services.CaseStudyError as error:
            form.comment.errors = [error.message]
        else:
            flash(
                f"The story is {case_study.status.label.lower()}. We have emailed the author.",
                "success",
            )
            return redirect(url_for("case_study_review.detail", case_study_id=case_study.id))
    return render_template(
        "case_study_review/decision.html",
        form=form,
        case_study=case_study,
        title="Decide on this story",
    ), form_status(form)


@bp.route("/<int:case_study_id>/publish", methods=["GET", "POST"])
@officers
def publish(case_study_id: int) -> Page:
    case_study = services.get(db.session, case_study_id)
    if case_study.status == CaseStudyStatus.PUBLISHED:
        flash("This story has already been published.", "info")
        return redirect(url_for("case_study_review.detail", case_study_id=case_study.id))
    if case_study.status != CaseStudyStatus.APPROVED:
        flash("Only an approved story can be published.", "info")
        return redirect(url_for("case_study_review.detail", case_study_id=case_study.id))
    anonymised = case_study.named is False
    form = PublishForm(anonymised=anonymised)
    if form.validate_on_submit():
        try:
            services.publish(
                db.session,
                case_study,
                actor=current_person(),
                now=utcnow(),
                anonymity_checked="cannot_identify" in (form.checked.data or []),
            )
        except services.CaseStudyChanged as changed:
            return _changed_meanwhile(case_study, changed)
        except services.CaseStudyError as error:
            form.checked.errors = [error.message]
        else:
            flash("The story is published. We have emailed the author.", "success")
            return redirect(url_for("case_study_review.detail", case_study_id=case_study.id))
    return render_template(
        "case_study_review/publish.html",
        form=form,
        case_study=case_study,
        anonymised=anonymised,
        sections=summary_sections(case_study, None, consent=False),
        on_website=ConsentUse.WEBSITE.value in case_study.uses,
        title="Publish this story",
    ), form_status(form)
