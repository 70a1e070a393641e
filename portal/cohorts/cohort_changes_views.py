"""Officers changing a confirmed or running cohort: moving or withdrawing a member, its
details (name, day and time, format, venue or link, facilitator) and cancelling it.

Each page asks, then shows a check-your-answers page, and only the confirmed answers make
the change (``portal.cohorts.member_changes``, ``portal.cohorts.cohort_changes``); the
cohort page confirms it. A change the rules refuse is shown as GOV.UK errors, every
broken rule listed, with the answers kept. Unknown cohorts and members answer 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from markupsafe import Markup, escape
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import db
from portal.auth.access import current_person, officers
from portal.auth.models import Contractor, User
from portal.cohorts import cohort_changes, member_changes, offer_changes, services
from portal.cohorts.cohort_changes import CohortDetails, DetailsChanged
from portal.cohorts.cohort_changes_forms import (
    WAITING_LIST,
    CheckedForm,
    CohortDetailsForm,
    MoveMemberForm,
    WithdrawMemberForm,
    WithdrawOfferForm,
    cancel_form,
)
from portal.cohorts.delivery import round_of
from portal.cohorts.facilitation_forms import time_text
from portal.cohorts.membership import people
from portal.cohorts.models import Cohort, CohortDelivery, Place, PlaceStatus
from portal.cohorts.offer_details import meeting_pattern
from portal.cohorts.services import CohortError
from portal.cohorts.sessions import start_time_of
from portal.db_base import utcnow
from portal.matching.words import slot_phrase
from portal.registration.models import PartOfDay

bp = Blueprint("cohort_changes", __name__, url_prefix="/cohorts")

Page = str | Response | tuple[str, int]


def _cohort(cohort_id: int) -> Cohort:
    return services.get_cohort(db.session, cohort_id)


def _member(cohort: Cohort, place_id: int) -> Place:
    """A member holding an accepted place in the cohort, or someone with an open offer of
    one; otherwise 404."""
    place = db.session.get(Place, place_id)
    if (
        place is None
        or place.cohort_id != cohort.id
        or place.status not in (PlaceStatus.ACCEPTED, PlaceStatus.OFFERED)
    ):
        raise NotFound()
    return place


def _answers() -> list[tuple[str, str]]:
    """What was posted, to carry to the check page as hidden fields."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", "confirmed", "submit")
    ]


def _asking(form: CheckedForm) -> bool:
    """True while the form is being answered (not yet sent to be confirmed), including
    when the person chose to change their answers on the check page."""
    return not form.is_submitted() or request.form.get("confirmed") == "change"


def _hinted(choices: Iterable[SelectChoice], hints: dict[str, str]) -> list[dict[str, Any]]:
    """Radio items' hints, in the order of the choices (GOV.UK radios with hints)."""
    return [{"hint": {"text": hints.get(str(choice.value), "")}} for choice in choices]


def _placed_in(cohort: Cohort) -> str:
    programme_round = round_of(cohort)
    held = len(services.members(cohort))
    return f"{held} of {programme_round.cohort_size_max} places taken"


def _cohort_hint(cohort: Cohort) -> str:
    return (
        f"{cohort.status.label}. Meets {cohort.delivery.label.lower()}, "
        f"{meeting_pattern(cohort)}. {_placed_in(cohort)}."
    )


# Moving a member


@bp.route("/<int:cohort_id>/members/<int:place_id>/move", methods=["GET", "POST"])
@officers
def move_member(cohort_id: int, place_id: int) -> Page:
    cohort = _cohort(cohort_id)
    place = _member(cohort, place_id)
    person = db.session.get(User, place.person_id)
    targets = member_changes.move_targets(db.session, place)
    form = MoveMemberForm()
    form.target.choices = [SelectChoice(str(c.id), c.name) for c in targets]
    hints = {str(c.id): _cohort_hint(c) for c in targets}
    offer = place.status == PlaceStatus.OFFERED
    context = {
        "cohort": cohort,
        "place": place,
        "person": person,
        "offer": offer,
        "hints": hints,
        "items": _hinted(form.target.choices, hints),
    }
    if form.validate_on_submit():
        target = next(c for c in targets if str(c.id) == form.target.data)
        problems = member_changes.move_problems(db.session, place, target, utcnow())
        if problems:
            form.target.errors = problems
        elif _asking(form):
            pass
        elif not form.is_confirmed:
            return render_template(
                "cohort_changes/check_move.html", target=target, answers=_answers(), **context
            )
        else:
            move = offer_changes.move_offer if offer else member_changes.move_member
            try:
                move(
                    db.session,
                    place,
                    target,
                    actor=current_person(),
                    reason=form.reason.data,
                    now=utcnow(),
                )
            except CohortError as error:
                form.target.errors = error.problems
            else:
                name = person.name if person else "They"
                flash(
                    f"{name}'s offer is now of a place in {target.name}."
                    if offer
                    else f"{name} moved to {target.name}.",
                    "success",
                )
                return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    status = 400 if form.errors else 200
    return render_template("cohort_changes/move.html", form=form, **context), status


# Withdrawing a member


@bp.route("/<int:cohort_id>/members/<int:place_id>/withdraw", methods=["GET", "POST"])
@officers
def withdraw_member(cohort_id: int, place_id: int) -> Page:
    cohort = _cohort(cohort_id)
    place = _member(cohort, place_id)
    person = db.session.get(User, place.person_id)
    offer = place.status == PlaceStatus.OFFERED
    form = WithdrawOfferForm() if offer else WithdrawMemberForm()
    context = {"cohort": cohort, "place": place, "person": person, "offer": offer}
    if form.validate_on_submit() and not _asking(form):
        if not form.is_confirmed:
            return render_template(
                "cohort_changes/check_withdraw.html", answers=_answers(), **context
            )
        withdraw = offer_changes.withdraw_offer if offer else member_changes.withdraw_member
        try:
            withdraw(
                db.session, place, actor=current_person(), reason=form.reason.data, now=utcnow()
            )
        except CohortError as error:
            form.reason.errors = error.problems
        else:
            name = person.name if person else "They"
            flash(
                f"The offer to {name} is withdrawn." if offer else f"{name} has been withdrawn.",
                "success",
            )
            return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    status = 400 if form.errors else 200
    return render_template("cohort_changes/withdraw.html", form=form, **context), status


# The cohort's details


def _details_from(form: CohortDetailsForm, cohort: Cohort) -> CohortDetails:
    day, part = form.slot.data.split("-")
    return CohortDetails(
        name=form.name.data,
        weekday=int(day),
        part_of_day=PartOfDay(part),
        start_time=form.start_time.data,
        delivery=CohortDelivery(form.delivery.data),
        venue=form.venue.data or "",
        online_link=form.online_link.data or "",
        facilitator_id=int(form.facilitator.data) if form.facilitator.data else None,
    )


@bp.route("/<int:cohort_id>/change", methods=["GET", "POST"])
@officers
def change_details(cohort_id: int) -> Page:
    cohort = _cohort(cohort_id)
    if not member_changes.changeable(cohort):
        raise NotFound()
    form = CohortDetailsForm()
    facilitators = []
    if cohort.contractor_id is not None:
        contractor = db.session.get(Contractor, cohort.contractor_id)
        if contractor is not None:
            facilitators = services.facilitators_of(db.session, contractor)
    form.facilitator.choices = [SelectChoice("", "Not chosen yet")] + [
        SelectChoice(str(f.id), f.name) for f in facilitators
    ]
    if not form.is_submitted():
        form.name.data = cohort.name
        form.slot.data = f"{cohort.meeting_weekday}-{cohort.meeting_part_of_day.value}"
        form.start_time.data = start_time_of(cohort)
        form.delivery.data = cohort.delivery.value
        form.venue.data = cohort.venue
        form.online_link.data = cohort.online_link
        form.facilitator.data = str(cohort.facilitator_id or "")
        form.version.data = cohort_changes.details_version(cohort)
    changed_meanwhile: DetailsChanged | None = None
    if form.validate_on_submit():
        details = _details_from(form, cohort)
        problems = cohort_changes.details_problems(db.session, cohort, details)
        before = CohortDetails.of(cohort)
        if form.version.data != cohort_changes.details_version(cohort):
            changed_meanwhile = DetailsChanged(cohort)
        elif problems:
            form.slot.errors = problems
        elif details == before:
            form.name.errors = ["Change at least one of the cohort's details"]
        elif _asking(form):
            pass
        elif not form.is_confirmed:
            facilitator = (
                db.session.get(User, details.facilitator_id) if details.facilitator_id else None
            )
            return render_template(
                "cohort_changes/check_details.html",
                cohort=cohort,
                details=details,
                when=f"{slot_phrase((details.weekday, details.part_of_day.value))}, "
                f"starting at {time_text(details.start_time)}",
                facilitator=facilitator,
                answers=_answers(),
                sessions=len(cohort.sessions),
            )
        else:
            try:
                cohort_changes.change_details(
                    db.session,
                    cohort,
                    details,
                    actor=current_person(),
                    reason=form.reason.data,
                    now=utcnow(),
                    seen_version=form.version.data,
                )
            except DetailsChanged as changed:
                changed_meanwhile = changed
            except CohortError as error:
                form.slot.errors = error.problems
            else:
                flash(f"{cohort.name} has changed and its members have been emailed.", "success")
                return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    now_shown = None
    if changed_meanwhile is not None:
        # The officer's answers are kept; the page shows the details as they are now (those
        # the answers would change tagged), and carries their version, so confirming again
        # makes the change over them.
        now_shown = _details_rows(changed_meanwhile.current, _details_from(form, cohort))
        form.version.errors = list(changed_meanwhile.problems)
        form.version.data = changed_meanwhile.version
    status = 400 if form.errors else 200
    return render_template(
        "cohort_changes/details.html", form=form, cohort=cohort, now_shown=now_shown
    ), status


_DIFFERS = Markup(' <strong class="govuk-tag govuk-tag--yellow">Differs from your answer</strong>')


def _details_rows(
    details: CohortDetails, answers: CohortDetails | None
) -> list[dict[str, dict[str, str]]]:
    """The cohort's details as the rows of a GOV.UK summary list; those the officer's
    ``answers`` would change are tagged, so a change saved over them is a choice."""
    facilitator = db.session.get(User, details.facilitator_id) if details.facilitator_id else None

    def when(of: CohortDetails) -> tuple[object, ...]:
        return (of.weekday, of.part_of_day, of.start_time)

    rows = [
        ("Name", details.name, lambda d: d.name),
        (
            "Meets",
            f"{slot_phrase((details.weekday, details.part_of_day.value))}, "
            f"starting at {time_text(details.start_time)}",
            when,
        ),
        ("Format", details.delivery.label, lambda d: d.delivery),
        ("Venue", details.venue or "Not given", lambda d: d.venue),
        ("Link to the online meeting", details.online_link or "Not given", lambda d: d.online_link),
        (
            "Facilitator",
            facilitator.name if facilitator else "Not chosen yet",
            lambda d: d.facilitator_id,
        ),
    ]
    return [
        {
            "key": {"text": key},
            "value": {
                "html": escape(value)
                + (_DIFFERS if answers is not None and part(answers) != part(details) else "")
            },
        }
        for key, value, part in rows
    ]


# Cancelling


@bp.route("/<int:cohort_id>/cancel", methods=["GET", "POST"])
@officers
def cancel(cohort_id: int) -> Page:
    cohort = _cohort(cohort_id)
    if not member_changes.changeable(cohort):
        raise NotFound()
    holding = services.members(cohort, PlaceStatus.ACCEPTED, PlaceStatus.OFFERED)
    persons = people(db.session, holding)
    others = [
        c
        for c in services.round_cohorts(db.session, round_of(cohort))
        if c.id != cohort.id and member_changes.changeable(c)
    ]
    choices = [SelectChoice(str(c.id), f"Offer a place in {c.name}") for c in others] + [
        SelectChoice(WAITING_LIST, "Put them on the waiting list")
    ]
    hints = {str(c.id): _cohort_hint(c) for c in others}
    form = cancel_form([(p.id, persons[p.id].name) for p in holding], choices)()
    questions = [(p, persons[p.id], getattr(form, f"to_{p.id}")) for p in holding]
    if form.validate_on_submit() and not _asking(form):
        by_id = {str(c.id): c for c in others}
        destinations = {p.id: by_id.get(field.data) for p, _person, field in questions}
        problems = cohort_changes.cancel_problems(db.session, cohort, destinations, utcnow())
        if problems:
            form.reason.errors = problems
        elif not form.is_confirmed:
            return render_template(
                "cohort_changes/check_cancel.html",
                cohort=cohort,
                rows=[(person, destinations[p.id]) for p, person, _field in questions],
                reason=form.reason.data,
                answers=_answers(),
            )
        else:
            try:
                cohort_changes.cancel_cohort(
                    db.session,
                    cohort,
                    destinations,
                    actor=current_person(),
                    reason=form.reason.data,
                    now=utcnow(),
                )
            except CohortError as error:
                form.reason.errors = error.problems
            else:
                flash(f"{cohort.name} is cancelled and its members have been emailed.", "success")
                return redirect(url_for("cohorts.detail", cohort_id=cohort.id))
    status = 400 if form.errors else 200
    return render_template(
        "cohort_changes/cancel.html",
        form=form,
        cohort=cohort,
        questions=questions,
        items=_hinted(choices, hints),
    ), status
