"""The officers' side of registration: the applicant list, an application, overriding
eligibility, exports and imports. Officers only (administrators need the officer role too).

Imports take two steps, a check (the dry run) and the import, each a background task
(``import_tasks``) followed on its status page. The uploaded file is kept between them in
the database (``portal.uploads``), named in the tasks' inputs with its SHA-256, so the
officer confirms with one button instead of uploading again, on any server, and what is
imported is exactly what was checked. Files are removed once imported and swept after a
day.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from markupsafe import Markup, escape
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import db, uploads
from portal.auth.access import current_person, officers
from portal.auth.forms import ConfirmForm
from portal.auth.models import Role, User
from portal.db_base import utcnow
from portal.exports import csv_response, xlsx_response
from portal.forms import form_status
from portal.paging import page_items, requested_page
from portal.reference.models import ReferenceKind
from portal.registration import import_tasks, queries, services
from portal.registration.applicants_forms import (
    INELIGIBLE,
    ApplicantFilterForm,
    ExportForm,
    ImportUploadForm,
    OverrideEligibilityForm,
)
from portal.registration.exports import (
    ExportFormat,
    export_filename,
    export_table,
    record_export,
)
from portal.registration.imports import Action, ImportReport
from portal.registration.officer_answers import (
    ReferenceLabels,
    outcome_label,
    reference_labels,
)
from portal.registration.officer_detail import (
    answer_sections,
    application_history,
    ownership_rows,
)
from portal.registration.queries import (
    ApplicantFilters,
    application_reference,
    find_applicants,
    status_counts,
)
from portal.rounds.models import Round
from portal.rounds.services import current_round, get_round, rounds_by_start
from portal.tasks import services as task_services
from portal.tasks.models import BackgroundTask, TaskStatus
from portal.tasks.views import start_import
from portal.timefmt import today_in_london

bp = Blueprint("applicants", __name__, url_prefix="/applicants")

Page = str | Response | tuple[str, int]
_FILTER_KINDS = {
    "district": ReferenceKind.DISTRICT,
    "sector": ReferenceKind.SECTOR,
    "ownership": ReferenceKind.OWNERSHIP_FACT,
    "organisation": ReferenceKind.BUSINESS_ORGANISATION,
    "issue": ReferenceKind.ISSUE,
}


def _round_choices(rounds: list[Round]) -> list[SelectChoice]:
    return [SelectChoice(str(r.id), f"{r.name} ({r.year_label})") for r in reversed(rounds)]


def _reference_choices(labels: ReferenceLabels) -> dict[str, list[SelectChoice]]:
    """Active items, then retired ones (marked), so old rounds can still be filtered."""
    choices = {}
    for name, kind in _FILTER_KINDS.items():
        items = labels.by_kind[kind]
        active = [SelectChoice(code, items[code]) for code in labels.active[kind]]
        retired = [
            SelectChoice(code, f"{label} (retired)")
            for code, label in items.items()
            if not labels.is_active(kind, code)
        ]
        choices[name] = active + retired
    return choices


def _filter_form(labels: ReferenceLabels) -> tuple[ApplicantFilterForm, Round | None, bool]:
    """The list's filters from the query string, and the round they apply to.

    No round chosen: the current round, or else the latest. Returns whether the filters
    were valid (a tampered query string is shown with its errors, filtering nothing).
    """
    form = ApplicantFilterForm(request.args)
    rounds = rounds_by_start(db.session)
    form.round.choices = _round_choices(rounds)
    form.set_reference_choices(_reference_choices(labels))
    valid = form.validate()
    chosen = None
    if valid and form.round.data:
        chosen = get_round(db.session, int(form.round.data))
    if chosen is None:
        chosen = current_round(db.session, today_in_london()) or (rounds[-1] if rounds else None)
    if chosen is not None:
        form.round.data = str(chosen.id)
    return form, chosen, valid


def breakable(text: str | None) -> Markup:
    """Text that may wrap inside a long run without spaces (``<wbr>`` every 15 characters),
    so a long web address or a pasted formula cannot push the table off the page."""
    parts = []
    for word in (text or "").split(" "):
        chunks = [word[index : index + 15] for index in range(0, len(word), 15)] or [""]
        parts.append(Markup("<wbr>").join(escape(chunk) for chunk in chunks))
    return Markup(" ").join(parts)


@bp.get("/")
@officers
def index() -> Page:
    labels = reference_labels(db.session)
    form, programme_round, valid = _filter_form(labels)
    filters = form.filters() if valid else ApplicantFilters()
    result = (
        find_applicants(
            db.session,
            programme_round.id,
            filters,
            page=requested_page(request.args.get("page", "1")),
            per_page=queries.PER_PAGE,
        )
        if programme_round
        else None
    )
    return render_template(
        "applicants/index.html",
        form=form,
        programme_round=programme_round,
        result=result,
        counts=status_counts(db.session, programme_round.id) if programme_round else [],
        labels=labels,
        kinds=ReferenceKind,
        page_items=page_items(result.page, result.pages) if result else [],
        export_form=ExportForm(formdata=None),
        filtered=bool(filters.used()),
        breakable=breakable,
    ), 200 if valid else 400


@bp.post("/export")
@officers
def export() -> Response:
    """The filtered list as CSV or XLSX (filters in the query string, as on the list)."""
    labels = reference_labels(db.session)
    form, programme_round, valid = _filter_form(labels)
    export_form = ExportForm()
    if not valid or not export_form.validate_on_submit():
        abort(400)
    if programme_round is None:
        abort(404)
    filters = form.filters()
    chosen = ExportFormat.XLSX if export_form.xlsx.data else ExportFormat.CSV
    sensitive = bool(export_form.sensitive.data)
    header, rows = export_table(db.session, programme_round, filters, sensitive=sensitive)
    record_export(
        db.session,
        actor=current_person(),
        programme_round=programme_round,
        filters=filters,
        export_format=chosen,
        sensitive=sensitive,
        count=len(rows),
    )
    filename = export_filename(programme_round, chosen, today_in_london().isoformat())
    if chosen == ExportFormat.XLSX:
        return xlsx_response(filename, "Applicants", header, rows)
    return csv_response(filename, header, rows)


@bp.get("/<int:application_id>")
@officers
def show_application(application_id: int) -> str:
    application = services.get_application(db.session, application_id)
    person = db.session.get(User, application.person_id)
    assert person is not None
    labels = reference_labels(db.session)
    return render_template(
        "applicants/application.html",
        application=application,
        person=person,
        programme_round=db.session.get(Round, application.round_id),
        sections=answer_sections(application, person, labels),
        ownership=ownership_rows(application, person, labels),
        outcome=outcome_label(application.eligibility_outcome),
        reasons=services.reasons_of(application),
        duplicate_reference=application_reference(db.session, application.duplicate_of_id),
        history=application_history(db.session, application, person),
    )


@bp.route("/<int:application_id>/eligibility", methods=["GET", "POST"])
@officers
def override_eligibility(application_id: int) -> Page:
    application = services.get_application(db.session, application_id)
    person = db.session.get(User, application.person_id)
    form = OverrideEligibilityForm()
    if form.validate_on_submit():
        try:
            services.override_eligibility(
                db.session,
                application,
                actor=current_person(),
                eligible=form.decision.data != INELIGIBLE,
                reason=form.reason.data,
                now=utcnow(),
            )
        except services.RegistrationError as error:
            form.decision.errors = [error.message]
        else:
            flash(f"{application.reference} is now {application.status.label.lower()}.", "success")
            return redirect(url_for("applicants.show_application", application_id=application.id))
    return render_template(
        "applicants/override_eligibility.html",
        form=form,
        application=application,
        person=person,
        outcome=outcome_label(application.eligibility_outcome),
    ), form_status(form)


# Importing a partner's file: checked, then imported, by background tasks


@bp.route("/import", methods=["GET", "POST"])
@officers
def import_file() -> Page:
    """Upload a file: it is kept, and a task checks it (the status page follows it)."""
    form = _upload_form()
    if not form.is_submitted():
        chosen = current_round(db.session, today_in_london())
        form.round.data = str(chosen.id) if chosen else None
    if form.validate_on_submit():
        programme_round = get_round(db.session, int(form.round.data))
        upload = form.file.data
        data = upload.read(import_tasks.limits()["max_bytes"] + 1)
        kept = uploads.keep(db.session, import_tasks.UPLOAD, data, upload.filename or "")
        task = task_services.start(
            db.session,
            import_tasks.CHECK,
            starter=current_person(),
            role=Role.OFFICER,
            round_id=programme_round.id,
            params=kept.params(),
        )
        return redirect(url_for("tasks.status", task_id=task.id))
    return _upload_page(form), form_status(form)


def _upload_form() -> ImportUploadForm:
    form = ImportUploadForm()
    form.round.choices = _round_choices(rounds_by_start(db.session))
    return form


def _upload_page(form: ImportUploadForm) -> str:
    return render_template("applicants/import.html", form=form, limits=import_tasks.limits())


def _finished(task_id: int, kind: str) -> tuple[BackgroundTask, ImportReport] | Response:
    """The officer's finished task of ``kind`` and its report, or a redirect to its status
    page while it has not succeeded (404 for another role's or an unknown task)."""
    task = task_services.finished_task(db.session, task_id, current_person(), kind)
    if task.status != TaskStatus.SUCCEEDED or task.result is None:
        return redirect(url_for("tasks.status", task_id=task.id))
    return task, import_tasks.shown(task.result)


@bp.get("/import/check/<int:task_id>")
@officers
def import_check(task_id: int) -> Page:
    """What the check task found: a file that cannot be used is shown on the upload form;
    otherwise what importing would do, and the button that imports it."""
    found = _finished(task_id, import_tasks.CHECK)
    if isinstance(found, Response):
        return found
    task, report = found
    programme_round = get_round(db.session, report.round_id)
    if report.file_error is not None:
        form = _upload_form()
        form.round.data = str(programme_round.id)
        form.file.errors = [report.file_error]
        return _upload_page(form)
    return render_template(
        "applicants/import_check.html",
        task=task,
        report=report,
        programme_round=programme_round,
        confirm_form=ConfirmForm(formdata=None),
        actions=Action,
    )


@bp.post("/import/check/<int:task_id>/confirm")
@officers
def confirm_import(task_id: int) -> Response:
    """Start the import of the checked file: a task checks it again and imports it."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    found = _finished(task_id, import_tasks.CHECK)
    if isinstance(found, Response):
        return found
    checked, report = found
    if report.file_error is not None or not report.to_import:
        return redirect(url_for("applicants.import_check", task_id=checked.id))
    return start_import(
        import_tasks.IMPORT,
        checked,
        upload=import_tasks.UPLOAD,
        round_id=report.round_id,
        busy="An import into this round is already going. Start this one when it has finished.",
        gone="The file you checked is no longer here. Upload it again.",
        upload_url=url_for("applicants.import_file"),
    )


@bp.get("/import/done/<int:task_id>")
@officers
def import_done(task_id: int) -> Page:
    found = _finished(task_id, import_tasks.IMPORT)
    if isinstance(found, Response):
        return found
    _task, report = found
    return render_template(
        "applicants/import_done.html",
        report=report,
        programme_round=get_round(db.session, report.round_id),
    )
