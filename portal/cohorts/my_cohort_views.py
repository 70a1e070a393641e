"""The participant's "Your cohort": their group and its sessions, calendar files and a
personal feed, and leaving.

Participants see only their own place; anything else answers 404. The calendar feed is
public by design, so calendar programs can fetch it without signing in: its secret link is
the only key, and it can be replaced.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie_session
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import SelectChoice

from portal import db, navigation
from portal.auth.access import current_person, participants, public
from portal.auth.models import User
from portal.cohorts import delivery, member_changes, member_emails, membership
from portal.cohorts.cohort_changes_forms import SelfMoveForm
from portal.cohorts.hours import (
    hours_from_registers,
    hours_in_words,
    hours_text,
    is_completer,
    registers_of,
)
from portal.cohorts.models import Place, PlaceStatus, SessionStatus
from portal.cohorts.my_cohort_forms import FeedLinkForm, LeaveForm
from portal.cohorts.offer_details import OfferDetails, offer_details
from portal.cohorts.services import CohortError
from portal.db import reads_only
from portal.db_base import utcnow
from portal.forms import form_status
from portal.refusals import refuse
from portal.timefmt import today_in_london
from portal.urls import external_url

bp = Blueprint("my_cohort", __name__, url_prefix="/my-cohort")

Page = str | WerkzeugResponse | tuple[str, int]
_NEW_FEED_LINK = "new_feed_link"


def _helpers() -> dict[str, object]:
    return {"hours_text": hours_text, "hours_in_words": hours_in_words}


bp.context_processor(_helpers)


def _my_place_or_home() -> Place | WerkzeugResponse:
    place = membership.current_place(db.session, current_person())
    if place is None:
        return redirect(url_for("my_cohort.index"))
    return place


@bp.get("/", endpoint="index")
@participants
@reads_only
def my_cohort() -> str:
    held = membership.current_place_and_round(db.session, current_person())
    if held is None:
        return render_template("my_cohort/none.html")
    place, programme_round = held
    navigation.place_held()
    found = place.cohort
    now = utcnow()
    facilitator = db.session.get(User, found.facilitator_id) if found.facilitator_id else None
    # The registers as plain rows, once: the hours of every member and this person's own.
    registers = registers_of(db.session, found)
    members = membership.members_of(db.session, found, hours=hours_from_registers(registers))
    others = [
        m for m in members if m.place.id != place.id and m.place.status == PlaceStatus.ACCEPTED
    ]
    # The person holds an accepted place, so they are among the members with their hours.
    hours = next(m.hours for m in members if m.place.id == place.id)
    return render_template(
        "my_cohort/index.html",
        place=place,
        cohort=found,
        programme_round=programme_round,
        sessions=sorted(found.sessions, key=lambda s: (s.starts_at, s.id)),
        numbers=delivery.session_numbers(found),
        facilitator=facilitator,
        sharing=[m for m in others if m.shares_with_cohort],
        not_sharing=len([m for m in others if not m.shares_with_cohort]),
        hours=hours,
        completed=is_completer(hours, programme_round),
        can_move=member_changes.can_ask_to_move(programme_round, today_in_london()),
        attendance={row.session_id: row for row in registers if row.place_id == place.id},
        now=now,
    )


@bp.get("/sessions/<int:session_id>.ics")
@participants
def session_ics(session_id: int) -> Response:
    place = membership.current_place(db.session, current_person())
    if place is None:
        abort(404)
    found = membership.session_for_participant(place, session_id)
    if found.status == SessionStatus.CANCELLED:
        abort(404)
    number = delivery.session_numbers(found.cohort).get(found.id, found.id)
    return Response(
        member_emails.session_calendar(db.session, found),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": f'attachment; filename="peer-networks-session-{number}.ics"'
        },
    )


@bp.route("/calendar", methods=["GET", "POST"])
@participants
def feed() -> Page:
    place = _my_place_or_home()
    if isinstance(place, WerkzeugResponse):
        return place
    form = FeedLinkForm()
    if form.validate_on_submit():
        had_one = place.feed_token_hash is not None
        raw = membership.new_feed_token(db.session, place)
        cookie_session[_NEW_FEED_LINK] = raw
        flash(
            "Your new calendar link is ready. The old link no longer works."
            if had_one
            else "Your calendar link is ready.",
            "success",
        )
        return redirect(url_for("my_cohort.feed"))
    raw = cookie_session.pop(_NEW_FEED_LINK, None)
    link = external_url("my_cohort.calendar_feed", token=raw) if raw else None
    return render_template(
        "my_cohort/feed.html",
        form=form,
        cohort=place.cohort,
        link=link,
        webcal=("webcal://" + link.split("://", 1)[1]) if link else None,
        has_link=place.feed_token_hash is not None,
    )


@bp.route("/leave", methods=["GET", "POST"])
@participants
def leave() -> Page:
    place = _my_place_or_home()
    if isinstance(place, WerkzeugResponse):
        return place
    form = LeaveForm()
    if form.validate_on_submit():
        name = place.cohort.name
        try:
            membership.leave_cohort(db.session, place, reason=form.reason.data, now=utcnow())
        except delivery.DeliveryError as error:  # left in another tab at the same moment
            return refuse(f"{error.message}.", url_for("my_cohort.index"))
        flash(f"You have left {name}. Thank you for telling us why.", "success")
        return redirect(url_for("my_cohort.index"))
    return render_template("my_cohort/leave.html", form=form, cohort=place.cohort), form_status(
        form
    )


@bp.route("/move", methods=["GET", "POST"])
@participants
def move() -> Page:
    """Ask to move to another group of the round, until the round's cut-off: the person
    chooses among the groups with room that the rules allow, checks, then confirms."""
    place = _my_place_or_home()
    if isinstance(place, WerkzeugResponse):
        return place
    now = utcnow()
    programme_round = delivery.round_of(place.cohort)
    if not member_changes.can_ask_to_move(programme_round, today_in_london()):
        return render_template(
            "my_cohort/move.html", cohort=place.cohort, open=False, form=None, until=None
        )
    choices = member_changes.own_move_choices(db.session, place, now)
    form = SelfMoveForm()
    form.target.choices = [SelectChoice(str(c.id), c.name) for c in choices]
    details = {str(c.id): offer_details(db.session, c, now=now) for c in choices}
    items = [{"hint": {"text": _choice_hint(details[str(c.id)])}} for c in choices]
    if form.validate_on_submit() and request.form.get("confirmed") != "change":
        target = next(c for c in choices if str(c.id) == form.target.data)
        if not form.is_confirmed:
            return render_template(
                "my_cohort/check_move.html",
                cohort=place.cohort,
                target=target,
                details=details[str(target.id)],
                answers=[("target", form.target.data)],
            )
        person = current_person()
        try:
            member_changes.move_member(
                db.session,
                place,
                target,
                actor=person,
                reason="They asked to move",
                now=now,
                own_request=True,
            )
        except CohortError as error:
            form.target.errors = error.problems
        else:
            flash(
                f"You have moved to {target.name}. We have emailed you its details and dates.",
                "success",
            )
            return redirect(url_for("my_cohort.index"))
    return render_template(
        "my_cohort/move.html",
        cohort=place.cohort,
        open=True,
        form=form,
        items=items,
        until=programme_round.members_can_move_until,
    ), form_status(form)


def _choice_hint(details: OfferDetails) -> str:
    starts = f", starting {details.starts}" if details.starts else ""
    return (
        f"{details.pattern}{starts}. {details.where.rstrip('.')}. "
        f"Facilitator: {details.facilitator.rstrip('.')}."
    )


@bp.get("/calendar/<token>.ics")
@public
def calendar_feed(token: str) -> Response:
    place = membership.place_for_feed_token(db.session, token)
    if place is None:
        abort(404)
    return Response(
        member_emails.feed_calendar(db.session, place.cohort),
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="peer-networks.ics"',
            "X-Robots-Tag": "noindex",
        },
    )
