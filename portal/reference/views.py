"""Administering the reference lists and seeing the bank holidays the schedules skip."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from portal import db
from portal.auth.access import admins, signed_in_user
from portal.db_base import utcnow
from portal.reference import editing
from portal.reference import services as reference
from portal.reference.forms import AddItemForm, ChangeItemForm, RestoreItemForm, RetireItemForm
from portal.reference.models import BankHoliday, ReferenceKind
from portal.timefmt import to_london

bp = Blueprint("reference", __name__, url_prefix="/admin/reference")

Page = str | Response | tuple[str, int]
DUPLICATE_CODE_MESSAGE = "There is already an item with this code"


@dataclass(frozen=True)
class ListName:
    title: str
    singular: str
    description: str

    @property
    def with_article(self) -> str:
        return f"{'an' if self.singular[0] in 'aeiou' else 'a'} {self.singular}"


LIST_NAMES = {
    ReferenceKind.DISTRICT: ListName(
        "Districts", "district", "Where a business must be to take part."
    ),
    ReferenceKind.SECTOR: ListName(
        "Sectors", "sector", "What a business does, by SIC 2007 section."
    ),
    ReferenceKind.OWNERSHIP_FACT: ListName(
        "Ownership profile facts",
        "ownership profile fact",
        "Who owns or runs a business, for cohorts with one ownership profile.",
    ),
    ReferenceKind.BUSINESS_ORGANISATION: ListName(
        "Business organisations",
        "business organisation",
        "Chambers, sector bodies and networks a cohort can be aligned to.",
    ),
    ReferenceKind.ISSUE: ListName("Issues", "issue", "What participants bring to their cohort."),
    ReferenceKind.SUPPORT_TYPE: ListName(
        "Support types", "support type", "Kinds of one-to-one support."
    ),
}


def slug(kind: ReferenceKind) -> str:
    """The list's part of the address: its shipped file's name, e.g. 'ownership-facts'."""
    return kind.file_name.removesuffix(".csv")


_KINDS_BY_SLUG = {slug(kind): kind for kind in ReferenceKind}


def _kind(list_slug: str) -> ReferenceKind:
    kind = _KINDS_BY_SLUG.get(list_slug)
    if kind is None:
        abort(404)
    return kind


def _render(template: str, form: object | None = None, **context: object) -> Page:
    page = render_template(template, form=form, slug=slug, list_names=LIST_NAMES, **context)
    return (page, 400) if form is not None and getattr(form, "errors", None) else page


@bp.get("/")
@admins
def index() -> Page:
    return _render("reference/index.html", lists=editing.list_counts(db.session))


@bp.get("/<list_slug>/")
@admins
def list_items(list_slug: str) -> Page:
    kind = _kind(list_slug)
    return _render("reference/items.html", kind=kind, items=editing.items_of(db.session, kind))


@bp.route("/<list_slug>/add", methods=["GET", "POST"])
@admins
def add_item(list_slug: str) -> Page:
    kind = _kind(list_slug)
    form = AddItemForm()
    if form.validate_on_submit():
        try:
            item = editing.add_item(
                db.session,
                actor=signed_in_user(),
                kind=kind,
                label=form.label.data,
                code=form.code.data or "",
                note=form.note.data or "",
            )
        except editing.DuplicateCode:
            form.code.errors.append(DUPLICATE_CODE_MESSAGE)
        else:
            flash(f"{item.label} has been added.", "success")
            return redirect(url_for("reference.list_items", list_slug=list_slug))
    return _render("reference/add.html", form, kind=kind)


@bp.route("/<list_slug>/<int:item_id>/change", methods=["GET", "POST"])
@admins
def change_item(list_slug: str, item_id: int) -> Page:
    kind = _kind(list_slug)
    item = editing.get_item(db.session, kind, item_id)
    # Filled from the item until submitted: every answer then comes from what was sent.
    form = ChangeItemForm(obj=item if request.method == "GET" else None)
    if form.validate_on_submit():
        changed = editing.rename_item(
            db.session, item, actor=signed_in_user(), label=form.label.data, note=form.note.data
        )
        if changed:
            flash(f"{item.label} has been saved.", "success")
        return redirect(url_for("reference.list_items", list_slug=list_slug))
    return _render("reference/change.html", form, kind=kind, item=item)


@bp.route("/<list_slug>/<int:item_id>/retire", methods=["GET", "POST"])
@admins
def retire_item(list_slug: str, item_id: int) -> Page:
    kind = _kind(list_slug)
    item = editing.get_item(db.session, kind, item_id)
    form = RetireItemForm()
    if form.validate_on_submit():
        editing.retire_item(db.session, item, actor=signed_in_user())
        flash(f"{item.label} has been retired. It is no longer offered in forms.", "success")
        return redirect(url_for("reference.list_items", list_slug=list_slug))
    return _render("reference/retire.html", form, kind=kind, item=item)


@bp.route("/<list_slug>/<int:item_id>/restore", methods=["GET", "POST"])
@admins
def restore_item(list_slug: str, item_id: int) -> Page:
    kind = _kind(list_slug)
    item = editing.get_item(db.session, kind, item_id)
    form = RestoreItemForm()
    if form.validate_on_submit():
        editing.restore_item(db.session, item, actor=signed_in_user())
        flash(f"{item.label} has been restored. It is offered in forms again.", "success")
        return redirect(url_for("reference.list_items", list_slug=list_slug))
    return _render("reference/restore.html", form, kind=kind, item=item)


@bp.get("/bank-holidays")
@admins
def bank_holidays() -> Page:
    today = to_london(utcnow()).date()
    holidays = db.session.scalars(
        select(BankHoliday)
        .where(BankHoliday.division == reference.BANK_HOLIDAY_DIVISION)
        .order_by(BankHoliday.day)
    )
    by_year = [
        (year, list(days)) for year, days in itertools.groupby(holidays, lambda h: h.day.year)
    ]
    return _render(
        "reference/bank_holidays.html",
        # Past years are kept for old schedules but folded away: admins look ahead.
        coming_years=[(year, days) for year, days in by_year if year >= today.year],
        earlier_years=[(year, days) for year, days in by_year if year < today.year],
        last_day=by_year[-1][1][-1].day if by_year else None,
        warning=reference.bank_holidays_warning(db.session, today),
    )
