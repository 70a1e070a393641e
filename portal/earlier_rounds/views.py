"""Officers import earlier rounds from a workbook: upload, see the dry run, confirm.

The check and the import are background tasks (``import_tasks``), followed on their status
pages. The uploaded workbook is kept between them in the database (``portal.uploads``),
named in the tasks' inputs with its SHA-256, so what is imported is exactly what was
checked, without a second upload and on any server (as the applicant import does). It is
removed once imported and swept after a day.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal import db, uploads
from portal.auth.access import current_person, officers
from portal.auth.forms import ConfirmForm
from portal.auth.models import Role
from portal.earlier_rounds import import_tasks
from portal.earlier_rounds.files import configured_limits
from portal.earlier_rounds.forms import EarlierRoundsUploadForm
from portal.earlier_rounds.imports import ImportReport
from portal.forms import form_status
from portal.tasks import services as task_services
from portal.tasks.models import BackgroundTask, TaskStatus
from portal.tasks.views import start_import

bp = Blueprint("earlier_rounds", __name__, url_prefix="/outcomes/import")

Page = str | Response | tuple[str, int]


def _upload_page(form: EarlierRoundsUploadForm) -> str:
    return render_template("earlier_rounds/upload.html", form=form)


@bp.route("", methods=["GET", "POST"])
@officers
def upload() -> Page:
    """Upload a workbook: it is kept, and a task checks it (the status page follows it)."""
    form = EarlierRoundsUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(configured_limits(current_app.config)["max_bytes"] + 1)
        kept = uploads.keep(db.session, import_tasks.UPLOAD, data, upload.filename or "")
        task = task_services.start(
            db.session,
            import_tasks.CHECK,
            starter=current_person(),
            role=Role.OFFICER,
            params=kept.params(),
        )
        return redirect(url_for("tasks.status", task_id=task.id))
    return _upload_page(form), form_status(form)


def _finished(task_id: int, kind: str) -> tuple[BackgroundTask, dict] | Response:
    """The officer's finished task of ``kind`` and its result, or a redirect to its status
    page while it has not succeeded (404 for another role's or an unknown task)."""
    task = task_services.finished_task(db.session, task_id, current_person(), kind)
    if task.status != TaskStatus.SUCCEEDED or task.result is None:
        return redirect(url_for("tasks.status", task_id=task.id))
    return task, task.result


def _check_page(task: BackgroundTask, report: ImportReport) -> str:
    return render_template(
        "earlier_rounds/check.html",
        task=task,
        report=report,
        confirm_form=ConfirmForm(formdata=None),
    )


@bp.get("/check/<int:task_id>")
@officers
def check(task_id: int) -> Page:
    """What the check task found: a workbook that cannot be read is shown on the upload
    form; otherwise the problems, or what importing would do and the button that does it."""
    found = _finished(task_id, import_tasks.CHECK)
    if isinstance(found, Response):
        return found
    task, result = found
    if result.get("file_error"):
        form = EarlierRoundsUploadForm(formdata=None)
        form.file.errors = [result["file_error"]]
        return _upload_page(form)
    return _check_page(task, import_tasks.shown(result))


@bp.post("/check/<int:task_id>/confirm")
@officers
def confirm(task_id: int) -> Response:
    """Start the import of the checked workbook: a task reads it again and imports it."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    found = _finished(task_id, import_tasks.CHECK)
    if isinstance(found, Response):
        return found
    checked, result = found
    report = None if result.get("file_error") else import_tasks.shown(result)
    if report is None or not report.ok or not report.changes:
        return redirect(url_for("earlier_rounds.check", task_id=checked.id))
    return start_import(
        import_tasks.IMPORT,
        checked,
        upload=import_tasks.UPLOAD,
        round_id=None,
        busy="An import of earlier rounds is already going. Start this one when it has finished.",
        gone="The workbook you checked is no longer here. Upload it again.",
        upload_url=url_for("earlier_rounds.upload"),
    )


@bp.get("/done/<int:task_id>")
@officers
def done(task_id: int) -> Page:
    found = _finished(task_id, import_tasks.IMPORT)
    if isinstance(found, Response):
        return found
    task, result = found
    report = import_tasks.shown(result)
    if not report.imported:
        return _check_page(task, report)  # someone changed the data since the check
    return render_template("earlier_rounds/done.html", report=report)
