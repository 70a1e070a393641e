"""A cohort's history for its page: what was done to the cohort itself (confirmed, its
details changed, cancelled) and to who is in it (members moved in or out, withdrawn or
leaving, offers withdrawn or moved), with who did it, when and why, oldest first.

The events are the audit log's: those recorded against the cohort and those recorded
against the places in it. Read in three statements however long the history is: the
events, the other places of the people who moved (where they went or came from), and the
people named. Functions only read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import String, and_, cast, or_, select
from sqlalchemy.orm import Session

from portal.audit.models import AuditEvent
from portal.audit.wording import describe_action
from portal.auth.models import User
from portal.cohorts.models import Cohort, Place, PlaceStatus

# Events about a place that change who is in the cohort after it was formed. Offers made,
# accepted, declined or lapsed are in the cohort page's table of offers instead.
MEMBER_ACTIONS = (
    "cohort_place.moved",
    "cohort_place.moved_in",
    "cohort_place.left",
    "cohort_place.removed",
    "cohort_place.withdrawn",
)


@dataclass(frozen=True)
class HistoryRow:
    occurred_at: dt.datetime
    who: str
    what: str
    reason: str


def cohort_history(session: Session, cohort: Cohort) -> list[HistoryRow]:
    """Every event about the cohort and the changes to its members, oldest first."""
    place_ids = select(cast(Place.id, String(60))).where(Place.cohort_id == cohort.id)
    events = list(
        session.scalars(
            select(AuditEvent)
            .where(
                or_(
                    and_(
                        AuditEvent.entity_type == "cohort",
                        AuditEvent.entity_id == str(cohort.id),
                    ),
                    and_(
                        AuditEvent.entity_type == "cohort_place",
                        AuditEvent.action.in_(MEMBER_ACTIONS),
                        AuditEvent.entity_id.in_(place_ids),
                    ),
                )
            )
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
    )
    places = {str(p.id): p for p in cohort.places}
    elsewhere = _other_places(session, cohort, events, places)
    people = _people(session, events, places)
    rows = []
    for event in events:
        place = places.get(event.entity_id) if event.entity_type == "cohort_place" else None
        rows.append(
            HistoryRow(
                occurred_at=event.occurred_at,
                who=_who(event, people),
                what=_what(event, place, people, elsewhere),
                reason=event.reason or (place.end_reason if place is not None else "") or "",
            )
        )
    return rows


def _other_places(
    session: Session, cohort: Cohort, events: list[AuditEvent], places: dict[str, Place]
) -> list[tuple[Place, str]]:
    """The places in other cohorts of the people who moved in or out, with the cohort's name."""
    moving = {
        places[e.entity_id].application_id
        for e in events
        if e.action in ("cohort_place.moved", "cohort_place.moved_in") and e.entity_id in places
    }
    if not moving:
        return []
    return [
        (place, name)
        for place, name in session.execute(
            select(Place, Cohort.name)
            .join(Cohort, Cohort.id == Place.cohort_id)
            .where(Place.application_id.in_(moving), Place.cohort_id != cohort.id)
        )
    ]


def _people(session: Session, events: list[AuditEvent], places: dict[str, Place]) -> dict[int, str]:
    ids = {e.actor_id for e in events} | {e.on_behalf_of_id for e in events}
    ids |= {places[e.entity_id].person_id for e in events if e.entity_id in places}
    ids.discard(None)
    if not ids:
        return {}
    return {
        person_id: name
        for person_id, name in session.execute(select(User.id, User.name).where(User.id.in_(ids)))
    }


def _who(event: AuditEvent, people: dict[int, str]) -> str:
    if event.actor_id is None:
        return "The portal"
    actor = people.get(event.actor_id, "Someone whose account was deleted")
    if event.on_behalf_of_id is not None and event.on_behalf_of_id != event.actor_id:
        return f"{actor}, for {people.get(event.on_behalf_of_id, 'a participant')}"
    return actor


def _started(place: Place) -> dt.datetime | None:
    """When the place began: its offer, or its acceptance for a place moved into."""
    return place.offered_at or place.accepted_at


def _what(
    event: AuditEvent,
    place: Place | None,
    people: dict[int, str],
    elsewhere: list[tuple[Place, str]],
) -> str:
    if place is None:
        words = describe_action(event.action)
        if event.fields:
            words += f" ({', '.join(event.fields).replace('_', ' ')})"
        return words
    name = people.get(place.person_id, "A member")
    offer = place.accepted_at is None
    match event.action:
        case "cohort_place.moved":
            went = next(
                (
                    cohort_name
                    for other, cohort_name in elsewhere
                    if other.application_id == place.application_id
                    and _started(other) == place.ended_at
                ),
                "another cohort",
            )
            return f"{name}'s offer moved to {went}" if offer else f"{name} moved to {went}"
        case "cohort_place.moved_in":
            came = next(
                (
                    cohort_name
                    for other, cohort_name in elsewhere
                    if other.application_id == place.application_id
                    and other.status == PlaceStatus.MOVED
                    and other.ended_at == _started(place)
                ),
                "another cohort",
            )
            return (
                f"{name} offered a place, moved from {came}"
                if offer
                else f"{name} joined from {came}"
            )
        case "cohort_place.left":
            by_themselves = event.actor_id == place.person_id
            return f"{name} left the cohort" if by_themselves else f"{name} withdrawn"
        case "cohort_place.withdrawn":
            return f"{name}'s offer withdrawn"
        case _ if place.offered_at is None:
            return f"{name} taken out of the proposed cohort"
        case _:
            return f"{name}'s place ended when the cohort was cancelled"
