"""Signing in and out, two-factor sign-in, creating an account, and the emailed links."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from portal import db
from portal.account import services
from portal.account.two_factor_set_up import NEW_RECOVERY_CODES, set_up_page
from portal.auth import tokens
from portal.auth.access import public, signed_in, signed_in_user
from portal.auth.forms import (
    ConfirmForm,
    CreateAccountForm,
    ForgotPasswordForm,
    NewPasswordForm,
    SecondFactorForm,
    SignInForm,
)
from portal.auth.models import User
from portal.auth.services import normalise_email
from portal.auth.sessions import (
    complete_sign_in,
    end_session,
    pending_user,
    seconds_until_idle_timeout,
    sign_out_everywhere,
    start_pending_sign_in,
)
from portal.auth.tokens import TokenError, TokenPurpose
from portal.db_base import utcnow
from portal.extensions import limiter
from portal.forms import form_status
from portal.urls import is_safe_local_path

bp = Blueprint("auth", __name__)

Page = str | Response | tuple[str, int]

WRONG_SIGN_IN = "The email address or password is incorrect"
_SETUP_SECRET = "two_factor_setup_secret"  # noqa: S105 (a session key)
_CHECK_EMAIL = "check_email_address"
# The account this browser session created: confirming its address here signs the person in.
_CREATED_HERE = "account_created_here"


def _failed(response: Response) -> bool:
    """Only failed attempts count towards the sign-in limits."""
    return response.status_code == 400


def _account_key() -> str:
    return "sign-in:" + normalise_email(request.form.get("email", ""))


def _pending_key() -> str:
    user = pending_user()
    return f"second-factor:{user.id if user else request.remote_addr}"


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed
)
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
)
def sign_in() -> Page:
    if signed_in_user() is not None:
        return redirect(url_for("account.home"))
    next_path = request.args.get("next")
    next_path = next_path if is_safe_local_path(next_path) else None
    form = SignInForm()
    if form.validate_on_submit():
        result = services.check_password_sign_in(
            db.session, email=form.email.data, password=form.password.data
        )
        if result.user is None:
            form.email.errors = [WRONG_SIGN_IN]
            return render_template("auth/sign_in.html", form=form), 400
        user = result.user
        if result.unverified:
            services.send_verification(db.session, user, utcnow())
            session[_CHECK_EMAIL] = user.email
            return redirect(url_for("auth.check_email", reason="unverified"))
        if user.has_two_factor:
            start_pending_sign_in(user, next_path)
            return redirect(url_for("auth.second_factor"))
        if user.needs_two_factor:
            start_pending_sign_in(user, next_path)
            return redirect(url_for("auth.two_factor_set_up"))
        return redirect(complete_sign_in(user, next_path))
    return render_template("auth/sign_in.html", form=form), form_status(form)


@bp.route("/sign-in/security-code", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"],
    methods=["POST"],
    key_func=_pending_key,
    deduct_when=_failed,
)
def second_factor() -> Page:
    user = pending_user()
    if user is None or not user.has_two_factor:
        flash("Sign in again to carry on.", "info")
        return redirect(url_for("auth.sign_in"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        if services.check_second_factor(db.session, user, form.code.data, utcnow()):
            return redirect(complete_sign_in(user))
        form.code.errors = ["The security code is incorrect or has already been used"]
    return render_template("auth/second_factor.html", form=form), form_status(form)


@bp.route("/sign-in/set-up-two-factor", methods=["GET", "POST"])
@public
def two_factor_set_up() -> Page:
    """Staff whose role needs two-factor sign-in set it up here before their first session."""
    user = pending_user()
    if user is None:
        flash("Sign in again to carry on.", "info")
        return redirect(url_for("auth.sign_in"))
    return set_up_page(user, _SETUP_SECRET, finish=lambda: complete_sign_in(user))


@bp.get("/sign-in/recovery-codes")
@signed_in
def recovery_codes() -> Page:
    """Shown once, straight after two-factor sign-in is turned on or the codes are replaced."""
    codes = session.pop(NEW_RECOVERY_CODES, None)
    session.pop(_SETUP_SECRET, None)
    if not codes:
        return redirect(url_for("account.home"))
    target = session.pop("after_recovery_codes", None)
    return render_template(
        "auth/recovery_codes.html",
        codes=codes,
        continue_url=target if is_safe_local_path(target) else url_for("account.home"),
    )


@bp.post("/sign-out")
@signed_in
def sign_out() -> Response:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("account.home"))
    if request.args.get("timed_out"):
        end_session()
    else:
        sign_out_everywhere()
    if request.args.get("timed_out"):
        minutes = current_app.config["SESSION_IDLE_MINUTES"]
        flash(
            f"You were signed out because you had not used the service for {minutes} minutes. "
            "Sign in again to carry on.",
            "info",
        )
    else:
        flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.get("/session/status")
@public
def session_status() -> Response:
    """For the timeout warning: how long until this session ends. Not counted as activity."""
    if signed_in_user() is None:
        return jsonify(signed_in=False, seconds_left=0)
    return jsonify(signed_in=True, seconds_left=seconds_until_idle_timeout())


@bp.post("/session/extend")
@signed_in
def extend_session() -> Response | tuple[Response, int]:
    form = ConfirmForm()
    if not form.validate_on_submit():
        return jsonify(extended=False), 400
    return jsonify(extended=True, seconds_left=seconds_until_idle_timeout())


# Creating an account


@bp.route("/create-account", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["EMAIL_LIMIT_PER_ADDRESS"], methods=["POST"])
def create_account() -> Page:
    form = CreateAccountForm()
    next_path = request.args.get("next")
    if form.validate_on_submit():
        created = services.create_account(
            db.session,
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            now=utcnow(),
            next_path=next_path if is_safe_local_path(next_path) else None,
        )
        session[_CHECK_EMAIL] = normalise_email(form.email.data)
        if created is not None:
            session[_CREATED_HERE] = created.id
        return redirect(url_for("auth.check_email", reason="new-account"))
    return render_template("auth/create_account.html", form=form), form_status(form)


@bp.get("/check-your-email")
@public
def check_email() -> str:
    reason = request.args.get("reason", "new-account")
    if reason not in {"new-account", "unverified", "reset"}:
        reason = "new-account"
    return render_template("auth/check_email.html", email=session.get(_CHECK_EMAIL), reason=reason)


@bp.route("/confirm-email/<token>", methods=["GET", "POST"])
@public
def verify_email(token: str) -> Page:
    # Opening the link only shows a button: email scanners that follow links must not use it up.
    try:
        tokens.check(db.session, token, TokenPurpose.VERIFY_EMAIL, utcnow())
    except TokenError as error:
        return _link_problem(error, "confirm_email")
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            user = services.verify_email(db.session, token, utcnow())
        except TokenError as error:
            return _link_problem(error, "confirm_email")
        next_path = request.args.get("next")
        next_path = next_path if is_safe_local_path(next_path) else None
        if signed_in_user() is not None:
            flash("Your email address is confirmed.", "success")
            return redirect(next_path or url_for("account.home"))
        if _created_in_this_session(user):
            # The same browser that created the account (and so knows the password) follows
            # the link: carry on signed in. A link opened anywhere else still asks to sign in.
            target = complete_sign_in(user, next_path)
            flash("Your email address is confirmed.", "success")
            return redirect(target)
        flash("Your email address is confirmed. You can now sign in.", "success")
        return redirect(url_for("auth.sign_in", next=next_path))
    return render_template("auth/confirm_email.html", form=form)


def _created_in_this_session(user: User) -> bool:
    return (
        session.get(_CREATED_HERE) == user.id
        and user.is_active
        and not user.has_two_factor
        and not user.needs_two_factor
    )


def _link_problem(error: TokenError, kind: str) -> tuple[str, int]:
    return render_template("auth/link_problem.html", problem=error.problem.value, kind=kind), 400


# Passwords


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["EMAIL_LIMIT_PER_ADDRESS"], methods=["POST"])
def forgot_password() -> Page:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, email=form.email.data, now=utcnow())
        session[_CHECK_EMAIL] = normalise_email(form.email.data)
        return redirect(url_for("auth.check_email", reason="reset"))
    return render_template("auth/forgot_password.html", form=form), form_status(form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str) -> Page:
    try:
        found = tokens.check(db.session, token, TokenPurpose.RESET_PASSWORD, utcnow())
    except TokenError as error:
        return _link_problem(error, "reset_password")
    form = NewPasswordForm()
    user = db.session.get(User, found.user_id)
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, token, form.password.data, utcnow())
        except TokenError as error:
            return _link_problem(error, "reset_password")
        end_session()
        flash("Your password has been changed. Sign in with your new password.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form, user=user), form_status(form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str) -> Page:
    try:
        found = tokens.check(db.session, token, TokenPurpose.INVITATION, utcnow())
    except TokenError as error:
        return _link_problem(error, "invitation")
    user = db.session.get(User, found.user_id)
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.accept_invitation(db.session, token, form.password.data, utcnow())
        except TokenError as error:
            return _link_problem(error, "invitation")
        end_session()
        if user.needs_two_factor:
            start_pending_sign_in(user, None)
            flash("Your password is set. Now set up two-factor sign-in.", "success")
            return redirect(url_for("auth.two_factor_set_up"))
        flash("Your password is set and you are signed in.", "success")
        return redirect(complete_sign_in(user))
    return render_template("auth/accept_invitation.html", form=form, user=user), form_status(form)
