"""Case studies: who may see and change which, the review workflow, consent and the
public Stories.

Every status change goes through ``_move``, which checks the move is allowed, makes it
through the guarded mechanism (portal.state_changes: only from the status the request saw),
records the status with who, when and the comment, audits it (field names only) and emails
the author.
Withdrawing consent and the end of the consent period unpublish at once; the public
queries also check consent themselves, so nothing shows for a moment longer than allowed.

Functions flush and never commit. Anything outside the person's scope is 404.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping, Sequence

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.audit.services import record
from portal.auth.models import User
from portal.casestudies import journey
from portal.casestudies.models import (
    AWAITING_REVIEW,
    CONSENTED,
    EDITABLE,
    FINISHED,
    CaseStudy,
    CaseStudyStatus,
    CaseStudyStatusChange,
    ConsentUse,
)
from portal.cohorts.models import Cohort, Place, PlaceStatus
from portal.db import found_or_404
from portal.forms import PortalForm
from portal.notifications.services import queue_email
from portal.registration.models import Application
from portal.state_changes import Audit, StatusConflict, change_status
from portal.urls import external_url

S = CaseStudyStatus
# The moves the workflow allows, from each status.
MOVES: dict[CaseStudyStatus, frozenset[CaseStudyStatus]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.AWAITING_CONFIRMATION}),
    S.AWAITING_CONFIRMATION: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.IN_REVIEW, S.WITHDRAWN, S.EXPIRED}),
    S.RESUBMITTED: frozenset({S.IN_REVIEW, S.WITHDRAWN, S.EXPIRED}),
    S.IN_REVIEW: frozenset({S.CHANGES_REQUESTED, S.APPROVED, S.REJECTED, S.WITHDRAWN, S.EXPIRED}),
    S.CHANGES_REQUESTED: frozenset({S.RESUBMITTED, S.WITHDRAWN, S.EXPIRED}),
    S.APPROVED: frozenset({S.PUBLISHED, S.WITHDRAWN, S.EXPIRED}),
    S.PUBLISHED: frozenset({S.WITHDRAWN, S.EXPIRED}),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.EXPIRED: frozenset(),
}
_CONSENT_STEPS = {"named", "uses", "period"}


class CaseStudyError(Exception):
    """A rule stopped the change; the message is written for the person to read.

    Views that catch it after a service began changing things call ``db.mark_failed()``,
    so nothing half-done is committed.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# What a person is told when someone else changed the story first: the state that won.
_ALREADY = {
    S.DRAFT: "This story is a draft again",
    S.AWAITING_CONFIRMATION: "This story has already been sent to the participant",
    S.SUBMITTED: "This story has already been sent",
    S.RESUBMITTED: "This story has already been sent",
    S.IN_REVIEW: "This story is already being reviewed",
    S.CHANGES_REQUESTED: "Changes to this story have already been asked for",
    S.APPROVED: "This story has already been approved",
    S.PUBLISHED: "This story has already been published",
    S.REJECTED: "This story has already been rejected",
    S.WITHDRAWN: "The author has withdrawn their consent for this story",
    S.EXPIRED: "The author’s consent for this story has ended",
}


class CaseStudyChanged(CaseStudyError):
    """Another request changed the story first; ``status`` is what it is now."""

    def __init__(self, status: CaseStudyStatus | None) -> None:
        super().__init__(_ALREADY[status] if status else "This story has been removed")
        self.status = status


# Scope


def places_of(session: Session, person: User) -> list[Place]:
    """The person's places that they took (held now, or left), newest first."""
    return list(
        session.scalars(
            select(Place)
            .where(
                Place.person_id == person.id,
                Place.status.in_([PlaceStatus.ACCEPTED, PlaceStatus.LEFT]),
                Place.accepted_at.is_not(None),
            )
            .order_by(Place.accepted_at.desc(), Place.id.desc())
        )
    )


def latest_of(session: Session, person: User) -> CaseStudy | None:
    """The person's latest case study, whoever drafted it."""
    return session.scalar(
        select(CaseStudy)
        .where(CaseStudy.person_id == person.id)
        .order_by(CaseStudy.created_at.desc(), CaseStudy.id.desc())
        .limit(1)
    )


def get(session: Session, case_study_id: int) -> CaseStudy:
    return found_or_404(session, CaseStudy, case_study_id)


def for_facilitator(session: Session, facilitator: User, case_study_id: int) -> CaseStudy:
    """A case study the facilitator drafted, for a member of a cohort they facilitate."""
    found = session.get(CaseStudy, case_study_id)
    if found is None or found.drafted_by_id != facilitator.id:
        raise NotFound()
    cohort = session.get(Cohort, found.cohort_id)
    if cohort is None or cohort.facilitator_id != facilitator.id:
        raise NotFound()
    return found


def member_place(session: Session, facilitator: User, place_id: int) -> Place:
    """A place in a cohort the facilitator runs, taken by its person; otherwise 404."""
    place = session.get(Place, place_id)
    if place is None or place.status not in (PlaceStatus.ACCEPTED, PlaceStatus.LEFT):
        raise NotFound()
    cohort = session.get(Cohort, place.cohort_id)
    if cohort is None or cohort.facilitator_id != facilitator.id or place.accepted_at is None:
        raise NotFound()
    person = session.get(User, place.person_id)
    if person is None or person.is_erased:  # nothing new about an erased person
        raise NotFound()
    return place


# Starting and writing


def start(
    session: Session,
    place: Place,
    *,
    actor: User,
    now: dt.datetime,
    on_behalf: bool = False,
) -> CaseStudy:
    """A new draft for the place's person (or their case study in progress, if any).

    ``on_behalf``: a facilitator drafts it for the participant. Side effects: flushes the
    case study, its first status and an audit event.
    """
    person = session.get(User, place.person_id)
    assert person is not None
    if person.is_erased:  # nothing new about an erased person (portal.privacy.erasure)
        raise NotFound()
    current = latest_of(session, person)
    if current is not None and current.status not in FINISHED:
        return current
    application = session.get(Application, place.application_id)
    cohort = session.get(Cohort, place.cohort_id)
    assert application is not None
    assert cohort is not None
    case_study = CaseStudy(
        person_id=person.id,
        place_id=place.id,
        cohort_id=cohort.id,
        round_id=cohort.round_id,
        application_id=application.id,
        drafted_by_id=actor.id if on_behalf else None,
        status=CaseStudyStatus.DRAFT,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
        sector_code=application.sector_code,
        issue_codes=sorted(issue.issue_code for issue in application.issues),
        answered_steps=[],
        uses=[],
    )
    session.add(case_study)
    session.flush()
    case_study.history.append(
        CaseStudyStatusChange(status=CaseStudyStatus.DRAFT, changed_at=now, changed_by_id=actor.id)
    )
    session.flush()
    record(
        session,
        actor=actor,
        action="case_study.started",
        entity_type="case_study",
        entity_id=case_study.id,
        on_behalf_of=person if on_behalf else None,
    )
    return case_study


def can_edit(case_study: CaseStudy, *, facilitator: bool) -> bool:
    if facilitator:
        return case_study.status in (CaseStudyStatus.DRAFT, CaseStudyStatus.AWAITING_CONFIRMATION)
    return case_study.status in EDITABLE


def save_step(
    session: Session,
    case_study: CaseStudy,
    step: journey.Step,
    form: PortalForm,
    *,
    actor: User,
    now: dt.datetime,
    facilitator: bool = False,
) -> list[str]:
    """Store a page's answers. A facilitator never answers the consent pages; a change to
    a consent choice asks the participant to confirm their consent again.

    Raises CaseStudyError when the story cannot be changed now.
    """
    if not can_edit(case_study, facilitator=facilitator) or (facilitator and step.consent):
        raise CaseStudyError("This story cannot be changed now")
    changed = step.save(session, case_study, form)
    journey.mark_answered(case_study, step)
    if step.slug in _CONSENT_STEPS and changed:
        case_study.answered_steps = [s for s in case_study.answered_steps if s != "confirm"]
    case_study.updated_at = now
    session.flush()
    if changed:
        person = session.get(User, case_study.person_id)
        record(
            session,
            actor=actor,
            action="case_study.changed",
            entity_type="case_study",
            entity_id=case_study.id,
            fields=changed,
            on_behalf_of=person if facilitator else None,
        )
    return changed


def is_complete(case_study: CaseStudy, *, facilitator: bool) -> bool:
    steps = journey.steps_for(drafting_for_someone=facilitator)
    return journey.next_step(case_study, steps) is None


# The workflow


def add_years(moment: dt.datetime, years: int) -> dt.datetime:
    year = moment.year + years
    day = min(moment.day, calendar.monthrange(year, moment.month)[1])
    return moment.replace(year=year, day=day)


def send_to_participant(
    session: Session, case_study: CaseStudy, *, actor: User, now: dt.datetime
) -> None:
    """A facilitator's draft goes to the participant to check and give consent."""
    if not is_complete(case_study, facilitator=True):
        raise CaseStudyError("Answer every question before sending the story")
    _move(session, case_study, CaseStudyStatus.AWAITING_CONFIRMATION, actor=actor, now=now)


def submit(session: Session, case_study: CaseStudy, *, actor: User, now: dt.datetime) -> None:
    """The participant sends the story (again, after changes were asked for), with their
    consent. Raises CaseStudyError if something is unanswered."""
    if not is_complete(case_study, facilitator=False):
        raise CaseStudyError("Answer every question before sending your story")
    if case_study.status == CaseStudyStatus.CHANGES_REQUESTED:
        _move(session, case_study, CaseStudyStatus.RESUBMITTED, actor=actor, now=now)
        return
    consent = {
        "consent_given_at": now,
        "consent_expires_at": add_years(now, case_study.consent_years or 5),
        "submitted_at": now,
    }
    _move(session, case_study, CaseStudyStatus.SUBMITTED, actor=actor, now=now, values=consent)


def start_review(session: Session, case_study: CaseStudy, *, actor: User, now: dt.datetime) -> None:
    if case_study.status not in AWAITING_REVIEW:
        raise CaseStudyError("This story is not waiting for review")
    _move(session, case_study, CaseStudyStatus.IN_REVIEW, actor=actor, now=now)


def decide(
    session: Session,
    case_study: CaseStudy,
    decision: str,
    *,
    comment: str,
    actor: User,
    now: dt.datetime,
) -> None:
    """An officer's decision on a story in review: approve, ask for changes, or reject."""
    target = {
        "approve": CaseStudyStatus.APPROVED,
        "changes": CaseStudyStatus.CHANGES_REQUESTED,
        "reject": CaseStudyStatus.REJECTED,
    }[decision]
    if target != CaseStudyStatus.APPROVED and not comment.strip():
        raise CaseStudyError("Enter a comment for the author")
    _move(session, case_study, target, actor=actor, now=now, comment=comment.strip())


def publish(
    session: Session,
    case_study: CaseStudy,
    *,
    actor: User,
    now: dt.datetime,
    anonymity_checked: bool,
) -> None:
    """Publish an approved story. An anonymised story needs the officer's confirmation
    that it cannot identify the business; consent must still be in force."""
    if case_study.status != CaseStudyStatus.APPROVED:
        raise CaseStudyError("Only an approved story can be published")
    if not consent_in_force(case_study, now):
        raise CaseStudyError("The author’s consent is no longer in force")
    values: dict[str, object] = {"published_at": now, "unpublished_at": None}
    if case_study.named is False:
        if not anonymity_checked:
            raise CaseStudyError(
                "Confirm you have checked the story cannot identify the business or the person"
            )
        values |= {"anonymity_confirmed_at": now, "anonymity_confirmed_by_id": actor.id}
    _move(session, case_study, CaseStudyStatus.PUBLISHED, actor=actor, now=now, values=values)


def withdraw_consent(
    session: Session, case_study: CaseStudy, *, actor: User, now: dt.datetime
) -> None:
    """The author withdraws consent: the story stops being used (and shown) at once."""
    if case_study.status not in CONSENTED:
        raise CaseStudyError("There is no consent to withdraw for this story")
    _move(
        session,
        case_study,
        CaseStudyStatus.WITHDRAWN,
        actor=actor,
        now=now,
        values={"consent_withdrawn_at": now, **_unpublished(case_study, now)},
    )


def expire_consents(session: Session, now: dt.datetime) -> str:
    """A job: stories whose consent period has ended are unpublished and closed."""
    due = list(
        session.scalars(
            select(CaseStudy)
            .where(
                CaseStudy.status.in_(list(CONSENTED)),
                CaseStudy.consent_expires_at.is_not(None),
                CaseStudy.consent_expires_at <= now,
            )
            .order_by(CaseStudy.id)
        )
    )
    ended = 0
    for case_study in due:
        try:
            _move(
                session,
                case_study,
                CaseStudyStatus.EXPIRED,
                actor=None,
                now=now,
                values=_unpublished(case_study, now),
            )
        except CaseStudyChanged:
            continue  # the author withdrew consent at the same moment
        ended += 1
    return f"{ended} case studies reached the end of their consent"


def _unpublished(case_study: CaseStudy, now: dt.datetime) -> dict[str, object]:
    """What taking a story off the website sets, if it is on it."""
    return {"unpublished_at": now} if case_study.status == CaseStudyStatus.PUBLISHED else {}


def consent_in_force(case_study: CaseStudy, now: dt.datetime) -> bool:
    return (
        case_study.consent_given_at is not None
        and case_study.consent_withdrawn_at is None
        and case_study.consent_expires_at is not None
        and case_study.consent_expires_at > now
    )


def _move(
    session: Session,
    case_study: CaseStudy,
    target: CaseStudyStatus,
    *,
    actor: User | None,
    now: dt.datetime,
    comment: str = "",
    values: Mapping[str, object] | None = None,
) -> None:
    """The one way a story's status changes (portal.state_changes): only from the status
    this request saw, with one history row, one audit event and an email to the author.
    ``values``: other columns set with the status.

    Raises CaseStudyError for a move the workflow does not allow, and CaseStudyChanged
    when another request changed the story first (two officers, a double click).
    """
    if target not in MOVES[case_study.status]:
        raise CaseStudyError(
            f"A story that is {case_study.status.label.lower()} cannot be {target.label.lower()}"
        )
    person = session.get(User, case_study.person_id)
    assert person is not None
    try:
        change_status(
            session,
            case_study,
            target,
            now=now,
            values={"updated_at": now, **(values or {})},
            history=CaseStudyStatusChange(
                status=target,
                changed_at=now,
                changed_by_id=actor.id if actor else None,
                comment=comment,
            ),
            audit=Audit(
                actor,
                f"case_study.{target.value}",
                "case_study",
                fields=["status", "comment"] if comment else ["status"],
                on_behalf_of=person if actor is not None and actor.id != person.id else None,
            ),
        )
    except StatusConflict as conflict:
        raise CaseStudyChanged(conflict.current) from conflict
    _email_author(session, case_study, person, target, comment)


def _email_author(
    session: Session,
    case_study: CaseStudy,
    person: User,
    status: CaseStudyStatus,
    comment: str,
) -> None:
    subject = {
        S.AWAITING_CONFIRMATION: "Please check the story drafted for you",
        S.SUBMITTED: "We have your story",
        S.IN_REVIEW: "We are reviewing your story",
        S.CHANGES_REQUESTED: "Please make some changes to your story",
        S.RESUBMITTED: "We have your changes",
        S.APPROVED: "Your story is approved",
        S.PUBLISHED: "Your story is published",
        S.REJECTED: "We cannot use your story",
        S.WITHDRAWN: "You have withdrawn your consent",
        S.EXPIRED: "Your consent for your story has ended",
    }[status]
    template = "case_study_to_confirm" if status == S.AWAITING_CONFIRMATION else "case_study_status"
    queue_email(
        session,
        to=person,
        subject=subject,
        template=template,
        context={
            "name": person.name,
            "status": status.value,
            "title": case_study.title,
            "comment": comment,
            "story_url": external_url("case_study.index"),
            "public_url": external_url("stories.story", case_study_id=case_study.id),
            "on_website": ConsentUse.WEBSITE.value in case_study.uses,
        },
    )


# Lists


def for_review(
    session: Session, statuses: Sequence[CaseStudyStatus] | None = None
) -> list[CaseStudy]:
    query = select(CaseStudy).where(
        CaseStudy.status.not_in([CaseStudyStatus.DRAFT, CaseStudyStatus.AWAITING_CONFIRMATION])
    )
    if statuses:
        query = query.where(CaseStudy.status.in_(list(statuses)))
    return list(session.scalars(query.order_by(CaseStudy.status_changed_at.desc(), CaseStudy.id)))


def drafted_by(session: Session, facilitator: User) -> list[CaseStudy]:
    return list(
        session.scalars(
            select(CaseStudy)
            .where(CaseStudy.drafted_by_id == facilitator.id)
            .order_by(CaseStudy.updated_at.desc(), CaseStudy.id.desc())
        )
    )


def published_stories(
    session: Session, now: dt.datetime, *, sector: str = "", issue: str = ""
) -> list[CaseStudy]:
    """Stories on the public Stories page: published, consent in force, and consent given
    for the website; optionally of one sector and about one issue. Newest first."""
    query = select(CaseStudy).where(
        CaseStudy.status == CaseStudyStatus.PUBLISHED,
        CaseStudy.consent_withdrawn_at.is_(None),
        CaseStudy.consent_expires_at > now,
    )
    if sector:
        query = query.where(CaseStudy.sector_code == sector)
    stories = [
        story
        for story in session.scalars(query.order_by(CaseStudy.published_at.desc(), CaseStudy.id))
        if ConsentUse.WEBSITE.value in story.uses
    ]
    if issue:
        stories = [story for story in stories if issue in story.issue_codes]
    return stories


def public_story(session: Session, case_study_id: int, now: dt.datetime) -> CaseStudy:
    story = session.get(CaseStudy, case_study_id)
    if (
        story is None
        or story.status != CaseStudyStatus.PUBLISHED
        or not consent_in_force(story, now)
        or ConsentUse.WEBSITE.value not in story.uses
    ):
        raise NotFound()
    return story


def init_app(app: Flask) -> None:
    """Register the job that ends consent when its period is over."""
    from portal import jobs

    jobs.register(
        app, jobs.Job("case-study-consent-expiry", dt.timedelta(hours=1), expire_consents)
    )
