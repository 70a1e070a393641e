"""The person's survey, opened from the personal link in their email.

The link is the only key: it opens that person's survey without signing in, and nothing
else (no session is created, no other page is reachable with it). Opening it changes
nothing: email scanners follow links, so starting takes a button. Someone signed in as
another person is refused, and an unknown or expired link gets a page saying what to do.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import public, signed_in_user
from portal.auth.forms import ConfirmForm
from portal.db_base import utcnow
from portal.forms import form_status
from portal.surveys import runner
from portal.surveys.definitions import current_version
from portal.surveys.invitations import LinkError, LinkProblem, invitation_for_link
from portal.surveys.models import SurveyInvitation, SurveyResponse
from portal.surveys.runner_pages import (
    Addresses,
    check_page,
    question_page,
    resume_url,
    summary_rows,
)

bp = Blueprint("surveys", __name__, url_prefix="/survey")

Page = str | Response | tuple[str, int]


def _addresses(token: str, title: str) -> Addresses:
    return Addresses(
        page="surveys.page",
        check="surveys.check",
        done="surveys.sent",
        values={"token": token},
        caption=title,
        back_to=None,
    )


def _opened(token: str) -> SurveyInvitation | Page:
    """The invitation behind the link, or the page explaining why it does not open."""
    try:
        invitation = invitation_for_link(db.session, token, utcnow())
    except LinkError as error:
        status = 410 if error.problem == LinkProblem.EXPIRED else 404
        return render_template("surveys/link_problem.html", problem=error.problem.value), status
    someone = signed_in_user()
    if someone is not None and someone.id != invitation.person_id:
        return render_template("surveys/someone_else.html"), 404
    return invitation


def _response(token: str) -> SurveyResponse | Page:
    opened = _opened(token)
    if not isinstance(opened, SurveyInvitation):
        return opened
    if opened.response is None:
        return redirect(url_for("surveys.start", token=token))
    return opened.response


@bp.route("/<token>", methods=["GET", "POST"])
@public
def start(token: str) -> Page:
    """The emailed link: what the survey is for and how answers are used, then a button."""
    opened = _opened(token)
    if not isinstance(opened, SurveyInvitation):
        return opened
    invitation = opened
    response = invitation.response
    version = response.version if response else current_version(db.session, invitation.timing)
    if response is not None and response.is_submitted:
        return redirect(_addresses(token, version.title).done_url())  # type: ignore[union-attr]
    form = ConfirmForm()
    if version is not None and form.validate_on_submit():
        try:
            response = runner.start_response(db.session, invitation, now=utcnow())
        except runner.NotAvailable:
            version = None
        else:
            return redirect(resume_url(response, _addresses(token, response.version.title)))
    return render_template(
        "surveys/start.html",
        form=form,
        version=version,
        response=response,
        title=version.title if version else "This survey is not available yet",
    ), form_status(form)


@bp.route("/<token>/page/<page_key>", methods=["GET", "POST"])
@public
def page(token: str, page_key: str) -> Page:
    found = _response(token)
    if not isinstance(found, SurveyResponse):
        return found
    return question_page(found, page_key, _addresses(token, found.version.title))


@bp.route("/<token>/check-your-answers", methods=["GET", "POST"])
@public
def check(token: str) -> Page:
    found = _response(token)
    if not isinstance(found, SurveyResponse):
        return found
    return check_page(found, _addresses(token, found.version.title))


@bp.get("/<token>/sent")
@public
def sent(token: str) -> Page:
    """The response as sent: read only."""
    found = _response(token)
    if not isinstance(found, SurveyResponse):
        return found
    if not found.is_submitted:
        return redirect(resume_url(found, _addresses(token, found.version.title)))
    return render_template(
        "surveys/sent.html",
        response=found,
        sections=summary_rows(found, None),
        title="Thank you for your answers",
    )
