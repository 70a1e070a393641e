"""Alembic, driven from the app: the schema is only ever changed by migrations."""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from portal import PROJECT_ROOT

MIGRATIONS = PROJECT_ROOT / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database at ``engine`` up to ``revision``.

    SQLite rebuilds tables to alter them (batch mode), which would cascade deletes if
    foreign keys were enforced, so they are switched off for the migration and every
    foreign key is checked before they are switched back on.
    """
    with engine.connect() as connection:
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            _sqlite_pragma(connection, "PRAGMA foreign_keys = OFF")
        try:
            command.upgrade(alembic_config(connection), revision)
            connection.commit()
            if sqlite:
                problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.rollback()
                if problems:
                    raise RuntimeError(f"Migration left broken foreign keys: {problems[:5]}")
        finally:
            if sqlite:
                _sqlite_pragma(connection, "PRAGMA foreign_keys = ON")


def _sqlite_pragma(connection: Connection, statement: str) -> None:
    # PRAGMA foreign_keys is ignored inside a transaction, so it goes straight to the
    # driver connection, which is in autocommit mode (see portal.db).
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute(statement)


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def latest_revision() -> str:
    """The newest migration's revision (the head the database should be at)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head
