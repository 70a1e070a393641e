"""Rounds and their settings: finding, creating and changing them.

Functions flush and never commit; every change is recorded in the audit log with the
names of the fields that changed, never their values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal.audit import services as audit
from portal.auth.models import User
from portal.db import found_or_404, violated_constraint
from portal.db_base import utcnow
from portal.reference.models import ReferenceKind
from portal.reference.services import active_items
from portal.rounds.models import Round, RoundStatus, shipped_district_codes
from portal.state_changes import claim

NAME_CONSTRAINT = "uq_programme_round_name"

# The settings, grouped as the summary page shows them; each group has an edit page.
SETTING_GROUPS: dict[str, tuple[str, ...]] = {
    "details": ("name", "year_label", "starts_on", "ends_on", "funder", "grant_pence", "status"),
    "eligibility": (
        "eligible_district_codes",
        "min_months_trading",
        "min_employees",
        "min_employees_inclusive",
        "max_employees_exclusive",
        "employee_counting_rule",
        "min_turnover_pounds",
        "allowed_business_roles",
        "excluded_sector_codes",
        "returning_participant_rule",
        "max_people_per_business",
    ),
    "cohorts": (
        "cohort_size_min",
        "cohort_size_max",
        "planned_hours",
        "session_length_minutes",
        "session_frequency_days",
        "join_before_session_number",
        "members_can_move_until",
    ),
    "thresholds": ("completion_threshold_hours", "business_supported_threshold_hours"),
    "one-to-one": (
        "one_to_one_hours_per_participant",
        "cancellation_cutoff_hours",
        "late_cancellation_counts",
        "coach_pool",
    ),
    "surveys": (
        "exit_survey_days_after_last_session",
        "follow_up_survey_months",
        "survey_reminder_days",
    ),
}
CHANGEABLE_FIELDS = frozenset(name for names in SETTING_GROUPS.values() for name in names)


class DuplicateRoundName(Exception):
    """Another round already has this name."""


def whole_pounds(pence: int) -> str:
    """Money as people read it: '£432,000' (whole pounds, half a pound rounds up)."""
    pounds = (pence + 50) // 100 if pence >= 0 else -((-pence + 50) // 100)
    return f"-£{-pounds:,}" if pounds < 0 else f"£{pounds:,}"


def get_round(session: Session, round_id: int) -> Round:
    """The round with this id; raises NotFound (a 404 page) if there is none."""
    return found_or_404(session, Round, round_id)


def rounds_by_start(session: Session) -> list[Round]:
    """Every round, earliest first."""
    return list(session.scalars(select(Round).order_by(Round.starts_on, Round.id)))


def current_round(session: Session, today: dt.date) -> Round | None:
    """The open round people apply to and take part in now, or None if no round is open.

    Of the open rounds: the one whose dates include ``today``; otherwise the next to start;
    otherwise the latest to have started.
    """
    open_rounds = list(
        session.scalars(
            select(Round)
            .where(Round.status == RoundStatus.OPEN)
            .order_by(
                case(
                    ((Round.starts_on <= today) & (Round.ends_on >= today), 0),
                    (Round.starts_on > today, 1),
                    else_=2,
                ),
                case((Round.starts_on > today, Round.starts_on), else_=None),
                Round.starts_on.desc(),
                Round.id,
            )
        )
    )
    return open_rounds[0] if open_rounds else None


def default_district_codes(session: Session) -> list[str]:
    """The districts a new round is open to: every active district, in list order."""
    codes = [item.code for item in active_items(session, ReferenceKind.DISTRICT)]
    return codes or list(shipped_district_codes())


def create_round(
    session: Session,
    *,
    actor: User | None,
    name: str,
    year_label: str,
    starts_on: dt.date,
    ends_on: dt.date,
    funder: str,
    grant_pence: int,
    status: RoundStatus = RoundStatus.PLANNED,
) -> Round:
    """Add a round with every setting at its default.

    Raises DuplicateRoundName if another round has the name. Side effects: flushes the
    Round and a "round.created" audit event.
    """
    new_round = Round(
        name=name,
        year_label=year_label,
        starts_on=starts_on,
        ends_on=ends_on,
        funder=funder,
        grant_pence=grant_pence,
        status=status,
        eligible_district_codes=default_district_codes(session),
    )
    try:
        with session.begin_nested():
            session.add(new_round)
            session.flush()
    except IntegrityError as error:
        if violated_constraint(error) == NAME_CONSTRAINT:
            raise DuplicateRoundName(name) from error
        raise
    audit.record(
        session,
        actor=actor,
        action="round.created",
        entity_type="round",
        entity_id=new_round.id,
        fields=["name", "year_label", "starts_on", "ends_on", "funder", "grant_pence", "status"],
    )
    return new_round


def update_round_settings(
    session: Session, round: Round, actor: User | None, **changes: Any
) -> list[str]:
    """Set the given settings; returns the names of those whose value changed (sorted).

    Values are checked by the edit forms; unknown names raise TypeError. A change of
    status also sets ``status_changed_at``, and happens only if the status is still the one
    this request loaded (else StatusConflict). Raises DuplicateRoundName on a taken name.
    Side effects: flushes the round and, if anything changed, a "round.settings_changed"
    audit event naming the changed fields.
    """
    unknown = set(changes) - CHANGEABLE_FIELDS
    if unknown:
        raise TypeError(f"Not a round setting: {', '.join(sorted(unknown))}")
    changed = sorted(name for name, value in changes.items() if getattr(round, name) != value)
    if not changed:
        return []
    try:
        # A savepoint, so a taken name undoes only this change (it flushes pending work first).
        with session.begin_nested():
            values = {name: _stored(changes[name]) for name in changed}
            if "status" in values:
                # Guarded (portal.state_changes): only from the status this request saw.
                status = values.pop("status")
                claim(session, round, status, values={**values, "status_changed_at": utcnow()})
            else:
                for name, value in values.items():
                    setattr(round, name, value)
            session.flush()
    except IntegrityError as error:
        if violated_constraint(error) == NAME_CONSTRAINT:
            raise DuplicateRoundName(changes["name"]) from error
        raise
    audit.record(
        session,
        actor=actor,
        action="round.settings_changed",
        entity_type="round",
        entity_id=round.id,
        fields=changed,
    )
    return changed


def _stored(value: Any) -> Any:
    # A fresh list, so the JSON column sees a new value rather than a mutated one.
    if isinstance(value, Sequence) and not isinstance(value, str):
        return list(value)
    return value
