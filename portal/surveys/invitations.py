"""Inviting people to surveys and chasing them: triggers, personal links, reminders.

One service function per trigger. Each is called the moment its trigger happens, in the
same transaction (``portal.surveys.due`` receives the cohorts code's signals), and the job
calls it again for anything it finds due and not yet made (so a missed call is only ever
late, never lost, and never sent twice):

- ``invite_to_baseline``: the person took a place;
- ``invite_to_exit``: their cohort's last session was held, or they left after attending;
- ``invite_to_follow_up``: the round's ``follow_up_survey_months`` after their exit.

Each is idempotent: an invitation is unique per place and timing, so calling twice (or two
job runners racing) creates one invitation and sends one email. Invitations are essential
email; reminders (after the round's ``survey_reminder_days``, default 7 and 14) are
optional email and stop once the survey is answered.

Links: each email carries a personal link that opens that person's survey without
signing in, and nothing else. Only the SHA-256 hash of a link is stored (as
``portal.auth.tokens`` does); a link expires after ``SURVEY_LINK_DAYS`` (default 30) and
every reminder or resend carries a new link, so the first email's link keeps working too.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
import hashlib
import secrets
from collections.abc import Iterable
from decimal import Decimal

from flask import Flask, current_app
from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from portal.audit.services import record
from portal.auth.models import EmailCategory, User
from portal.cohorts.models import (
    Attendance,
    Cohort,
    CohortSession,
    CohortStatus,
    Place,
    PlaceStatus,
    SessionStatus,
)
from portal.notifications.services import queue_email
from portal.notifications.wording import rendered
from portal.presentation import first_name, plural
from portal.rounds.models import Round
from portal.state_changes import Audit, StatusConflict, change_status, claim
from portal.surveys.definitions import current_version
from portal.surveys.models import (
    ResponseStatus,
    SurveyInvitation,
    SurveyLink,
    SurveyResponse,
    SurveyTiming,
)
from portal.timefmt import govuk_date
from portal.urls import external_url

DEFAULT_LINK_DAYS = 30
# A trigger first seen longer ago than this is not acted on, so cohorts from before the
# portal sent surveys (or loaded into a new deployment) are never surveyed years late.
CATCH_UP_LIMIT = dt.timedelta(days=60)
_TOKEN_MAX_LENGTH = 200


class LinkProblem(enum.StrEnum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"


class LinkError(Exception):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def link_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(current_app.config["SURVEY_LINK_DAYS"]))


def issue_link(session: Session, invitation: SurveyInvitation, now: dt.datetime) -> str:
    """A new personal link for the invitation; returns the raw token (for the email only).

    Side effect: flushes a SurveyLink holding the token's hash.
    """
    raw = secrets.token_urlsafe(32)
    session.add(
        SurveyLink(
            invitation_id=invitation.id,
            token_hash=_hash(raw),
            created_at=now,
            expires_at=now + link_lifetime(),
        )
    )
    session.flush()
    return raw


def invitation_for_link(session: Session, raw: str, now: dt.datetime) -> SurveyInvitation:
    """The invitation a link opens. Raises LinkError if the link is unknown or expired."""
    if not raw or len(raw) > _TOKEN_MAX_LENGTH:
        raise LinkError(LinkProblem.UNKNOWN)
    link = session.scalar(select(SurveyLink).where(SurveyLink.token_hash == _hash(raw)))
    if link is None:
        raise LinkError(LinkProblem.UNKNOWN)
    if link.expires_at <= now:
        raise LinkError(LinkProblem.EXPIRED)
    return link.invitation


def link_expires_at(session: Session, raw: str) -> dt.datetime | None:
    link = session.scalar(select(SurveyLink).where(SurveyLink.token_hash == _hash(raw)))
    return link.expires_at if link else None


# Triggers


def invite_to_baseline(
    session: Session, place: Place, *, now: dt.datetime, notify: bool = True
) -> SurveyInvitation | None:
    """The person took a place: invite them to the baseline survey (once).

    Returns the invitation (new or existing), or None if the place is not held.
    ``notify=False`` (demo data) creates it without emailing. Side effects: see ``_invite``.
    """
    if place.status != PlaceStatus.ACCEPTED:
        return None
    earlier = baseline_in_round(session, place)
    if earlier is not None:  # moved from another cohort of the round: asked there already
        return earlier
    when = place.accepted_at or now
    return _invite(session, place, SurveyTiming.BASELINE, when, now, notify=notify)


def baseline_in_round(session: Session, place: Place) -> SurveyInvitation | None:
    """The person's baseline invitation for another place in the same round (someone moved
    between cohorts is asked about their business once a round), if any."""
    cohort = session.get(Cohort, place.cohort_id)
    assert cohort is not None
    return session.scalar(
        select(SurveyInvitation)
        .where(
            SurveyInvitation.person_id == place.person_id,
            SurveyInvitation.round_id == cohort.round_id,
            SurveyInvitation.timing == SurveyTiming.BASELINE,
            SurveyInvitation.place_id != place.id,
        )
        .limit(1)
    )


def invite_to_exit(
    session: Session,
    place: Place,
    *,
    now: dt.datetime,
    triggered_at: dt.datetime | None = None,
) -> SurveyInvitation | None:
    """The person's group finished, or they left: invite them to the exit survey (once).

    Only participants are invited (figures.md: placed and attended at least one session);
    someone who left before their first session was never a participant. Returns the
    invitation (new or existing), or None if the person is not a participant.
    """
    if place.status not in (PlaceStatus.ACCEPTED, PlaceStatus.LEFT):
        return None
    if not attended_any_session(session, place):
        return None
    when = triggered_at or (place.ended_at if place.status == PlaceStatus.LEFT else None) or now
    return _invite(session, place, SurveyTiming.EXIT, when, now)


def invite_to_follow_up(
    session: Session, exit_invitation: SurveyInvitation, *, now: dt.datetime
) -> SurveyInvitation | None:
    """Months after the exit survey: invite the same person to the follow-up (once)."""
    place = session.get(Place, exit_invitation.place_id)
    if place is None or exit_invitation.timing != SurveyTiming.EXIT:
        return None
    programme_round = session.get(Round, exit_invitation.round_id)
    assert programme_round is not None
    due = add_months(exit_invitation.triggered_at, programme_round.follow_up_survey_months)
    return _invite(session, place, SurveyTiming.FOLLOW_UP, due, now)


def attended_any_session(session: Session, place: Place) -> bool:
    return bool(
        session.scalar(
            select(
                exists()
                .where(Attendance.place_id == place.id, Attendance.hours > Decimal(0))
                .where(CohortSession.id == Attendance.session_id)
                .where(CohortSession.status == SessionStatus.HELD)
            )
        )
    )


def _existing(session: Session, place_id: int, timing: SurveyTiming) -> SurveyInvitation | None:
    return session.scalar(
        select(SurveyInvitation).where(
            SurveyInvitation.place_id == place_id, SurveyInvitation.timing == timing
        )
    )


def _invite(
    session: Session,
    place: Place,
    timing: SurveyTiming,
    triggered_at: dt.datetime,
    now: dt.datetime,
    *,
    notify: bool = True,
    actor: User | None = None,
) -> SurveyInvitation | None:
    """Create the invitation and email it, unless it exists already.

    Returns None when the survey has no published version yet, the person's processing is
    restricted (the job tries again) or they were erased. ``actor``: the officer who sent
    it, if not sent automatically.
    Side effects: flushes the invitation and its link, queues the email, records an
    ``survey_invitation.created`` audit event. Without ``notify`` no link or email is
    made (and no reminders follow) until an officer sends it.
    """
    found = _existing(session, place.id, timing)
    if found is not None:
        return found
    version = current_version(session, timing)
    if version is None:
        return None
    cohort = session.get(Cohort, place.cohort_id)
    person = session.get(User, place.person_id)
    assert cohort is not None
    assert person is not None
    if person.is_restricted:  # not surveyed while restricted (portal.privacy.restriction)
        return None
    if person.is_erased:  # nothing new is made about them (portal.privacy.erasure)
        return None
    invitation = SurveyInvitation(
        timing=timing,
        place_id=place.id,
        person_id=person.id,
        cohort_id=cohort.id,
        round_id=cohort.round_id,
        triggered_at=triggered_at,
        created_at=now,
        sent_at=now if notify else None,
    )
    try:
        with session.begin_nested():
            session.add(invitation)
            session.flush()
    except IntegrityError:  # another runner created it first
        return _existing(session, place.id, timing)
    if notify:
        raw = issue_link(session, invitation, now)
        _email(session, invitation, person, raw, version.title, template="survey_invitation")
    record(
        session,
        actor=actor,
        action="survey_invitation.created",
        entity_type="survey_invitation",
        entity_id=invitation.id,
        fields=["timing"],
    )
    return invitation


# Why each survey is sent now: the {why} merge field of the survey invitation's wording.
WHY = {
    SurveyTiming.BASELINE: (
        "Welcome to Peer Networks. Before your group starts, please tell us about your "
        "business as it is now. We ask again at the end, so we can see what changed."
    ),
    SurveyTiming.EXIT: (
        "Thank you for taking part in Peer Networks. Please tell us how it went for you."
    ),
    SurveyTiming.FOLLOW_UP: (
        "It is about 6 months since your Peer Networks group finished. Please tell us what "
        "has happened since."
    ),
}


def _email(
    session: Session,
    invitation: SurveyInvitation,
    person: User,
    raw: str,
    title: str,
    *,
    template: str,
    category: EmailCategory | None = None,
) -> bool:
    """Queue the email, in the standard email's current wording (portal.notifications.
    wording); False when the person turned that (optional) email off."""
    wording = rendered(
        session,
        template,
        {"first_name": first_name(person.name), "survey": title, "why": WHY[invitation.timing]},
    )
    link = session.scalar(select(SurveyLink).where(SurveyLink.token_hash == _hash(raw)))
    assert link is not None
    message = queue_email(
        session,
        to=person,
        subject=wording.subject,
        template=template,
        category=category,
        context={
            "name": person.name,
            "opening": wording.opening,
            "survey_title": title,
            "timing": invitation.timing,
            "survey_url": external_url("surveys.start", token=raw),
            "expires_on": govuk_date(link.expires_at),
            "preferences_url": external_url("account.email_preferences"),
        },
    )
    return message is not None


# Reminders and resending


def _answered(invitation: SurveyInvitation) -> bool:
    response = invitation.response
    return response is not None and response.status == ResponseStatus.SUBMITTED


def send_due_reminders(session: Session, now: dt.datetime) -> int:
    """Remind everyone whose invitation is unanswered and whose next reminder day has
    come (the round's ``survey_reminder_days`` after the first email). A runner that was
    down catches up with one reminder, not several. Returns how many were queued.

    Side effects: new links, queued email (optional: people may turn reminders off),
    the invitations' reminder counts.
    """
    candidates = session.scalars(
        select(SurveyInvitation)
        .where(SurveyInvitation.sent_at.is_not(None))
        .where(
            ~exists().where(
                and_(
                    SurveyResponse.invitation_id == SurveyInvitation.id,
                    SurveyResponse.status == ResponseStatus.SUBMITTED,
                )
            )
        )
        .order_by(SurveyInvitation.id)
    )
    rounds: dict[int, Round | None] = {}
    sent = 0
    for invitation in candidates:
        if invitation.round_id not in rounds:
            rounds[invitation.round_id] = session.get(Round, invitation.round_id)
        programme_round = rounds[invitation.round_id]
        days = (
            sorted({int(d) for d in (programme_round.survey_reminder_days or [])})
            if (programme_round)
            else []
        )
        assert invitation.sent_at is not None
        passed = [d for d in days if invitation.sent_at + dt.timedelta(days=d) <= now]
        if len(passed) <= invitation.reminders_sent:
            continue
        try:
            claim(
                session,
                invitation,
                len(passed),
                column="reminders_sent",
                values={"last_reminded_at": now},
            )
        except StatusConflict:
            continue  # reminded by another runner at the same moment
        person = session.get(User, invitation.person_id)
        version = current_version(session, invitation.timing)
        if person is None or version is None:
            continue
        title = invitation.response.version.title if invitation.response else version.title
        raw = issue_link(session, invitation, now)
        sent += _email(
            session,
            invitation,
            person,
            raw,
            title,
            template="survey_reminder",
            category=EmailCategory.SURVEY_REMINDERS,
        )
    session.flush()
    return sent


class NotResendable(Exception):
    """An answered survey is not sent again."""


class JustResent(Exception):
    """Someone else sent the invitation again at the same moment: it is not sent twice."""


def resend(
    session: Session, invitation: SurveyInvitation, *, actor: User, now: dt.datetime
) -> None:
    """Send the invitation again with a new link (essential email: the person asked, or
    an officer chased them). Raises NotResendable once answered (also when the answers
    arrive at the same moment), JustResent when another request resent it at the same
    moment.

    Side effects: a new link, a queued email, an audit event.
    """
    if _answered(invitation):
        raise NotResendable()
    person = session.get(User, invitation.person_id)
    version = current_version(session, invitation.timing)
    assert person is not None
    assert version is not None
    response = invitation.response
    if response is not None:
        try:  # still unanswered, and stays so until this request ends
            claim(session, response, ResponseStatus.IN_PROGRESS)
        except StatusConflict as conflict:
            raise NotResendable() from conflict
    try:
        change_status(
            session,
            invitation,
            invitation.resent_count + 1,
            column="resent_count",
            values={"sent_at": invitation.sent_at or now},
            now=now,
            audit=Audit(
                actor,
                "survey_invitation.resent",
                "survey_invitation",
                fields=[],
                on_behalf_of=person,
            ),
        )
    except StatusConflict as conflict:
        raise JustResent() from conflict
    title = response.version.title if response else version.title
    raw = issue_link(session, invitation, now)
    _email(session, invitation, person, raw, title, template="survey_invitation")


# What is due


def add_months(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time ``months`` later (the last day of a shorter month)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def last_session_held_at(cohort: Cohort) -> dt.datetime | None:
    """When the cohort's last session ended, once its schedule has been run: none of its
    sessions is still planned, at least one was held, and either the cohort is marked
    completed or its held and cancelled sessions are at least as many as its planned hours
    need (18 hours of 2.5-hour sessions: 8), so a schedule made one session at a time does
    not end early. Otherwise None.
    """
    held = [s for s in cohort.sessions if s.status == SessionStatus.HELD]
    if not held or any(s.status == SessionStatus.PLANNED for s in cohort.sessions):
        return None
    if cohort.status != CohortStatus.COMPLETED:
        sessions_planned = -(-cohort.planned_hours * 60 // max(cohort.session_length_minutes, 1))
        if len(cohort.sessions) < sessions_planned:
            return None
    return max(s.ends_at for s in held)


def exit_due_at(session: Session, cohort: Cohort) -> dt.datetime | None:
    """When the cohort's members are due their exit survey: the round's
    ``exit_survey_days_after_last_session`` after its last session ended; None until then."""
    ended = last_session_held_at(cohort)
    if ended is None:
        return None
    programme_round = session.get(Round, cohort.round_id)
    assert programme_round is not None
    return ended + dt.timedelta(days=programme_round.exit_survey_days_after_last_session)


def invite_finished_members(
    session: Session, cohort: Cohort, *, now: dt.datetime
) -> list[SurveyInvitation]:
    """Invite the members of a cohort whose exit survey is due to it (once each), if it
    became due recently. Returns the invitations new or existing. Side effects: see
    ``_invite``."""
    due = exit_due_at(session, cohort)
    if not _recent(due, now):
        return []
    found = []
    for place in cohort.places:
        if place.status == PlaceStatus.ACCEPTED:
            invitation = invite_to_exit(session, place, now=now, triggered_at=due)
            if invitation is not None:
                found.append(invitation)
    return found


def _recent(moment: dt.datetime | None, now: dt.datetime) -> bool:
    return moment is not None and now - CATCH_UP_LIMIT <= moment <= now


def _not_invited(timing: SurveyTiming) -> ColumnElement[bool]:
    return ~exists().where(
        and_(SurveyInvitation.place_id == Place.id, SurveyInvitation.timing == timing)
    )


def create_due_invitations(session: Session, now: dt.datetime) -> dict[SurveyTiming, int]:
    """Every invitation whose trigger has been reached and which does not exist yet.

    Idempotent: running it again creates nothing new. Returns how many were created
    by timing.
    """
    created = {timing: 0 for timing in SurveyTiming}

    def count(timing: SurveyTiming, invitations: Iterable[SurveyInvitation | None]) -> None:
        for invitation in invitations:
            if invitation is not None and invitation.created_at == now:
                created[timing] += 1

    # Baseline: places held and taken recently.
    placed = session.scalars(
        select(Place)
        .where(Place.status == PlaceStatus.ACCEPTED)
        .where(_not_invited(SurveyTiming.BASELINE))
        .order_by(Place.id)
    ).all()
    count(
        SurveyTiming.BASELINE,
        [
            invite_to_baseline(session, place, now=now)
            for place in placed
            if _recent(place.accepted_at, now)
        ],
    )

    # Exit: people who left, and the members of cohorts whose last session was held.
    left = session.scalars(
        select(Place)
        .where(Place.status == PlaceStatus.LEFT)
        .where(_not_invited(SurveyTiming.EXIT))
        .order_by(Place.id)
    ).all()
    count(
        SurveyTiming.EXIT,
        [invite_to_exit(session, place, now=now) for place in left if _recent(place.ended_at, now)],
    )
    members_waiting = session.scalars(
        select(Place)
        .where(Place.status == PlaceStatus.ACCEPTED)
        .where(_not_invited(SurveyTiming.EXIT))
        .order_by(Place.cohort_id, Place.id)
    ).all()
    finished: dict[int, dt.datetime | None] = {}
    for place in members_waiting:
        if place.cohort_id not in finished:
            cohort = session.get(Cohort, place.cohort_id)
            assert cohort is not None
            finished[place.cohort_id] = exit_due_at(session, cohort)
        due = finished[place.cohort_id]
        if _recent(due, now):
            count(
                SurveyTiming.EXIT,
                [invite_to_exit(session, place, now=now, triggered_at=due)],
            )

    # Follow-up: months after each exit invitation's trigger.
    follow_up = aliased(SurveyInvitation)
    exits = session.scalars(
        select(SurveyInvitation)
        .where(SurveyInvitation.timing == SurveyTiming.EXIT)
        .where(
            ~exists().where(
                and_(
                    follow_up.place_id == SurveyInvitation.place_id,
                    follow_up.timing == SurveyTiming.FOLLOW_UP,
                )
            )
        )
        .order_by(SurveyInvitation.id)
    ).all()
    for exit_invitation in exits:
        programme_round = session.get(Round, exit_invitation.round_id)
        assert programme_round is not None
        due = add_months(exit_invitation.triggered_at, programme_round.follow_up_survey_months)
        if _recent(due, now):
            count(
                SurveyTiming.FOLLOW_UP,
                [invite_to_follow_up(session, exit_invitation, now=now)],
            )
    session.flush()
    return created


def run_survey_job(session: Session, now: dt.datetime) -> str:
    """The job: create the invitations that are due, then send the reminders that are."""
    created = create_due_invitations(session, now)
    reminded = send_due_reminders(session, now)
    parts = [f"{count} {timing.label.lower()}" for timing, count in created.items() if count]
    made = ", ".join(parts) if parts else "no"
    invitations = "invitation" if sum(created.values()) == 1 else "invitations"
    reminders = plural(reminded, "reminder")
    return f"{made} {invitations} created, {reminders} queued"


def init_app(app: Flask) -> None:
    """Register the job that creates survey invitations and sends reminders."""
    from portal import jobs

    jobs.register(app, jobs.Job("survey-invitations", dt.timedelta(minutes=30), run_survey_job))
