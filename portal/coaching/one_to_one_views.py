"""The participant's pages: their one-to-one support (balance and bookings), the coaches
offered to them and their free times, booking, moving and cancelling.

A participant sees only the coaches offered to them and their own bookings; anything else
answers 404. A time someone else booked first answers 409 with other times to choose from.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from portal import db, navigation
from portal.auth.access import current_person, participants
from portal.auth.forms import ConfirmForm
from portal.auth.models import User
from portal.coaching import diary, scope, services, waiting
from portal.coaching.availability import Slot, by_day, slot_label
from portal.coaching.forms import (
    BookForm,
    CoachesFilterForm,
    ParticipantCancelForm,
    RescheduleForm,
    TimesFilterForm,
)
from portal.coaching.messages import booking_page_values, support_label, when_text
from portal.coaching.models import Booking, BookingStatus, CoachProfile
from portal.cohorts.models import Place
from portal.db import reads_only
from portal.db_base import utcnow
from portal.forms import form_status
from portal.refusals import refuse
from portal.timefmt import govuk_datetime, today_in_london
from portal.urls import whole_number

bp = Blueprint("one_to_one", __name__, url_prefix="/one-to-one")

Page = str | Response | tuple[str, int]
DAYS_PER_PAGE = 14
OTHER_TIMES_DAYS = 7


@bp.context_processor
def _helpers() -> dict[str, object]:
    return {
        "minutes_text": scope.minutes_text,
        "slot_label": slot_label,
        "when_text": when_text,
    }


def _place_or_home() -> Place | Response:
    place = scope.booking_place(db.session, current_person())
    if place is None:
        return redirect(url_for("one_to_one.index"))
    return place


# Times outside these years are nonsense from a tampered link (and near datetime's limits).
_EARLIEST_YEAR, _LATEST_YEAR = 2000, 2200


def _parse_start(text: str | None) -> dt.datetime | None:
    """A slot's start from a link: an ISO 8601 time with its offset, as UTC; else None."""
    if not text or len(text) > 40:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
        if value.tzinfo is None or value.utcoffset() is None:
            return None
        value = value.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None
    return value if _EARLIEST_YEAR <= value.year <= _LATEST_YEAR else None


def _first_day(chosen: dt.date | None, horizon_weeks: int) -> dt.date:
    """The first day of times to show: the day chosen, kept between today and the horizon."""
    today = today_in_london()
    last = (utcnow() + dt.timedelta(weeks=horizon_weeks)).date()
    return min(max(chosen or today, today), last)


def _parse_minutes(text: str | None) -> int | None:
    return whole_number(text or "", largest=999)


@bp.get("/")
@participants
@reads_only
def index() -> str:
    me = current_person()
    place = scope.booking_place(db.session, me)
    if place is None:
        return render_template("one_to_one/none.html")
    navigation.place_held()
    now = utcnow()
    # Held here, so the round is read once (later look-ups find it in the session).
    programme_round = scope.round_of(db.session, place)
    bookings, labels = scope.labelled_bookings_of_participant(db.session, me)
    # The page is about this round: its totals and the items they add up from.
    bookings = [b for b in bookings if b.round_id == programme_round.id]
    outside = scope.outside_support_of(db.session, place)
    if any(r.support_type not in labels for r in outside):
        labels = diary.support_type_labels(db.session) | labels
    coaches = {c.id: c for c in scope.offered_coaches(db.session, place)}
    people = {
        coach_id: db.session.get(User, coach_id)
        for coach_id in {b.coach_id for b in bookings} | {r.coach_id for r in outside}
        if coach_id not in coaches
    }
    waiting_for = waiting.waiting_for(db.session, me) if coaches else set()
    return render_template(
        "one_to_one/index.html",
        place=place,
        programme_round=programme_round,
        balance=scope.balance(db.session, place, bookings=bookings, outside=outside),
        upcoming=[b for b in bookings if b.status == BookingStatus.BOOKED and b.ends_at > now],
        past=[
            b
            for b in reversed(bookings)
            if not (b.status == BookingStatus.BOOKED and b.ends_at > now)
        ],
        outside=outside,
        coaches={**people, **coaches},
        waiting_for=[coaches[i] for i in waiting_for if i in coaches],
        labels=labels,
        now=now,
    )


@bp.get("/coaches")
@participants
def coaches() -> Page:
    place = _place_or_home()
    if isinstance(place, Response):
        return place
    now = utcnow()
    labels = diary.support_type_labels(db.session)
    form = CoachesFilterForm(request.args)
    form.support.choices = [SelectChoice("", "Any")] + [
        SelectChoice(code, label) for code, label in labels.items()
    ]
    valid = form.validate() if request.args else True
    wanted = (form.support.data or "") if valid else ""
    offered = []
    for coach in scope.offered_coaches(db.session, place):
        profile = diary.profile_for(db.session, coach.id)
        assert profile is not None
        if wanted in labels and wanted not in profile.support_types:
            continue
        first = diary.free_times(
            db.session,
            coach.id,
            profile,
            now=now,
            participant_id=place.person_id,
            cohort_id=place.cohort_id,
            lengths=profile.session_lengths[:1],
        )
        offered.append((coach, profile, first[0] if first else None))
    return render_template(
        "one_to_one/coaches.html",
        form=form,
        offered=offered,
        labels=labels,
        wanted=wanted,
        balance=scope.balance(db.session, place),
        programme_round=scope.round_of(db.session, place),
    ), form_status(form)


def _times(
    place: Place,
    coach: User,
    profile: CoachProfile,
    *,
    first_day: dt.date,
    days: int,
    minutes: int,
    ignore_booking_id: int | None = None,
) -> list[Slot]:
    return diary.free_times(
        db.session,
        coach.id,
        profile,
        now=utcnow(),
        first_day=first_day,
        last_day=first_day + dt.timedelta(days=days - 1),
        lengths=[minutes],
        participant_id=place.person_id,
        cohort_id=place.cohort_id,
        ignore_booking_id=ignore_booking_id,
    )


@bp.get("/coaches/<int:coach_id>")
@participants
def coach_times(coach_id: int) -> Page:
    place = _place_or_home()
    if isinstance(place, Response):
        return place
    coach, profile = scope.offered_coach(db.session, place, coach_id)
    labels = diary.support_type_labels(db.session)
    balance = scope.balance(db.session, place)
    lengths = [m for m in profile.session_lengths if m <= balance.remaining]
    form = TimesFilterForm(request.args)
    form.minutes.choices = [
        SelectChoice(str(m), scope.minutes_text(m)) for m in profile.session_lengths
    ]
    form.support.choices = [SelectChoice(c, labels.get(c, c)) for c in profile.support_types]
    valid = form.validate() if request.args else True
    minutes = int(form.minutes.data) if valid and form.minutes.data else None
    if minutes is None or minutes not in lengths:
        minutes = lengths[0] if lengths else None
    support = form.support.data if valid and form.support.data else profile.support_types[0]
    form.minutes.data = str(minutes) if minutes else None
    form.support.data = support
    first_day = _first_day(form.from_date.data if valid else None, profile.horizon_weeks)
    slots = (
        _times(place, coach, profile, first_day=first_day, days=DAYS_PER_PAGE, minutes=minutes)
        if minutes
        else []
    )
    horizon_end = (utcnow() + dt.timedelta(weeks=profile.horizon_weeks)).date()
    next_from = first_day + dt.timedelta(days=DAYS_PER_PAGE)
    return render_template(
        "one_to_one/coach_times.html",
        form=form,
        coach=coach,
        profile=profile,
        labels=labels,
        balance=balance,
        minutes=minutes,
        support=support,
        days=by_day(slots),
        first_day=first_day,
        last_day=first_day + dt.timedelta(days=DAYS_PER_PAGE - 1),
        later_url=url_for(
            "one_to_one.coach_times",
            coach_id=coach.id,
            minutes=minutes,
            support=support,
            from_date=[str(next_from.day), str(next_from.month), str(next_from.year)],
        )
        if next_from <= horizon_end
        else None,
        waiting=coach.id in waiting.waiting_for(db.session, current_person()),
        wait_form=ConfirmForm(formdata=None),
        where=profile.location_type.label,
    ), form_status(form)


def _unavailable(
    place: Place,
    coach: User,
    profile: CoachProfile,
    *,
    reason: str | services.BookingError,
    minutes: int,
    support: str,
    from_day: dt.date,
    booking: Booking | None = None,
) -> tuple[str, int]:
    """The page for a time that cannot be booked, offering the coach's other free times:
    409 when someone else took it first, 400 for any other ``reason``."""
    message = reason if isinstance(reason, str) else reason.message
    status = 409 if isinstance(reason, services.SlotTaken) else 400
    lengths = profile.session_lengths if booking is None else [booking.minutes]
    if minutes not in lengths:
        minutes = lengths[0]
    slots = _times(
        place,
        coach,
        profile,
        first_day=_first_day(from_day, profile.horizon_weeks),
        days=OTHER_TIMES_DAYS,
        minutes=minutes,
        ignore_booking_id=booking.id if booking else None,
    )
    return render_template(
        "one_to_one/unavailable.html",
        message=message,
        taken=status == 409,
        coach=coach,
        days=by_day(slots),
        minutes=minutes,
        support=support,
        booking=booking,
    ), status


@bp.route("/coaches/<int:coach_id>/book", methods=["GET", "POST"])
@participants
def book(coach_id: int) -> Page:
    me = current_person()
    place = _place_or_home()
    if isinstance(place, Response):
        return place
    coach, profile = scope.offered_coach(db.session, place, coach_id)
    starts_at = _parse_start(request.args.get("starts_at"))
    minutes = _parse_minutes(request.args.get("minutes")) or profile.session_lengths[0]
    support = request.args.get("support") or profile.support_types[0]
    now = utcnow()

    def unavailable(reason: str | services.BookingError) -> tuple[str, int]:
        return _unavailable(
            place,
            coach,
            profile,
            reason=reason,
            minutes=minutes,
            support=support,
            from_day=starts_at.date() if starts_at else today_in_london(),
        )

    if starts_at is None:
        return unavailable("Choose a time from the list")
    if minutes not in profile.session_lengths:
        return unavailable(f"{coach.name} does not offer sessions of that length")
    labels = diary.support_type_labels(db.session)
    form = BookForm(data={"support_type": support if support in profile.support_types else None})
    form.support_type.choices = [
        SelectChoice(code, labels.get(code, code)) for code in profile.support_types
    ]
    if not form.is_submitted():
        try:
            services.check_time(
                db.session,
                coach=coach,
                profile=profile,
                place=place,
                starts_at=starts_at,
                minutes=minutes,
                now=now,
            )
        except services.BookingError as error:
            return unavailable(error)
    if form.validate_on_submit():
        try:
            made = services.book(
                db.session,
                participant=me,
                coach_id=coach.id,
                starts_at=starts_at,
                minutes=minutes,
                support_type=form.support_type.data,
                topic=form.topic.data,
                now=now,
            )
        except services.BookingError as error:
            return unavailable(error)
        flash(
            f"Your {support_label(db.session, made.support_type).lower()} with {coach.name} "
            f"is booked for {govuk_datetime(made.starts_at)}. We have emailed you a calendar "
            "invitation.",
            "success",
        )
        return redirect(url_for("one_to_one.booking", booking_id=made.id))
    balance = scope.balance(db.session, place)
    return render_template(
        "one_to_one/book.html",
        form=form,
        coach=coach,
        profile=profile,
        slot=Slot(starts_at, starts_at + dt.timedelta(minutes=minutes)),
        balance=balance,
        where=profile.location_type.label,
    ), form_status(form)


@bp.post("/coaches/<int:coach_id>/wait")
@participants
def start_waiting(coach_id: int) -> Response:
    place = _place_or_home()
    if isinstance(place, Response):
        return place
    coach, _profile = scope.offered_coach(db.session, place, coach_id)
    if ConfirmForm().validate_on_submit():
        waiting.start_waiting(
            db.session, current_person(), coach.id, round_id=place.cohort.round_id, now=utcnow()
        )
        flash(
            f"We will email you if an earlier time with {coach.name} opens up. "
            "It goes to whoever books it first.",
            "success",
        )
    return redirect(url_for("one_to_one.coach_times", coach_id=coach.id))


@bp.post("/coaches/<int:coach_id>/stop-waiting")
@participants
def stop_waiting(coach_id: int) -> Response:
    place = _place_or_home()
    if isinstance(place, Response):
        return place
    coach, _profile = scope.offered_coach(db.session, place, coach_id)
    if ConfirmForm().validate_on_submit():
        waiting.stop_waiting(db.session, current_person(), coach.id, now=utcnow())
        flash(f"We will not email you about earlier times with {coach.name}.", "success")
    return redirect(url_for("one_to_one.coach_times", coach_id=coach.id))


# One booking


@bp.get("/bookings/<int:booking_id>")
@participants
def booking(booking_id: int) -> str:
    found = scope.booking_for_participant(db.session, current_person(), booking_id)
    now = utcnow()
    return render_template(
        "one_to_one/booking.html",
        **booking_page_values(db.session, found),
        can_reschedule=services.can_reschedule(db.session, found, now),
        can_cancel=services.can_cancel(found, now),
        late=services.is_late(db.session, found, now),
        cut_off=services.cut_off(db.session, found),
    )


def _movable(booking_id: int) -> tuple[Booking, Place, User, CoachProfile] | Response:
    found = scope.booking_for_participant(db.session, current_person(), booking_id)
    if not services.can_reschedule(db.session, found, utcnow()):
        flash("It is too late to change the time of this booking.", "info")
        return redirect(url_for("one_to_one.booking", booking_id=found.id))
    place = db.session.get(Place, found.place_id)
    coach = db.session.get(User, found.coach_id)
    profile = diary.profile_for(db.session, found.coach_id)
    if place is None or coach is None or profile is None:
        return redirect(url_for("one_to_one.booking", booking_id=found.id))
    return found, place, coach, profile


@bp.get("/bookings/<int:booking_id>/reschedule")
@participants
def reschedule(booking_id: int) -> Page:
    movable = _movable(booking_id)
    if isinstance(movable, Response):
        return movable
    found, place, coach, profile = movable
    form = TimesFilterForm(request.args)
    form.minutes.choices = []
    form.support.choices = []
    valid = form.validate() if request.args else True
    first_day = _first_day(form.from_date.data if valid else None, profile.horizon_weeks)
    slots = [
        s
        for s in _times(
            place,
            coach,
            profile,
            first_day=first_day,
            days=DAYS_PER_PAGE,
            minutes=found.minutes,
            ignore_booking_id=found.id,
        )
        if s.starts_at != found.starts_at
    ]
    horizon_end = (utcnow() + dt.timedelta(weeks=profile.horizon_weeks)).date()
    next_from = first_day + dt.timedelta(days=DAYS_PER_PAGE)
    return render_template(
        "one_to_one/reschedule.html",
        form=form,
        **booking_page_values(db.session, found),
        days=by_day(slots),
        first_day=first_day,
        last_day=first_day + dt.timedelta(days=DAYS_PER_PAGE - 1),
        later_url=url_for(
            "one_to_one.reschedule",
            booking_id=found.id,
            from_date=[str(next_from.day), str(next_from.month), str(next_from.year)],
        )
        if next_from <= horizon_end
        else None,
    ), form_status(form)


@bp.route("/bookings/<int:booking_id>/reschedule/confirm", methods=["GET", "POST"])
@participants
def confirm_reschedule(booking_id: int) -> Page:
    movable = _movable(booking_id)
    if isinstance(movable, Response):
        return movable
    found, place, coach, profile = movable
    starts_at = _parse_start(request.args.get("starts_at"))
    now = utcnow()

    def unavailable(reason: str | services.BookingError) -> tuple[str, int]:
        return _unavailable(
            place,
            coach,
            profile,
            reason=reason,
            minutes=found.minutes,
            support=found.support_type,
            from_day=starts_at.date() if starts_at else today_in_london(),
            booking=found,
        )

    if starts_at is None:
        return unavailable("Choose a time from the list")
    form = RescheduleForm()
    if form.validate_on_submit():
        try:
            services.reschedule(
                db.session, found, participant=current_person(), starts_at=starts_at, now=now
            )
        except services.BookingChanged as changed:
            return _changed_meanwhile(found, changed)
        except services.BookingError as error:
            return unavailable(error)
        flash(
            f"Your booking has moved to {govuk_datetime(found.starts_at)}. "
            "We have emailed you a calendar update.",
            "success",
        )
        return redirect(url_for("one_to_one.booking", booking_id=found.id))
    try:
        services.check_new_time(
            db.session,
            found,
            coach=coach,
            profile=profile,
            place=place,
            starts_at=starts_at,
            now=now,
        )
    except services.BookingError as error:
        return unavailable(error)
    return render_template(
        "one_to_one/confirm_reschedule.html",
        form=form,
        **booking_page_values(db.session, found),
        new_slot=Slot(starts_at, starts_at + dt.timedelta(minutes=found.minutes)),
    ), form_status(form)


def _changed_meanwhile(found: Booking, changed: services.BookingChanged) -> Response:
    """The coach (or another tab) changed the booking first: nothing from this request is
    kept, and the person sees the booking as it now is."""
    return refuse(f"{changed.message}.", url_for("one_to_one.booking", booking_id=found.id))


@bp.route("/bookings/<int:booking_id>/cancel", methods=["GET", "POST"])
@participants
def cancel(booking_id: int) -> Page:
    me = current_person()
    found = scope.booking_for_participant(db.session, me, booking_id)
    now = utcnow()
    if not services.can_cancel(found, now):
        flash("This booking can no longer be cancelled.", "info")
        return redirect(url_for("one_to_one.booking", booking_id=found.id))
    late = services.is_late(db.session, found, now)
    programme_round = scope.round_of(db.session, db.session.get_one(Place, found.place_id))
    form = ParticipantCancelForm()
    if form.validate_on_submit():
        try:
            services.cancel_by_participant(
                db.session, found, participant=me, reason=form.reason.data or "", now=now
            )
        except services.BookingChanged as changed:
            return _changed_meanwhile(found, changed)
        flash(
            "Your booking is cancelled. We have emailed you and your coach."
            + (
                " It was less than the notice needed, so the time counts as used."
                if found.late_cancellation and programme_round.late_cancellation_counts
                else " The time is back in your hours."
            ),
            "success",
        )
        return redirect(url_for("one_to_one.index"))
    return render_template(
        "one_to_one/cancel.html",
        form=form,
        **booking_page_values(db.session, found),
        late=late,
        counts=programme_round.late_cancellation_counts,
        cutoff_hours=programme_round.cancellation_cutoff_hours,
    ), form_status(form)
