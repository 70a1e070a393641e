"""Stored figures: a round's dashboard figures as at a moment, worked out once and kept.

Working out a large round's figures reads tens of thousands of rows (about two seconds for a
round of 11,000 participants). They only change when a record changes, so what is worked out
is kept in ``stored_figures``, stamped with the round, the as-at moment, the contractors it is
limited to, when it was worked out, the **data version** it was worked out from, and a
fingerprint of the code that defines the figures. An entry is used only while its data
version is the current one and its fingerprint matches the running code, so a stored entry
always equals what the live figures would give:

- every commit that writes any record adds one to the data version, in the same transaction
  as the records (so anyone who sees the new records sees the new version). Only the store
  itself and tables the figures never read are left out (``NOT_FIGURE_INPUTS``);
- the version is read *before* the figures are worked out, so an entry is never stamped with
  a version newer than the records it was worked out from (at worst it is stamped older, and
  is then worked out again);
- changing the code of any module that defines the figures changes the fingerprint.

``tests/outcomes/test_stored.py`` compares stored and live figures after each kind of write.

No Flask here. The dashboard calls ``dashboard_figures``; the ``store-figures`` job works out
today's figures for every round ahead of the first visit and clears out entries that can no
longer be used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    delete,
    event,
    func,
    inspect,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from portal.cohorts.models import Cohort
from portal.db_base import utcnow
from portal.outcomes import drilldown, figures, round_figures, typed_json
from portal.outcomes.drilldown import ContractorHours
from portal.outcomes.models import DataVersion, StoredFigures
from portal.outcomes.round_figures import BreakdownRow, Dimension, RoundSummary
from portal.registration.models import Application, ApplicationStatus
from portal.rounds.models import Round

log = logging.getLogger(__name__)

# Tables the figures never read: writing them leaves the data version as it is.
NOT_FIGURE_INPUTS = frozenset(
    {
        StoredFigures.__tablename__,
        DataVersion.__tablename__,
        "job_run",
        "outbox_message",
        "outbox_attachment",
        "audit_event",
        "feedback",
        # Accounts: the stored figures count places, sessions and answers, never read who
        # someone is (sign-ins would otherwise make them out of date).
        "user_account",
        "user_role",
        "recovery_code",
        "account_token",
        "email_preference",
        "ended_session",
    }
)
_CHANGED = "portal.outcomes.stored.changed"
_VERSION_ROW = 1


@dataclass(frozen=True)
class DashboardFigures:
    """Everything the dashboard shows for a round: the summary, the five breakdowns, the
    issue labels and the hours by contractor."""

    summary: RoundSummary
    breakdowns: dict[Dimension, list[BreakdownRow]]
    issue_labels: dict[str, str]
    hours_by_contractor: list[ContractorHours]


@dataclass(frozen=True)
class Found:
    figures: DashboardFigures
    worked_out_at: dt.datetime
    # True when read from the store, False when worked out for this request.
    stored: bool


def work_out(
    session: Session,
    programme_round: Round,
    as_at: dt.datetime,
    contractor_ids: Collection[int] | None = None,
) -> DashboardFigures:
    """The live figures: every number from ``figures`` and ``round_figures``, nothing stored."""
    scope = None if contractor_ids is None else frozenset(contractor_ids)
    return DashboardFigures(
        summary=round_figures.round_summary(session, programme_round, as_at, contractor_ids=scope),
        breakdowns={
            dimension: round_figures.breakdown(
                session, programme_round, as_at, dimension, contractor_ids=scope
            )
            for dimension in Dimension
        },
        issue_labels=drilldown.issue_labels(session),
        hours_by_contractor=drilldown.hours_by_contractor(session, programme_round, as_at, scope),
    )


def dashboard_figures(
    session: Session,
    programme_round: Round,
    as_at: dt.datetime,
    contractor_ids: Collection[int] | None = None,
) -> Found:
    """The round's figures as at ``as_at``: from the store when an entry is still valid,
    otherwise worked out live and stored for next time.

    Side effects: may write one ``stored_figures`` row in a savepoint; if that fails (a
    read-only or busy database) the figures are still returned and nothing else is undone.
    """
    scope_key = _scope_key(contractor_ids)
    entry = session.scalars(
        select(StoredFigures).where(
            StoredFigures.round_id == programme_round.id,
            StoredFigures.as_at == as_at,
            StoredFigures.scope == scope_key,
            StoredFigures.definitions == DEFINITIONS,
            StoredFigures.data_version == _current_version_query(),
        )
    ).first()
    if entry is not None:
        try:
            found = typed_json.from_json(DashboardFigures, entry.payload)
        except (TypeError, ValueError, KeyError):
            log.warning("Stored figures %s could not be read; working them out again", entry.id)
        else:
            return Found(found, entry.worked_out_at, stored=True)
    version = current_version(session)  # before the figures: see the module's docstring
    worked_out_at = utcnow()
    found = work_out(session, programme_round, as_at, contractor_ids)
    _store(session, programme_round.id, as_at, scope_key, version, worked_out_at, found)
    return Found(found, worked_out_at, stored=False)


def current_version(session: Session) -> int:
    """The data version: 0 before anything was ever written."""
    return int(session.scalar(_version_select()) or 0)


def _version_select() -> Select[int]:
    return select(DataVersion.version).where(DataVersion.id == _VERSION_ROW)


def _current_version_query() -> ColumnElement[int]:
    return func.coalesce(_version_select().scalar_subquery(), 0)


def _scope_key(contractor_ids: Collection[int] | None) -> str:
    if contractor_ids is None:
        return "all"
    return ",".join(str(each) for each in sorted(set(contractor_ids))) or "none"


def _store(
    session: Session,
    round_id: int,
    as_at: dt.datetime,
    scope_key: str,
    version: int,
    worked_out_at: dt.datetime,
    found: DashboardFigures,
) -> None:
    values = {
        "round_id": round_id,
        "as_at": as_at,
        "scope": scope_key,
        "definitions": DEFINITIONS,
        "data_version": version,
        "worked_out_at": worked_out_at,
        "payload": typed_json.to_json(found),
    }
    try:
        with session.begin_nested():
            session.execute(
                _upsert(session, StoredFigures.__table__, values, ("round_id", "as_at", "scope"))
            )
    except SQLAlchemyError as error:
        if _sqlite_busy(error):
            # A page's transaction began as a reader; SQLite cannot turn it into a writer
            # while another connection (the store-figures job, a form being saved) writes,
            # and says so at once rather than wait. Nothing is wrong: the next view or the
            # job stores them.
            log.info("Figures for round %s not stored this time: the database was busy", round_id)
            return
        log.warning(
            "Could not store the figures for round %s; they are shown all the same",
            round_id,
            exc_info=True,
        )


def _sqlite_busy(error: SQLAlchemyError) -> bool:
    """True when SQLite refused a write because another connection was writing."""
    code = getattr(getattr(error, "orig", None), "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO UPDATE (SQLite and PostgreSQL)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def _upsert(
    session: Session, table: FromClause, values: dict[str, object], keys: tuple[str, ...]
) -> Any:
    """INSERT ... ON CONFLICT (keys) DO UPDATE, on SQLite and PostgreSQL."""
    statement = _insert(session)(table).values(values)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: statement.excluded[name] for name in values if name not in keys},
    )


# The data version: one more on every commit that wrote a figure input.


def _touches_inputs(tables: Collection[str]) -> bool:
    return any(name not in NOT_FIGURE_INPUTS for name in tables)


def _never_sent(record: object) -> bool:
    """A registration still being filled in, before and after this change: the figures only
    count applications that were sent (and places, which only sent ones get), so an
    applicant answering their questions leaves the officers' figures as they are.

    Only a change that leaves the row's status (draft) and sent time (none) as they were
    counts; a new row, or one whose status or sent time changed, is an input as before. Its
    answer lists (issues, availability and so on) are inputs too: only the row itself is
    left out."""
    if not isinstance(record, Application):
        return False
    attributes = inspect(record).attrs
    unchanged = not (attributes.status.history.added or attributes.submitted_at.history.added)
    return unchanged and record.status == ApplicationStatus.DRAFT and record.submitted_at is None


@event.listens_for(Session, "after_flush")
def _note_flushed_changes(session: Session, _flush: UOWTransaction) -> None:
    written = [*session.new, *session.dirty, *session.deleted]
    tables = {getattr(type(obj), "__tablename__", "") for obj in written if not _never_sent(obj)}
    if _touches_inputs(tables):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement_changes(state: ORMExecuteState) -> None:
    statement = state.statement
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(statement, "table", None)
        if _touches_inputs({getattr(table, "name", "")}):
            state.session.info[_CHANGED] = True
    elif not state.is_select:
        # Plain SQL text: count anything that is not a read as a write.
        sql = str(statement).lstrip().upper()
        if not sql.startswith(("SELECT", "WITH", "PRAGMA", "EXPLAIN")):
            state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _raise_the_version(session: Session) -> None:
    if session.new or session.dirty or session.deleted:
        session.flush()
    if not session.info.pop(_CHANGED, False):
        return
    # Last statement before COMMIT, so the row is locked (PostgreSQL) for as short a time as
    # possible and no transaction waits for it while holding anything else.
    table = DataVersion.__table__
    statement = _insert(session)(table).values(id=_VERSION_ROW, version=1)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["id"], set_={"version": table.c.version + 1}
        )
    )


@event.listens_for(Session, "after_transaction_end")
def _forget_changes(session: Session, transaction: SessionTransaction) -> None:
    # Only when the whole transaction ends: a savepoint rolled back inside it must not
    # forget what the rest of the transaction wrote.
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)


# The definitions' fingerprint and the job.


def _fingerprint() -> str:
    from portal.coaching import hours
    from portal.outcomes import figures_inputs

    digest = hashlib.sha256()
    for module in (figures, round_figures, drilldown, hours, figures_inputs, typed_json):
        digest.update(Path(module.__file__ or "").read_bytes())
    digest.update(Path(__file__).read_bytes())
    return digest.hexdigest()[:32]


DEFINITIONS = _fingerprint()


def store_todays_figures(session: Session, now: dt.datetime) -> str:
    """Work out today's figures for every round with cohorts (the officers' view) where no
    valid entry is stored, and delete entries that can no longer be used.

    Side effects: writes and deletes ``stored_figures`` rows; flushes.
    """
    version = current_version(session)
    removed = session.execute(
        delete(StoredFigures).where(
            or_(
                StoredFigures.data_version != version,
                StoredFigures.definitions != DEFINITIONS,
            )
        )
    ).rowcount  # type: ignore[attr-defined]
    as_at = figures.as_at_moment(now.astimezone(figures.LONDON).date())
    rounds = session.scalars(
        select(Round).where(Round.id.in_(select(Cohort.round_id))).order_by(Round.id)
    ).all()
    worked_out = sum(0 if dashboard_figures(session, each, as_at).stored else 1 for each in rounds)
    session.flush()
    return f"{worked_out} worked out, {removed} out of date removed"


def round_summary(
    session: Session,
    programme_round: Round,
    as_at: dt.datetime,
    contractor_ids: Collection[int] | None = None,
) -> RoundSummary:
    """``round_figures.round_summary``, from the store when it holds it (see
    ``dashboard_figures``)."""
    return dashboard_figures(session, programme_round, as_at, contractor_ids).figures.summary
