"""How well the online service works, measured from its own records (no cookies, no tracking).

- **Registrations started**: applications made online in the period (not those an officer
  made for someone or imported from a partner's file).
- **Registrations completed**: those of them submitted (at any time up to now).
- **Completion rate** = completed ÷ started; **median time to complete**: from starting to
  submitting, for those completed.
- **Where people stopped**: for each online application started in the period and still a
  draft, the first question it has no answer to ("Check your answers" when every question is
  answered but it was not submitted). Drafts less than a day old are left out: those people
  may still be answering.
- **Declined offers**: offers of a place declined in the period, by the reason the person
  chose (they need not give one); **lapsed offers**: those not answered by their reply-by
  date that lapsed in the period.
- **Feedback**: answers to the phase banner's feedback form given in the period, by rating;
  **satisfaction** = (very satisfied + satisfied) ÷ answers.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.cohorts.models import DeclineReason, Place, PlaceStatus
from portal.pages.models import Feedback, FeedbackRating
from portal.presentation import Percentage, percentage
from portal.registration.models import Application, ApplicationSource, ApplicationStatus
from portal.registration.questions import QUESTIONS, next_question

CHECK_ANSWERS = "Check your answers"
STILL_ANSWERING = dt.timedelta(days=1)


@dataclass(frozen=True)
class Registration:
    started: int
    completed: int
    median_minutes_to_complete: float | None
    # (page heading, drafts that stopped there), in the order of the questions.
    stopped_at: list[tuple[str, int]]

    @property
    def completion_rate(self) -> Percentage:
        return percentage(self.completed, self.started)


@dataclass(frozen=True)
class FeedbackMeasures:
    by_rating: dict[FeedbackRating, int]
    with_comments: int

    @property
    def answers(self) -> int:
        return sum(self.by_rating.values())

    @property
    def satisfaction(self) -> Percentage:
        satisfied = (
            self.by_rating[FeedbackRating.VERY_SATISFIED] + self.by_rating[FeedbackRating.SATISFIED]
        )
        return percentage(satisfied, self.answers)


def registration(session: Session, since: dt.datetime, now: dt.datetime) -> Registration:
    started = session.execute(
        select(Application.status, Application.created_at, Application.submitted_at, Application)
        .where(
            Application.source == ApplicationSource.ONLINE,
            Application.created_at >= since,
            Application.created_at <= now,
        )
        .order_by(Application.id)
    ).all()
    minutes = [
        (submitted - created).total_seconds() / 60
        for _status, created, submitted, _application in started
        if submitted is not None
    ]
    stopped: dict[str, int] = {}
    for status, created, _submitted, application in started:
        if status is not ApplicationStatus.DRAFT or created > now - STILL_ANSWERING:
            continue
        question = next_question(application.answered_steps)
        heading = question.title if question is not None else CHECK_ANSWERS
        stopped[heading] = stopped.get(heading, 0) + 1
    order = [question.title for question in QUESTIONS] + [CHECK_ANSWERS]
    return Registration(
        started=len(started),
        completed=len(minutes),
        median_minutes_to_complete=statistics.median(minutes) if minutes else None,
        stopped_at=[(heading, stopped[heading]) for heading in order if heading in stopped],
    )


@dataclass(frozen=True)
class Declines:
    # (reason, places declined for it), in the order people are asked; "No reason given" last.
    by_reason: list[tuple[str, int]]
    lapsed: int

    @property
    def declined(self) -> int:
        return sum(count for _reason, count in self.by_reason)


NO_REASON = "No reason given"


def declines(session: Session, since: dt.datetime, now: dt.datetime) -> Declines:
    ended = (Place.ended_at >= since, Place.ended_at <= now)
    counts = dict(
        session.execute(
            select(Place.end_reason, func.count())
            .where(Place.status == PlaceStatus.DECLINED, *ended)
            .group_by(Place.end_reason)
        ).all()
    )
    known = {reason.value for reason in DeclineReason}
    unknown = sum(int(count) for reason, count in counts.items() if reason not in known)
    rows = [(reason.label, int(counts.get(reason.value, 0))) for reason in DeclineReason]
    lapsed = session.scalar(
        select(func.count()).select_from(Place).where(Place.status == PlaceStatus.LAPSED, *ended)
    )
    return Declines(by_reason=[*rows, (NO_REASON, unknown)], lapsed=int(lapsed or 0))


def feedback(session: Session, since: dt.datetime, now: dt.datetime) -> FeedbackMeasures:
    in_period = (Feedback.created_at >= since, Feedback.created_at <= now)
    counts = dict(
        session.execute(
            select(Feedback.rating, func.count()).where(*in_period).group_by(Feedback.rating)
        ).all()
    )
    with_comments = session.scalar(
        select(func.count()).select_from(Feedback).where(*in_period, Feedback.comments != "")
    )
    return FeedbackMeasures(
        by_rating={rating: int(counts.get(rating, 0)) for rating in FeedbackRating},
        with_comments=int(with_comments or 0),
    )
