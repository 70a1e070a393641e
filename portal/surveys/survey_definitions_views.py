"""Officers changing the surveys' questions: see a survey and its versions, edit a draft
(reword, retire, add), publish it. No code and no deployment needed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, officers
from portal.auth.forms import ConfirmForm
from portal.auth.models import User
from portal.db_base import utcnow
from portal.forms import form_status
from portal.surveys import versions
from portal.surveys.definitions import REPORTED_MEASURES, current_version
from portal.surveys.models import QuestionKind, Survey, SurveyTiming, SurveyVersion
from portal.surveys.questions import pages_of
from portal.surveys.survey_definitions_forms import (
    AT_THE_START,
    AddQuestionForm,
    PublishForm,
    RewordForm,
    number_or_none,
)

bp = Blueprint("survey_definitions", __name__, url_prefix="/surveys/questions")

Page = str | Response | tuple[str, int]


def _draft(timing: str) -> tuple[Survey, SurveyVersion]:
    """The survey and its draft. With no draft, the request ends here: back to the survey's
    page (a redirect raised through ``abort``) to start one."""
    survey = versions.survey_by_timing(db.session, timing)
    draft = versions.draft_of(survey)
    if draft is None:
        flash("Start a new version to change the questions.", "info")
        abort(redirect(url_for("survey_definitions.survey", timing=timing)))
    return survey, draft


def _people(*ids: int | None) -> dict[int, User]:
    wanted = [i for i in ids if i is not None]
    return {i: user for i in wanted if (user := db.session.get(User, i)) is not None}


@bp.get("/")
@officers
def index() -> Page:
    surveys = {s.timing: s for s in db.session.scalars(select(Survey))}
    rows = []
    for timing in SurveyTiming:
        survey = surveys.get(timing)
        rows.append(
            (
                timing,
                survey,
                current_version(db.session, timing) if survey else None,
                versions.draft_of(survey) if survey else None,
            )
        )
    return render_template("survey_definitions/index.html", rows=rows)


@bp.get("/<timing>")
@officers
def survey(timing: str) -> Page:
    found = versions.survey_by_timing(db.session, timing)
    current = current_version(db.session, found.timing)
    published = [v for v in found.versions if v.is_published]
    return render_template(
        "survey_definitions/survey.html",
        survey=found,
        current=current,
        pages=pages_of(current.questions, current.page_titles or {}) if current else [],
        history=list(reversed(published)),
        people=_people(*(v.published_by_id for v in published)),
        draft=versions.draft_of(found),
        reported=REPORTED_MEASURES[found.timing],
        form=ConfirmForm(formdata=None),
    )


@bp.post("/<timing>/draft/start")
@officers
def start_draft(timing: str) -> Page:
    found = versions.survey_by_timing(db.session, timing)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            versions.start_draft(db.session, found, actor=current_person(), now=utcnow())
        except versions.VersionError as error:
            flash(error.message, "info")
            return redirect(url_for("survey_definitions.survey", timing=timing))
        return redirect(url_for("survey_definitions.draft", timing=timing))
    return redirect(url_for("survey_definitions.survey", timing=timing))


@bp.get("/<timing>/draft")
@officers
def draft(timing: str) -> Page:
    survey_, draft_ = _draft(timing)
    return render_template(
        "survey_definitions/draft.html",
        survey=survey_,
        draft=draft_,
        pages=pages_of(draft_.questions, draft_.page_titles or {}),
        reported=REPORTED_MEASURES[survey_.timing],
        form=PublishForm(formdata=None),
        discard_form=ConfirmForm(formdata=None),
    )


@bp.post("/<timing>/draft/publish")
@officers
def publish(timing: str) -> Page:
    survey_, draft_ = _draft(timing)
    form = PublishForm()
    if form.validate_on_submit():
        try:
            versions.publish(
                db.session, draft_, actor=current_person(), note=form.note.data, now=utcnow()
            )
        except versions.VersionError as error:
            form.note.errors = [error.message]
        else:
            flash(
                f"Version {draft_.number} of the {survey_.name.lower()} is published. "
                "People who start the survey from now on answer it.",
                "success",
            )
            return redirect(url_for("survey_definitions.survey", timing=timing))
    return render_template(
        "survey_definitions/draft.html",
        survey=survey_,
        draft=draft_,
        pages=pages_of(draft_.questions, draft_.page_titles or {}),
        reported=REPORTED_MEASURES[survey_.timing],
        form=form,
        discard_form=ConfirmForm(formdata=None),
    ), 400


@bp.post("/<timing>/draft/discard")
@officers
def discard(timing: str) -> Page:
    _survey, draft_ = _draft(timing)
    if ConfirmForm().validate_on_submit():
        versions.discard(db.session, draft_, actor=current_person())
        flash("The draft is deleted. The published version has not changed.", "success")
    return redirect(url_for("survey_definitions.survey", timing=timing))


@bp.route("/<timing>/draft/questions/<int:question_id>/wording", methods=["GET", "POST"])
@officers
def reword(timing: str, question_id: int) -> Page:
    survey_, draft_ = _draft(timing)
    question = versions.question_in(draft_, question_id)
    form = RewordForm(
        data={"text": question.text, "hint": question.hint, "error_message": question.error_message}
    )
    if form.validate_on_submit():
        try:
            versions.reword(
                db.session,
                draft_,
                question,
                text=form.text.data,
                hint=form.hint.data or "",
                error_message=form.error_message.data or "",
                actor=current_person(),
            )
        except versions.VersionError as error:
            getattr(form, error.field or "text").errors = [error.message]
        else:
            return redirect(url_for("survey_definitions.draft", timing=timing))
    return render_template(
        "survey_definitions/reword.html",
        form=form,
        survey=survey_,
        question=question,
        title="Change the wording",
    ), form_status(form)


@bp.route("/<timing>/draft/questions/<int:question_id>/retire", methods=["GET", "POST"])
@officers
def retire(timing: str, question_id: int) -> Page:
    survey_, draft_ = _draft(timing)
    question = versions.question_in(draft_, question_id)
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        try:
            versions.retire(db.session, draft_, question, actor=current_person())
        except versions.VersionError as error:
            problem = error.message
        else:
            flash("The question is retired from the draft.", "success")
            return redirect(url_for("survey_definitions.draft", timing=timing))
    return render_template(
        "survey_definitions/retire.html",
        form=form,
        survey=survey_,
        question=question,
        problem=problem,
        title="Retire this question?",
    ), (400 if problem else form_status(form))


@bp.route("/<timing>/draft/questions/add", methods=["GET", "POST"])
@officers
def add(timing: str) -> Page:
    survey_, draft_ = _draft(timing)
    form = AddQuestionForm(questions=list(draft_.questions))
    if form.validate_on_submit():
        new = versions.NewQuestion(
            kind=QuestionKind(form.kind.data),
            measure_code=form.measure_code.data,
            text=form.text.data,
            hint=form.hint.data or "",
            error_message=form.error_message.data or "",
            required=form.required.data == "yes",
            options_text=form.options.data or "",
            min_value=number_or_none(form.min_value.data),
            max_value=number_or_none(form.max_value.data),
            after_question_id=None if form.after.data == AT_THE_START else int(form.after.data),
        )
        try:
            versions.add_question(db.session, draft_, new, actor=current_person())
        except versions.VersionError as error:
            getattr(form, error.field or "text").errors = [error.message]
        else:
            flash("The question is added to the draft.", "success")
            return redirect(url_for("survey_definitions.draft", timing=timing))
    return render_template(
        "survey_definitions/add.html",
        form=form,
        survey=survey_,
        title="Add a question",
    ), form_status(form)
