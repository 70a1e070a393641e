"""After a bulk load (the demo data), PostgreSQL's planner is told how big the tables are."""

from sqlalchemy import text

from portal import db
from portal.db_base import Base
from portal.pages.models import Feedback, FeedbackRating


def test_planner_statistics_are_refreshed_for_every_table_on_postgresql(session):
    session.add_all(
        Feedback(rating=FeedbackRating.SATISFIED, comments=f"Number {n}") for n in range(50)
    )
    session.commit()

    db.refresh_planner_statistics(session)

    if session.get_bind().dialect.name == "postgresql":
        analysed = dict(
            session.execute(
                text(
                    "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
                    "WHERE schemaname = current_schema()"
                )
            ).all()
        )
        assert set(analysed) == {table.name for table in Base.metadata.sorted_tables}
        assert all(analysed.values())
        estimated = session.scalar(
            text("SELECT reltuples FROM pg_class WHERE oid = to_regclass('feedback')")
        )
        assert estimated == 50
    else:
        # SQLite's planner is steered in code; no statistics tables are made.
        assert (
            session.scalar(
                text("SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_stat%'")
            )
            == 0
        )
