"""What a person needs to decide on an offer of a place, in words for the email and the page.

The start date and every session's date and time once the facilitator has set the schedule
(or, before then, when the person will hear), the format and where the group meets, the
facilitator, the hours the person commits to, and the one-to-one support they can book.
Reads only; changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.auth.models import Contractor, User
from portal.cohorts.models import Cohort, CohortDelivery, SessionStatus
from portal.presentation import minutes_in_words, plural
from portal.registration.models import WEEKDAYS
from portal.rounds.models import Round
from portal.timefmt import govuk_date, govuk_datetime, govuk_time


@dataclass(frozen=True)
class OfferDetails:
    cohort_name: str
    # "Tuesday mornings, every 2 weeks"
    pattern: str
    # "Monday 14 December 2026": the first session, or the planned start; None if neither.
    starts: str | None
    # "Monday 14 December 2026, 9:30am to midday", one a session, earliest first.
    sessions: list[str]
    # Before a schedule exists: when the person hears the dates. Empty once it exists.
    dates_to_come: str
    format: str
    where: str
    facilitator: str
    commitment: str
    one_to_one: str

    def as_rows(self) -> list[tuple[str, str]]:
        """(heading, text) pairs in the order people read them, for the email."""
        return [
            ("When", self.pattern + (f", starting {self.starts}" if self.starts else "")),
            ("Format", self.format),
            ("Where", self.where),
            ("Facilitator", self.facilitator),
            ("Time you commit", self.commitment),
            ("One-to-one support", self.one_to_one),
        ]


def meeting_pattern(cohort: Cohort) -> str:
    """ "Tuesday mornings, every 2 weeks" (a weekday's plural is its name with "s")."""
    when = f"{WEEKDAYS[cohort.meeting_weekday]} {cohort.meeting_part_of_day.value}s"
    days = cohort.session_frequency_days
    every = plural(days // 7, "week") if days % 7 == 0 else plural(days, "day")
    return f"{when}, every {every.removeprefix('1 ')}"


def offer_details(session: Session, cohort: Cohort, *, now: dt.datetime) -> OfferDetails:
    programme_round = session.get(Round, cohort.round_id)
    assert programme_round is not None
    live = sorted(
        (s for s in cohort.sessions if s.status != SessionStatus.CANCELLED),
        key=lambda s: (s.starts_at, s.id),
    )
    sessions = [f"{govuk_datetime(s.starts_at)} to {govuk_time(s.ends_at)}" for s in live]
    if live:
        starts: str | None = govuk_date(live[0].starts_at, weekday=True)
        dates_to_come = ""
    else:
        starts = govuk_date(cohort.start_on, weekday=True) if cohort.start_on else None
        dates_to_come = (
            "Your facilitator has not set the dates yet. We will email you the date and time "
            "of every session as soon as they have, and before the group first meets. "
            "You can also see them when you sign in."
        )
    if live and live[0].starts_at <= now:
        held = len([s for s in live if s.starts_at <= now])
        starts = f"{starts} (the group has already met {plural(held, 'time')})"
    return OfferDetails(
        cohort_name=cohort.name,
        pattern=meeting_pattern(cohort),
        starts=starts,
        sessions=sessions,
        dates_to_come=dates_to_come,
        format=cohort.delivery.label,
        where=_where(cohort),
        facilitator=_facilitator(session, cohort),
        commitment=_commitment(cohort, len(live)),
        one_to_one=(
            f"You can book up to {plural(programme_round.one_to_one_hours_per_participant, 'hour')}"
            " of one-to-one support (coaching, mentoring or advice) with a coach through this"
            " website, at times that suit you."
        ),
    )


def _where(cohort: Cohort) -> str:
    if cohort.delivery == CohortDelivery.ONLINE:
        # The link itself goes only to members, once they accept.
        return (
            "Online, by video call. Once you accept, you can find the link to join on your "
            "group's page, and in each session's calendar invitation."
        )
    if cohort.venue:
        return f"In person at {cohort.venue}."
    return "In person. We will tell you the venue before the first session."


def _facilitator(session: Session, cohort: Cohort) -> str:
    person = session.get(User, cohort.facilitator_id) if cohort.facilitator_id else None
    if person is None:
        return "We will tell you who leads your group before it first meets."
    contractor = session.get(Contractor, cohort.contractor_id) if cohort.contractor_id else None
    return f"{person.name}, from {contractor.name}" if contractor else person.name


def _commitment(cohort: Cohort, scheduled: int) -> str:
    length = minutes_in_words(cohort.session_length_minutes)
    sessions = (
        f"{plural(scheduled, 'session')} of about {length}"
        if scheduled
        else f"sessions of {length}"
    )
    return (
        f"{plural(cohort.planned_hours, 'hour')} of group sessions in all: {sessions}. "
        "Only accept if you can come to most of them."
    )
