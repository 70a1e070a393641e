"""Alembic, driven from the app: the schema is only ever changed by migrations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

from portal import PROJECT_ROOT

MIGRATIONS = PROJECT_ROOT / "migrations"
# One lock per schema, so portals (or test runs) in other schemas of the database never wait.
LOCK_KEY = "SELECT hashtext('boost-peer-networks portal init ' || coalesce(current_schema(), ''))"


@contextmanager
def one_at_a_time(engine: Engine, waiting: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold the portal's migration lock while the block runs.

    Several servers start ``portal init`` at once when a new version is deployed. On
    PostgreSQL the first takes a session-level advisory lock, on a connection of its own
    that holds no transaction, and the others wait for it (``waiting`` is called first),
    then find the migrations and reference data already there. SQLite serves one machine,
    where its writers already queue, so nothing is taken there.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as connection:
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        key = connection.scalar(text(LOCK_KEY))
        if not connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}):
            waiting()
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


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
