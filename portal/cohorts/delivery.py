"""Delivering a cohort: what its rooms share.

A cohort is delivered in rooms of one job each:

- ``sessions``: its delivery settings (defaults from the round), its schedule (bank holidays
  skipped) and moving, cancelling and adding sessions;
- ``registers``: each session's register, the themes discussed and private notes;
- ``hours``: hours attended, which come only from the registers, and completion (figures.md:
  group hours only);
- ``membership``: whose records a person may see, the members at each session, joining and
  leaving, and the secret link of a member's calendar feed;
- ``member_emails``: calendar files and the emails that tell members of changes.

This module holds what they share: the statuses a cohort is delivered in, the error a rule
raises, a cohort's round and its sessions in order. Functions flush and never commit.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, object_session

from portal.cohorts.models import Cohort, CohortSession, CohortStatus, SessionStatus
from portal.rounds.models import Round

# Cohorts whose sessions can be planned, moved and recorded.
DELIVERING = (CohortStatus.CONFIRMED, CohortStatus.RUNNING)


class DeliveryError(Exception):
    """A rule stopped the change; the message is written for the person to read.

    ``place_id`` names the member whose register answer broke the rule, if any.
    """

    def __init__(self, message: str, *, place_id: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.place_id = place_id


def _session_of(record_: object) -> Session:
    found = object_session(record_)
    assert found is not None, "the record must belong to a session"
    return found


def round_of(cohort: Cohort) -> Round:
    programme_round = _session_of(cohort).get(Round, cohort.round_id)
    assert programme_round is not None
    return programme_round


# Sessions in order


def active_sessions(cohort: Cohort) -> list[CohortSession]:
    """Sessions that are happening or happened (not cancelled), in order."""
    return sorted(
        (s for s in cohort.sessions if s.status != SessionStatus.CANCELLED),
        key=lambda s: (s.starts_at, s.id),
    )


def scheduled_minutes(cohort: Cohort) -> int:
    """The length of every session not cancelled (held or to come), added up, in minutes:
    what the schedule delivers, to set against the cohort's planned hours."""
    seconds = sum((s.ends_at - s.starts_at).total_seconds() for s in active_sessions(cohort))
    return int(seconds // 60)


def session_numbers(cohort: Cohort) -> dict[int, int]:
    """Each session's number (1, 2 ...) among those not cancelled, by session id."""
    return {s.id: number for number, s in enumerate(active_sessions(cohort), start=1)}
