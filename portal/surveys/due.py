"""Survey invitations on time: queued the moment their trigger happens, and sent now by
officers.

The cohorts code announces what happened (``portal.cohorts.events``); the receivers here
queue the invitation in the same transaction, so the baseline survey's email is in the
outbox as the place is accepted, before the group first meets, and the exit survey's as
the last register is recorded (when the round asks for it on the day). The job in
``portal.surveys.invitations`` stays as a safety net: it creates only what does not exist,
so nothing is sent twice.

Officers see, per cohort, every invitation that is due and not sent (the job has not run
yet, the survey had no published version then, or demo data made it without an email) and
can send it at once. Sending is guarded: of two officers (or an officer and the job)
sending the same invitation at once, one sends it and the other is told it went.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.cohorts import events
from portal.cohorts.models import Cohort, CohortSession, Place, PlaceStatus
from portal.rounds.models import Round
from portal.state_changes import StatusConflict, claim
from portal.surveys.definitions import current_version
from portal.surveys.invitations import (
    _email,
    _invite,
    add_months,
    attended_any_session,
    baseline_in_round,
    exit_due_at,
    invite_finished_members,
    invite_to_baseline,
    invite_to_exit,
    issue_link,
)
from portal.surveys.models import SurveyInvitation, SurveyTiming

# Receivers: the invitation is queued with the change that causes it.


def _on_place_accepted(place: Place, *, session: Session, now: dt.datetime, **_: Any) -> None:
    invite_to_baseline(session, place, now=now)


def _on_member_left(place: Place, *, session: Session, now: dt.datetime, **_: Any) -> None:
    invite_to_exit(session, place, now=now)


def _on_register_taken(
    cohort_session: CohortSession, *, session: Session, now: dt.datetime, **_: Any
) -> None:
    invite_finished_members(session, cohort_session.cohort, now=now)


def init_app(app: Flask) -> None:
    """Connect the receivers (once per process: connecting again changes nothing)."""
    events.place_accepted.connect(_on_place_accepted)
    events.member_left.connect(_on_member_left)
    events.register_taken.connect(_on_register_taken)


# What is due and not sent


@dataclass(frozen=True)
class DueInvitation:
    """An invitation whose trigger has been reached but which nobody has been sent: made
    without an email (``invitation``), or not made yet (None)."""

    place: Place
    person: User
    timing: SurveyTiming
    due_at: dt.datetime
    invitation: SurveyInvitation | None


def _due_at(
    session: Session,
    place: Place,
    timing: SurveyTiming,
    exit_due: dt.datetime | None,
    made: dict[SurveyTiming, SurveyInvitation],
    now: dt.datetime,
) -> dt.datetime | None:
    """When the place's invitation to ``timing`` became due, if it has."""
    if timing == SurveyTiming.BASELINE:
        # Taking a place; no longer worth asking once the group has finished.
        if place.status != PlaceStatus.ACCEPTED or (exit_due is not None and exit_due <= now):
            return None
        if baseline_in_round(session, place) is not None:
            return None
        return place.accepted_at or now
    if timing == SurveyTiming.EXIT:
        if place.status == PlaceStatus.LEFT:
            due = place.ended_at
        elif place.status == PlaceStatus.ACCEPTED:
            due = exit_due
        else:
            return None
        if due is None or due > now or not attended_any_session(session, place):
            return None
        return due
    exit_invitation = made.get(SurveyTiming.EXIT)
    if exit_invitation is None:
        return None
    programme_round = session.get(Round, exit_invitation.round_id)
    assert programme_round is not None
    due = add_months(exit_invitation.triggered_at, programme_round.follow_up_survey_months)
    return due if due <= now else None


def due_not_sent(session: Session, cohort: Cohort, now: dt.datetime) -> list[DueInvitation]:
    """Every invitation of the cohort's members that is due and has not been sent, for
    surveys with a published version, to people who may be emailed; by survey and name."""
    exit_due = exit_due_at(session, cohort)
    places = [p for p in cohort.places if p.status in (PlaceStatus.ACCEPTED, PlaceStatus.LEFT)]
    invitations: dict[int, dict[SurveyTiming, SurveyInvitation]] = {}
    for made_one in session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.cohort_id == cohort.id)
    ):
        invitations.setdefault(made_one.place_id, {})[made_one.timing] = made_one
    published = {t for t in SurveyTiming if current_version(session, t) is not None}
    found = []
    for place in places:
        person = session.get(User, place.person_id)
        assert person is not None
        if person.is_restricted or person.is_erased:
            continue
        made = invitations.get(place.id, {})
        for timing in SurveyTiming:
            invitation = made.get(timing)
            if timing not in published or (invitation and invitation.sent_at is not None):
                continue
            due = _due_at(session, place, timing, exit_due, made, now)
            if due is not None:
                found.append(DueInvitation(place, person, timing, due, invitation))
    order = list(SurveyTiming)
    return sorted(found, key=lambda d: (order.index(d.timing), d.person.name, d.place.id))


# Sending now


class AlreadySent(Exception):
    """The invitation has been sent (perhaps by another officer or the job, just now)."""

    def __init__(self, invitation: SurveyInvitation) -> None:
        super().__init__(f"survey invitation {invitation.id} was sent")
        self.invitation = invitation


class NotDue(Exception):
    """The invitation is not due, or cannot be sent (no published survey, or the person
    may not be emailed)."""


def send_now(
    session: Session,
    cohort: Cohort,
    place_id: int,
    timing: SurveyTiming,
    *,
    actor: User,
    now: dt.datetime,
) -> SurveyInvitation:
    """Send the place's due invitation at once. Raises AlreadySent if it has been sent
    (also when another request sent it at the same moment) and NotDue if it is not due.

    Side effects: the invitation (made now, or marked sent), a new link, the email in the
    outbox and an audit event naming the officer.
    """
    sent = session.scalar(
        select(SurveyInvitation).where(
            SurveyInvitation.place_id == place_id,
            SurveyInvitation.timing == timing,
            SurveyInvitation.sent_at.is_not(None),
        )
    )
    if sent is not None:
        raise AlreadySent(sent)
    due = next(
        (
            d
            for d in due_not_sent(session, cohort, now)
            if d.place.id == place_id and d.timing == timing
        ),
        None,
    )
    if due is None:
        raise NotDue()
    invitation = due.invitation
    if invitation is None:
        invitation = _invite(session, due.place, timing, due.due_at, now, actor=actor)
        if invitation is None:
            raise NotDue()
        if invitation.created_at == now and invitation.sent_at == now:
            return invitation  # made and emailed by this request
    if invitation.sent_at is not None:  # made by another request at the same moment
        raise AlreadySent(invitation)
    return _send_unsent(session, invitation, due.person, actor=actor, now=now)


def _send_unsent(
    session: Session, invitation: SurveyInvitation, person: User, *, actor: User, now: dt.datetime
) -> SurveyInvitation:
    try:  # guarded: of two sends at once, one sends
        claim(session, invitation, now, column="sent_at", allowed_from={None})
    except StatusConflict as conflict:
        raise AlreadySent(invitation) from conflict
    version = current_version(session, invitation.timing)
    if version is None:
        raise NotDue()
    raw = issue_link(session, invitation, now)
    _email(session, invitation, person, raw, version.title, template="survey_invitation")
    record(
        session,
        actor=actor,
        action="survey_invitation.sent",
        entity_type="survey_invitation",
        entity_id=invitation.id,
        fields=["sent_at"],
    )
    return invitation
