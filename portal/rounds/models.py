"""A round: one funded programme year, and the settings every later feature reads from it.

Each rule that differs between hubs or schemes is a typed setting here, with the default
from docs/programme.md and docs/figures.md, rather than a constant in the code that uses it.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
from functools import cache

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_base import Base, enum_column, utcnow
from portal.reference.models import ReferenceKind


class RoundStatus(enum.StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def hint(self) -> str:
        return {
            "planned": "Being set up: no applications yet",
            "open": "Taking applications and running cohorts",
            "closed": "Finished: kept for its figures",
        }[self.value]


class BusinessRole(enum.StrEnum):
    """A person's role in their business, as asked when they apply."""

    OWNER = "owner"
    DIRECTOR = "director"
    MANAGER = "manager"
    EMPLOYEE = "employee"

    @property
    def label(self) -> str:
        return {
            "owner": "Owner",
            "director": "Director",
            "manager": "Manager",
            "employee": "Employee in another role",
        }[self.value]


class ReturningParticipantRule(enum.StrEnum):
    """Who from an earlier round may take part again."""

    COMPLETERS_EXCLUDED = "completers_excluded"
    PARTICIPANTS_EXCLUDED = "participants_excluded"
    ANYONE_MAY_REAPPLY = "anyone_may_reapply"

    @property
    def label(self) -> str:
        return {
            "completers_excluded": "People who completed an earlier round cannot take part "
            "again; anyone else may reapply",
            "participants_excluded": "People who took part in an earlier round cannot take "
            "part again",
            "anyone_may_reapply": "Anyone may take part again",
        }[self.value]


class CoachPool(enum.StrEnum):
    """Which coaches a participant is offered for one-to-one support."""

    CONTRACTOR = "contractor"
    ALL = "all"

    @property
    def label(self) -> str:
        return {
            "contractor": "Coaches from the contractor running the person’s cohort",
            "all": "Any coach on the programme",
        }[self.value]


DEFAULT_EMPLOYEE_COUNTING_RULE = (
    "Count full-time employees as 1 and part-time employees as 0.5, including owners who "
    "work in the business"
)
DEFAULT_BUSINESS_ROLES = (BusinessRole.OWNER, BusinessRole.DIRECTOR, BusinessRole.MANAGER)
DEFAULT_SURVEY_REMINDER_DAYS = (7, 14)


@cache
def shipped_district_codes() -> tuple[str, ...]:
    """The district codes shipped with the portal: every district the hub serves (all 14).

    A new round takes the active districts from the database (see services.create_round);
    this is the fallback when none have been loaded.
    """
    with ReferenceKind.DISTRICT.shipped_file.open(encoding="utf-8", newline="") as handle:
        return tuple(row["code"] for row in csv.DictReader(handle))


def _default_district_codes() -> list[str]:
    return list(shipped_district_codes())


def _default_business_roles() -> list[str]:
    return [role.value for role in DEFAULT_BUSINESS_ROLES]


def _default_survey_reminder_days() -> list[int]:
    return list(DEFAULT_SURVEY_REMINDER_DAYS)


class Round(Base):
    """A funded programme year ("Round 2", 2021-22) and its settings."""

    __tablename__ = "programme_round"
    __table_args__ = (
        CheckConstraint("ends_on > starts_on", name="ends_after_start"),
        CheckConstraint("grant_pence >= 0", name="grant_not_negative"),
        CheckConstraint("cohort_size_min <= cohort_size_max", name="cohort_sizes_in_order"),
        CheckConstraint("min_employees < max_employees_exclusive", name="employee_limits_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    year_label: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    funder: Mapped[str] = mapped_column(String(200))
    # Money is whole pence, never a float.
    grant_pence: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[RoundStatus] = mapped_column(
        enum_column(RoundStatus), default=RoundStatus.PLANNED
    )
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    # Eligibility.
    # Codes of `reference_item` districts (kind "district"), so a renamed district keeps
    # its place and a retired one keeps its meaning for rounds that used it.
    eligible_district_codes: Mapped[list[str]] = mapped_column(
        JSON, default=_default_district_codes
    )
    # "Trading for more than one year".
    min_months_trading: Mapped[int] = mapped_column(default=12)
    # "More than five employees": whether exactly the minimum qualifies differs by scheme.
    min_employees: Mapped[int] = mapped_column(default=5)
    min_employees_inclusive: Mapped[bool] = mapped_column(default=False)
    # An SME has fewer than 250 employees: this number itself does not qualify.
    max_employees_exclusive: Mapped[int] = mapped_column(default=250)
    employee_counting_rule: Mapped[str] = mapped_column(
        Text, default=DEFAULT_EMPLOYEE_COUNTING_RULE
    )
    # Whole pounds: "turnover above £100,000".
    min_turnover_pounds: Mapped[int] = mapped_column(BigInteger, default=100_000)
    # BusinessRole values.
    allowed_business_roles: Mapped[list[str]] = mapped_column(JSON, default=_default_business_roles)
    # Codes of `reference_item` sectors (kind "sector").
    excluded_sector_codes: Mapped[list[str]] = mapped_column(JSON, default=list)
    returning_participant_rule: Mapped[ReturningParticipantRule] = mapped_column(
        enum_column(ReturningParticipantRule), default=ReturningParticipantRule.COMPLETERS_EXCLUDED
    )
    max_people_per_business: Mapped[int] = mapped_column(default=1)

    # Cohorts and sessions.
    cohort_size_min: Mapped[int] = mapped_column(default=8)
    cohort_size_max: Mapped[int] = mapped_column(default=10)
    planned_hours: Mapped[int] = mapped_column(default=18)
    session_length_minutes: Mapped[int] = mapped_column(default=150)
    session_frequency_days: Mapped[int] = mapped_column(default=14)
    # New members may join a cohort only before this session: 3 means up to session 2.
    join_before_session_number: Mapped[int] = mapped_column(default=3)
    # Members may ask to move to another cohort of the round until this day (London), if
    # set; after it, or without it, they contact the Growth Hub.
    members_can_move_until: Mapped[dt.date | None] = mapped_column(Date, default=None)

    # Thresholds used by the figures (figures.md).
    completion_threshold_hours: Mapped[int] = mapped_column(default=12)
    business_supported_threshold_hours: Mapped[int] = mapped_column(default=12)

    # One-to-one support.
    # Three hours: domain.md gives no figure, only that the entitlement varies between
    # hubs. Three hours is two or three coaching conversations, enough to follow up what a
    # person took from the group, and a sixth of the 18 group hours, so one-to-one support
    # adds to the action learning rather than replacing it. Hubs change it per round.
    one_to_one_hours_per_participant: Mapped[int] = mapped_column(default=3)
    cancellation_cutoff_hours: Mapped[int] = mapped_column(default=24)
    # Whether a cancellation after the cut-off, or a no-show, uses up the booked time.
    late_cancellation_counts: Mapped[bool] = mapped_column(default=True)
    coach_pool: Mapped[CoachPool] = mapped_column(
        enum_column(CoachPool), default=CoachPool.CONTRACTOR
    )

    # Surveys: baseline when applying, exit after the last session, follow-up months later.
    # 0 means the exit survey is sent as soon as the last session has been held.
    exit_survey_days_after_last_session: Mapped[int] = mapped_column(default=0)
    follow_up_survey_months: Mapped[int] = mapped_column(default=6)
    # Days after a survey is sent on which people who have not answered are reminded.
    survey_reminder_days: Mapped[list[int]] = mapped_column(
        JSON, default=_default_survey_reminder_days
    )

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.name!r} {self.year_label}>"

    def includes(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on
