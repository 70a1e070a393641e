"""Editable reference lists and UK bank holidays."""

from __future__ import annotations

import datetime as dt
import enum
from pathlib import Path

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_base import Base, enum_column
from portal.reference.shipped import SHIPPED_DATA


class ReferenceKind(enum.StrEnum):
    DISTRICT = "district"
    SECTOR = "sector"
    OWNERSHIP_FACT = "ownership_fact"
    BUSINESS_ORGANISATION = "business_organisation"
    ISSUE = "issue"
    SUPPORT_TYPE = "support_type"

    @property
    def file_name(self) -> str:
        return {
            "district": "districts.csv",
            "sector": "sectors.csv",
            "ownership_fact": "ownership-facts.csv",
            "business_organisation": "business-organisations.csv",
            "issue": "issues.csv",
            "support_type": "support-types.csv",
        }[self.value]

    @property
    def shipped_file(self) -> Path:
        """The list as shipped with the portal."""
        return SHIPPED_DATA / self.file_name


class ReferenceItem(Base):
    """One item of an editable list. ``code`` is stable; ``label`` may be reworded."""

    __tablename__ = "reference_item"
    __table_args__ = (UniqueConstraint("kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ReferenceKind] = mapped_column(enum_column(ReferenceKind))
    code: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)
    retired_at: Mapped[dt.datetime | None]

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class BankHoliday(Base):
    __tablename__ = "bank_holiday"
    __table_args__ = (UniqueConstraint("division", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    division: Mapped[str] = mapped_column(String(40))
    day: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
