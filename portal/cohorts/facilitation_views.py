"""The facilitator's pages: their cohorts, delivery settings, the schedule, changes to
sessions, and each session's register, themes and notes.

Facilitators see only the cohorts they facilitate; anything else answers 404. Participants'
pages are in ``portal.cohorts.my_cohort_views``.
"""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import db
from portal.auth.access import current_person, facilitators
from portal.cohorts import delivery, member_emails, membership, registers, sessions
from portal.cohorts.facilitation_forms import (
    EVERYONE,
    AddSessionForm,
    CancelSessionForm,
    DeliverySettingsForm,
    GenerateScheduleForm,
    MoveSessionForm,
    RegisterMember,
    exceptions_form,
    session_record_form,
)
from portal.cohorts.hours import hours_in_words, hours_text, session_hours
from portal.cohorts.models import AttendanceStatus, CohortDelivery, CohortSession, SessionStatus
from portal.db_base import utcnow
from portal.forms import form_status
from portal.presentation import plural
from portal.refusals import refuse
from portal.registration.models import WEEKDAYS
from portal.timefmt import to_london

bp = Blueprint("facilitation", __name__, url_prefix="/facilitation")

Page = str | Response | tuple[str, int]


def _ordinal(number: int) -> str:
    """ "1st", "2nd", "3rd", "11th" ..."""
    suffix = (
        "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    )
    return f"{number}{suffix}"


def _helpers() -> dict[str, object]:
    return {"hours_text": hours_text, "hours_in_words": hours_in_words, "ordinal": _ordinal}


bp.context_processor(_helpers)


# The facilitator's pages


@bp.get("/")
@facilitators
def index() -> str:
    return render_template(
        "facilitation/index.html",
        cohorts=membership.facilitated_cohorts(db.session, current_person()),
        now=utcnow(),
    )


@bp.get("/cohorts/<int:cohort_id>")
@facilitators
def cohort(cohort_id: int) -> str:
    found = membership.cohort_for_facilitator(db.session, current_person(), cohort_id)
    programme_round = delivery.round_of(found)
    return render_template(
        "facilitation/cohort.html",
        cohort=found,
        programme_round=programme_round,
        sessions=sorted(found.sessions, key=lambda s: (s.starts_at, s.id)),
        numbers=delivery.session_numbers(found),
        # The schedule, once there is one, says when the group first meets (sessions move).
        first_session=next(iter(delivery.active_sessions(found)), None),
        # What the schedule adds up to, against the planned hours.
        scheduled={
            "count": len(delivery.active_sessions(found)),
            "minutes": delivery.scheduled_minutes(found),
        },
        members=membership.members_of(db.session, found),
        weekday=WEEKDAYS[found.meeting_weekday] if found.meeting_weekday < 5 else "",
        can_join=membership.can_join(found, utcnow()),
        delivering=found.status in delivery.DELIVERING,
        now=utcnow(),
    )


@bp.route("/cohorts/<int:cohort_id>/settings", methods=["GET", "POST"])
@facilitators
def settings(cohort_id: int) -> Page:
    found = membership.cohort_for_facilitator(db.session, current_person(), cohort_id)
    if found.status not in delivery.DELIVERING:
        abort(404)
    form = DeliverySettingsForm(
        data={
            "start_on": found.start_on,
            "start_time": sessions.start_time_of(found),
            "session_length_minutes": found.session_length_minutes,
            "session_frequency_days": str(found.session_frequency_days),
            "planned_hours": found.planned_hours,
            "venue": found.venue,
            "online_link": found.online_link,
        }
    )
    online = found.delivery == CohortDelivery.ONLINE
    if online:
        del form.venue
    else:
        del form.online_link
    if form.validate_on_submit():
        try:
            sessions.update_delivery_settings(
                db.session,
                found,
                actor=current_person(),
                start_on=form.start_on.data,
                start_time=form.start_time.data,
                session_length_minutes=form.session_length_minutes.data,
                session_frequency_days=int(form.session_frequency_days.data),
                planned_hours=form.planned_hours.data,
                venue=None if online else form.venue.data or "",
                online_link=form.online_link.data or "" if online else None,
            )
        except delivery.DeliveryError as error:
            form.start_on.errors = [error.message]
        else:
            flash("The delivery settings have been saved.", "success")
            return redirect(url_for("facilitation.schedule", cohort_id=found.id))
    return render_template(
        "facilitation/settings.html",
        form=form,
        cohort=found,
        weekday=WEEKDAYS[found.meeting_weekday] if found.meeting_weekday < 5 else "",
        online=online,
    ), form_status(form)


@bp.route("/cohorts/<int:cohort_id>/schedule", methods=["GET", "POST"])
@facilitators
def schedule(cohort_id: int) -> Page:
    found = membership.cohort_for_facilitator(db.session, current_person(), cohort_id)
    if found.status not in delivery.DELIVERING:
        abort(404)
    form = GenerateScheduleForm()
    now = utcnow()
    problem = None
    plan = None
    try:
        plan = sessions.plan_schedule(db.session, found, now=now)
    except delivery.DeliveryError as error:
        problem = error.message
    if plan is not None and form.validate_on_submit():
        made = sessions.generate_schedule(db.session, found, actor=current_person(), now=now)
        flash(
            f"The schedule has been created: {plural(made.total, 'session')}. "
            "Members have been emailed the dates.",
            "success",
        )
        return redirect(url_for("facilitation.cohort", cohort_id=found.id))
    return render_template(
        "facilitation/schedule.html",
        form=form,
        cohort=found,
        plan=plan,
        problem=problem,
        start_time=sessions.start_time_of(found),
        numbers=delivery.session_numbers(found),
    ), form_status(form)


@bp.route("/cohorts/<int:cohort_id>/sessions/add", methods=["GET", "POST"])
@facilitators
def add_session(cohort_id: int) -> Page:
    found = membership.cohort_for_facilitator(db.session, current_person(), cohort_id)
    if found.status not in delivery.DELIVERING:
        abort(404)
    form = AddSessionForm(
        data={
            "start_time": sessions.start_time_of(found),
            "length_minutes": found.session_length_minutes,
        }
    )
    if form.validate_on_submit():
        try:
            added = sessions.add_session(
                db.session,
                found,
                on=form.starts_on.data,
                at=form.start_time.data,
                length_minutes=form.length_minutes.data,
                actor=current_person(),
                reason=form.reason.data,
                now=utcnow(),
            )
        except delivery.DeliveryError as error:
            form.starts_on.errors = [error.message]
        else:
            flash(
                f"A session has been added on {member_emails.session_when(added)}. "
                "Members have been emailed.",
                "success",
            )
            return redirect(url_for("facilitation.cohort", cohort_id=found.id))
    return render_template("facilitation/add_session.html", form=form, cohort=found), form_status(
        form
    )


def _issue_choices(cohort_session: CohortSession) -> list[SelectChoice]:
    labels = registers.issue_labels(db.session)
    recorded = [t.issue_code for t in cohort_session.themes if t.issue_code not in labels]
    return [SelectChoice(code, label) for code, label in labels.items()] + [
        SelectChoice(code, f"{code} (no longer on the list)") for code in sorted(recorded)
    ]


def _register(cohort_session: CohortSession) -> list[RegisterMember]:
    """The members of the group at this session, by name."""
    members = membership.session_members(cohort_session)
    persons = membership.people(db.session, members)
    return sorted((RegisterMember(p.id, persons[p.id].name) for p in members), key=lambda m: m.name)


def _about_session(cohort_session: CohortSession) -> dict[str, object]:
    """What both register pages show about the session: its cohort, number and length."""
    return {
        "cohort_session": cohort_session,
        "cohort": cohort_session.cohort,
        "number": delivery.session_numbers(cohort_session.cohort).get(cohort_session.id),
        "length": session_hours(cohort_session),
    }


def _register_saved(cohort_session: CohortSession) -> Response:
    flash("The register, themes and notes have been saved.", "success")
    return redirect(url_for("facilitation.cohort", cohort_id=cohort_session.cohort_id))


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@facilitators
def session_page(session_id: int) -> Page:
    found = membership.session_for_facilitator(db.session, current_person(), session_id)
    now = utcnow()
    open_ = registers.register_open(found, now)
    register = _register(found)
    saved = {a.place_id: a.status for a in found.attendance}
    data: dict[str, object] = {
        "themes": [t.issue_code for t in found.themes],
        "notes": found.facilitator_notes,
    }
    if saved:
        missed = [m for m in register if saved.get(m.place_id) != AttendanceStatus.PRESENT]
        data["missed"] = [str(m.place_id) for m in missed] or [EVERYONE]
    form = session_record_form(register, _issue_choices(found), with_register=open_, data=data)
    if open_ and form.validate_on_submit():
        missed_places = form.missed_places()
        try:
            registers.record_themes(
                db.session, found, form.themes.data or [], actor=current_person(), now=now
            )
            registers.save_notes(
                db.session, found, form.notes.data or "", actor=current_person(), now=now
            )
            if not missed_places:
                registers.record_register(
                    db.session,
                    found,
                    [(m.place_id, AttendanceStatus.PRESENT, None) for m in register],
                    actor=current_person(),
                    now=now,
                )
        except delivery.DeliveryError as error:
            form.themes.errors = [error.message]
        else:
            if missed_places:
                return redirect(
                    url_for(
                        "facilitation.register_exceptions", session_id=found.id, place=missed_places
                    )
                )
            return _register_saved(found)
    return render_template(
        "facilitation/session.html",
        form=form,
        **_about_session(found),
        register=register,
        open_=open_,
        planned=found.status == SessionStatus.PLANNED
        and found.cohort.status in delivery.DELIVERING,
        where=member_emails.where(found),
        now=now,
    ), form_status(form)


@bp.route("/sessions/<int:session_id>/register", methods=["GET", "POST"])
@facilitators
def register_exceptions(session_id: int) -> Page:
    """The register's second page: the members who did not attend the whole session."""
    found = membership.session_for_facilitator(db.session, current_person(), session_id)
    now = utcnow()
    if not registers.register_open(found, now):
        abort(404)
    register = _register(found)
    asked = set(request.args.getlist("place", type=int))
    members = [m for m in register if m.place_id in asked]
    if not members:
        return redirect(url_for("facilitation.session_page", session_id=found.id))
    data: dict[str, object] = {}
    for row in found.attendance:
        if row.place_id in asked and row.status != AttendanceStatus.PRESENT:
            data[f"attendance_{row.place_id}"] = row.status.value
            if row.status == AttendanceStatus.PARTIAL:
                data[f"hours_{row.place_id}"] = hours_text(row.hours)
    form = exceptions_form(members, data=data)
    if form.validate_on_submit():
        try:
            registers.record_register(
                db.session, found, form.entries(register), actor=current_person(), now=now
            )
        except delivery.DeliveryError as error:
            target = (
                form[f"hours_{error.place_id}"]
                if error.place_id is not None and f"hours_{error.place_id}" in form
                else form[f"attendance_{members[0].place_id}"]
            )
            target.errors = [error.message]
        else:
            return _register_saved(found)
    return render_template(
        "facilitation/register_exceptions.html",
        form=form,
        **_about_session(found),
        members=members,
        present=[m for m in register if m.place_id not in asked],
    ), form_status(form)


def _changeable_session(session_id: int) -> CohortSession:
    found = membership.session_for_facilitator(db.session, current_person(), session_id)
    if found.status != SessionStatus.PLANNED or found.cohort.status not in delivery.DELIVERING:
        abort(404)
    return found


@bp.route("/sessions/<int:session_id>/move", methods=["GET", "POST"])
@facilitators
def move_session(session_id: int) -> Page:
    found = _changeable_session(session_id)
    local = to_london(found.starts_at)
    form = MoveSessionForm(data={"starts_on": local.date(), "start_time": local.time()})
    if form.validate_on_submit():
        try:
            sessions.move_session(
                db.session,
                found,
                on=form.starts_on.data,
                at=form.start_time.data,
                actor=current_person(),
                reason=form.reason.data,
                now=utcnow(),
            )
        except delivery.DeliveryError as error:
            form.starts_on.errors = [error.message]
        else:
            flash(
                f"The session has moved to {member_emails.session_when(found)}. "
                "Members have been emailed.",
                "success",
            )
            return redirect(url_for("facilitation.cohort", cohort_id=found.cohort_id))
    return render_template(
        "facilitation/move_session.html",
        form=form,
        cohort_session=found,
        cohort=found.cohort,
        length_minutes=int((found.ends_at - found.starts_at) / dt.timedelta(minutes=1)),
    ), form_status(form)


@bp.route("/sessions/<int:session_id>/cancel", methods=["GET", "POST"])
@facilitators
def cancel_session(session_id: int) -> Page:
    found = _changeable_session(session_id)
    form = CancelSessionForm()
    if form.validate_on_submit():
        try:
            sessions.cancel_session(
                db.session, found, actor=current_person(), reason=form.reason.data, now=utcnow()
            )
        except delivery.DeliveryError as error:  # changed by someone else at the same moment
            return refuse(
                f"{error.message}.", url_for("facilitation.cohort", cohort_id=found.cohort_id)
            )
        flash(
            f"The session on {member_emails.session_when(found)} is cancelled. "
            "Members have been emailed.",
            "success",
        )
        return redirect(url_for("facilitation.cohort", cohort_id=found.cohort_id))
    return render_template(
        "facilitation/cancel_session.html", form=form, cohort_session=found, cohort=found.cohort
    ), form_status(form)
