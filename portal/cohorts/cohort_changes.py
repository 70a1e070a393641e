"""Changing a confirmed or running cohort itself: its name, meeting day and time, format,
venue or link and facilitator, and cancelling it.

A change of the day, time or format is re-checked against every member with the matching
engine's checks; future sessions follow a new day or time (``sessions.generate_schedule``)
and members are emailed what changed with calendar files. Cancelling is a guarded status
change (``portal.state_changes``): of two officers cancelling at once, one does; each
member is offered a place in another cohort or put on the waiting list, as the officer
chose. Functions flush and never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import Role, User
from portal.cohorts.change_emails import (
    cancellations_for,
    email_cohort_cancelled,
    email_details_changed,
    email_facilitator,
    upcoming,
)
from portal.cohorts.delivery import DELIVERING
from portal.cohorts.member_changes import changeable, group_problems, joining_problems
from portal.cohorts.member_emails import CALENDAR_CONTENT_TYPE, cancellation_files
from portal.cohorts.membership import current_members, people
from portal.cohorts.models import (
    Cohort,
    CohortDelivery,
    CohortStatus,
    Place,
    PlaceStatus,
    SessionStatus,
)
from portal.cohorts.offers import offer_place
from portal.cohorts.services import (
    CohortError,
    members,
    propose_place,
    set_cohort_status,
    set_place_status,
)
from portal.cohorts.sessions import generate_schedule, plan_schedule, start_time_of
from portal.matching.words import slot_phrase
from portal.notifications.services import Attachment
from portal.registration import services as applications
from portal.registration.models import Application, ApplicationStatus, PartOfDay
from portal.state_changes import Audit, StatusConflict, change_status
from portal.timefmt import govuk_time

_NOT_CHANGEABLE = "Only a confirmed or running cohort can be changed"


@dataclass(frozen=True)
class CohortDetails:
    """What officers can change about a delivered cohort."""

    name: str
    weekday: int
    part_of_day: PartOfDay
    start_time: dt.time
    delivery: CohortDelivery
    venue: str
    online_link: str
    facilitator_id: int | None

    @classmethod
    def of(cls, cohort: Cohort) -> CohortDetails:
        return cls(
            name=cohort.name,
            weekday=cohort.meeting_weekday,
            part_of_day=cohort.meeting_part_of_day,
            start_time=start_time_of(cohort),
            delivery=cohort.delivery,
            venue=cohort.venue,
            online_link=cohort.online_link,
            facilitator_id=cohort.facilitator_id,
        )


def details_version(cohort: Cohort) -> str:
    """A short fingerprint of the cohort's details as they are now: the change page carries
    the one it showed, so a save made against details another officer has changed since is
    refused instead of silently undoing theirs (``DetailsChanged``)."""
    seen = CohortDetails.of(cohort)
    text = "|".join(
        str(value)
        for value in (
            seen.name,
            seen.weekday,
            seen.part_of_day.value,
            seen.start_time.isoformat(),
            seen.delivery.value,
            seen.venue,
            seen.online_link,
            seen.facilitator_id,
            cohort.status.value,
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class DetailsChanged(CohortError):
    """Someone changed the cohort's details after the officer's page was shown;
    ``current`` is what they are now, for the page to show beside the officer's answers."""

    def __init__(self, cohort: Cohort) -> None:
        super().__init__(
            [
                "Someone else changed this cohort's details while you were changing them. "
                "Check its details now, shown below, and confirm your changes again"
            ]
        )
        self.current = CohortDetails.of(cohort)
        self.version = details_version(cohort)


def lock_details(session: Session, cohort: Cohort, seen_version: str) -> None:
    """Read the cohort afresh, locking its row until the transaction ends (PostgreSQL; on
    SQLite the request holds the write lock already), and raise DetailsChanged unless its
    details are still those the officer saw."""
    session.refresh(cohort, with_for_update=True)
    if details_version(cohort) != seen_version:
        raise DetailsChanged(cohort)


def details_problems(session: Session, cohort: Cohort, details: CohortDetails) -> list[str]:
    """The rules the new details break: every member must be able to make the new day,
    time and format (the hard rules), and the facilitator must work for its contractor."""
    if not changeable(cohort):
        return [_NOT_CHANGEABLE]
    problems: list[str] = []
    current = CohortDetails.of(cohort)
    if (details.weekday, details.part_of_day, details.delivery) != (
        current.weekday,
        current.part_of_day,
        current.delivery,
    ):
        problems += group_problems(
            session,
            cohort,
            [],
            delivery=details.delivery,
            slot=(details.weekday, details.part_of_day.value),
            name=details.name,
        )
    if details.facilitator_id is not None and details.facilitator_id != cohort.facilitator_id:
        facilitator = session.get(User, details.facilitator_id)
        if facilitator is None or not facilitator.has_role(Role.FACILITATOR):
            problems.append("Choose a facilitator from the list")
        elif cohort.contractor_id is not None and (
            cohort.contractor_id not in facilitator.contractor_ids
        ):
            problems.append(f"{facilitator.name} is not a facilitator at the cohort's contractor")
    return problems


def _sentences(
    session: Session, before: CohortDetails, after: CohortDetails
) -> tuple[list[str], list[str]]:
    """(the names of the fields that changed, a sentence for members about each)."""
    fields: list[str] = []
    lines: list[str] = []
    if after.name != before.name:
        fields.append("name")
        lines.append(f"Its name is now {after.name} (it was {before.name}).")
    if (after.weekday, after.part_of_day, after.start_time) != (
        before.weekday,
        before.part_of_day,
        before.start_time,
    ):
        fields += ["meeting_weekday", "meeting_part_of_day", "start_time"]
        lines.append(
            f"It now meets on {slot_phrase((after.weekday, after.part_of_day.value))}, "
            f"starting at {govuk_time_of(after.start_time)}."
        )
    if after.delivery != before.delivery:
        fields.append("delivery")
        lines.append(f"It now meets {after.delivery.label.lower()}.")
    if after.venue != before.venue:
        fields.append("venue")
        lines.append(
            f"The venue is now: {after.venue}." if after.venue else "The venue is to be confirmed."
        )
    if after.online_link != before.online_link:
        fields.append("online_link")
        lines.append(
            f"The link to the online meeting is now {after.online_link}."
            if after.online_link
            else "The link to the online meeting is to follow."
        )
    if after.facilitator_id != before.facilitator_id:
        fields.append("facilitator")
        facilitator = session.get(User, after.facilitator_id) if after.facilitator_id else None
        lines.append(
            f"Your facilitator is now {facilitator.name}."
            if facilitator
            else "Your new facilitator will be confirmed soon."
        )
    return fields, lines


def govuk_time_of(value: dt.time) -> str:
    return govuk_time(dt.datetime.combine(dt.date(2026, 1, 1), value, tzinfo=dt.UTC))


def change_details(
    session: Session,
    cohort: Cohort,
    details: CohortDetails,
    *,
    actor: User,
    reason: str,
    now: dt.datetime,
    seen_version: str | None = None,
) -> list[str]:
    """Change the cohort's details, if the rules allow. Returns the sentences members are
    emailed (empty when nothing changed).

    ``seen_version``: the ``details_version`` the officer's page showed. The cohort's row
    is locked and re-read first, and DetailsChanged raised if another officer changed its
    details since (of two saves at once, the second waits for the first, then is refused).

    A new day or time moves every future planned session (held sessions stay as they
    were); a new venue or link goes to future sessions that followed the cohort's. Members
    are emailed what changed with the sessions still to come as a calendar file (and a
    cancellation for any that no longer happen); the facilitators are told. Raises
    CohortError with every rule the change breaks; nothing is changed then. Side effects:
    flushes the cohort, its sessions, an audit event and the emails.
    """
    if seen_version is not None:
        lock_details(session, cohort, seen_version)
    problems = details_problems(session, cohort, details)
    if problems:
        raise CohortError(problems)
    before = CohortDetails.of(cohort)
    fields, lines = _sentences(session, before, details)
    if not fields:
        return []
    old_venue, old_link, old_facilitator = cohort.venue, cohort.online_link, cohort.facilitator_id
    cohort.name = details.name
    cohort.meeting_weekday = details.weekday
    cohort.meeting_part_of_day = details.part_of_day
    cohort.start_time = details.start_time.strftime("%H:%M")
    cohort.delivery = details.delivery
    cohort.venue = details.venue
    cohort.online_link = details.online_link
    cohort.facilitator_id = details.facilitator_id
    session.flush()
    audience = list(people(session, current_members(cohort)).values())
    cancellations: dict[int, list[Attachment]] = {}
    rescheduled = "start_time" in fields and cohort.start_on is not None
    if rescheduled:
        plan = plan_schedule(session, cohort, now=now)
        for removed in plan.replaced[len(plan.new) :]:
            for person_id, content in cancellation_files(session, cohort, removed).items():
                number = len(cancellations.get(person_id, [])) + 1
                cancellations.setdefault(person_id, []).append(
                    Attachment(f"cancelled-session-{number}.ics", CALENDAR_CONTENT_TYPE, content)
                )
        generate_schedule(session, cohort, actor=actor, now=now, notify=False)
    for cohort_session in upcoming(cohort, now):
        if cohort_session.venue in ("", old_venue):
            cohort_session.venue = cohort.venue
        if cohort_session.online_link in ("", old_link):
            cohort_session.online_link = cohort.online_link
        if not rescheduled:
            cohort_session.calendar_sequence += 1
    session.flush()
    record(
        session,
        actor=actor,
        action="cohort.details_changed",
        entity_type="cohort",
        entity_id=cohort.id,
        fields=fields,
        reason=reason,
        occurred_at=now,
    )
    email_details_changed(
        session,
        cohort,
        audience,
        changes=lines,
        reason=reason,
        cancellations=cancellations,
        calendar=True,
        now=now,
    )
    email_facilitator(
        session,
        cohort,
        lines=[line.replace("Your facilitator", "The facilitator") for line in lines],
    )
    if old_facilitator is not None and old_facilitator != cohort.facilitator_id:
        email_facilitator(
            session,
            cohort,
            lines=["Another facilitator now runs the group. Thank you for your work with it."],
            facilitator_id=old_facilitator,
        )
    return lines


# Cancelling a cohort


def cancel_problems(
    session: Session,
    cohort: Cohort,
    destinations: Mapping[int, Cohort | None],
    now: dt.datetime,
) -> list[str]:
    """Why the cohort cannot be cancelled with these destinations (by place id: a cohort to
    offer the member a place in, or None for the waiting list)."""
    if not changeable(cohort):
        return [_NOT_CHANGEABLE]
    holding = members(cohort, PlaceStatus.ACCEPTED, PlaceStatus.OFFERED)
    problems = []
    going: dict[int, tuple[Cohort, list[Application]]] = {}
    for place in holding:
        if place.id not in destinations:
            problems.append("Choose where each member goes")
            break
        target = destinations[place.id]
        if target is None:
            continue
        if target.id == cohort.id or target.round_id != cohort.round_id:
            problems.append(f"{target.name} is not another cohort of the round")
            continue
        application = session.get(Application, place.application_id)
        assert application is not None
        going.setdefault(target.id, (target, []))[1].append(application)
    for target, newcomers in going.values():
        problems += joining_problems(session, target, newcomers, now)
    return problems


def cancel_cohort(
    session: Session,
    cohort: Cohort,
    destinations: Mapping[int, Cohort | None],
    *,
    actor: User,
    reason: str,
    now: dt.datetime,
) -> None:
    """Cancel a confirmed or running cohort, with a reason. Each member's place ends, and
    they are offered a place in the cohort the officer chose for them (an offer email with
    its own reply-by date) or put on the waiting list; sessions still to come are cancelled
    and members are emailed with calendar cancellations; the facilitator is told.

    Guarded: raises CohortError if another officer cancelled or changed it first, or with
    every rule a destination breaks; nothing is changed then.
    """
    problems = cancel_problems(session, cohort, destinations, now)
    if problems:
        raise CohortError(problems)
    holding = members(cohort, PlaceStatus.ACCEPTED, PlaceStatus.OFFERED)
    persons = people(session, holding)
    # Made while the sessions are still planned: each file cancels one in the calendar.
    files = {
        place.id: cancellations_for(session, cohort, persons[place.id], now)
        if place.status == PlaceStatus.ACCEPTED
        else []
        for place in holding
    }
    try:
        set_cohort_status(
            session,
            cohort,
            CohortStatus.CANCELLED,
            actor=actor,
            now=now,
            reason=reason,
            allowed_from=set(DELIVERING),
        )
        for cohort_session in upcoming(cohort, now):
            change_status(
                session,
                cohort_session,
                SessionStatus.CANCELLED,
                allowed_from={SessionStatus.PLANNED},
                values={"calendar_sequence": cohort_session.calendar_sequence + 1},
                audit=Audit(actor, "cohort_session.cancelled", "cohort_session", reason=reason),
                now=now,
            )
        for place in holding:
            _end_place(session, place, destinations[place.id], actor=actor, reason=reason, now=now)
    except StatusConflict as conflict:
        if conflict.target is cohort:
            raise CohortError(
                [f"This cohort is already {str(conflict.current.label).lower()}"]
                if conflict.current is not None
                else ["This cohort was changed by someone else. Check and try again"]
            ) from conflict
        raise CohortError(
            ["Someone changed this cohort or one of its members at the same moment. Try again"]
        ) from conflict
    for place in holding:
        email_cohort_cancelled(
            session,
            persons[place.id],
            cohort=cohort,
            reason=reason,
            offered_in=destinations[place.id],
            attachments=files[place.id],
        )
    email_facilitator(
        session,
        cohort,
        lines=[f"The group is cancelled: {reason}", "Its sessions will not happen."],
    )


def _end_place(
    session: Session,
    place: Place,
    target: Cohort | None,
    *,
    actor: User,
    reason: str,
    now: dt.datetime,
) -> None:
    set_place_status(
        session,
        place,
        PlaceStatus.REMOVED,
        actor=actor,
        now=now,
        allowed_from={PlaceStatus.ACCEPTED, PlaceStatus.OFFERED},
        values={
            "ended_at": now,
            "end_reason": f"The cohort was cancelled: {reason}",
            "feed_token_hash": None,
        },
        fields=["status", "end_reason"],
        reason=reason,
    )
    application = session.get(Application, place.application_id)
    assert application is not None
    if target is None:
        applications.set_status(
            session,
            application,
            ApplicationStatus.WAITLISTED,
            actor=actor,
            now=now,
            reason="Their cohort was cancelled",
        )
        return
    offered = propose_place(session, target.id, application, now)
    session.flush()
    offer_place(session, offered, actor=actor, now=now)
    session.refresh(target)
