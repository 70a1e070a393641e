from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import public, signed_in_user
from portal.db import reads_only
from portal.forms import form_status
from portal.pages.forms import FeedbackForm
from portal.pages.models import FeedbackRating
from portal.pages.services import record_feedback
from portal.urls import is_safe_local_path

bp = Blueprint("pages", __name__)


@bp.get("/")
@public
@reads_only
def start() -> str:
    return render_template("pages/start.html")


@bp.get("/start")
@public
def before_you_start() -> str | Response:
    """ "Start now" asks first whether the person has an account, so a new business owner does
    not have to find "create an account" under a sign-in form."""
    if signed_in_user() is not None:
        return redirect(url_for("registration.start"))
    return render_template("pages/before_you_start.html", next_path=url_for("registration.start"))


@bp.get("/accessibility")
@public
def accessibility() -> str:
    return render_template("pages/accessibility.html")


@bp.get("/privacy")
@public
def privacy() -> str:
    return render_template("pages/privacy.html")


@bp.get("/cookies")
@public
def cookies() -> str:
    return render_template("pages/cookies.html")


@bp.route("/feedback", methods=["GET", "POST"])
@public
def feedback() -> str | Response | tuple[str, int]:
    from_path = request.args.get("from_path", "")
    if not is_safe_local_path(from_path):
        from_path = ""
    form = FeedbackForm()
    if form.validate_on_submit():
        record_feedback(
            db.session,
            rating=FeedbackRating(form.rating.data),
            comments=form.comments.data or "",
            page=from_path or None,
        )
        flash("Thank you for your feedback. We read every response.", "success")
        return redirect(from_path or url_for("pages.start"))
    return render_template("pages/feedback.html", form=form), form_status(form)


@bp.get("/healthz")
@public
def healthz() -> tuple[dict[str, str], int]:
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        current_app.logger.exception("Health check could not reach the database")
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}, 200
