"""A person's own account: what we hold, password, email address, two-factor, email choices."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.account import personal_data, services
from portal.account.two_factor_set_up import NEW_RECOVERY_CODES, set_up_page
from portal.auth import tokens, two_factor
from portal.auth.access import current_person, public, signed_in
from portal.auth.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ConfirmForm,
    EmailPreferencesForm,
)
from portal.auth.models import EmailCategory
from portal.auth.services import normalise_email
from portal.auth.sessions import refresh_session_identity
from portal.auth.tokens import TokenError, TokenPurpose
from portal.db import reads_only
from portal.db_base import utcnow
from portal.forms import form_status

bp = Blueprint("account", __name__, url_prefix="/account")

Page = str | Response | tuple[str, int]
_SETUP_SECRET = "account_two_factor_secret"  # noqa: S105 (a session key)


@bp.get("/")
@signed_in
@reads_only
def home() -> str:
    user = current_person()
    return render_template(
        "account/home.html",
        user=user,
        recovery_codes_left=two_factor.unused_recovery_codes(db.session, user),
        preferences=services.email_preferences(db.session, user),
    )


@bp.route("/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Page:
    user = current_person()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(
                db.session,
                user,
                current=form.current_password.data,
                new=form.password.data,
                now=utcnow(),
            )
        except services.AccountError as error:
            form.current_password.errors = [error.message]
        else:
            refresh_session_identity(user)  # this session carries on; the others end
            flash("Your password has been changed. You have been signed out elsewhere.", "success")
            return redirect(url_for("account.home"))
    return render_template("account/change_password.html", form=form), form_status(form)


@bp.route("/email", methods=["GET", "POST"])
@signed_in
def change_email() -> Page:
    user = current_person()
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            services.request_email_change(
                db.session,
                user,
                new_email=form.email.data,
                password=form.password.data,
                now=utcnow(),
            )
        except services.AccountError as error:
            getattr(form, error.field or "email").errors = [error.message]
        else:
            flash(
                f"We have sent a link to {normalise_email(form.email.data)}. "
                "Your email address will change when you follow it.",
                "success",
            )
            return redirect(url_for("account.home"))
    return render_template("account/change_email.html", form=form, user=user), form_status(form)


@bp.route("/email/confirm/<token>", methods=["GET", "POST"])
@public
def confirm_email_change(token: str) -> Page:
    try:
        tokens.check(db.session, token, TokenPurpose.CHANGE_EMAIL, utcnow())
    except TokenError as error:
        return render_template(
            "auth/link_problem.html", problem=error.problem.value, kind="change_email"
        ), 400
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = services.confirm_email_change(db.session, token, utcnow())
        except TokenError as error:
            return render_template(
                "auth/link_problem.html", problem=error.problem.value, kind="change_email"
            ), 400
        except services.AccountError as error:
            return render_template("account/email_taken.html", message=error.message), 400
        flash(f"Your email address is now {user.email}.", "success")
        return redirect(url_for("account.home"))
    return render_template("account/confirm_email_change.html", form=form)


@bp.route("/emails", methods=["GET", "POST"])
@signed_in
def email_preferences() -> Page:
    user = current_person()
    form = EmailPreferencesForm()
    if not form.is_submitted():
        current = services.email_preferences(db.session, user)
        form.wanted.data = [category.value for category, wanted in current.items() if wanted]
    if form.validate_on_submit():
        wanted = {EmailCategory(value) for value in form.wanted.data or []}
        services.set_email_preferences(db.session, user, wanted)
        flash("Your email choices have been saved.", "success")
        return redirect(url_for("account.home"))
    return render_template("account/email_preferences.html", form=form), form_status(form)


@bp.route("/two-factor", methods=["GET", "POST"])
@signed_in
def two_factor_set_up() -> Page:
    """Turn on two-factor sign-in (optional for roles that do not need it)."""
    user = current_person()
    if user.has_two_factor:
        return redirect(url_for("account.home"))

    def finish() -> str:
        session.pop(_SETUP_SECRET, None)
        return url_for("account.home")

    return set_up_page(user, _SETUP_SECRET, finish)


@bp.route("/two-factor/recovery-codes", methods=["GET", "POST"])
@signed_in
def new_recovery_codes() -> Page:
    user = current_person()
    if not user.has_two_factor:
        return redirect(url_for("account.home"))
    form = ConfirmForm()
    if form.validate_on_submit():
        session[NEW_RECOVERY_CODES] = two_factor.new_recovery_codes(db.session, user, utcnow())
        session["after_recovery_codes"] = url_for("account.home")
        return redirect(url_for("auth.recovery_codes"))
    return render_template("account/new_recovery_codes.html", form=form)


@bp.route("/two-factor/turn-off", methods=["GET", "POST"])
@signed_in
def turn_off_two_factor() -> Page:
    user = current_person()
    if not user.has_two_factor or user.needs_two_factor:
        return redirect(url_for("account.home"))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.turn_off_two_factor(db.session, user, utcnow())
        flash("Two-factor sign-in is turned off.", "success")
        return redirect(url_for("account.home"))
    return render_template("account/turn_off_two_factor.html", form=form)


# The person's right of access: everything we hold about them.


@bp.get("/your-data")
@signed_in
def your_data() -> str:
    user = current_person()
    return render_template(
        "account/your_data.html", sections=personal_data.personal_data(db.session, user)
    )


@bp.get("/your-data.json")
@signed_in
def your_data_json() -> Response:
    user = current_person()
    sections = personal_data.personal_data(db.session, user)
    body = json.dumps(
        personal_data.as_json(user, sections, now=utcnow()), indent=2, ensure_ascii=False
    )
    response = Response(body, mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="your-peer-networks-data.json"'
    response.headers["Cache-Control"] = "no-store"
    return response
