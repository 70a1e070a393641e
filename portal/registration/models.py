"""Businesses, applications to a round and their answers.

A business is a lasting record, matched across rounds on its Companies House number or its
normalised name and postcode. A person is their user account. An application holds what
was answered for one round, item by item (so officers can filter and figures can count),
and every status it reached, with when and who.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from sqlalchemy import JSON, Date, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db_base import Base, enum_column, utcnow
from portal.registration.eligibility import Outcome, TurnoverBand


class ApplicationStatus(enum.StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    NEEDS_REVIEW = "needs_review"
    WAITLISTED = "waitlisted"
    OFFERED = "offered"
    PLACED = "placed"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "draft": "Not sent yet",
            "submitted": "Submitted",
            "eligible": "Eligible",
            "ineligible": "Not eligible",
            "needs_review": "Needs review",
            "waitlisted": "On the waiting list",
            "offered": "Offered a place",
            "placed": "Placed",
            "withdrawn": "Withdrawn",
        }[self.value]

    @property
    def for_applicant(self) -> str:
        """The status in plain words, as the applicant sees it."""
        return {
            "draft": "You have not sent your answers yet",
            "submitted": "We are checking your answers",
            "eligible": "You can take part: we are finding the right group for you",
            "ineligible": "You cannot take part this time",
            "needs_review": "We are checking your answers",
            "waitlisted": "You are on the waiting list for a group",
            "offered": "We have offered you a place",
            "placed": "You have a place",
            "withdrawn": "You have withdrawn",
        }[self.value]

    @property
    def tag_colour(self) -> str:
        return {
            "draft": "grey",
            "submitted": "blue",
            "eligible": "green",
            "ineligible": "red",
            "needs_review": "yellow",
            "waitlisted": "purple",
            "offered": "turquoise",
            "placed": "green",
            "withdrawn": "grey",
        }[self.value]


# An application in these states still holds (or is after) a place in its round.
ACTIVE_STATUSES = frozenset(ApplicationStatus) - {ApplicationStatus.WITHDRAWN}
# Answers can be changed until the person has a place.
CHANGEABLE_STATUSES = frozenset(
    {
        ApplicationStatus.OFFERED,
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.NEEDS_REVIEW,
        ApplicationStatus.WAITLISTED,
    }
)


class ApplicationSource(enum.StrEnum):
    ONLINE = "online"
    ASSISTED = "assisted"  # an officer registered the person, usually after a phone call
    IMPORTED = "imported"  # collected offline by a partner network and imported from a file


class LegalForm(enum.StrEnum):
    SOLE_TRADER = "sole_trader"
    PARTNERSHIP = "partnership"
    LIMITED_COMPANY = "limited_company"
    LLP = "llp"
    CIC = "cic"
    CHARITY = "charity"
    COOPERATIVE = "cooperative"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {
            "sole_trader": "Sole trader",
            "partnership": "Partnership",
            "limited_company": "Limited company",
            "llp": "Limited liability partnership (LLP)",
            "cic": "Community interest company (CIC)",
            "charity": "Charity or charitable incorporated organisation",
            "cooperative": "Co-operative or community benefit society",
            "other": "Something else",
        }[self.value]


class DeliveryPreference(enum.StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    EITHER = "either"

    @property
    def label(self) -> str:
        return {"online": "Online", "in_person": "In person", "either": "Either"}[self.value]


class FactAnswer(enum.StrEnum):
    YES = "yes"
    NO = "no"
    PREFER_NOT_TO_SAY = "prefer_not_to_say"

    @property
    def label(self) -> str:
        return {"yes": "Yes", "no": "No", "prefer_not_to_say": "Prefer not to say"}[self.value]


class PartOfDay(enum.StrEnum):
    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"

    @property
    def label(self) -> str:
        return {
            "morning": "Mornings (9am to midday)",
            "afternoon": "Afternoons (midday to 5pm)",
            "evening": "Evenings (5pm to 8pm)",
        }[self.value]


class ConflictKind(enum.StrEnum):
    COMPETITOR = "competitor"
    CUSTOMER = "customer"
    SUPPLIER = "supplier"


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


class Business(Base):
    __tablename__ = "business"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    company_number: Mapped[str | None] = mapped_column(String(8), index=True)
    postcode: Mapped[str | None] = mapped_column(String(10))
    # Normalised name and postcode (portal.registration.duplicates.match_key).
    match_key: Mapped[str | None] = mapped_column(String(220), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Application(Base):
    __tablename__ = "application"
    __table_args__ = (
        # One application per person per round, unless withdrawn.
        Index(
            "uq_application_active_person",
            "round_id",
            "person_id",
            unique=True,
            sqlite_where=text("status != 'withdrawn'"),
            postgresql_where=text("status != 'withdrawn'"),
        ),
        UniqueConstraint("round_id", "import_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("programme_round.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus), index=True)
    status_changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source: Mapped[ApplicationSource] = mapped_column(
        enum_column(ApplicationSource), default=ApplicationSource.ONLINE
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None]
    import_key: Mapped[str | None] = mapped_column(String(100))

    # About the person
    role_in_business: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(30))
    # About the business, as answered for this round
    business_name: Mapped[str | None] = mapped_column(String(200))
    company_number: Mapped[str | None] = mapped_column(String(8))
    postcode: Mapped[str | None] = mapped_column(String(10))
    district_code: Mapped[str | None] = mapped_column(String(60), index=True)
    sector_code: Mapped[str | None] = mapped_column(String(2), index=True)
    sic_code: Mapped[str | None] = mapped_column(String(5))
    employees: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    turnover_band: Mapped[TurnoverBand | None] = mapped_column(enum_column(TurnoverBand))
    started_trading_on: Mapped[dt.date | None] = mapped_column(Date)
    legal_form: Mapped[LegalForm | None] = mapped_column(enum_column(LegalForm))
    organisations_other: Mapped[str] = mapped_column(Text, default="")
    issues_other: Mapped[str] = mapped_column(Text, default="")
    delivery: Mapped[DeliveryPreference | None] = mapped_column(enum_column(DeliveryPreference))
    # Optional choices, not conditions of taking part. None: not answered yet.
    share_with_cohort: Mapped[bool | None]
    contact_about_future: Mapped[bool | None]

    # Eligibility, worked out from the answers and the round's rules
    eligibility_outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    eligibility_reasons: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    eligibility_checked_at: Mapped[dt.datetime | None]
    eligibility_overridden: Mapped[bool] = mapped_column(default=False)
    # Set when another active application in the round is for the same business.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("application.id"))
    withdrawn_reason: Mapped[str] = mapped_column(Text, default="")
    # Question pages answered, so a question is never asked twice (optional ones included).
    answered_steps: Mapped[list[str]] = mapped_column(JSON, default=list)

    ownership: Mapped[list[OwnershipAnswer]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    organisations: Mapped[list[ApplicationOrganisation]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    issues: Mapped[list[ApplicationIssue]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    availability: Mapped[list[Availability]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    conflicts: Mapped[list[DeclaredConflict]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    history: Mapped[list[StatusChange]] = relationship(
        cascade="all, delete-orphan", order_by="StatusChange.id", lazy="selectin"
    )


class OwnershipAnswer(Base):
    """One ownership fact (women-led, family-owned ...). Sensitive: officers only, per person."""

    __tablename__ = "application_ownership"
    __table_args__ = (UniqueConstraint("application_id", "fact_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    fact_code: Mapped[str] = mapped_column(String(60))
    answer: Mapped[FactAnswer] = mapped_column(enum_column(FactAnswer))


class ApplicationOrganisation(Base):
    __tablename__ = "application_organisation"
    __table_args__ = (UniqueConstraint("application_id", "organisation_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    organisation_code: Mapped[str] = mapped_column(String(60), index=True)


class ApplicationIssue(Base):
    __tablename__ = "application_issue"
    __table_args__ = (UniqueConstraint("application_id", "issue_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    issue_code: Mapped[str] = mapped_column(String(60), index=True)


class Availability(Base):
    """A time the person can make every week: a weekday (0 = Monday) and a part of the day."""

    __tablename__ = "application_availability"
    __table_args__ = (UniqueConstraint("application_id", "weekday", "part_of_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    weekday: Mapped[int]
    part_of_day: Mapped[PartOfDay] = mapped_column(enum_column(PartOfDay))


class DeclaredConflict(Base):
    """A business the person would not want in their group, as they named it."""

    __tablename__ = "application_conflict"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    business_name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ConflictKind] = mapped_column(enum_column(ConflictKind))


class StatusChange(Base):
    """Every status an application reached: when, who (None: the system) and why."""

    __tablename__ = "application_status_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(enum_column(ApplicationStatus))
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
