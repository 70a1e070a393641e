"""Officers changing an open offer (made, not yet accepted) in a confirmed or running
cohort: withdrawing it, or moving it to another cohort of the round.

A withdrawn offer ends as a decline does: the place goes at once to the best-suited person
waiting (``offers.backfill``), the person's application is withdrawn, and they are emailed
why. A moved offer becomes a new offer in the other cohort with the same reply-by date
(the hard rules re-checked as for a member moving), and the place it leaves is offered on.
The old offer's links no longer answer it: they open a page saying it was withdrawn or
moved. Both are guarded (``portal.state_changes``): an offer
accepted or declined at the same moment is changed by only one of them. Functions flush
and never commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.cohorts.change_emails import email_offer_moved, email_offer_withdrawn
from portal.cohorts.member_changes import move_problems
from portal.cohorts.models import Cohort, Place, PlaceStatus
from portal.cohorts.offers import backfill, offer_place
from portal.cohorts.services import CohortError, propose_place, set_place_status
from portal.registration import services as applications
from portal.registration.models import Application, ApplicationStatus
from portal.state_changes import StatusConflict


def _closed(person: User, cohort: Cohort) -> CohortError:
    return CohortError(
        [f"{person.name} no longer has an open offer in {cohort.name}. Check and try again"]
    )


def withdraw_offer(
    session: Session, place: Place, *, actor: User, reason: str, now: dt.datetime
) -> Place | None:
    """Withdraw an open offer, with a reason. The place ends as "offer withdrawn" (never
    a participant), the application is withdrawn, the person is emailed, and the place is
    offered at once to the best-suited person waiting (returned, if there is one).

    Raises CohortError when the offer is no longer open (answered, lapsed or changed by
    someone else first); nothing is changed then. Side effects: flushes the place, the
    application's status, audit events, the email and perhaps an offer to someone else.
    """
    person = session.get(User, place.person_id)
    application = session.get(Application, place.application_id)
    assert person is not None
    assert application is not None
    cohort = place.cohort
    if place.status != PlaceStatus.OFFERED:
        raise _closed(person, cohort)
    try:
        set_place_status(
            session,
            place,
            PlaceStatus.WITHDRAWN,
            actor=actor,
            now=now,
            allowed_from={PlaceStatus.OFFERED},
            values={"ended_at": now, "end_reason": reason},
            fields=["status", "end_reason"],
            reason=reason,
        )
        applications.set_status(
            session,
            application,
            ApplicationStatus.WITHDRAWN,
            actor=actor,
            now=now,
            reason="Their offer of a place was withdrawn",
            allowed_from={ApplicationStatus.OFFERED},
            values={"withdrawn_reason": reason},
        )
    except StatusConflict as conflict:
        raise _closed(person, cohort) from conflict
    email_offer_withdrawn(session, person, cohort=cohort, reason=reason)
    return backfill(session, cohort, now=now)


def move_offer(
    session: Session,
    place: Place,
    target: Cohort,
    *,
    actor: User,
    reason: str,
    now: dt.datetime,
) -> Place:
    """Move an open offer to ``target`` (another confirmed or running cohort of the round),
    if the hard rules allow it. Returns the new offer, which keeps the reply-by date.

    The old offer ends as "moved" (its links no longer answer it), the person is emailed why and
    then the new offer (with its own accept and decline links), and the place it leaves is
    offered to the best-suited person waiting. Raises CohortError with every rule the move
    breaks, or when the offer is no longer open; nothing is changed then.
    """
    person = session.get(User, place.person_id)
    application = session.get(Application, place.application_id)
    assert person is not None
    assert application is not None
    source = place.cohort
    if place.status != PlaceStatus.OFFERED:
        raise _closed(person, source)
    problems = move_problems(session, place, target, now)
    if problems:
        raise CohortError(problems)
    reply_by = place.reply_by
    try:
        set_place_status(
            session,
            place,
            PlaceStatus.MOVED,
            actor=actor,
            now=now,
            allowed_from={PlaceStatus.OFFERED},
            values={
                "ended_at": now,
                "end_reason": f"Offer moved to {target.name}: {reason}",
            },
            fields=["status", "end_reason"],
            reason=reason,
        )
        moved = propose_place(session, target.id, application, now)
        session.flush()
        # Sent first: the new offer's own email, with the links, follows it.
        email_offer_moved(session, person, source=source, target=target, reason=reason)
        offer_place(session, moved, actor=actor, now=now, reply_by=reply_by)
    except StatusConflict as conflict:
        raise _closed(person, source) from conflict
    record(
        session,
        actor=actor,
        action="cohort_place.moved_in",
        entity_type="cohort_place",
        entity_id=moved.id,
        fields=["cohort"],
        reason=reason,
        occurred_at=now,
    )
    session.refresh(source)
    session.refresh(target)
    backfill(session, source, now=now)
    return moved
