"""The database bound to Flask: engine, session per app context, one unit of work per request.

Plain SQLAlchemy 2.x bound to Flask in a few dozen lines (after flask-sqlalchemy-lite). The
declarative base, ``utcnow`` and the shared column types are in ``portal.db_base``.
Services ``flush``; only :func:`commit_if_successful` (after a request) and CLI commands
commit, so a failed request never leaves half a change behind.
"""

from __future__ import annotations

import re
import select
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from werkzeug.exceptions import NotFound
from werkzeug.local import LocalProxy

from portal.db_base import Base
from portal.db_base import UTCDateTime as UTCDateTime  # migrations name portal.db.UTCDateTime

# Execution option that makes SQLite take the write lock when the transaction begins,
# so concurrent writers queue on the busy timeout instead of failing on upgrade.
_BEGIN_IMMEDIATE = "portal_begin_immediate"
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def make_engine(url: str, *, sqlite_busy_timeout_ms: int = 15_000, echo: bool = False) -> Engine:
    """An engine for ``url``, set up the same way for the app, commands and tests."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo)
        _configure_sqlite(engine, sqlite_busy_timeout_ms)
        return engine
    engine = create_engine(url, echo=echo)
    _replace_closed_connections(engine)
    return engine


def _replace_closed_connections(engine: Engine) -> None:
    """A connection the server closed (a restart, an administrator ending it) is replaced,
    not handed out: a server that closes a connection says so on its socket, so an idle
    pooled connection with anything to read is finished. This costs no round trip, where
    pinging the server before every checkout (``pool_pre_ping``) costs one per request."""

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: Any) -> None:
        try:
            readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
        except (OSError, ValueError) as error:
            raise DisconnectionError("the connection's socket is gone") from error
        if readable:
            raise DisconnectionError("the server closed the connection")


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        # Deleted and overwritten content is zeroed, not left in free space in the file
        # where an erased person's details could be read back (portal.privacy.erasure).
        cursor.execute("PRAGMA secure_delete = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(_BEGIN_IMMEDIATE):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")


_CHECKPOINT = "portal_checkpoint_after_commit"


def checkpoint_after_commit(session: Session) -> None:
    """Once ``session`` commits, copy SQLite's write-ahead log into the database file and
    empty it (``PRAGMA wal_checkpoint(TRUNCATE)``), so the old versions of the pages just
    changed are not left in the log. Used after an erasure. Nothing on PostgreSQL (its
    privacy documentation says what it needs instead)."""
    session.info[_CHECKPOINT] = True


@event.listens_for(Session, "after_commit")
def _checkpoint(session: Session) -> None:
    if not session.info.pop(_CHECKPOINT, False):
        return
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return
    # A connection of its own, outside any transaction (the driver's autocommit), so the
    # checkpoint is not held back by one of ours.
    raw = cast(Engine, engine).raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


@event.listens_for(Session, "after_rollback")
def _forget_checkpoint(session: Session) -> None:
    session.info.pop(_CHECKPOINT, None)


@dataclass(frozen=True)
class Database:
    """The app's engine and its sessions.

    ``writing`` sessions take SQLite's write lock when each transaction begins, so
    concurrent writers queue on the busy timeout instead of failing when a read lock
    cannot be upgraded. On PostgreSQL both kinds are the same.
    """

    engine: Engine
    sessions: sessionmaker[Session]

    def session(self, *, writing: bool = False) -> Session:
        if writing:
            return self.sessions(bind=self.engine.execution_options(**{_BEGIN_IMMEDIATE: True}))
        return self.sessions()

    def reading_session(self) -> Session:
        """A session for a view declared ``reads_only``. On PostgreSQL it runs without a
        transaction (the driver's autocommit): each statement sees what is committed, as
        READ COMMITTED gives inside a transaction anyway, and the request saves the BEGIN
        and COMMIT round trips. Any write through it is refused (``_refuse_writes``)."""
        if self.engine.dialect.name != "postgresql":
            found = self.sessions()
        else:
            found = self.sessions(bind=self.engine.execution_options(isolation_level="AUTOCOMMIT"))
        found.info[_READS_ONLY] = True
        return found


_READS_ONLY = "portal_reads_only"
View = TypeVar("View", bound=Callable[..., Any])


def reads_only(view: View) -> View:
    """Declare that this GET view never writes, so its requests may read without a
    transaction (``Database.reading_session``). A write would fail with an error."""
    setattr(view, _READS_ONLY, True)
    return view


@event.listens_for(Session, "before_flush")
def _refuse_flushing_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(_READS_ONLY) and (session.new or session.dirty or session.deleted):
        raise RuntimeError("A view declared reads_only tried to write")


@event.listens_for(Session, "do_orm_execute")
def _refuse_statement_writes(state: ORMExecuteState) -> None:
    if state.session.info.get(_READS_ONLY) and (
        state.is_insert or state.is_update or state.is_delete
    ):
        raise RuntimeError("A view declared reads_only tried to write")


def begin_writing(session: Session) -> None:
    """End the session's transaction and begin the next as a writing one (on SQLite, taking
    the write lock now rather than failing to upgrade a read later). For background tasks,
    which read in one transaction, work without one, then write. Commits."""
    session.commit()
    session.connection(execution_options={_BEGIN_IMMEDIATE: True})


def refresh_planner_statistics(session: Session) -> None:
    """After a bulk load, tell PostgreSQL's planner how big the portal's tables now are.

    Autovacuum would do it within a minute or so; until then the planner thinks the new
    tables are nearly empty and picks plans (nested loops over thousands of rows) that are
    tens of times slower. SQLite's planner is steered in code instead (portal.sql_hints),
    so nothing is done there. Commits."""
    if session.get_bind().dialect.name != "postgresql":
        return
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    session.execute(text(f"ANALYZE {names}"))
    session.commit()


def init_app(app: Flask) -> None:
    """Create the engine and session factory, and the per-request unit of work."""
    engine = make_engine(
        app.config["DATABASE_URL"],
        sqlite_busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
        echo=app.config.get("SQLALCHEMY_ECHO", False),
    )
    app.extensions["portal.db"] = Database(engine, sessionmaker(bind=engine))
    app.after_request(commit_if_successful)
    app.teardown_appcontext(_close_session)


def database(app: Flask | None = None) -> Database:
    return cast(Database, (app or current_app).extensions["portal.db"])


def engine_for(app: Flask) -> Engine:
    return database(app).engine


def get_session() -> Session:
    """The session of the current app context, created on first use.

    Requests that may change data (POST and the like), commands and jobs get a writing
    session; GET requests a reading one.
    """
    if "portal_session" not in g:
        writing = not has_request_context() or request.method not in _SAFE_METHODS
        if not writing and request.method == "GET" and _view_reads_only():
            g.portal_session = database().reading_session()
        else:
            g.portal_session = database().session(writing=writing)
    return cast(Session, g.portal_session)


def _view_reads_only() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, _READS_ONLY, False))


session: Session = cast(Session, LocalProxy(get_session))


def mark_failed() -> None:
    """Roll back this request's changes even though the response is a success page.

    Used when a check outside the view failed (a CSRF failure on a form that re-shows
    what was typed): nothing the view did may be kept.
    """
    g.portal_unit_of_work_failed = True


def commit_if_successful(response: Response) -> Response:
    """Commit the request's changes if the view succeeded, otherwise roll them back.

    Success is a response under 400 with no failure recorded. A failed commit becomes
    the service's error page, so the person is never told a change was saved when it
    was not.
    """
    db_session: Session | None = g.get("portal_session")
    if db_session is None:
        return response
    if response.status_code >= 400 or g.get("portal_unit_of_work_failed"):
        db_session.rollback()
        return response
    try:
        db_session.commit()
    except SQLAlchemyError as error:
        db_session.rollback()
        current_app.logger.exception("The commit at the end of the request failed")
        from portal import errors  # avoid an import cycle at start-up

        if errors.database_unavailable(error):
            return errors.unavailable_page()
        return errors.render_error_page(500)
    return response


def _close_session(_exc: BaseException | None) -> None:
    db_session: Session | None = g.pop("portal_session", None)
    if db_session is not None:
        db_session.close()


_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>[\w., ]+)")


def violated_constraint(error: IntegrityError) -> str | None:
    """The name of the constraint behind ``error``, from our naming convention.

    PostgreSQL reports the name; SQLite reports only ``table.column`` pairs for unique
    constraints, which are matched back to the named constraint or index in our metadata.
    """
    diag = getattr(error.orig, "diag", None)
    if diag is not None and getattr(diag, "constraint_name", None):
        return cast(str, diag.constraint_name)
    match = _SQLITE_UNIQUE.search(str(error.orig))
    if not match:
        return None
    pairs = [part.strip().split(".", 1) for part in match["columns"].split(",")]
    table_name = pairs[0][0]
    columns = {column for _table, column in pairs}
    table = Base.metadata.tables.get(table_name)
    if table is None:
        return None
    for constraint in table.constraints:
        names = {column.name for column in getattr(constraint, "columns", [])}
        if (
            names == columns
            and isinstance(constraint.name, str)
            and constraint.name.startswith("uq_")
        ):
            return str(constraint.name)
    for index in table.indexes:
        if index.unique and {column.name for column in index.columns} == columns:
            return str(index.name)
    return None


Record = TypeVar("Record", bound=Base)


def found_or_404(session: Session, model: type[Record], record_id: int) -> Record:
    """The ``model`` record with this id; raises NotFound (a 404 page) if there is none."""
    found = session.get(model, record_id)
    if found is None:
        raise NotFound()
    return found
