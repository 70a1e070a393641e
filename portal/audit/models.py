from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db_base import Base, utcnow


class AuditEvent(Base):
    """One thing someone did. Holds ids and field names, never copies of personal data,
    so erasing a person leaves nothing of theirs behind here. Rows are only ever added."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # None when the system did it (a scheduled job, an import).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    # Set when staff acted for someone else (assisted digital): the person it was done for.
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[str] = mapped_column(String(60))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)
