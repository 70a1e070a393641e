"""The board report as a Word document (.docx), made by a background task.

Working out every chosen round's figures and writing the document takes seconds at full
size, so the board report page starts a task of kind "board-report-document" with the
report's choices; the task stores the document (``portal.tasks``' ``task_file``, kept for
a day) and its status page links to the download, which only people holding the role the
task was started with can open.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, url_for
from sqlalchemy.orm import Session

from portal import tasks
from portal.outcomes import stored
from portal.outcomes.board_report import BoardReport, CostBasis, build_report
from portal.outcomes.figures import as_at_moment
from portal.outcomes.money_forms import Choices
from portal.outcomes.report_docx import DOCX_MIMETYPE, report_docx
from portal.presentation import plural
from portal.rounds.models import Round
from portal.tasks import services as task_services
from portal.tasks.runner import TaskContext, TaskError

KIND = "board-report-document"


def init_app(app: Flask) -> None:
    tasks.register(
        app,
        tasks.TaskKind(
            KIND,
            "Board report document",
            run_board_report_document,
            result_url=lambda task: url_for("tasks.download", task_id=task.id),
        ),
    )


def report_for(
    session: Session,
    choices: Choices,
    *,
    area: str,
    each_round: Callable[[Round], None] | None = None,
) -> BoardReport:
    """The board report for the choices (``each_round`` is told before each round's figures
    are worked out)."""
    moment = as_at_moment(choices.as_at)
    summaries = []
    for programme_round in choices.rounds:
        if each_round is not None:
            each_round(programme_round)
        summaries.append(stored.round_summary(session, programme_round, moment))
    return build_report(
        summaries,
        area=area,
        as_at=choices.as_at,
        basis=choices.basis,
        projected_cohorts=choices.cohorts,
    )


def filename_of(report: BoardReport) -> str:
    return f"board-report-as-at-{report.as_at}.docx"


def choices_from(session: Session, params: dict[str, Any]) -> Choices:
    """The choices the task was started with (``Choices.args()``, checked by the page)."""
    rounds = [session.get(Round, int(round_id)) for round_id in params["round"]]
    if not rounds or any(found is None for found in rounds):
        raise TaskError("A round in the report no longer exists. Choose the rounds again.")
    return Choices(
        rounds=[found for found in rounds if found is not None],
        as_at=dt.date.fromisoformat(params["as_at"]),
        cohorts=int(params["cohorts"]),
        basis=CostBasis(params["basis"]),
    )


def run_board_report_document(context: TaskContext) -> dict[str, Any]:
    """The "board-report-document" task: work out the figures, write the document, keep it."""
    session = context.session
    choices = choices_from(session, context.params)
    count = len(choices.rounds)
    done = iter(range(count))

    def each_round(programme_round: Round) -> None:
        context.report(
            f"Working out the figures for {programme_round.name}", 10 + 60 * next(done) // count
        )

    report = report_for(
        session, choices, area=current_app.config["HUB_AREA"], each_round=each_round
    )
    context.report("Writing the document", 80)
    body = report_docx(report)
    context.begin_writing()
    task_services.keep_file(
        session, context.task_id, filename=filename_of(report), mimetype=DOCX_MIMETYPE, data=body
    )
    return {
        "summary": (
            f"The report on {plural(count, 'round')} as at {report.as_at_text} is ready. "
            "You can download it for a day."
        ),
        "link_text": "Download the report (.docx)",
    }
