"""The coach's pages: their diary, their availability, and each booking (what happened, or
cancelling it), and support given outside the booking system.

A coach sees only their own bookings and availability; anything else answers 404.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from flask import Blueprint, flash, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import db
from portal.auth.access import coaches, current_person
from portal.auth.forms import ConfirmForm
from portal.auth.models import User
from portal.coaching import diary, outside, scope, services
from portal.coaching.forms import (
    CoachCancelForm,
    DayChangeForm,
    OutcomeForm,
    OutsideSupportForm,
    ProfileForm,
    WeeklyHoursForm,
)
from portal.coaching.messages import booking_page_values, when_text
from portal.coaching.models import (
    Booking,
    BookingStatus,
    ExceptionKind,
    LocationType,
    SupportChannel,
)
from portal.cohorts.models import Cohort, Place
from portal.db_base import utcnow
from portal.forms import form_status
from portal.refusals import refuse
from portal.registration.models import Application
from portal.timefmt import to_london, today_in_london

bp = Blueprint("coaching", __name__, url_prefix="/coaching")

Page = str | Response | tuple[str, int]


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {
        "minutes_text": scope.minutes_text,
        "weekday_names": diary.WEEKDAY_NAMES,
        "hours_text": diary.hours_text,
        "when_text": when_text,
    }


def _by_day(bookings: list[Booking]) -> list[tuple[dt.date, list[Booking]]]:
    return [
        (day, list(items))
        for day, items in groupby(bookings, key=lambda b: to_london(b.starts_at).date())
    ]


def _names(user_ids: set[int]) -> dict[int, User]:
    if not user_ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))}


@bp.get("/")
@coaches
def diary_page() -> str:
    me = current_person()
    now = utcnow()
    bookings = scope.bookings_of_coach(db.session, me, since=now - dt.timedelta(days=90))
    upcoming = [b for b in bookings if b.status == BookingStatus.BOOKED and b.starts_at > now]
    to_record = [b for b in bookings if b.status == BookingStatus.BOOKED and b.starts_at <= now]
    past = [
        b for b in reversed(bookings) if b.status != BookingStatus.BOOKED and b.starts_at <= now
    ]
    cancelled_upcoming = [
        b for b in bookings if b.status == BookingStatus.CANCELLED and b.starts_at > now
    ]
    people = _names({b.participant_id for b in bookings})
    profile = diary.profile_for(db.session, me.id)
    return render_template(
        "coaching/diary.html",
        upcoming=_by_day(upcoming),
        to_record=to_record,
        past=past[:30],
        cancelled_upcoming=cancelled_upcoming,
        people=people,
        set_up=profile is not None and bool(diary.weekly_windows(db.session, me.id)),
        labels=diary.support_type_labels(db.session),
    )


@bp.get("/availability")
@coaches
def availability() -> str:
    me = current_person()
    now = utcnow()
    profile = diary.profile_for(db.session, me.id)
    horizon = dt.timedelta(weeks=profile.horizon_weeks if profile else 8)
    labels = diary.support_type_labels(db.session)
    return render_template(
        "coaching/availability.html",
        profile=profile,
        lengths_text=", ".join(scope.minutes_text(m) for m in profile.session_lengths)
        if profile
        else "",
        support_text=", ".join(labels.get(c, c) for c in profile.support_types) if profile else "",
        windows=diary.weekly_windows(db.session, me.id),
        changes=diary.exceptions(db.session, me.id, from_day=today_in_london()),
        group_sessions=diary.group_sessions(
            db.session, between=(now, now + horizon), facilitator_id=me.id
        ),
        cohorts={
            c.id: c
            for c in db.session.scalars(select(Cohort).where(Cohort.facilitator_id == me.id))
        },
        remove_form=ConfirmForm(formdata=None),
    )


@bp.route("/availability/settings", methods=["GET", "POST"])
@coaches
def settings() -> Page:
    me = current_person()
    profile = diary.profile_for(db.session, me.id)
    labels = diary.support_type_labels(db.session)
    data: dict[str, object] = {
        "session_lengths": [str(m) for m in (profile.session_lengths if profile else [60])],
        "support_types": profile.support_types if profile else list(labels)[:1],
        "buffer_minutes": profile.buffer_minutes if profile else 15,
        "min_notice_hours": profile.min_notice_hours if profile else 24,
        "horizon_weeks": profile.horizon_weeks if profile else 8,
        "location_type": (profile.location_type if profile else LocationType.VIDEO).value,
        "about": profile.about if profile else "",
    }
    if profile and profile.location_type == LocationType.VIDEO:
        data["video_link"] = profile.location_detail
    if profile and profile.location_type == LocationType.IN_PERSON:
        data["address"] = profile.location_detail
    form = ProfileForm(data=data)
    form.support_types.choices = [SelectChoice(code, label) for code, label in labels.items()]
    if form.validate_on_submit():
        location = LocationType(form.location_type.data)
        detail = {
            LocationType.VIDEO: form.video_link.data or "",
            LocationType.IN_PERSON: form.address.data or "",
            LocationType.PHONE: "",
        }[location]
        try:
            diary.update_profile(
                db.session,
                me,
                session_lengths=[int(m) for m in form.session_lengths.data or []],
                buffer_minutes=form.buffer_minutes.data,
                min_notice_hours=form.min_notice_hours.data,
                horizon_weeks=form.horizon_weeks.data,
                support_types=form.support_types.data or [],
                location_type=location,
                location_detail=detail,
                about=form.about.data or "",
                now=utcnow(),
            )
        except diary.AvailabilityError as error:
            form[error.field or "session_lengths"].errors = [error.message]
        else:
            flash("What you offer has been saved.", "success")
            return redirect(url_for("coaching.availability"))
    return render_template("coaching/settings.html", form=form), form_status(form)


@bp.route("/availability/weekly/add", methods=["GET", "POST"])
@coaches
def add_weekly_hours() -> Page:
    form = WeeklyHoursForm()
    if form.validate_on_submit():
        try:
            window = diary.add_weekly_window(
                db.session,
                current_person(),
                weekday=int(form.weekday.data),
                start=form.start_time.data,
                end=form.end_time.data,
            )
        except diary.AvailabilityError as error:
            form[error.field or "start_time"].errors = [error.message]
        else:
            flash(
                f"You are available on {diary.WEEKDAY_NAMES[window.weekday]}s, "
                f"{diary.hours_text(window.start_time, window.end_time)}.",
                "success",
            )
            return redirect(url_for("coaching.availability"))
    return render_template("coaching/add_weekly_hours.html", form=form), form_status(form)


@bp.post("/availability/weekly/<int:window_id>/remove")
@coaches
def remove_weekly_hours(window_id: int) -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        window = diary.remove_weekly_window(db.session, current_person(), window_id)
        flash(
            f"Your hours on {diary.WEEKDAY_NAMES[window.weekday]}s, "
            f"{diary.hours_text(window.start_time, window.end_time)}, have been removed. "
            "Bookings already made stay.",
            "success",
        )
    return redirect(url_for("coaching.availability"))


@bp.route("/availability/days/add", methods=["GET", "POST"])
@coaches
def add_day_change() -> Page:
    form = DayChangeForm()
    if form.validate_on_submit():
        try:
            diary.add_exception(
                db.session,
                current_person(),
                on=form.on.data,
                kind=ExceptionKind(form.kind.data),
                start=form.start_time.data,
                end=form.end_time.data,
                note=form.note.data or "",
                today=today_in_london(),
            )
        except diary.AvailabilityError as error:
            form[error.field or "on"].errors = [error.message]
        else:
            flash("Your change for that day has been saved. Bookings already made stay.", "success")
            return redirect(url_for("coaching.availability"))
    return render_template("coaching/add_day_change.html", form=form), form_status(form)


@bp.post("/availability/days/<int:change_id>/remove")
@coaches
def remove_day_change(change_id: int) -> Response:
    form = ConfirmForm()
    if form.validate_on_submit():
        diary.remove_exception(db.session, current_person(), change_id)
        flash("The change for that day has been removed.", "success")
    return redirect(url_for("coaching.availability"))


# Bookings


@bp.get("/bookings/<int:booking_id>")
@coaches
def booking(booking_id: int) -> str:
    found = scope.booking_for_coach(db.session, current_person(), booking_id)
    now = utcnow()
    return render_template(
        "coaching/booking.html",
        **booking_page_values(db.session, found),
        business=_business_name(found),
        can_cancel=services.can_cancel(found, now),
        can_record=services.can_record_outcome(found, now),
    )


def _business_name(booking: Booking) -> str:
    place = db.session.get(Place, booking.place_id)
    if place is None:
        return ""
    application = db.session.get(Application, place.application_id)
    return (application.business_name or "") if application else ""


@bp.route("/bookings/<int:booking_id>/outcome", methods=["GET", "POST"])
@coaches
def record_outcome(booking_id: int) -> Page:
    me = current_person()
    found = scope.booking_for_coach(db.session, me, booking_id)
    if found.status == BookingStatus.CANCELLED:
        return redirect(url_for("coaching.booking", booking_id=found.id))
    data: dict[str, object] = {"note": found.coach_note}
    if found.status == BookingStatus.DELIVERED:
        data.update(outcome="delivered", minutes=found.delivered_minutes)
    elif found.status == BookingStatus.NO_SHOW:
        data["outcome"] = "no_show"
    else:
        data["minutes"] = found.minutes
    form = OutcomeForm(data=data)
    if form.validate_on_submit():
        delivered = form.outcome.data == "delivered"
        try:
            services.record_outcome(
                db.session,
                found,
                coach=me,
                delivered=delivered,
                minutes=form.minutes.data if delivered else None,
                note=form.note.data or "",
                now=utcnow(),
            )
        except services.BookingChanged as changed:
            return _changed_meanwhile(found, changed)
        except services.BookingError as error:
            form.outcome.errors = [error.message]
        else:
            flash(
                "The session has been recorded as delivered."
                if delivered
                else "The session has been recorded as not attended.",
                "success",
            )
            return redirect(url_for("coaching.diary_page"))
    return render_template(
        "coaching/outcome.html",
        form=form,
        **booking_page_values(db.session, found),
        started=found.starts_at <= utcnow(),
    ), form_status(form)


def _changed_meanwhile(found: Booking, changed: services.BookingChanged) -> Response:
    """The participant (or another tab) changed the booking first: nothing from this
    request is kept, and the coach sees the booking as it now is."""
    return refuse(f"{changed.message}.", url_for("coaching.booking", booking_id=found.id))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@coaches
def cancel_booking(booking_id: int) -> Page:
    me = current_person()
    found = scope.booking_for_coach(db.session, me, booking_id)
    if not services.can_cancel(found, utcnow()):
        return redirect(url_for("coaching.booking", booking_id=found.id))
    form = CoachCancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_by_coach(
                db.session, found, coach=me, reason=form.reason.data, now=utcnow()
            )
        except services.BookingChanged as changed:
            return _changed_meanwhile(found, changed)
        participant = db.session.get(User, found.participant_id)
        flash(
            f"The booking is cancelled. We have emailed {participant.name if participant else ''} "
            "and their hours are restored.",
            "success",
        )
        return redirect(url_for("coaching.diary_page"))
    return render_template(
        "coaching/cancel.html", form=form, **booking_page_values(db.session, found)
    ), form_status(form)


# Support outside the booking system


@bp.route("/support/record", methods=["GET", "POST"])
@coaches
def record_support() -> Page:
    me = current_person()
    places = outside.supportable_places(db.session, me)
    labels = diary.support_type_labels(db.session)
    form = OutsideSupportForm()
    form.place_id.choices = [SelectChoice("", "Select a person")] + [
        SelectChoice(str(place.id), f"{person.name} ({place.cohort.name})")
        for place, person in places
    ]
    form.support_type.choices = [SelectChoice(code, label) for code, label in labels.items()]
    if form.validate_on_submit():
        try:
            outside.record_outside_support(
                db.session,
                me,
                place_id=int(form.place_id.data),
                support_type=form.support_type.data,
                channel=SupportChannel(form.channel.data),
                happened_on=form.happened_on.data,
                minutes=form.minutes.data,
                note=form.note.data or "",
                today=today_in_london(),
            )
        except services.BookingError as error:
            form.happened_on.errors = [error.message]
        else:
            flash("The support has been recorded. It counts towards their hours.", "success")
            return redirect(url_for("coaching.diary_page"))
    recorded = outside.outside_support_of(db.session, me)
    return render_template(
        "coaching/record_support.html",
        form=form,
        has_people=bool(places),
        recorded=recorded[:20],
        people=_names({r.participant_id for r in recorded}),
        labels=labels,
    ), form_status(form)
