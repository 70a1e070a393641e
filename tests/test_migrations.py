"""Migrations build, from empty, exactly the schema the models describe, on both databases."""

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from portal import migrate
from portal.db import make_engine
from portal.models import Base
from tests.fixtures.database import url_for_database


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    engine = make_engine(url_for_database(request.param, tmp_path, schema="portal_migrations"))
    yield engine
    engine.dispose()


def test_upgrade_from_empty_matches_the_models(empty_engine):
    migrate.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
        head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
        assert migrate.current_revision(connection) == head
    assert differences == [], f"models and migrations differ: {differences}"


def test_upgrade_is_repeatable_and_downgrade_returns_to_empty(empty_engine):
    migrate.upgrade(empty_engine)
    migrate.upgrade(empty_engine)  # nothing to do the second time
    with empty_engine.connect() as connection:
        command.downgrade(migrate.alembic_config(connection), "base")
        connection.commit()
        tables = set(inspect(connection).get_table_names()) - {"alembic_version"}
    assert tables == set()


def test_sqlite_foreign_keys_are_enforced_again_after_migrating(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'fk.sqlite3'}")
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_every_migration_has_a_hand_written_summary():
    scripts = ScriptDirectory.from_config(migrate.alembic_config())
    for revision in scripts.walk_revisions():
        assert revision.doc, revision.revision
        assert not revision.doc.startswith("empty message"), revision.revision
        source = Path(revision.path).read_text(encoding="utf-8")
        assert "please adjust" not in source, f"{revision.revision} was not reviewed"


def test_booking_overlaps_are_refused_by_the_migrated_database(empty_engine):
    migrate.upgrade(empty_engine)
    if empty_engine.dialect.name == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        wanted = {"coaching_booking_no_overlap_insert", "coaching_booking_no_overlap_update"}
    else:
        query = (
            "SELECT conname FROM pg_constraint WHERE contype = 'x' AND connamespace = "
            "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
        )
        wanted = {"xc_coaching_booking_coach_overlap", "xc_coaching_booking_participant_overlap"}
    with empty_engine.connect() as connection:
        found = set(connection.execute(text(query)).scalars())
    assert wanted <= found
