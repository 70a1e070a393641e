"""The earlier-rounds import as two background tasks: the check (the dry run), then the import.

As with the applicant import (``portal.registration.import_tasks``): the officer's workbook
is kept in the database (``portal.uploads``), an "earlier-rounds-check" task reads and
checks it (the whole import in a savepoint, rolled back), and confirming starts an
"earlier-rounds-import" task (one at a time) that reads the same workbook (the same
SHA-256) and imports it, all or nothing, in one transaction committed with the task's
success. The import cannot be cancelled once started.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Flask, current_app, url_for

from portal import tasks
from portal.auth.models import User
from portal.db_base import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import Problem, Sources, configured_limits, read_workbook
from portal.earlier_rounds.imports import ImportReport
from portal.earlier_rounds.writer_base import CREATED, UNCHANGED, UPDATED
from portal.tasks.models import BackgroundTask
from portal.tasks.runner import TaskContext, TaskError
from portal.uploads import GONE, KeptUpload, forget, kept_data

CHECK = "earlier-rounds-check"
IMPORT = "earlier-rounds-import"
# The kind of kept upload (``pending_upload.kind``).
UPLOAD = "earlier_rounds_import"


def init_app(app: Flask) -> None:
    tasks.register(
        app,
        tasks.TaskKind(
            CHECK,
            "Earlier rounds workbook check",
            run_check,
            result_url=lambda task: _url(task, "check"),
        ),
    )
    tasks.register(
        app,
        tasks.TaskKind(
            IMPORT,
            "Earlier rounds import",
            run_earlier_rounds_import,
            result_url=lambda task: _url(task, "done"),
            cancellable=False,
        ),
    )


def _url(task: BackgroundTask, page: str) -> str:
    return url_for(f"earlier_rounds.{page}", task_id=task.id)


def _read(context: TaskContext) -> tuple[Sources, KeptUpload]:
    kept = KeptUpload.from_params(context.params)
    data = kept_data(context.session, UPLOAD, kept)
    if data is None:
        raise TaskError(GONE)
    context.report("Reading the workbook", 10)
    return read_workbook(data, kept.filename, **configured_limits(current_app.config)), kept


def unreadable(sources: Sources) -> str | None:
    """Why the workbook cannot be read at all, if it cannot."""
    return sources.problems[0].message if not sources.tables and sources.problems else None


def run_check(context: TaskContext) -> dict[str, Any]:
    """The "earlier-rounds-check" task: the dry run, stored for the check page."""
    sources, kept = _read(context)
    error = unreadable(sources)
    if error is not None:
        return {
            "file_error": error,
            "summary": f"The workbook cannot be imported: {error}.",
            "link_text": "Choose another workbook",
        }
    context.report("Checking every sheet", 30)
    context.begin_writing()  # the dry run writes in a savepoint it rolls back
    actor = _actor(context)
    report = imports.check(context.session, sources, kept.filename, now=utcnow(), actor=actor)
    if report.problems:
        problems = len(report.problems)
        summary = (
            f"{problems:,} problem{'' if problems == 1 else 's'} found: nothing can be "
            "imported until they are fixed."
        )
    else:
        summary = (
            f"If you import it: {report.count(CREATED):,} new, {report.count(UPDATED):,} "
            f"changed, {report.count(UNCHANGED):,} unchanged."
        )
    return {
        **stored(report),
        "summary": summary,
        "link_text": "See the problems" if report.problems else "See the check and import it",
    }


def run_earlier_rounds_import(context: TaskContext) -> dict[str, Any]:
    """The "earlier-rounds-import" task: read the same workbook again and import it, all or
    nothing; forget it once imported."""
    actor = _actor(context)
    if actor is None:
        raise TaskError("The officer who started this import no longer has an account.")
    sources, kept = _read(context)
    error = unreadable(sources)
    if error is not None:
        raise TaskError(f"The workbook cannot be imported: {error}.")
    context.report(f"Importing {imports.total_rows(sources):,} rows", 30)
    context.begin_writing()
    report = imports.run_import(context.session, sources, kept.filename, now=utcnow(), actor=actor)
    if report.imported:
        forget(context.session, UPLOAD, kept)
        summary = f"Imported: {report.summary()}."
    else:  # the records changed since the check
        summary = f"Nothing was imported: {report.summary()}."
    return {**stored(report), "summary": summary, "link_text": "See what happened"}


def _actor(context: TaskContext) -> User | None:
    return context.session.get(User, context.started_by_id) if context.started_by_id else None


# The report as the task stores it, and back for the pages


def stored(report: ImportReport) -> dict[str, Any]:
    return {
        "source": report.source,
        "problems": [[p.file, p.line, p.column, p.message] for p in report.problems],
        "notes": list(report.notes),
        "counts": {sheet: dict(counts) for sheet, counts in report.counts.items()},
        "rows": report.rows,
        "imported": report.imported,
    }


def shown(result: dict[str, Any]) -> ImportReport:
    return ImportReport(
        source=result["source"],
        problems=[Problem(*problem) for problem in result["problems"]],
        notes=list(result["notes"]),
        counts={sheet: Counter(counts) for sheet, counts in result["counts"].items()},
        rows=result["rows"],
        imported=result["imported"],
    )
