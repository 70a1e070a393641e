"""Officers import earlier rounds from a workbook: upload, see the dry run, confirm.

The uploaded workbook is kept between the check and the import in
``instance/imports/earlier-rounds-<random>.xlsx``, named in the officer's signed session
with its SHA-256, so what is imported is exactly what was checked, without a second
upload (as the applicant import does). It is removed once imported and swept after a day.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask import session as browser_session
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import roles_required, signed_in_user
from portal.auth.forms import ConfirmForm
from portal.auth.models import Role, User
from portal.db import utcnow
from portal.outcomes import earlier_rounds
from portal.outcomes.earlier_rounds import ImportReport
from portal.outcomes.earlier_rounds_files import Sources, configured_limits, read_workbook
from portal.outcomes.import_forms import EarlierRoundsUploadForm

bp = Blueprint("earlier_rounds", __name__, url_prefix="/outcomes/import")

Page = str | Response | tuple[str, int]
officers_only = roles_required(Role.OFFICER)
PENDING = "earlier_rounds_import"
_FOLDER = "imports"
_PREFIX = "earlier-rounds-"
_KEEP_UPLOADS = dt.timedelta(days=1)


def _actor() -> User:
    user = signed_in_user()
    assert user is not None
    return user


def _limits() -> dict[str, int]:
    return configured_limits(current_app.config)


def _read(data: bytes, filename: str) -> Sources:
    return read_workbook(data, filename, **_limits())


def _folder() -> Path:
    folder = Path(current_app.instance_path) / _FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _keep_upload(data: bytes, filename: str) -> None:
    folder = _folder()
    cutoff = (utcnow() - _KEEP_UPLOADS).timestamp()
    for old in folder.glob(f"{_PREFIX}*.xlsx"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    _forget_upload()
    token = secrets.token_hex(16)
    (folder / f"{_PREFIX}{token}.xlsx").write_bytes(data)
    browser_session[PENDING] = {
        "token": token,
        "filename": filename,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


def _pending_upload() -> tuple[dict[str, Any], bytes] | None:
    pending = browser_session.get(PENDING)
    if not isinstance(pending, dict) or not str(pending.get("token", "")).isalnum():
        return None
    path = _folder() / f"{_PREFIX}{pending['token']}.xlsx"
    if not path.is_file():
        return None
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != pending.get("sha256"):
        _forget_upload()  # changed since it was checked: never import what was not checked
        return None
    return pending, data


def _forget_upload() -> None:
    pending = browser_session.pop(PENDING, None)
    if isinstance(pending, dict) and str(pending.get("token", "")).isalnum():
        (_folder() / f"{_PREFIX}{pending['token']}.xlsx").unlink(missing_ok=True)


def _check_page(report: ImportReport) -> str:
    return render_template(
        "outcomes/import_check.html", report=report, confirm_form=ConfirmForm(formdata=None)
    )


@bp.route("", methods=["GET", "POST"])
@officers_only
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
            report = earlier_rounds.check(
                db.session, sources, filename, now=utcnow(), actor=_actor()
            )
            if report.ok:
                _keep_upload(data, filename)
            return _check_page(report)
    return render_template("outcomes/import.html", form=form), 400 if form.errors else 200


@bp.post("/confirm")
@officers_only
def confirm() -> Page:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    pending = _pending_upload()
    if pending is None:
        flash("The workbook you checked is no longer here. Upload it again.", "info")
        return redirect(url_for("earlier_rounds.upload"))
    details, data = pending
    filename = str(details["filename"])
    report = earlier_rounds.run_import(
        db.session, _read(data, filename), filename, now=utcnow(), actor=_actor()
    )
    if not report.imported:
        return _check_page(report)  # someone changed the data since the check
    _forget_upload()
    return render_template("outcomes/import_done.html", report=report)
