"""Demo rounds: the two rounds in the February 2022 board report, and a current one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.rounds.models import Round, RoundStatus
from portal.rounds.services import create_round

BEIS = "Department for Business, Energy and Industrial Strategy"
# BEIS's business support passed to the Department for Business and Trade in 2023.
DBT = "Department for Business and Trade"

DEMO_ROUNDS = [
    ("Round 1", "2020-21", dt.date(2020, 9, 1), dt.date(2021, 3, 31), BEIS, 432_000, "closed"),
    ("Round 2", "2021-22", dt.date(2021, 6, 1), dt.date(2022, 3, 31), BEIS, 390_000, "closed"),
    ("Round 3", "2026-27", dt.date(2026, 9, 1), dt.date(2027, 3, 31), DBT, 400_000, "open"),
]

DEMO_SESSION_MINUTES = 180


def load_demo_rounds(session: Session) -> int:
    """Add the demo rounds that are missing, by name. Returns how many were added.

    Side effects: flushes Round rows and their "round.created" audit events (by the system).
    """
    existing = set(session.scalars(select(Round.name)))
    added = 0
    for name, year, starts_on, ends_on, funder, grant_pounds, status in DEMO_ROUNDS:
        if name in existing:
            continue
        made = create_round(
            session,
            actor=None,
            name=name,
            year_label=year,
            starts_on=starts_on,
            ends_on=ends_on,
            funder=funder,
            grant_pence=grant_pounds * 100,
            status=RoundStatus(status),
        )
        if status == "open":
            # Six fortnightly sessions of 3 hours make the planned 18 hours exactly, so the
            # demo's schedules match their plan (the default 2.5 hours would make 20).
            made.session_length_minutes = DEMO_SESSION_MINUTES
        added += 1
    return added
