"""Administration: invite people, change their roles, deactivate them; manage contractors."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response

from portal import db
from portal.account.services import AccountError
from portal.admin import services
from portal.admin.forms import (
    AccessForm,
    ContractorForm,
    DeactivateForm,
    EndContractorForm,
    EraseForm,
    InviteUserForm,
    LiftRestrictionForm,
    ReactivateForm,
    RestrictForm,
    UserFilterForm,
    contractor_choices,
)
from portal.audit.services import history
from portal.auth.access import admins, current_person
from portal.auth.forms import ConfirmForm
from portal.auth.models import Role, User, UserStatus
from portal.db_base import utcnow
from portal.forms import form_status
from portal.paging import requested_page

bp = Blueprint("admin", __name__, url_prefix="/admin")

Page = str | Response | tuple[str, int]


@bp.get("/")
@admins
def index() -> str:
    return render_template("admin/index.html")


@bp.get("/users")
@admins
def users() -> Page:
    form = UserFilterForm(request.args)
    filters_ok = form.validate()
    result = services.find_users(
        db.session,
        search=form.search.data or "" if filters_ok else "",
        role=Role(form.role.data) if filters_ok and form.role.data else None,
        status=UserStatus(form.status.data) if filters_ok and form.status.data else None,
        page=requested_page(request.args.get("page", "1")),
    )
    status = 200 if filters_ok else 400
    return render_template("admin/users.html", form=form, result=result), status


def _fill_access_choices(form: AccessForm, user: User | None = None) -> None:
    contractors = services.active_contractors(db.session)
    if user is not None:  # keep showing an ended contractor the person still belongs to
        contractors += [c for c in user.contractors if c not in contractors]
    form.contractors.choices = contractor_choices(contractors)


def _chosen(form: AccessForm) -> tuple[set[Role], set[int]]:
    return {Role(value) for value in form.roles.data or []}, {
        int(value) for value in form.contractors.data or []
    }


@bp.route("/users/invite", methods=["GET", "POST"])
@admins
def invite_user() -> Page:
    form = InviteUserForm()
    _fill_access_choices(form)
    if form.validate_on_submit():
        roles, contractor_ids = _chosen(form)
        try:
            user = services.invite_user(
                db.session,
                actor=current_person(),
                email=form.email.data,
                name=form.name.data,
                roles=roles,
                contractor_ids=contractor_ids,
                now=utcnow(),
            )
        except AccountError as error:
            getattr(form, error.field or "email").errors = [error.message]
        else:
            flash(f"We have sent an invitation to {user.email}.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/invite_user.html", form=form), form_status(form)


@bp.get("/users/<int:user_id>")
@admins
def user_detail(user_id: int) -> str:
    user = services.get_user(db.session, user_id)
    return render_template(
        "admin/user_detail.html",
        user=user,
        events=history(db.session, "user", user.id),
        resend_form=ConfirmForm(formdata=None),
    )


@bp.route("/users/<int:user_id>/access", methods=["GET", "POST"])
@admins
def change_access(user_id: int) -> Page:
    user = services.get_user(db.session, user_id)
    form = AccessForm()
    _fill_access_choices(form, user)
    if not form.is_submitted():
        form.roles.data = sorted(role.value for role in user.roles)
        form.contractors.data = [str(cid) for cid in sorted(user.contractor_ids)]
    if form.validate_on_submit():
        roles, contractor_ids = _chosen(form)
        try:
            changed = services.change_access(
                db.session,
                actor=current_person(),
                user=user,
                roles=roles,
                contractor_ids=contractor_ids,
                now=utcnow(),
            )
        except AccountError as error:
            getattr(form, error.field or "roles").errors = [error.message]
        else:
            if changed:
                flash(
                    f"{user.name}'s access has been changed. They have been signed out.", "success"
                )
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/change_access.html", form=form, user=user), form_status(form)


@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
@admins
def deactivate_user(user_id: int) -> Page:
    return _set_active(user_id, active=False)


@bp.route("/users/<int:user_id>/reactivate", methods=["GET", "POST"])
@admins
def reactivate_user(user_id: int) -> Page:
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool) -> Page:
    user = services.get_user(db.session, user_id)
    if active and user.is_erased:  # never offered: nothing new about an erased person
        abort(404)
    form = ReactivateForm() if active else DeactivateForm()
    if form.validate_on_submit():
        try:
            services.set_active(
                db.session,
                actor=current_person(),
                user=user,
                active=active,
                reason=form.reason.data,
                now=utcnow(),
            )
        except AccountError as error:
            form.reason.errors = [error.message]
        else:
            done = "reactivated" if active else "deactivated and signed out"
            flash(f"{user.name}'s account has been {done}.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template(
        "admin/set_active.html", form=form, user=user, active=active
    ), form_status(form)


@bp.route("/users/<int:user_id>/erase", methods=["GET", "POST"])
@admins
def erase_user(user_id: int) -> Page:
    """The right to erasure: personal data removed everywhere, figures unchanged."""
    from portal.privacy.erasure import ErasureRefused, erase_person, remove_mail_files

    user = services.get_user(db.session, user_id)
    form = EraseForm()
    if form.validate_on_submit():
        name = user.name
        try:
            report = erase_person(
                db.session, user, actor=current_person(), reason=form.reason.data, now=utcnow()
            )
        except ErasureRefused as refused:
            form.reason.errors = [str(refused)]
        else:
            # The .eml files are development copies of the outbox rows erased above.
            folder = current_app.config["MAIL_FOLDER"] or Path(current_app.instance_path) / "mail"
            remove_mail_files(Path(folder), report.outbox_ids)
            flash(f"{name}'s personal data has been erased.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/erase_user.html", form=form, user=user), form_status(form)


@bp.route("/users/<int:user_id>/restrict", methods=["GET", "POST"])
@admins
def restrict_user(user_id: int) -> Page:
    """Restricting processing instead of erasing: records kept, the person left alone."""
    return _restriction(user_id, lifting=False)


@bp.route("/users/<int:user_id>/lift-restriction", methods=["GET", "POST"])
@admins
def lift_restriction(user_id: int) -> Page:
    return _restriction(user_id, lifting=True)


def _restriction(user_id: int, *, lifting: bool) -> Page:
    from portal.privacy import restriction

    user = services.get_user(db.session, user_id)
    if user.is_restricted != lifting:
        state = "is already restricted" if user.is_restricted else "is not restricted"
        flash(f"Processing of {user.name}'s data {state}.", "info")
        return redirect(url_for("admin.user_detail", user_id=user.id))
    form = LiftRestrictionForm() if lifting else RestrictForm()
    if form.validate_on_submit():
        try:
            if lifting:
                restriction.lift(db.session, user, actor=current_person(), reason=form.reason.data)
            else:
                restriction.restrict(
                    db.session, user, actor=current_person(), reason=form.reason.data, now=utcnow()
                )
        except restriction.RestrictionRefused as refused:
            form.reason.errors = [str(refused)]
        else:
            done = "is no longer restricted" if lifting else "is now restricted"
            flash(f"Processing of {user.name}'s data {done}.", "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template(
        "admin/restriction.html", form=form, user=user, lifting=lifting
    ), form_status(form)


@bp.post("/users/<int:user_id>/resend-invitation")
@admins
def resend_invitation(user_id: int) -> Page:
    user = services.get_user(db.session, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.resend_invitation(db.session, actor=current_person(), user=user, now=utcnow())
        except AccountError as error:
            flash(error.message, "info")
        else:
            flash(f"We have sent a new invitation to {user.email}.", "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


# Contractors


@bp.get("/contractors")
@admins
def contractors() -> str:
    return render_template(
        "admin/contractors.html", contractors=services.all_contractors(db.session)
    )


@bp.route("/contractors/add", methods=["GET", "POST"])
@admins
def add_contractor() -> Page:
    return _save_contractor(None)


@bp.route("/contractors/<int:contractor_id>/edit", methods=["GET", "POST"])
@admins
def edit_contractor(contractor_id: int) -> Page:
    return _save_contractor(contractor_id)


def _save_contractor(contractor_id: int | None) -> Page:
    contractor = (
        services.get_contractor(db.session, contractor_id) if contractor_id is not None else None
    )
    form = ContractorForm(obj=contractor)
    if form.validate_on_submit():
        try:
            saved = services.save_contractor(
                db.session,
                actor=current_person(),
                contractor=contractor,
                name=form.name.data,
                contact_email=(form.contact_email.data or "").lower(),
                now=utcnow(),
            )
        except AccountError as error:
            getattr(form, error.field or "name").errors = [error.message]
        else:
            flash(f"{saved.name} has been saved.", "success")
            return redirect(url_for("admin.contractor_detail", contractor_id=saved.id))
    return render_template(
        "admin/contractor_form.html", form=form, contractor=contractor
    ), form_status(form)


@bp.get("/contractors/<int:contractor_id>")
@admins
def contractor_detail(contractor_id: int) -> str:
    contractor = services.get_contractor(db.session, contractor_id)
    members = services.contractor_members(db.session, contractor)
    return render_template(
        "admin/contractor_detail.html",
        contractor=contractor,
        members=members,
        roles=services.roles_of(members),
        events=history(db.session, "contractor", contractor.id),
    )


@bp.route("/contractors/<int:contractor_id>/end", methods=["GET", "POST"])
@admins
def end_contractor(contractor_id: int) -> Page:
    contractor = services.get_contractor(db.session, contractor_id)
    form = EndContractorForm()
    if form.validate_on_submit():
        services.end_contractor(
            db.session,
            actor=current_person(),
            contractor=contractor,
            reason=form.reason.data,
            now=utcnow(),
        )
        flash(f"{contractor.name}'s contract has been ended.", "success")
        return redirect(url_for("admin.contractor_detail", contractor_id=contractor.id))
    return render_template(
        "admin/end_contractor.html", form=form, contractor=contractor
    ), form_status(form)
