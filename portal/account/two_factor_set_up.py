"""The two-factor set-up page, for staff signing in for the first time (auth) and for anyone
turning it on from their account (account)."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.account import services
from portal.auth import two_factor
from portal.auth.forms import TwoFactorSetUpForm
from portal.auth.models import User
from portal.db_base import utcnow
from portal.forms import form_status

# Where the recovery codes wait (in the session) for the one page that shows them.
NEW_RECOVERY_CODES = "new_recovery_codes"


def set_up_page(
    user: User, secret_key: str, finish: Callable[[], str]
) -> Response | tuple[str, int]:
    """Show the QR code and secret (kept in the session under ``secret_key``) and check the
    code typed. Once it is right: ``finish()`` runs and gives the address to go on to after
    the recovery codes, which are shown next.

    Side effects: turns two-factor sign-in on (services.confirm_two_factor).
    """
    secret = session.setdefault(secret_key, two_factor.new_secret())
    form = TwoFactorSetUpForm()
    if form.validate_on_submit():
        try:
            codes = services.confirm_two_factor(db.session, user, secret, form.code.data, utcnow())
        except services.AccountError as error:
            form.code.errors = [error.message]
        else:
            after = finish()
            session[NEW_RECOVERY_CODES] = codes
            session["after_recovery_codes"] = after
            return redirect(url_for("auth.recovery_codes"))
    uri = two_factor.provisioning_uri(secret, user.email, current_app.config["SERVICE_NAME"])
    return render_template(
        "auth/two_factor_set_up.html",
        form=form,
        qr_code=two_factor.qr_code_data_uri(uri),
        secret=two_factor.grouped_secret(secret),
    ), form_status(form)
