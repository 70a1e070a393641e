"""The applicant import as two background tasks: the check (the dry run), then the import.

An officer's upload is kept in the database (``portal.uploads``) and a task of kind
"applicant-import-check" checks it; the check page shows what the task stored. Confirming
starts an "applicant-import" task (one per round at a time) that checks the same file again
(the same SHA-256: what is imported is exactly what was checked) and imports it in one
transaction, committed with the task's success: a failure keeps nothing. Once started it
runs to the end (it cannot be cancelled: it writes from its first row to its last in one
transaction, holding SQLite's write lock while it does).

What a task stores (``result``) is the report in plain JSON, rows as short lists: the
largest file (2,000 rows) gives about 300 KB.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, url_for

from portal import tasks
from portal.auth.models import User
from portal.db_base import utcnow
from portal.presentation import plural
from portal.registration.import_rows import Answers, Problem
from portal.registration.imports import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    Action,
    ImportReport,
    PlannedRow,
    check_file,
    run_import,
)
from portal.rounds.models import Round
from portal.tasks.models import BackgroundTask
from portal.tasks.runner import TaskContext, TaskError
from portal.timefmt import today_in_london
from portal.uploads import GONE, KeptUpload, forget, kept_data

CHECK = "applicant-import-check"
IMPORT = "applicant-import"
# The kind of kept upload (``pending_upload.kind``).
UPLOAD = "applicant_import"


def init_app(app: Flask) -> None:
    tasks.register(
        app,
        tasks.TaskKind(
            CHECK, "Applicant file check", run_check, result_url=lambda task: _url(task, "check")
        ),
    )
    tasks.register(
        app,
        tasks.TaskKind(
            IMPORT,
            "Applicant import",
            run_applicant_import,
            result_url=lambda task: _url(task, "done"),
            cancellable=False,
        ),
    )


def _url(task: BackgroundTask, page: str) -> str:
    return url_for(f"applicants.import_{page}", task_id=task.id)


def limits() -> dict[str, int]:
    config = current_app.config
    return {
        "max_rows": int(config.get("APPLICANT_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)),
        "max_bytes": int(config.get("APPLICANT_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)),
    }


def _checked(
    context: TaskContext, stage: str, until: int
) -> tuple[ImportReport, Round, KeptUpload]:
    """The kept file, read and checked (the dry run), reporting progress from 10 to
    ``until`` (percent) as the rows are checked. Raises TaskError if it has gone."""
    session = context.session
    programme_round = session.get(Round, context.round_id)
    if programme_round is None:
        raise TaskError("The round to import into no longer exists.")
    kept = KeptUpload.from_params(context.params)
    data = kept_data(session, UPLOAD, kept)
    if data is None:
        raise TaskError(GONE)
    context.report(stage, 10)

    def checked_rows(done: int, total: int) -> None:
        context.report(f"{stage}: {done:,} of {total:,} rows", 10 + (until - 10) * done // total)

    report = check_file(
        session,
        data,
        kept.filename,
        programme_round,
        today=today_in_london(),
        progress=checked_rows,
        **limits(),
    )
    return report, programme_round, kept


def run_check(context: TaskContext) -> dict[str, Any]:
    """The "applicant-import-check" task: the dry run, stored for the check page."""
    report, _round, _kept = _checked(context, "Checking each row", 90)
    if report.file_error is not None:
        summary = f"The file cannot be imported: {report.file_error}."
        link_text = "Choose another file"
    else:
        summary = f"If you import it: {report.summary()}."
        link_text = "See the check and import the file"
    return {**stored(report), "summary": summary, "link_text": link_text}


def run_applicant_import(context: TaskContext) -> dict[str, Any]:
    """The "applicant-import" task: check the same file again, import it, forget it."""
    officer = context.session.get(User, context.started_by_id) if context.started_by_id else None
    if officer is None:
        raise TaskError("The officer who started this import no longer has an account.")
    report, programme_round, kept = _checked(context, "Checking the file again", 30)
    if report.file_error is not None:
        raise TaskError(f"The file cannot be imported: {report.file_error}.")
    context.report(f"Importing {plural(report.to_import, 'row')}", 30)
    context.begin_writing()
    run_import(context.session, report, programme_round, officer=officer, now=utcnow())
    forget(context.session, UPLOAD, kept)
    return {
        **stored(report),
        "summary": f"Imported: {report.summary()}.",
        "link_text": "See what was imported",
    }


# The report as the task stores it, and back for the pages


def stored(report: ImportReport) -> dict[str, Any]:
    """The report in plain JSON (what the check and done pages show; no answers)."""
    return {
        "filename": report.filename,
        "round_id": report.round_id,
        "imported": report.imported,
        "file_error": report.file_error,
        "notes": list(report.notes),
        "problems": [[p.row, p.column, p.message] for p in report.problems],
        "rows": [
            [
                row.row,
                row.source_reference,
                row.name,
                row.business_name,
                row.action.value,
                row.application_id,
                row.reference,
                row.changes,
            ]
            for row in report.rows
        ],
    }


def shown(result: dict[str, Any]) -> ImportReport:
    """The stored report, for the pages. Its rows carry no answers: it is never imported
    (the import checks the file again)."""
    return ImportReport(
        filename=result["filename"],
        round_id=result["round_id"],
        imported=result["imported"],
        file_error=result["file_error"],
        notes=list(result["notes"]),
        problems=[Problem(row, column, message) for row, column, message in result["problems"]],
        rows=[
            PlannedRow(
                row=row,
                source_reference=reference,
                email="",
                name=name,
                business_name=business,
                answers=Answers(values={}),
                action=Action(action),
                application_id=application_id,
                reference=application_reference,
                changes=list(changes),
            )
            for (
                row,
                reference,
                name,
                business,
                action,
                application_id,
                application_reference,
                changes,
            ) in result["rows"]
        ],
    )
