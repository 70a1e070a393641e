"""The board report: rounds side by side in the report's own sentences, printable, as a .docx
(made by a background task: ``board_report_task``), and issued as a frozen snapshot that
never changes afterwards."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, officers_and_admins, signed_in_user
from portal.auth.forms import ConfirmForm
from portal.auth.models import Role
from portal.exports import attachment
from portal.forms import form_status
from portal.outcomes import board_report_task, snapshot
from portal.outcomes.board_report import BoardReport
from portal.outcomes.money_forms import BoardReportForm, Choices, IssueForm, read_choices
from portal.outcomes.report_docx import DOCX_MIMETYPE
from portal.rounds.services import rounds_by_start
from portal.tasks import services as task_services
from portal.timefmt import govuk_date

bp = Blueprint("board_report", __name__, url_prefix="/board-report")


def report_form(source: MultiDict[str, str]) -> tuple[BoardReportForm, Choices | None]:
    """The choices form filled from ``source``, and the valid choices (None if not valid or
    nothing was asked)."""
    return read_choices(BoardReportForm, source, rounds_by_start(db.session))


def board_report_for(choices: Choices) -> BoardReport:
    return board_report_task.report_for(db.session, choices, area=current_app.config["HUB_AREA"])


def report_html(report: BoardReport) -> Markup:
    """The report's body as HTML: what the page shows and what issuing freezes (escaped by
    the template, so safe to show as it is)."""
    return Markup(render_template("board_report/_report.html", report=report))  # noqa: S704


def docx_response(filename: str, body: bytes) -> Response:
    response = Response(body, mimetype=DOCX_MIMETYPE)
    response.headers["Content-Disposition"] = attachment(filename)
    return response


@bp.get("/")
@officers_and_admins
def index() -> tuple[str, int]:
    form, choices = report_form(request.args)
    report = board_report_for(choices) if choices else None
    return render_template(
        "board_report/index.html",
        form=form,
        report=report,
        body=report_html(report) if report else None,
        args=choices.args() if choices else None,
        download_form=ConfirmForm(formdata=None),
    ), form_status(form)


@bp.post("/report.docx")
@officers_and_admins
def download() -> Response | tuple[str, int]:
    """Start the task that makes the report (choices in the query string, as on the page)
    as a .docx; its status page links to the download."""
    form, choices = report_form(request.args)
    if choices is None or not ConfirmForm().validate_on_submit():
        return render_template(
            "board_report/index.html", form=form, report=None, body=None, args=None
        ), 400
    person = current_person()
    task = task_services.start(
        db.session,
        board_report_task.KIND,
        starter=person,
        role=Role.OFFICER if person.has_role(Role.OFFICER) else Role.ADMIN,
        params=choices.args(),
    )
    return redirect(url_for("tasks.status", task_id=task.id))


@bp.route("/issue", methods=["GET", "POST"])
@officers_and_admins
def issue() -> Response | tuple[str, int]:
    source = request.form if request.method == "POST" else request.args
    form, choices = report_form(
        MultiDict([(k, v) for k, v in source.items(multi=True) if k != "csrf_token"])
    )
    issue_form = IssueForm()
    if choices is None:
        if not form.errors:
            form.round.errors = ["Select at least one round"]
        return render_template(
            "board_report/index.html", form=form, report=None, body=None, args=None
        ), 400
    report = board_report_for(choices)
    if issue_form.validate_on_submit():
        issued = snapshot.issue_report(
            db.session, report, html=str(report_html(report)), actor=signed_in_user()
        )
        flash(f"The report as at {report.as_at_text} has been issued.", "success")
        return redirect(url_for("board_report.issued", report_id=issued.id))
    return render_template(
        "board_report/issue.html",
        form=issue_form,
        report=report,
        args=choices.args(),
    ), form_status(issue_form)


@bp.get("/issued/")
@officers_and_admins
def issued_list() -> str:
    return render_template(
        "board_report/issued_list.html",
        reports=snapshot.issued_reports(db.session),
        govuk_date=govuk_date,
    )


@bp.get("/issued/<int:report_id>")
@officers_and_admins
def issued(report_id: int) -> str:
    found = snapshot.get_issued_report(db.session, report_id)
    return render_template(
        "board_report/issued.html",
        issued=found,
        govuk_date=govuk_date,
    )


@bp.get("/issued/<int:report_id>/report.docx")
@officers_and_admins
def issued_download(report_id: int) -> Response:
    found = snapshot.get_issued_report(db.session, report_id)
    return docx_response(f"issued-board-report-{found.id}-as-at-{found.as_at}.docx", found.docx)
