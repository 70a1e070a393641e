"""Who a message goes to: a cohort's members, a round's waiting list, a filtered list of
applicants, or the people who have not answered a survey.

An audience is a kind and a few parameters (stored with the message as they were chosen),
and is worked out afresh each time it is shown or sent, so a send reaches the people who are
in it then. Each person comes with the values of the merge fields the audience offers, or is
left out with the reason: processing restricted, that kind of email turned off, or no email
address (erased). Facilitators may write only to the members of cohorts they facilitate;
anything else answers 404. Read-only.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import NotFound

from portal.auth.models import EmailCategory, EmailPreference, Role, User
from portal.cohorts.models import Cohort, CohortSession, Place, PlaceStatus, SessionStatus
from portal.messages.models import AudienceKind
from portal.presentation import first_name
from portal.registration.models import Application, ApplicationStatus, DeliveryPreference
from portal.registration.queries import LISTED_STATUSES, ApplicantFilters, all_applicants
from portal.rounds.models import Round
from portal.surveys.models import (
    ResponseStatus,
    SurveyInvitation,
    SurveyResponse,
    SurveyTiming,
)
from portal.timefmt import govuk_datetime

# Merge fields every audience offers, and those only some do.
FIELD_HINTS = {
    "first_name": "the person's first name",
    "cohort": "their cohort's name",
    "next_session": "the date and time of their cohort's next session",
}
_FIELDS = {
    AudienceKind.COHORT: ["first_name", "cohort", "next_session"],
    AudienceKind.WAITING_LIST: ["first_name"],
    AudienceKind.APPLICANTS: ["first_name"],
    AudienceKind.SURVEY: ["first_name", "cohort"],
}
# The applicant list's filters a message may carry (the list page's query string names).
APPLICANT_FILTERS = ("status", "district", "sector", "ownership", "organisation", "issue")
_TEXT_FILTERS = ("delivery", "search")
NO_SESSION_YET = "to be arranged"


@dataclass(frozen=True)
class Audience:
    kind: AudienceKind
    params: dict[str, Any]
    label: str
    cohort_id: int | None = None
    round_id: int | None = None

    @property
    def fields(self) -> list[str]:
        return _FIELDS[self.kind]

    @property
    def key(self) -> str:
        """The same people chosen the same way give the same key (the repeat rule's)."""
        return json.dumps({"kind": self.kind.value, **self.params}, sort_keys=True)


@dataclass(frozen=True)
class Recipient:
    person: User
    values: dict[str, str]


@dataclass(frozen=True)
class LeftOut:
    person: User
    reason: str


@dataclass
class Recipients:
    included: list[Recipient] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)


# Choosing an audience


def _number(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < number < 2**31:
        raise NotFound()
    return number


def _round(session: Session, value: Any) -> Round:
    found = session.get(Round, _number(value))
    if found is None:
        raise NotFound()
    return found


def audience_for(session: Session, user: User, params: Mapping[str, Any]) -> Audience:
    """The audience these parameters describe, if ``user`` may write to it; else 404.

    ``params`` are a query string's (``audience=cohort&cohort=7``) or a message's stored
    parameters (with ``audience`` added). Facilitators: their own cohorts only.
    """
    try:
        kind = AudienceKind(params.get("audience", ""))
    except ValueError:
        raise NotFound() from None
    officer = user.has_role(Role.OFFICER)
    if kind is AudienceKind.COHORT:
        cohort = session.get(Cohort, _number(params.get("cohort")))
        if cohort is None or not (officer or cohort.facilitator_id == user.id):
            raise NotFound()
        return Audience(
            kind,
            {"cohort": cohort.id},
            f"Members of {cohort.name}",
            cohort_id=cohort.id,
            round_id=cohort.round_id,
        )
    if not officer:
        raise NotFound()
    programme_round = _round(session, params.get("round"))
    if kind is AudienceKind.WAITING_LIST:
        return Audience(
            kind,
            {"round": programme_round.id},
            f"The waiting list of {programme_round.name}",
            round_id=programme_round.id,
        )
    if kind is AudienceKind.SURVEY:
        try:
            timing = SurveyTiming(params.get("timing", ""))
        except ValueError:
            raise NotFound() from None
        return Audience(
            kind,
            {"round": programme_round.id, "timing": timing.value},
            f"People in {programme_round.name} who have not answered the "
            f"{timing.label.lower()} survey",
            round_id=programme_round.id,
        )
    return _applicants(programme_round, params)


def _applicants(programme_round: Round, params: Mapping[str, Any]) -> Audience:
    chosen: dict[str, Any] = {"round": programme_round.id}
    for name in (*APPLICANT_FILTERS, *_TEXT_FILTERS):
        value = str(params.get(name) or "").strip()
        if value:
            chosen[name] = value[:200]
    filters = applicant_filters(chosen)  # refuses values the list would not offer
    used = filters.used()
    label = f"Applicants in {programme_round.name}"
    if used:
        label += " (filtered by " + ", ".join(used) + ")"
    return Audience(AudienceKind.APPLICANTS, chosen, label, round_id=programme_round.id)


def applicant_filters(params: Mapping[str, Any]) -> ApplicantFilters:
    """The applicant list's filters from stored parameters; 404 for a status or format
    the list does not offer (other codes that match nothing simply find nobody)."""
    status = None
    if params.get("status"):
        try:
            status = ApplicationStatus(params["status"])
        except ValueError:
            raise NotFound() from None
        if status not in LISTED_STATUSES:
            raise NotFound()
    delivery = None
    if params.get("delivery"):
        try:
            delivery = DeliveryPreference(params["delivery"])
        except ValueError:
            raise NotFound() from None
    return ApplicantFilters(
        status=status,
        delivery=delivery,
        search=params.get("search", ""),
        **{name: params.get(name, "") for name in APPLICANT_FILTERS if name != "status"},
    )


def stored_params(audience: Audience) -> dict[str, Any]:
    """What a message keeps, for ``audience_for`` to find the same audience again."""
    return {"audience": audience.kind.value, **audience.params}


# Who is in it


def recipients(
    session: Session,
    audience: Audience,
    *,
    category: EmailCategory | None,
    now: dt.datetime,
) -> Recipients:
    """Everyone in the audience now, each once: those a message reaches, with their merge
    values, and those left out with the reason. Ordered by name."""
    found: dict[int, tuple[User, dict[str, str]]] = {}
    for person, values in _people(session, audience, now):
        found.setdefault(person.id, (person, values))
    turned_off = _turned_off(session, list(found), category)
    result = Recipients()
    for person, values in sorted(found.values(), key=lambda item: (item[0].name, item[0].id)):
        reason = _left_out_because(person, person.id in turned_off, category)
        if reason:
            result.left_out.append(LeftOut(person, reason))
        else:
            result.included.append(
                Recipient(person, {"first_name": first_name(person.name), **values})
            )
    return result


def _left_out_because(person: User, turned_off: bool, category: EmailCategory | None) -> str:
    if person.is_erased:
        return "No email address (their data was erased)"
    if person.is_restricted:
        return "Processing of their data is restricted"
    if turned_off and category is not None:
        return f"Turned off emails of this kind ({category.label.lower()})"
    return ""


def _turned_off(session: Session, ids: list[int], category: EmailCategory | None) -> set[int]:
    if category is None or not ids:
        return set()
    return set(
        session.scalars(
            select(EmailPreference.user_id).where(
                EmailPreference.user_id.in_(ids),
                EmailPreference.category == category,
                EmailPreference.wanted.is_(False),
            )
        )
    )


def _people(
    session: Session, audience: Audience, now: dt.datetime
) -> list[tuple[User, dict[str, str]]]:
    if audience.kind is AudienceKind.COHORT:
        cohort = session.get(Cohort, audience.params["cohort"])
        if cohort is None:
            return []
        values = {"cohort": cohort.name, "next_session": next_session_text(session, cohort, now)}
        rows = session.scalars(
            select(User)
            .join(Place, Place.person_id == User.id)
            .where(Place.cohort_id == cohort.id, Place.status == PlaceStatus.ACCEPTED)
        )
        return [(person, values) for person in rows]
    round_id = audience.params["round"]
    if audience.kind is AudienceKind.WAITING_LIST:
        rows = session.scalars(
            select(User)
            .join(Application, Application.person_id == User.id)
            .where(
                Application.round_id == round_id,
                Application.status == ApplicationStatus.WAITLISTED,
            )
        )
        return [(person, {}) for person in rows]
    if audience.kind is AudienceKind.APPLICANTS:
        filters = applicant_filters(audience.params)
        return [(person, {}) for _application, person in all_applicants(session, round_id, filters)]
    answered = exists().where(
        and_(
            SurveyResponse.invitation_id == SurveyInvitation.id,
            SurveyResponse.status == ResponseStatus.SUBMITTED,
        )
    )
    found = session.execute(
        select(User, Cohort.name)
        .join(SurveyInvitation, SurveyInvitation.person_id == User.id)
        .join(Cohort, Cohort.id == SurveyInvitation.cohort_id)
        .where(
            SurveyInvitation.round_id == round_id,
            SurveyInvitation.timing == SurveyTiming(audience.params["timing"]),
            SurveyInvitation.sent_at.is_not(None),
            ~answered,
        )
        .order_by(SurveyInvitation.id)
    ).all()
    return [(person, {"cohort": cohort_name}) for person, cohort_name in found]


def next_session_text(session: Session, cohort: Cohort, now: dt.datetime) -> str:
    """ "Monday 14 December 2026, 9:30am", or "to be arranged" with none planned."""
    starts_at = session.scalar(
        select(CohortSession.starts_at)
        .where(
            CohortSession.cohort_id == cohort.id,
            CohortSession.status != SessionStatus.CANCELLED,
            CohortSession.starts_at > now,
        )
        .order_by(CohortSession.starts_at)
        .limit(1)
    )
    return govuk_datetime(starts_at) if starts_at else NO_SESSION_YET
