"""Reading and checking the earlier-rounds sheets, row by row.

``read_sheets`` turns the tables into typed rows (``format``) and checks every row on its
own (every cell) and against the other sheets: every key it refers to is defined, dates are
in order and within the round, one person has one place in a cohort, attendance is only at
sessions held and while the person had their place, answers fit their question. A row that
depends on a refused row is set aside and counted, not checked: the refused row's problem
says how many rows depend on it. It reads nothing from the database: what it needs from
there (reference lists, survey questions, the date after which nothing may be imported)
comes in a ``Context``. Rounds, contractors, contracts, cohorts and sessions are read here;
participants and attendance in ``people_rows``; surveys and case studies in
``survey_rows``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

from portal.cohorts.models import CohortBasis, CohortDelivery, SessionStatus
from portal.earlier_rounds.files import Problem, Sources
from portal.earlier_rounds.format import (
    COLUMNS,
    CohortRow,
    Context,
    ContractorRow,
    ContractRow,
    ParticipantRow,
    RoundRow,
    Rows,
    SessionRow,
    at_noon,
    london_date,
)
from portal.earlier_rounds.people_rows import (
    check_attendance_against_places,
    read_attendance,
    read_participants,
)
from portal.earlier_rounds.survey_rows import (
    read_case_studies,
    read_survey_answers,
    read_survey_invitations,
)
from portal.reference.models import ReferenceKind
from portal.spreadsheets.cells import Row, as_text, choice_key
from portal.spreadsheets.files import Cell, Table
from portal.timefmt import LONDON, govuk_date

__all__ = ["COLUMNS", "Context", "Rows", "read_sheets"]
T = TypeVar("T")
# How a session's status may be written (blank: held, as earlier records rarely say).
_SESSION_STATUSES = {
    "": SessionStatus.HELD,
    "held": SessionStatus.HELD,
    "cancelled": SessionStatus.CANCELLED,
    "canceled": SessionStatus.CANCELLED,
    "planned": SessionStatus.PLANNED,
}
# The column holding the key other sheets refer to.
KEY_COLUMNS = {
    "rounds": "round",
    "contractors": "contractor",
    "cohorts": "cohort",
    "participants": "participant",
}


@dataclass
class Cause:
    """A problem that stops a row being imported, and how many rows depend on that row."""

    problem: Problem
    dependants: int = 0


class SheetRow(Row):
    """A row of a sheet, whose problems join those of every sheet. ``cause`` is what stops
    it being imported: its first problem, or the cause of a row it depends on."""

    def __init__(
        self, file: str, line: int, cells: dict[str, Cell], problems: list[Problem]
    ) -> None:
        super().__init__(line, cells, self._report)
        self.file = file
        self.problems = problems
        self.cause: Cause | None = None
        self._causes: list[Cause] = []

    def _report(self, column: str, message: str) -> None:
        problem = Problem(self.file, self.line, column, message)
        self.problems.append(problem)
        self._causes.append(Cause(problem))
        if self.cause is None:
            self.cause = self._causes[-1]

    def cell_text(self, column: str) -> str:
        """The cell as text, unchecked (to find the row again by what it names)."""
        return as_text(self.cells.get(column))

    def last_cause(self) -> Cause:
        """The problem reported last, as a cause other rows may depend on."""
        return self._causes[-1]


def read_sheets(sources: Sources, context: Context) -> tuple[Rows, list[Problem], list[str]]:
    """Every sheet's rows, read and checked; the problems found (none: safe to import);
    notes for the person importing (columns ignored, text read as Windows text)."""
    reader = SheetReader(sources, context)
    reader.read_all()
    return reader.rows, reader.problems, reader.notes


class SheetReader:
    """Reads the sheets in order, collecting rows and problems; the sheets' own readers
    (here and in the people and survey modules) use its lookups."""

    def __init__(self, sources: Sources, context: Context) -> None:
        self.sources = sources
        self.context = context
        self.labels = context.labels
        self.rows = Rows()
        self.problems: list[Problem] = list(sources.problems)
        self.notes: list[str] = list(sources.notes)
        # Sheets whose columns are wrong: nothing refers to their keys as unknown.
        self.broken: set[str] = set()
        # Each keyed sheet's rows by their key, good rows or not (the first of each key).
        self.keyed_rows: dict[str, dict[str, SheetRow]] = {}
        # Keys referred to that no row has: the problem, reported on the first row naming it.
        self.unknown: dict[tuple[str, str], Cause] = {}
        # Problems that stop other rows being checked, by id, and so get their count.
        self.causes: dict[int, Cause] = {}
        # Session rows refused, by (cohort key, number): attendance at them depends on them.
        self.refused_sessions: dict[tuple[str, int], SheetRow] = {}
        # Attendance rows refused, by participant key; survey invitation rows refused, by
        # participant key and timing: the rows that depend on them say nothing more.
        self.refused_attendance: dict[str, SheetRow] = {}
        self.refused_invitations: dict[tuple[str, str], SheetRow] = {}
        # Cohorts with a session row that has problems (reported there, not again).
        self.cohorts_with_bad_sessions: set[str] = set()

    def read_all(self) -> None:
        readers: dict[str, Callable[[list[SheetRow]], None]] = {
            "rounds": self._read_rounds,
            "contractors": self._read_contractors,
            "contracts": self._read_contracts,
            "cohorts": self._read_cohorts,
            "sessions": self._read_sessions,
            "participants": lambda rows: read_participants(self, rows),
            "attendance": lambda rows: read_attendance(self, rows),
            "survey_invitations": lambda rows: read_survey_invitations(self, rows),
            "survey_answers": lambda rows: read_survey_answers(self, rows),
            "case_studies": lambda rows: read_case_studies(self, rows),
        }
        for sheet in COLUMNS:
            table = self.sources.tables.get(sheet)
            if table is not None:
                readers[sheet](self.sheet_rows(sheet, table))
        check_attendance_against_places(self)
        self._check_dates_against_rounds()
        self._check_dates_against_cutoff()
        for cause in self.causes.values():
            rows = "row depends" if cause.dependants == 1 else "rows depend"
            were = "was" if cause.dependants == 1 else "were"
            cause.problem.message += f". {cause.dependants:,} {rows} on it and {were} not checked"

    @cached_property
    def participant_keys(self) -> dict[str, ParticipantRow]:
        return {item.key: item for item in self.rows.participants}

    # The table's rows, by column name

    def sheet_rows(self, sheet: str, table: Table) -> list[SheetRow]:
        name = self.sources.name_of(sheet)
        required, optional = COLUMNS[sheet]
        columns = [choice_key(str(cell)) for cell in table.header]
        missing = [column for column in required if column not in columns]
        repeated = sorted({c for c in columns if c and columns.count(c) > 1})
        known = set(required + optional)
        ignored = [
            str(cell).strip()
            for cell, column in zip(table.header, columns, strict=True)
            if column and column not in known
        ]
        if missing or repeated:
            self.broken.add(sheet)
            if missing:
                self.problems.append(Problem(name, 1, "", f"Missing columns: {', '.join(missing)}"))
            if repeated:
                self.problems.append(
                    Problem(name, 1, "", f"Columns more than once: {', '.join(repeated)}")
                )
            return []
        if ignored:
            self.notes.append(
                f"{name}: these columns are not in the format and were ignored: "
                + ", ".join(ignored)
            )
        rows = [
            SheetRow(
                name,
                line,
                {
                    column: (cells[index] if index < len(cells) else None)
                    for index, column in enumerate(columns)
                    if column in known
                },
                self.problems,
            )
            for line, cells in table.rows
        ]
        if sheet in KEY_COLUMNS:
            keyed = self.keyed_rows.setdefault(sheet, {})
            for row in rows:
                keyed.setdefault(row.cell_text(KEY_COLUMNS[sheet]), row)
        return rows

    def refers(
        self, row: SheetRow, column: str, key: str, known: Mapping[str, T], sheet: str
    ) -> T | None:
        """The row refers to ``key`` of ``sheet``: the row read for it, or None.

        When that row was refused, the row depends on what refused it (reported once,
        there, with how many rows depend on it). When there is no such row, that is
        reported on the first row naming it, and later ones depend on that.
        """
        if not key or key in known:
            return known.get(key)
        if sheet in self.broken:  # its columns are wrong: reported once, there
            row.set_aside()
            return None
        target = self.keyed_rows.get(sheet, {}).get(key)
        cause = target.cause if target is not None else self.unknown.get((sheet, key))
        if cause is None and target is None:
            what = sheet.removesuffix("s").replace("_", " ")
            row.problem(column, f"There is no {what} “{key}” in the {sheet} sheet")
            self.unknown[(sheet, key)] = row.last_cause()
        else:
            self.depends(row, cause)
        return None

    def depends(self, row: SheetRow, cause: Cause | None) -> None:
        """Sets the row aside: ``cause`` (if known) stops it, and counts it."""
        row.set_aside()
        if cause is not None and row.cause is None:
            row.cause = cause
            cause.dependants += 1
            self.causes[id(cause)] = cause

    def code(
        self, row: Row, column: str, kind: ReferenceKind, what: str, *, required: bool = False
    ) -> str:
        """The row's code of ``kind`` in ``column``, given by its code or its name."""
        text = row.text(column, required=f"Enter the {what} code" if required else None)
        code = self.labels.active_code(kind, text) if text else ""
        if code is None:
            row.problem(column, f"“{text}” is not a {what} code from the list")
        return code or ""

    def codes(self, row: Row, column: str, kind: ReferenceKind, what: str) -> list[str]:
        """The row's codes of ``kind`` in ``column``, each given by its code or its name."""
        return row.codes(column, what, lambda text: self.labels.active_code(kind, text))

    def unique(self, row: Row, column: str, key: object, seen: dict[object, int]) -> bool:
        if key in seen:
            row.problem(column, f"Line {seen[key]} has the same {column.replace('_', ' ')}")
            return False
        seen[key] = row.line
        return True

    # Rounds, contractors and contracts

    def _read_rounds(self, rows: list[SheetRow]) -> None:
        seen: dict[object, int] = {}
        for row in rows:
            name = row.text("round", required="Enter the round’s name", max_length=100)
            year_label = row.text(
                "year_label", required="Enter the year, like 2021-22", max_length=20
            )
            starts_on = row.date("starts_on", required="Enter the date the round started")
            ends_on = row.date("ends_on", required="Enter the date the round ended")
            funder = row.text("funder", required="Enter the funder")
            grant = row.pence("grant_pounds", what="the grant", required="Enter the grant")
            if starts_on and ends_on and ends_on <= starts_on:
                row.problem("ends_on", "The round must end after it starts")
            if name and not self.unique(row, "round", name, seen):
                continue
            if row.ok:
                assert starts_on is not None
                assert ends_on is not None
                assert grant is not None
                self.rows.rounds.append(
                    RoundRow(row.line, name, year_label, starts_on, ends_on, funder, grant)
                )

    def _read_contractors(self, rows: list[SheetRow]) -> None:
        seen: dict[object, int] = {}
        for row in rows:
            name = row.text("contractor", required="Enter the contractor’s name")
            email = row.text("contact_email", max_length=320)
            if email and "@" not in email:
                row.problem("contact_email", "Enter an email address, like name@example.com")
            if name and self.unique(row, "contractor", name, seen) and row.ok:
                self.rows.contractors.append(ContractorRow(row.line, name, email))

    @cached_property
    def round_names(self) -> dict[str, RoundRow]:
        return {item.name: item for item in self.rows.rounds}

    @cached_property
    def contractor_names(self) -> dict[str, ContractorRow]:
        return {item.name: item for item in self.rows.contractors}

    def _read_contracts(self, rows: list[SheetRow]) -> None:
        seen: dict[object, int] = {}
        for row in rows:
            round_name = row.text("round", required="Enter the round", max_length=100)
            contractor = row.text("contractor", required="Enter the contractor")
            self.refers(row, "round", round_name, self.round_names, "rounds")
            self.refers(row, "contractor", contractor, self.contractor_names, "contractors")
            value = row.pence(
                "contract_value_pounds", what="the contract value", required="Enter the value"
            )
            spend = row.pence("spend_to_date_pounds", what="the spend to date")
            spend_on = row.date("spend_recorded_on")
            if spend is not None and spend_on is None:
                row.problem("spend_recorded_on", "Enter the date the spend was recorded")
            if spend is None and spend_on is not None:
                row.problem("spend_to_date_pounds", "Enter the spend, or leave its date blank")
            self.unique(row, "contractor", (round_name, contractor), seen)
            if row.ok:
                assert value is not None
                self.rows.contracts.append(
                    ContractRow(row.line, round_name, contractor, value, spend, spend_on)
                )

    # Cohorts and their sessions

    def _read_cohorts(self, rows: list[SheetRow]) -> None:
        seen: dict[object, int] = {}
        for row in rows:
            key = row.key("cohort", "cohort key")
            round_name = row.text("round", required="Enter the round", max_length=100)
            self.refers(row, "round", round_name, self.round_names, "rounds")
            contractor = row.text("contractor", required="Enter the contractor")
            self.refers(row, "contractor", contractor, self.contractor_names, "contractors")
            name = row.text("name", required="Enter the cohort’s name", max_length=120)
            basis = row.choice("basis", CohortBasis, "the basis")
            delivery = row.choice("delivery", CohortDelivery, "how it met")
            basis_value = row.text("basis_value", max_length=60)
            districts = self.codes(row, "districts", ReferenceKind.DISTRICT, "districts")
            planned = row.whole("planned_hours", what="the planned hours", minimum=1, maximum=200)
            confirmed_on = row.date("confirmed_on", required="Enter the date the cohort was formed")
            cancelled_on = row.date("cancelled_on")
            if confirmed_on and cancelled_on and cancelled_on < confirmed_on:
                row.problem("cancelled_on", "A cohort cannot be cancelled before it was formed")
            if key and not self.unique(row, "cohort", key, seen):
                continue
            if row.ok:
                assert basis is not None
                assert delivery is not None
                assert confirmed_on is not None
                self.rows.cohorts.append(
                    CohortRow(
                        row.line,
                        key,
                        round_name,
                        name,
                        contractor,
                        basis,
                        basis_value,
                        delivery,
                        districts,
                        row.text("venue", max_length=500),
                        planned,
                        at_noon(confirmed_on),  # type: ignore[arg-type]
                        at_noon(cancelled_on),
                    )
                )

    @cached_property
    def cohort_keys(self) -> dict[str, CohortRow]:
        return {item.key: item for item in self.rows.cohorts}

    def _read_sessions(self, rows: list[SheetRow]) -> None:
        with_problems = self.cohorts_with_bad_sessions
        seen: dict[object, int] = {}
        cohorts = self.cohort_keys
        for row in rows:
            cohort_key = row.text("cohort", required="Enter the cohort key", max_length=60)
            cohort = self.refers(row, "cohort", cohort_key, cohorts, "cohorts")
            number = row.whole(
                "session",
                what="the session number",
                required="Enter the session number",
                minimum=1,
                maximum=100,
            )
            day = row.date("date", required="Enter the date of the session")
            start = row.time("start_time", required="Enter the time the session started")
            minutes = row.whole(
                "length_minutes",
                what="the length in minutes",
                required="Enter the length",
                minimum=15,
                maximum=600,
            )
            status = _SESSION_STATUSES.get(choice_key(row.text("status")))
            if status is None:
                row.problem(
                    "status", "Enter held, cancelled or planned, or leave it blank for held"
                )
            themes = self.codes(row, "themes", ReferenceKind.ISSUE, "issues")
            if number is not None and not self.unique(row, "session", (cohort_key, number), seen):
                continue
            if not row.ok:
                with_problems.add(cohort_key)
                if number is not None:
                    self.refused_sessions.setdefault((cohort_key, number), row)
            elif isinstance(cohort, CohortRow):
                assert number is not None
                assert day is not None
                assert start is not None
                assert minutes is not None
                starts_at = dt.datetime.combine(day, start, tzinfo=LONDON).astimezone(dt.UTC)
                session = SessionRow(
                    row.line,
                    cohort_key,
                    number,
                    starts_at,
                    starts_at + dt.timedelta(minutes=minutes),
                    status or SessionStatus.HELD,
                    themes,
                )
                self.rows.sessions.append(session)
                cohort.sessions.append(session)
        for cohort in self.rows.cohorts:
            if cohort.key not in with_problems:  # reported once, on the row itself
                self._check_session_order(cohort)

    def _check_session_order(self, cohort: CohortRow) -> None:
        cohort.sessions.sort(key=lambda s: s.number)
        numbers = [session.number for session in cohort.sessions]
        for expected, session in enumerate(cohort.sessions, start=1):
            if session.number != expected:
                self._session_problem(
                    session,
                    "session",
                    f"Cohort {cohort.key}’s sessions must be numbered 1, 2, 3 … in order "
                    f"(found {', '.join(map(str, numbers))})",
                )
                return
        for earlier, later in zip(cohort.sessions, cohort.sessions[1:], strict=False):
            if later.starts_at < earlier.ends_at:
                self._session_problem(
                    later,
                    "date",
                    f"Session {later.number} starts before session "
                    f"{earlier.number} of cohort {cohort.key} ends",
                )
        if cohort.sessions and london_date(cohort.sessions[0].starts_at) < london_date(
            cohort.confirmed_at
        ):
            self._session_problem(
                cohort.sessions[0], "date", "The first session is before the cohort was formed"
            )
        held = [session.number for session in cohort.sessions if session.held]
        for session in cohort.sessions:
            if session.planned and held and session.number < held[-1]:
                self._session_problem(
                    session,
                    "status",
                    f"Session {session.number} is planned, but session {held[-1]} after it "
                    f"was held: record whether session {session.number} was held or cancelled",
                )

    def _session_problem(self, session: SessionRow, column: str, message: str) -> None:
        self.problems.append(
            Problem(self.sources.name_of("sessions"), session.line, column, message)
        )

    # Within the round, and nothing recent

    def _check_dates_against_rounds(self) -> None:
        """Cohorts, sessions and places are within their round's dates; survey answers and
        stories come after its start (the last surveys come months after its end)."""
        participants = self.participant_keys

        def check(
            sheet: str,
            line: int,
            round_name: str,
            moments: dict[str, dt.datetime | None],
            *,
            until_the_end: bool = True,
        ) -> None:
            programme_round = self.round_names.get(round_name)
            if programme_round is None:
                return
            for column, moment in moments.items():
                day = london_date(moment) if moment else None
                if day and day < programme_round.starts_on:
                    when = f"before {round_name} started ({govuk_date(programme_round.starts_on)})"
                elif day and until_the_end and day > programme_round.ends_on:
                    when = f"after {round_name} ended ({govuk_date(programme_round.ends_on)})"
                else:
                    continue
                self.problems.append(
                    Problem(
                        self.sources.name_of(sheet),
                        line,
                        column,
                        f"This is {when}. Check the date, or the round’s dates in the rounds sheet",
                    )
                )
                return

        for cohort in self.rows.cohorts:
            moments = {"confirmed_on": cohort.confirmed_at, "cancelled_on": cohort.cancelled_at}
            check("cohorts", cohort.line, cohort.round, moments)
            for session in cohort.sessions:
                check("sessions", session.line, cohort.round, {"date": session.starts_at})
        for person in self.rows.participants:
            moments = {"accepted_on": person.accepted_at, "left_on": person.left_at}
            check("participants", person.line, person.round, moments)
        for invitation in self.rows.survey_invitations:
            moments = {"invited_on": invitation.invited_at, "responded_on": invitation.responded_at}
            round_name = participants[invitation.participant].round
            check("survey_invitations", invitation.line, round_name, moments, until_the_end=False)
        for story in self.rows.case_studies:
            moments = {
                "consent_given_on": story.consent_given_at,
                "published_on": story.published_at,
                "withdrawn_on": story.withdrawn_at,
            }
            round_name = participants[story.participant].round
            check("case_studies", story.line, round_name, moments, until_the_end=False)

    def _check_dates_against_cutoff(self) -> None:
        """Only rounds that have finished are imported: every date must be on or before
        the round's cut-off, so the survey job never takes an imported place for one it
        should survey now (see imports.cutoff)."""
        participants = self.participant_keys

        def check(sheet: str, line: int, round_name: str, **moments: dt.datetime | None) -> None:
            if round_name not in self.round_names:
                return
            cutoff = self.context.cutoff(round_name)
            late = [column for column, m in moments.items() if m and london_date(m) > cutoff]
            if late:
                self.problems.append(
                    Problem(
                        self.sources.name_of(sheet),
                        line,
                        late[-1],
                        f"This is after {govuk_date(cutoff)}: only rounds that finished long "
                        "enough ago to be past every survey are imported, so that nothing "
                        "imported is ever sent an email. Record recent activity in the portal",
                    )
                )

        for cohort in self.rows.cohorts:
            check("cohorts", cohort.line, cohort.round, cancelled_on=cohort.cancelled_at)
            for session in cohort.sessions:
                check("sessions", session.line, cohort.round, date=session.ends_at)
        for person in self.rows.participants:
            check(
                "participants",
                person.line,
                person.round,
                accepted_on=person.accepted_at,
                left_on=person.left_at,
            )
        for invitation in self.rows.survey_invitations:
            check(
                "survey_invitations",
                invitation.line,
                participants[invitation.participant].round,
                invited_on=invitation.invited_at,
                responded_on=invitation.responded_at,
            )
        for story in self.rows.case_studies:
            check(
                "case_studies",
                story.line,
                participants[story.participant].round,
                consent_given_on=story.consent_given_at,
                published_on=story.published_at,
                withdrawn_on=story.withdrawn_at,
            )
