"""Officers import earlier rounds from a workbook: upload, see the dry run, confirm.

The uploaded workbook is kept between the check and the import in the database
(``portal.uploads``), named in the officer's signed session with its SHA-256, so what is
imported is exactly what was checked, without a second upload and on any server (as the
applicant import does). It is removed once imported and swept after a day.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, officers
from portal.auth.forms import ConfirmForm
from portal.db_base import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import Sources, configured_limits, read_workbook
from portal.earlier_rounds.forms import EarlierRoundsUploadForm
from portal.earlier_rounds.imports import ImportReport
from portal.forms import form_status
from portal.uploads import PendingUpload

bp = Blueprint("earlier_rounds", __name__, url_prefix="/outcomes/import")

Page = str | Response | tuple[str, int]
PENDING = "earlier_rounds_import"
UPLOAD = PendingUpload(PENDING)


def _limits() -> dict[str, int]:
    return configured_limits(current_app.config)


def _read(data: bytes, filename: str) -> Sources:
    return read_workbook(data, filename, **_limits())


def _check_page(report: ImportReport) -> str:
    return render_template(
        "earlier_rounds/check.html", report=report, confirm_form=ConfirmForm(formdata=None)
    )


@bp.route("", methods=["GET", "POST"])
@officers
def upload() -> Page:
    form = EarlierRoundsUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(_limits()["max_bytes"] + 1)
        filename = upload.filename or ""
        sources = _read(data, filename)
        if not sources.tables and sources.problems:
            form.file.errors = [sources.problems[0].message]
        else:
            report = imports.check(
                db.session, sources, filename, now=utcnow(), actor=current_person()
            )
            if report.ok:
                UPLOAD.keep(data, filename)
            return _check_page(report)
    return render_template("earlier_rounds/upload.html", form=form), form_status(form)


@bp.post("/confirm")
@officers
def confirm() -> Page:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    pending = UPLOAD.pending()
    if pending is None:
        flash("The workbook you checked is no longer here. Upload it again.", "info")
        return redirect(url_for("earlier_rounds.upload"))
    details, data = pending
    filename = str(details["filename"])
    report = imports.run_import(
        db.session, _read(data, filename), filename, now=utcnow(), actor=current_person()
    )
    if not report.imported:
        return _check_page(report)  # someone changed the data since the check
    UPLOAD.forget()
    return render_template("earlier_rounds/done.html", report=report)
