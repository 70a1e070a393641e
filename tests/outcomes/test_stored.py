"""Stored figures always equal the live figures.

A round's dashboard figures are kept once worked out (``portal.outcomes.stored``) and used
only while no record has changed since. Each test here writes in one of the ways the portal
writes (an ORM change, an ORM insert and delete, a bulk UPDATE, plain SQL) and checks that the
next read is worked out again and equals the live figures, and that the write really changed
them (so the check could fail). Writes to tables the figures never read keep the store.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import delete, event, func, select, text, update
from sqlalchemy.orm import Session

from portal import db
from portal.auth.models import Contractor, Role
from portal.cohorts.models import CohortSession, SessionTheme
from portal.db_base import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import read_folder
from portal.outcomes import figures, stored, typed_json
from portal.outcomes.models import StoredFigures
from portal.pages.models import Feedback, FeedbackRating
from portal.registration.models import Application, ApplicationStatus
from portal.rounds.models import Round
from portal.surveys.models import SurveyAnswer
from tests.earlier_rounds.files import tiny, write_files
from tests.fixtures.pages import check_page

# After everything in the tiny round, so every record counts.
AS_AT = figures.as_at_moment(dt.date(2020, 3, 31))


@pytest.fixture
def tiny_round(session: Session, tmp_path: Path, reference_data: None) -> Round:
    folder = write_files(tmp_path / "tiny", tiny())
    report = imports.run_import(session, read_folder(folder), "tiny", now=utcnow())
    assert report.imported, report.lines()
    session.commit()
    found = session.scalar(select(Round).where(Round.name == "Round 9"))
    assert found is not None
    return found


def read(session: Session, programme_round: Round) -> stored.Found:
    """The figures as the dashboard reads them, in a transaction of their own."""
    found = stored.dashboard_figures(session, programme_round, AS_AT)
    session.commit()
    return found


def live(session: Session, programme_round: Round) -> stored.DashboardFigures:
    found = stored.work_out(session, programme_round, AS_AT)
    session.rollback()
    return found


def test_figures_are_stored_once_worked_out_and_equal_the_live_ones(session, tiny_round):
    first = read(session, tiny_round)
    assert not first.stored
    again = read(session, tiny_round)
    assert again.stored
    assert again.worked_out_at == first.worked_out_at
    assert again.figures == first.figures == live(session, tiny_round)
    # The tiny round's hand-counted figures, to show what is compared is not empty.
    assert again.figures.summary.participants == 2
    assert again.figures.summary.satisfaction.very_satisfied == 1
    assert {row.issue_code: row.sessions_discussed for row in again.figures.summary.issues} == {
        "finance": 1,
        "staffing": 1,
    }


def _answer(session: Session) -> SurveyAnswer:
    return session.scalars(
        select(SurveyAnswer).where(SurveyAnswer.measure_code == "overall_satisfaction")
    ).one()


def _first_session(session: Session, programme_round: Round) -> CohortSession:
    return session.scalars(select(CohortSession).order_by(CohortSession.starts_at)).first()  # type: ignore[return-value]


def _orm_change(session: Session, programme_round: Round) -> None:
    _answer(session).choice = "Fairly satisfied"


def _orm_insert(session: Session, programme_round: Round) -> None:
    session.add(
        SessionTheme(session_id=_first_session(session, programme_round).id, issue_code="marketing")
    )


def _orm_delete(session: Session, programme_round: Round) -> None:
    theme = session.scalars(select(SessionTheme).where(SessionTheme.issue_code == "finance")).one()
    session.delete(theme)


def _bulk_update(session: Session, programme_round: Round) -> None:
    session.execute(update(Contractor).values(name="Ribble Coaching and Mentoring Ltd"))


def _bulk_delete(session: Session, programme_round: Round) -> None:
    session.execute(delete(SessionTheme).where(SessionTheme.issue_code == "staffing"))


def _plain_sql(session: Session, programme_round: Round) -> None:
    session.execute(
        text("UPDATE reference_item SET label = 'Hiring and keeping staff' WHERE code = 'staffing'")
    )


WRITES: dict[str, Callable[[Session, Round], None]] = {
    "orm-change": _orm_change,
    "orm-insert": _orm_insert,
    "orm-delete": _orm_delete,
    "bulk-update": _bulk_update,
    "bulk-delete": _bulk_delete,
    "plain-sql": _plain_sql,
}


@pytest.mark.parametrize("write", WRITES)
def test_every_kind_of_write_makes_the_next_read_work_them_out_again(session, tiny_round, write):
    before = read(session, tiny_round)
    assert read(session, tiny_round).stored
    version = stored.current_version(session)
    session.rollback()

    WRITES[write](session, tiny_round)
    session.commit()

    assert stored.current_version(session) == version + 1
    after = read(session, tiny_round)
    assert not after.stored
    assert after.figures == live(session, tiny_round)
    assert after.figures != before.figures, "the write should have changed the figures"
    assert read(session, tiny_round).stored


def test_a_write_that_is_rolled_back_keeps_the_store(session, tiny_round):
    read(session, tiny_round)
    version = stored.current_version(session)
    _orm_change(session, tiny_round)
    session.flush()
    session.rollback()
    assert stored.current_version(session) == version
    assert read(session, tiny_round).stored


def test_a_savepoint_rolled_back_inside_a_transaction_still_counts_its_other_writes(
    session, tiny_round
):
    read(session, tiny_round)
    _orm_change(session, tiny_round)
    session.flush()
    savepoint = session.begin_nested()
    session.add(Feedback(rating=FeedbackRating.SATISFIED, comments="x"))
    session.flush()
    savepoint.rollback()
    session.commit()
    assert not read(session, tiny_round).stored


def test_writes_to_tables_the_figures_never_read_keep_the_store(session, tiny_round):
    read(session, tiny_round)
    version = stored.current_version(session)
    session.add(Feedback(rating=FeedbackRating.SATISFIED, comments="Easy to use"))
    session.commit()
    assert stored.current_version(session) == version
    assert read(session, tiny_round).stored


def test_an_entry_from_other_definitions_or_unreadable_is_worked_out_again(
    session, tiny_round, monkeypatch
):
    first = read(session, tiny_round)
    monkeypatch.setattr(stored, "DEFINITIONS", "changed-code")
    changed = read(session, tiny_round)
    assert not changed.stored
    assert changed.figures == first.figures
    assert read(session, tiny_round).stored

    session.execute(update(StoredFigures).values(payload={"summary": "not the figures"}))
    session.commit()
    unreadable = read(session, tiny_round)
    assert not unreadable.stored
    assert unreadable.figures == first.figures


def test_if_storing_fails_the_figures_are_shown_and_the_transaction_goes_on(
    session, tiny_round, monkeypatch
):
    session.add(Feedback(rating=FeedbackRating.SATISFIED, comments="kept"))
    session.flush()
    monkeypatch.setattr(
        stored, "_upsert", lambda *_args: text("INSERT INTO no_such_table VALUES (1)")
    )
    found = stored.dashboard_figures(session, tiny_round, AS_AT)
    session.commit()
    assert not found.stored
    assert found.figures == live(session, tiny_round)
    assert session.scalar(select(Feedback.comments)) == "kept"
    assert session.scalar(select(StoredFigures.id)) is None


def test_while_another_connection_writes_the_figures_are_shown_and_no_error_is_logged(
    app, session, tiny_round, caplog
):
    """On SQLite a page's reading transaction cannot become a writer while the job (or a
    form being saved) writes: the figures are shown, stored next time, and the log says so
    in one line, not a traceback. PostgreSQL stores them."""
    session.scalar(select(Round.id))  # the page's transaction has begun, as a reader
    writer = db.database(app).session(writing=True)
    writer.add(Feedback(rating=FeedbackRating.SATISFIED, comments="the job's write"))
    writer.flush()  # holds the write lock until it ends
    with caplog.at_level(logging.INFO, logger="portal.outcomes.stored"):
        found = stored.dashboard_figures(session, tiny_round, AS_AT)
        session.commit()
    writer.rollback()
    writer.close()
    assert not found.stored
    assert found.figures == live(session, tiny_round)
    assert [record for record in caplog.records if record.exc_info] == []
    kept = session.scalar(select(func.count()).select_from(StoredFigures))
    session.rollback()
    if session.get_bind().dialect.name == "sqlite":
        assert kept == 0
        assert "not stored this time: the database was busy" in caplog.text
    else:
        assert kept == 1


def test_the_sample_rounds_read_back_exactly_for_officers_and_for_a_lead(session, sample_rounds):
    """Also the proof behind ``NOT_FIGURE_INPUTS``: working out every stored figure sends no
    SQL that names a table whose writes keep the store."""
    one = session.scalar(select(Round).where(Round.name == "Round 1"))
    contractor = session.scalars(select(Contractor.id).order_by(Contractor.id)).first()
    board_day = figures.as_at_moment(dt.date(2022, 2, 10))
    statements: list[str] = []

    def seen(*args: object) -> None:
        statements.append(str(args[2]))

    engine = session.get_bind()
    for scope in (None, frozenset({contractor})):
        event.listen(engine, "before_cursor_execute", seen)
        try:
            worked_out = stored.work_out(session, one, board_day, scope)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert typed_json.from_json(stored.DashboardFigures, typed_json.to_json(worked_out)) == (
            worked_out
        )
        stored.dashboard_figures(session, one, board_day, scope)
        session.commit()
        found = stored.dashboard_figures(session, one, board_day, scope)
        assert found.stored
        assert found.figures == worked_out
    # The board's figures, read from the store.
    summary = stored.round_summary(session, one, board_day)
    assert (summary.cohorts, summary.participants) == (31, 327)
    assert (summary.satisfaction.satisfied, summary.satisfaction.respondents) == (206, 212)
    assert len(statements) > 40
    named = re.compile(r"\b(" + "|".join(sorted(stored.NOT_FIGURE_INPUTS)) + r")\b")
    assert [sql for sql in statements if named.search(sql)] == []


def test_the_job_works_out_todays_figures_and_clears_out_old_entries(session, tiny_round):
    now = utcnow()
    assert stored.store_todays_figures(session, now) == "1 worked out, 0 out of date removed"
    session.commit()
    assert stored.store_todays_figures(session, now) == "0 worked out, 0 out of date removed"
    session.commit()
    _orm_change(session, tiny_round)
    session.commit()
    assert stored.store_todays_figures(session, now) == "1 worked out, 1 out of date removed"
    session.commit()
    today = figures.as_at_moment(now.astimezone(figures.LONDON).date())
    assert stored.dashboard_figures(session, tiny_round, today).stored


def test_the_dashboard_shows_when_its_figures_were_worked_out_and_reads_them_once(
    app, client, session, signed_in_as, tiny_round
):
    signed_in_as(Role.OFFICER)
    url = f"/outcomes/?round={tiny_round.id}&as_at=2020-03-31"
    version = stored.current_version(session)
    session.rollback()
    first = check_page(client.get(url))
    queries: list[str] = []
    engine = db.engine_for(app)

    def count(*args: object) -> None:
        queries.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    second = check_page(client.get(url))
    event.remove(engine, "before_cursor_execute", count)
    assert "Worked out at" in first.get_text()
    assert second.select_one("main").get_text() == first.select_one("main").get_text()
    # Reading the figures from the store is one query, not the dozens working them out takes.
    assert sum("attendance" in query for query in queries) == 0
    # Viewing the dashboard writes no record, so it never makes its own figures out of date.
    assert stored.current_version(session) == version


def test_answers_to_a_registration_not_sent_yet_keep_the_store_and_sending_it_does_not(
    session, tiny_round, make_user
):
    person = make_user(Role.PARTICIPANT)
    draft = Application(
        reference="PN-DRAFT-1",
        round_id=tiny_round.id,
        person_id=person.id,
        status=ApplicationStatus.DRAFT,
    )
    session.add(draft)
    session.commit()  # a new registration counts as a change: only answers to it do not
    before = read(session, tiny_round)
    assert read(session, tiny_round).stored
    version = stored.current_version(session)
    session.rollback()

    draft.business_name = "Draft Bakery Ltd"
    draft.sector_code = "C"
    draft.district_code = "preston"
    draft.employees = Decimal("4")
    session.commit()

    assert stored.current_version(session) == version
    kept = read(session, tiny_round)
    assert kept.stored
    assert kept.figures == before.figures == live(session, tiny_round)

    draft.status = ApplicationStatus.SUBMITTED
    draft.submitted_at = AS_AT - dt.timedelta(days=1)
    session.commit()

    assert stored.current_version(session) == version + 1
    sent = read(session, tiny_round)
    assert not sent.stored
    assert sent.figures == live(session, tiny_round)
    assert sent.figures.summary.applicants == before.figures.summary.applicants + 1


def test_working_figures_out_sends_as_many_statements_for_a_large_round_as_a_small_one(
    session, sample_rounds
):
    """Issue 16: working out a round's dashboard from scratch sends a fixed number of
    statements, whatever the round's size (the samples' rounds differ in size)."""
    board_day = figures.as_at_moment(dt.date(2022, 6, 30))
    sent: dict[str, int] = {}
    sizes: dict[str, int] = {}
    engine = session.get_bind()
    for programme_round in session.scalars(select(Round).order_by(Round.id)).all():
        session.refresh(programme_round)  # loaded again after the last round's rollback
        statements: list[str] = []

        def seen(*args: object, into: list[str] = statements) -> None:
            into.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", seen)
        try:
            worked_out = stored.work_out(session, programme_round, board_day, None)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        session.rollback()
        sent[programme_round.name] = len(statements)
        sizes[programme_round.name] = worked_out.summary.participants
    assert len(set(sizes.values())) > 1, sizes
    assert len(set(sent.values())) == 1, (sent, sizes)
