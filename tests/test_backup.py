"""Backing up while the portal writes, and restoring: on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import create_app, db
from portal.backup import BackupError, backup, restore
from tests.fixtures.app import make_test_config
from tests.fixtures.environment import POSTGRES_URL, skip_or_fail


def make_sqlite(path):
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    connection.executemany("INSERT INTO note (body) VALUES (?)", [("x" * 500,)] * 5_000)
    connection.commit()
    connection.close()


def count(path):
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT count(*) FROM note").fetchone()[0]
    finally:
        connection.close()


def test_a_sqlite_backup_taken_while_someone_writes_is_whole_and_restores(tmp_path):
    live = tmp_path / "portal.sqlite3"
    make_sqlite(live)
    stop = threading.Event()
    written: list[int] = []

    def writer():
        connection = sqlite3.connect(live, timeout=30)
        while not stop.is_set():
            connection.execute("INSERT INTO note (body) VALUES ('during the backup')")
            connection.commit()
            written.append(1)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        target = backup(f"sqlite:///{live}", tmp_path / "backups" / "portal.sqlite3")
    finally:
        stop.set()
        thread.join()
    assert written, "the writer kept writing during the backup"
    in_backup = count(target)
    assert 5_000 <= in_backup <= 5_000 + len(written)
    assert not (tmp_path / "backups" / "portal.sqlite3.partial").exists()

    # Restoring brings the database back to the moment of the backup.
    assert count(live) == 5_000 + len(written)
    restore(f"sqlite:///{live}", target)
    assert count(live) == in_backup


def test_a_file_that_is_not_a_database_is_refused_and_changes_nothing(tmp_path):
    live = tmp_path / "portal.sqlite3"
    make_sqlite(live)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match="not a usable SQLite database"):
        restore(f"sqlite:///{live}", junk)
    with pytest.raises(BackupError, match="no backup file"):
        restore(f"sqlite:///{live}", tmp_path / "missing.sqlite3")
    assert count(live) == 5_000


def test_the_commands_back_up_and_restore_only_when_confirmed(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    url = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    app = create_app(make_test_config(url, tmp_path))
    runner = app.test_cli_runner()
    assert runner.invoke(args=["portal", "init"]).exit_code == 0
    target = tmp_path / "backup.sqlite3"
    made = runner.invoke(args=["portal", "backup", str(target)])
    assert made.exit_code == 0, made.output
    assert "Backed up the database to" in made.output
    refused = runner.invoke(args=["portal", "restore", str(target)])
    assert refused.exit_code != 0
    assert "Add --yes" in refused.output
    done = runner.invoke(args=["portal", "restore", str(target), "--yes"])
    assert done.exit_code == 0, done.output
    db.engine_for(app).dispose()


@pytest.mark.postgres_only
def test_a_postgresql_backup_restores_into_its_own_database(tmp_path):
    if not POSTGRES_URL:
        skip_or_fail("PostgreSQL tests need PORTAL_TEST_DATABASE_URL")
    name = f"portal_backup_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{os.getpid()}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE note (id serial PRIMARY KEY, body text)"))
            connection.execute(
                text("INSERT INTO note (body) SELECT 'n' FROM generate_series(1, 50)")
            )
        target = backup(url, tmp_path / f"{name}.dump")
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM note WHERE id > 10"))
        restore(url, target)
        with engine.connect() as connection:
            assert connection.scalar(text("SELECT count(*) FROM note")) == 50
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
