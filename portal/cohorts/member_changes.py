"""Changing who is in a confirmed or running cohort: moving a member to another cohort of
the round, withdrawing a member, and the waiting list ranked by fit for adding someone.

Every change re-checks the hard rules with the matching engine's checks
(``portal.matching.checks.check_cohort``) and refuses with every rule it would break;
status changes go through the guarded mechanism (``portal.state_changes``), so of two
officers acting on one member at once only one does; each change is audited and emails the
people it affects (``portal.cohorts.change_emails``). Functions flush and never commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.services import record
from portal.auth.models import User
from portal.cohorts.change_emails import (
    email_facilitator,
    email_member_moved,
    email_member_withdrawn,
)
from portal.cohorts.delivery import DELIVERING, DeliveryError, round_of
from portal.cohorts.matching_inputs import engine_inputs, matching_rules
from portal.cohorts.membership import can_join, leave_cohort
from portal.cohorts.models import Cohort, CohortDelivery, Place, PlaceStatus
from portal.cohorts.offers import backfill
from portal.cohorts.services import CohortError, members, set_place_status
from portal.matching.checks import check_cohort
from portal.matching.model import Basis, MatchingRules, Weights
from portal.matching.scoring import score_cohort
from portal.registration.models import Application, ApplicationStatus
from portal.rounds.models import Round
from portal.state_changes import StatusConflict


def changeable(cohort: Cohort) -> bool:
    """Whether officers can change the cohort's members and details (confirmed or running)."""
    return cohort.status in DELIVERING


def _rules(session: Session, programme_round: Round) -> MatchingRules:
    # A delivered cohort may shrink below the round's smallest size (people leave): only
    # the largest size, formats, times, areas and conflicts are refused.
    return dataclasses.replace(matching_rules(programme_round, session=session), min_size=2)


def group_problems(
    session: Session,
    cohort: Cohort,
    newcomers: Sequence[Application],
    *,
    delivery: CohortDelivery | None = None,
    slot: tuple[int, str] | None = None,
    name: str | None = None,
) -> list[str]:
    """The hard rules the cohort would break with ``newcomers`` added to the people who
    hold places in it now (offered or accepted), meeting as it does or, when given, in
    ``delivery`` at ``slot`` (a weekday and part of the day)."""
    programme_round = round_of(cohort)
    current = [session.get(Application, p.application_id) for p in members(cohort)]
    group = [a for a in current if a is not None] + list(newcomers)
    applicants, conflicts = engine_inputs(session, group)
    return list(
        check_cohort(
            applicants,
            _rules(session, programme_round),
            conflicts,
            delivery=(delivery or cohort.delivery).value,
            slot=slot or (cohort.meeting_weekday, cohort.meeting_part_of_day.value),
            name=name or cohort.name,
            tense="would have",
        )
    )


def joining_problems(
    session: Session, cohort: Cohort, newcomers: Sequence[Application], now: dt.datetime
) -> list[str]:
    """Why ``newcomers`` cannot join the cohort now: its status, the round's cut-off
    session for joining, and the hard rules."""
    programme_round = round_of(cohort)
    if not changeable(cohort):
        return [f"{cohort.name} is {cohort.status.label.lower()}: nobody can join it"]
    problems = []
    if not can_join(cohort, now):
        problems.append(
            f"People can only join {cohort.name} before its session "
            f"{programme_round.join_before_session_number}"
        )
    return problems + group_problems(session, cohort, newcomers)


# Moving a member


def move_targets(session: Session, place: Place) -> list[Cohort]:
    """The other confirmed or running cohorts of the member's round, by name."""
    return list(
        session.scalars(
            select(Cohort)
            .where(
                Cohort.round_id == place.cohort.round_id,
                Cohort.id != place.cohort_id,
                Cohort.status.in_(DELIVERING),
            )
            .order_by(Cohort.name, Cohort.id)
        )
    )


def move_problems(session: Session, place: Place, target: Cohort, now: dt.datetime) -> list[str]:
    """Every reason the member (or someone with an open offer) cannot move to ``target``
    now (empty when they can)."""
    if place.status not in (PlaceStatus.ACCEPTED, PlaceStatus.OFFERED):
        return ["Only someone who holds a place or an open offer can be moved"]
    if target.id == place.cohort_id:
        return ["Choose a cohort other than the one they are in"]
    if target.round_id != place.cohort.round_id:
        return [f"{target.name} is in another round"]
    application = session.get(Application, place.application_id)
    assert application is not None
    return joining_problems(session, target, [application], now)


def move_member(
    session: Session,
    place: Place,
    target: Cohort,
    *,
    actor: User,
    reason: str,
    now: dt.datetime,
    own_request: bool = False,
) -> Place:
    """Move a member from their cohort to ``target`` (another confirmed or running cohort
    of the round), if the hard rules allow it. Returns their new, accepted place.

    Their old place ends as "moved" (the sessions they attended there still count; they
    are not withdrawn), the place they leave is offered to someone waiting while people
    may still join, and they are emailed the new group's details with calendar files; both
    facilitators are told. Raises CohortError with every rule the move breaks, or when
    someone else changed the place first; nothing is changed then.
    """
    if place.status == PlaceStatus.OFFERED:  # an open offer moves as an offer (offer_changes)
        raise CohortError(["Only someone who has accepted their place can be moved"])
    problems = move_problems(session, place, target, now)
    if problems:
        raise CohortError(problems)
    source = place.cohort
    person = session.get(User, place.person_id)
    assert person is not None
    try:
        set_place_status(
            session,
            place,
            PlaceStatus.MOVED,
            actor=actor,
            now=now,
            allowed_from={PlaceStatus.ACCEPTED},
            values={
                "ended_at": now,
                "end_reason": f"Moved to {target.name}: {reason}",
                "feed_token_hash": None,
            },
            fields=["status", "end_reason"],
            reason=reason,
        )
    except StatusConflict as conflict:
        raise CohortError(
            [f"{person.name}'s place was changed by someone else. Check and try again"]
        ) from conflict
    moved = Place(
        cohort_id=target.id,
        application_id=place.application_id,
        person_id=place.person_id,
        status=PlaceStatus.ACCEPTED,
        status_changed_at=now,
        accepted_at=now,
    )
    session.add(moved)
    session.flush()
    record(
        session,
        actor=actor,
        action="cohort_place.moved_in",
        entity_type="cohort_place",
        entity_id=moved.id,
        fields=["cohort"],
        reason=reason,
        on_behalf_of=person if own_request else None,
        occurred_at=now,
    )
    session.refresh(source)
    session.refresh(target)
    email_member_moved(
        session,
        person,
        source=source,
        target=target,
        reason="" if own_request else reason,
        own_request=own_request,
        now=now,
    )
    email_facilitator(session, source, lines=[f"{person.name} has moved to {target.name}."])
    email_facilitator(session, target, lines=[f"{person.name} has joined from {source.name}."])
    if can_join(source, now):
        backfill(session, source, now=now)
    return moved


# Withdrawing a member


def withdraw_member(
    session: Session, place: Place, *, actor: User, reason: str, now: dt.datetime
) -> None:
    """An officer withdraws a member, with a reason: as the member leaving themselves
    (``membership.leave_cohort``: the place ends as "left", the application is withdrawn;
    figures.md counts them as withdrawn, still a participant, if they attended a session,
    and not as a participant if they had not), then the member and the facilitator are
    emailed. Raises CohortError when the place is no longer held (someone else acted
    first); nothing is changed then."""
    person = session.get(User, place.person_id)
    assert person is not None
    cohort = place.cohort
    try:
        leave_cohort(session, place, reason=reason, now=now, actor=actor)
    except DeliveryError as error:
        raise CohortError(
            [f"{person.name} no longer holds a place in {cohort.name}. Check and try again"]
        ) from error
    email_member_withdrawn(session, person, cohort=cohort, reason=reason, now=now)
    email_facilitator(session, cohort, lines=[f"{person.name} has been withdrawn: {reason}"])


# Adding someone from the waiting list


@dataclass(frozen=True)
class Candidate:
    """Someone on the waiting list, as the cohort would take them."""

    application: Application
    person: User
    score: float
    problems: tuple[str, ...]

    @property
    def allowed(self) -> bool:
        return not self.problems


def waiting_by_fit(session: Session, cohort: Cohort) -> list[Candidate]:
    """The round's waiting list, best fit first: those the hard rules allow, by how well
    the cohort would score with them (the engine's soft goals), then the rest with the
    rules each would break (a conflict with a member, a time or format they cannot make)."""
    waiting = list(
        session.scalars(
            select(Application)
            .where(
                Application.round_id == cohort.round_id,
                Application.status == ApplicationStatus.WAITLISTED,
                Application.person_id.not_in(
                    select(User.id).where(User.restricted_at.is_not(None))
                ),
            )
            .order_by(Application.submitted_at, Application.id)
        )
    )
    if not waiting:
        return []
    people = {
        u.id: u
        for u in session.scalars(select(User).where(User.id.in_({a.person_id for a in waiting})))
    }
    current = [session.get(Application, p.application_id) for p in members(cohort)]
    group = [a for a in current if a is not None]
    found = []
    for order, candidate in enumerate(waiting):
        applicants, _ = engine_inputs(session, [*group, candidate])
        score = score_cohort(applicants, Basis.MIXED, Weights()).score
        problems = tuple(group_problems(session, cohort, [candidate]))
        person = people[candidate.person_id]
        found.append((not problems, score, -order, Candidate(candidate, person, score, problems)))
    found.sort(key=lambda item: item[:3], reverse=True)
    return [item[3] for item in found]


# A participant asking to move


def can_ask_to_move(programme_round: Round, today: dt.date) -> bool:
    """Whether members may still move themselves: the round sets a last day, not passed."""
    until = programme_round.members_can_move_until
    return until is not None and today <= until


def own_move_choices(session: Session, place: Place, now: dt.datetime) -> list[Cohort]:
    """The cohorts a member may choose to move to: the round's other confirmed or running
    cohorts with room whose rules (times, format, area, conflicts) allow them."""
    return [c for c in move_targets(session, place) if not move_problems(session, place, c, now)]
