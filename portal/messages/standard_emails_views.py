"""Officers change the wording of the standard emails (the offer, the survey invitation and
the survey reminder): preview, then save as a new version, which is sent from then on. Every
version is kept and listed (portal.notifications.wording)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import current_person, officers
from portal.db_base import utcnow
from portal.forms import form_status
from portal.messages.forms import WordingForm
from portal.notifications.wording import (
    STANDARD_EMAILS,
    Rendered,
    StandardEmail,
    Wording,
    WordingRefused,
    check_wording,
    current_wording,
    render,
    save_version,
    versions,
)

bp = Blueprint("standard_emails", __name__, url_prefix="/standard-emails")


@bp.get("/")
@officers
def index() -> str:
    return render_template(
        "standard_emails/index.html",
        emails=[
            (email, current_wording(db.session, kind)) for kind, email in STANDARD_EMAILS.items()
        ],
    )


def _email(kind: str) -> StandardEmail:
    if kind not in STANDARD_EMAILS:
        abort(404)
    return STANDARD_EMAILS[kind]


@bp.route("/<kind>", methods=["GET", "POST"])
@officers
def change(kind: str) -> str | Response | tuple[str, int]:
    email = _email(kind)
    current = current_wording(db.session, kind)
    form = WordingForm(data={"subject": current.subject, "body": current.body})
    preview: Rendered | None = None
    valid = form.validate_on_submit()
    subject, body = form.subject.data or "", form.body.data or ""
    problems = check_wording(kind, subject, body) if form.is_submitted() else []
    for problem in problems:
        if not form[problem.field].errors:  # the form's own message comes first
            form[problem.field].errors = [problem.message]
    if valid:
        if not problems and form.save.data:
            try:
                version = save_version(
                    db.session,
                    kind,
                    subject=subject,
                    body=body,
                    actor=current_person(),
                    now=utcnow(),
                )
            except WordingRefused as refused:
                form[refused.field].errors = [refused.message]
            else:
                flash(
                    f"Version {version.number} of the {email.name.lower()} email is saved. "
                    "It is the one sent from now on.",
                    "success",
                )
                return redirect(url_for("standard_emails.change", kind=kind))
        elif not problems:
            preview = render(Wording(kind, 0, subject, body), email.sample)
    return render_template(
        "standard_emails/change.html",
        email=email,
        current=current,
        form=form,
        preview=preview,
        versions=versions(db.session, kind),
    ), form_status(form)
