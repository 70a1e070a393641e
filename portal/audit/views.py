"""The audit log for administrators: search only. Nobody can change an event."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from portal import db
from portal.audit.forms import AuditFilterForm
from portal.audit.services import AuditFilter, search
from portal.auth.access import admins
from portal.paging import requested_page

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")


@bp.get("/")
@admins
def events() -> tuple[str, int]:
    form = AuditFilterForm(request.args)
    valid = form.validate()
    filters = (
        AuditFilter(
            action=form.action.data or "",
            actor_email=form.actor_email.data or "",
            entity_type=form.entity_type.data or "",
            entity_id=form.entity_id.data or "",
            date_from=form.date_from.data,
            date_to=form.date_to.data,
        )
        if valid
        else AuditFilter()
    )
    result = search(db.session, filters, page=requested_page(request.args.get("page", "1")))
    return render_template("audit/events.html", form=form, result=result), 200 if valid else 400
