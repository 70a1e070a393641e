from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import admins, signed_in_user
from portal.forms import form_status
from portal.notifications.forms import ResendForm
from portal.notifications.models import OutboxMessage, OutboxStatus
from portal.notifications.services import needing_attention, resend, status_counts

bp = Blueprint("notifications", __name__, url_prefix="/admin/outbox")


@bp.get("/")
@admins
def outbox() -> str:
    listing = needing_attention(db.session, page=request.args.get("page", 1, type=int))
    return render_template(
        "notifications/outbox.html", listing=listing, counts=status_counts(db.session)
    )


@bp.route("/<int:message_id>", methods=["GET", "POST"])
@admins
def outbox_message(message_id: int) -> str | Response | tuple[str, int]:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    form = ResendForm()
    if form.validate_on_submit():
        if message.status is OutboxStatus.FAILED:
            resend(db.session, message, actor=signed_in_user())
            flash("The email will be sent again within a minute.", "success")
        else:
            flash(f"This email was not sent again: it is {message.status.label.lower()}.")
        return redirect(url_for("notifications.outbox_message", message_id=message.id))
    return render_template("notifications/message.html", message=message, form=form), form_status(
        form
    )
