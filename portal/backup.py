"""Backing up and restoring the database while the portal runs.

SQLite: the online backup API copies the database page by page into a new file while
other connections keep reading and writing (WAL mode); the copy is a consistent snapshot
and is checked with ``PRAGMA integrity_check`` before it is kept. Restoring copies a
backup back with the same API, in one transaction, so readers see the old database or the
new one, never a mix; stop the job runner and app servers first so nobody writes in
between, as any restore would need.

PostgreSQL: ``pg_dump --format=custom`` (a consistent snapshot, taken without locking
writers out) and ``pg_restore --clean --if-exists --single-transaction``. Both need the
PostgreSQL client programs on the PATH.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(Exception):
    """The backup or restore could not be done; the message says why, in plain words."""


def backup(database_url: str, target: Path) -> Path:
    """Write a backup of the database at ``database_url`` to ``target``; return it."""
    url = make_url(database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        return _sqlite_backup(_sqlite_path(database_url), target)
    if url.get_backend_name() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(url)])
        return target
    raise BackupError(f"Backups of {url.get_backend_name()} databases are not supported")


def restore(database_url: str, source: Path) -> None:
    """Replace the database at ``database_url`` with the backup in ``source``."""
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        _check_sqlite(source)
        with _connect(source) as backup_file, _connect(_sqlite_path(database_url)) as live:
            backup_file.backup(live)
        return
    if url.get_backend_name() == "postgresql":
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                f"--dbname={_libpq(url)}",
                str(source),
            ]
        )
        return
    raise BackupError(f"Restoring {url.get_backend_name()} databases is not supported")


def _sqlite_backup(database: Path, target: Path) -> Path:
    if not database.is_file():
        raise BackupError(f"There is no database at {database}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with _connect(database) as live, _connect(partial) as copy:
        live.backup(copy, pages=1024)
    _check_sqlite(partial)
    partial.replace(target)
    return target


def _check_sqlite(path: Path) -> None:
    try:
        with _connect(path) as connection:
            [result] = connection.execute("PRAGMA integrity_check").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a usable SQLite database: {error}") from None
    if result != "ok":
        raise BackupError(f"{path} failed its integrity check: {result}")


def _connect(path: Path) -> closing[sqlite3.Connection]:
    """A connection closed on leaving the ``with`` (sqlite3's own only ends a transaction)."""
    return closing(sqlite3.connect(path, timeout=30))


def _sqlite_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupError("An in-memory database cannot be backed up")
    return Path(database)


def _libpq(url: object) -> str:
    """The URL as libpq's tools take it (no SQLAlchemy driver name)."""
    rendered = make_url(str(url)).set(drivername="postgresql")
    return rendered.render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed (it comes with the PostgreSQL client)")
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")
