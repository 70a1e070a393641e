"""Money behind the figures, and board reports frozen when issued."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_base import Base, utcnow


class ContractorContract(Base):
    """What a contractor was contracted for in a round, and what has been spent to date."""

    __tablename__ = "contractor_contract"
    __table_args__ = (
        UniqueConstraint("round_id", "contractor_id"),
        CheckConstraint("contract_value_pence >= 0", name="contract_value_not_negative"),
        CheckConstraint(
            "spend_to_date_pence IS NULL OR spend_to_date_pence >= 0", name="spend_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("programme_round.id"), index=True)
    contractor_id: Mapped[int] = mapped_column(ForeignKey("contractor.id"), index=True)
    contract_value_pence: Mapped[int] = mapped_column(BigInteger)
    # None: no spend entered yet (the round's cost is then its grant).
    spend_to_date_pence: Mapped[int | None] = mapped_column(BigInteger)
    # The day the spend (or its removal) was recorded.
    spend_recorded_on: Mapped[dt.date | None] = mapped_column(Date)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SupersededSpend(Base):
    """A contract's spend to date as it was before a later entry replaced it, so the round's
    cost as at an earlier date uses the spend recorded by then (figures.md)."""

    __tablename__ = "superseded_spend"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("contractor_contract.id", ondelete="CASCADE"), index=True
    )
    # None: the spend had been removed.
    spend_to_date_pence: Mapped[int | None] = mapped_column(BigInteger)
    spend_recorded_on: Mapped[dt.date] = mapped_column(Date)
    superseded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class IssuedReport(Base):
    """A board report as issued: its figures frozen with their as-at date, never changed."""

    __tablename__ = "issued_report"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    round_ids: Mapped[list[int]] = mapped_column(JSON)
    as_at: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Everything the report shows, as computed when issued (see portal.outcomes.snapshot).
    figures: Mapped[dict[str, object]] = mapped_column(JSON)
    html: Mapped[str] = mapped_column(Text)
    docx: Mapped[bytes] = mapped_column(LargeBinary)


class DataVersion(Base):
    """One row: a number that goes up with every commit that writes a record.

    Stored figures are stamped with the version they were worked out from and used only while
    it is still the current one (``portal.outcomes.stored``). The row is created by the first
    commit that writes anything, so an empty database has version 0.
    """

    __tablename__ = "data_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger)


class StoredFigures(Base):
    """The dashboard's figures for one round as at one moment, worked out once and kept.

    Valid only while ``data_version`` is the current data version and ``definitions`` the
    fingerprint of the code that defines the figures; ``portal.outcomes.stored`` checks both.
    Holds counts and labels only, never anything about a person.
    """

    __tablename__ = "stored_figures"
    __table_args__ = (UniqueConstraint("round_id", "as_at", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("programme_round.id", ondelete="CASCADE"), index=True
    )
    # The as-at moment (the end of the chosen day in London, in UTC).
    as_at: Mapped[dt.datetime]
    # "all", or the contractor ids of a contractor lead's view ("3,7").
    scope: Mapped[str] = mapped_column(String(200))
    definitions: Mapped[str] = mapped_column(String(64))
    data_version: Mapped[int] = mapped_column(BigInteger)
    worked_out_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
