"""The status page of a background task: its stage and time so far, Cancel, and a link on to
the result when it has finished; and the file a task made (a .docx report), to download."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal import db, uploads
from portal.auth.access import current_person, officers_and_admins
from portal.auth.forms import ConfirmForm
from portal.auth.models import Role
from portal.db_base import utcnow
from portal.exports import attachment
from portal.state_changes import StatusConflict
from portal.tasks import kind_of, services
from portal.tasks.models import BackgroundTask
from portal.uploads import KeptUpload

bp = Blueprint("tasks", __name__, url_prefix="/tasks")

# Seconds between the page's own refreshes while the task runs.
REFRESH_SECONDS = 2


@bp.get("/<int:task_id>")
@officers_and_admins
def status(task_id: int) -> str:
    task = services.visible_task(db.session, task_id, current_person())
    kind = kind_of(task)
    result_url = (
        kind.result_url(task)
        if kind.result_url is not None and task.status.value == "succeeded"
        else None
    )
    return render_template(
        "tasks/status.html",
        task=task,
        kind=kind,
        elapsed=task.elapsed(utcnow()),
        result_url=result_url,
        form=ConfirmForm(),
        refresh_seconds=REFRESH_SECONDS,
    )


@bp.post("/<int:task_id>/cancel")
@officers_and_admins
def cancel(task_id: int) -> Response:
    task = services.visible_task(db.session, task_id, current_person())
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.cancel(db.session, task, actor=current_person(), now=utcnow())
            flash(f"{kind_of(task).title} cancelled. Nothing it did was kept.", "success")
        except StatusConflict:
            pass  # it finished first: the page shows how
    return redirect(url_for("tasks.status", task_id=task.id))


@bp.get("/<int:task_id>/file")
@officers_and_admins
def download(task_id: int) -> Response:
    """The file the task made, for people holding the role it was started with (404 for
    anyone else, and once the file is a day old)."""
    task = services.visible_task(db.session, task_id, current_person())
    found = services.file_of(db.session, task, utcnow())
    response = Response(found.data, mimetype=found.mimetype)
    response.headers["Content-Disposition"] = attachment(found.filename)
    return response


def start_import(
    kind: str,
    checked: BackgroundTask,
    *,
    upload: str,
    round_id: int | None,
    busy: str,
    gone: str,
    upload_url: str,
) -> Response:
    """Confirm a checked file (``upload`` is the kind of pending upload): start ``kind`` on
    the file ``checked`` kept, and go to its
    status page. A file no longer kept goes back to ``upload_url`` saying ``gone``; an import
    of the kind already going goes to it, saying ``busy``."""
    if uploads.kept_data(db.session, upload, KeptUpload.from_params(checked.params)) is None:
        flash(gone, "info")
        return redirect(upload_url)
    try:
        task = services.start(
            db.session,
            kind,
            starter=current_person(),
            role=Role.OFFICER,
            round_id=round_id,
            params={**checked.params, "check": checked.id},
            one_per_round=True,
        )
    except services.AlreadyRunning as running:
        flash(busy, "info")
        return redirect(url_for("tasks.status", task_id=running.task.id))
    return redirect(url_for("tasks.status", task_id=task.id))
