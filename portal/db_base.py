"""The declarative base and the column types every model shares: no Flask.

Models import from here, so pure domain code that reads a model (the figures' definitions,
the service measures) never brings Flask with it. ``portal.db`` binds sessions to Flask.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, ClassVar, cast

from sqlalchemy import DateTime, Enum, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

UTC = dt.UTC

# Stable constraint names: migrations and error translation depend on them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC: the only kind of datetime we store."""
    return dt.datetime.now(UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A datetime stored as UTC on every database and always read back timezone-aware.

    SQLite has no time zone, so values are stored there as naive UTC. Naive values are
    refused on the way in: they are ambiguous and a common source of hour-out bugs.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Refusing to store a naive datetime; use portal.db_base.utcnow().")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return cast(dt.datetime, value).replace(tzinfo=UTC)
        return cast(dt.datetime, value).astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dt.datetime: UTCDateTime}


def enum_column(enum_class: type[enum.Enum], length: int = 40) -> Enum:
    """A portable enum column that stores the members' values (not names) as text.

    Not a native PostgreSQL enum: adding a value is then a code change, not a migration.
    """
    return Enum(
        enum_class,
        native_enum=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
    )
