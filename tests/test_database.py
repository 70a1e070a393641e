"""The database layer: UTC datetimes, SQLite settings, constraint names."""

import datetime as dt
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from portal.db import make_engine, violated_constraint
from portal.pages.models import Feedback, FeedbackRating
from portal.reference.models import ReferenceItem, ReferenceKind


def test_datetimes_come_back_in_utc_whatever_zone_they_went_in_with(session):
    summer = dt.datetime(2026, 7, 1, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    session.add(Feedback(rating=FeedbackRating.SATISFIED, comments="", created_at=summer))
    session.commit()
    stored = session.scalars(select(Feedback.created_at)).one()
    assert stored == dt.datetime(2026, 7, 1, 13, 30, tzinfo=dt.UTC)
    assert stored.tzinfo == dt.UTC


def test_a_naive_datetime_is_refused(session):
    session.add(
        Feedback(rating=FeedbackRating.SATISFIED, comments="", created_at=dt.datetime(2026, 1, 1))  # noqa: DTZ001
    )
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()


def test_unique_violation_names_the_constraint_on_either_database(session):
    session.add(ReferenceItem(kind=ReferenceKind.ISSUE, code="x", label="X"))
    session.commit()
    session.add(ReferenceItem(kind=ReferenceKind.ISSUE, code="x", label="Again"))
    with pytest.raises(IntegrityError) as caught:
        session.flush()
    session.rollback()
    assert violated_constraint(caught.value) == "uq_reference_item_kind_code"


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}", sqlite_busy_timeout_ms=4321)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 4321
    engine.dispose()


def test_concurrent_sqlite_writers_wait_for_each_other_instead_of_failing(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'race.sqlite3'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    errors = []

    def increment():
        try:
            for _ in range(20):
                immediate = engine.connect().execution_options(portal_begin_immediate=True)
                with immediate as connection, connection.begin():
                    current = connection.execute(text("SELECT n FROM counter")).scalar()
                    connection.execute(text("UPDATE counter SET n = :n"), {"n": current + 1})
        except Exception as error:  # pragma: no cover - the assertion below reports it
            errors.append(error)

    workers = [threading.Thread(target=increment) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar() == 80
    assert errors == []
    engine.dispose()
