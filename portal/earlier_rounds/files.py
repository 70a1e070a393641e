"""Reading the earlier-rounds files: a folder of CSV files, or one XLSX workbook.

The format is in ``docs/earlier-rounds-import-format.md``: one CSV file per sheet
(``participants.csv``), or the same sheets in one workbook (a sheet called
``participants``). Reading is ``portal.spreadsheets``'s, as for the applicant import, so
the same protections hold: CSV in UTF-8 (or Windows text, with a note), size and row limits,
a zip bomb or XML entity trick refused, a real formula in a cell returned as a ``Formula``.

What cannot be read at all becomes a problem of that file (and nothing is imported); a
file or sheet that is not part of the format is ignored, with a note saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal.earlier_rounds.format import COLUMNS
from portal.spreadsheets.cells import choice_key
from portal.spreadsheets.files import (
    SPARE_COLUMNS,
    Table,
    UnreadableFile,
    read_table,
    workbook_sheets,
)

# The sheets, in the order they are imported (each may refer only to those before it).
SHEETS = (
    "rounds",
    "contractors",
    "contracts",
    "cohorts",
    "sessions",
    "participants",
    "attendance",
    "survey_invitations",
    "survey_answers",
    "case_studies",
)
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


def configured_limits(config: Mapping[str, Any]) -> dict[str, int]:
    """The row and size limits from the settings (``EARLIER_ROUNDS_IMPORT_MAX_ROWS`` and
    ``_MAX_BYTES``), for ``read_path`` and ``read_workbook``."""
    return {
        "max_rows": int(config.get("EARLIER_ROUNDS_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)),
        "max_bytes": int(config.get("EARLIER_ROUNDS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)),
    }


@dataclass
class Problem:
    """Something wrong with a file (``line`` None) or with one of its rows."""

    file: str
    line: int | None
    column: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file} line {self.line}"
        column = f" ({self.column})" if self.column else ""
        return f"{where}{column}: {self.message}"


@dataclass
class Sources:
    """Each sheet's table, with the name problems are reported under."""

    tables: dict[str, Table] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def name_of(self, sheet: str) -> str:
        return self.names.get(sheet, f"{sheet}.csv")


def sheet_name(text: str) -> str:
    """'Survey answers' and 'survey-answers.csv' are both 'survey_answers'."""
    return choice_key(text.strip().lower().removesuffix(".csv"))


def sheet_columns(sheet: str) -> int:
    """The most cells a row of the sheet may have: its columns, and room for others."""
    required, optional = COLUMNS[sheet]
    return len(required) + len(optional) + SPARE_COLUMNS


def read_folder(
    folder: Path, *, max_rows: int = DEFAULT_MAX_ROWS, max_bytes: int = DEFAULT_MAX_BYTES
) -> Sources:
    """Every ``<sheet>.csv`` in the folder."""
    sources = Sources()
    ignored = []
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith("."):
            continue
        sheet = sheet_name(path.name) if path.suffix.lower() == ".csv" else ""
        if sheet not in SHEETS:
            if path.suffix.lower() == ".csv":
                ignored.append(path.name)
            continue
        sources.names[sheet] = path.name
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
        try:
            table = read_table(
                data,
                path.name,
                max_rows=max_rows,
                max_bytes=max_bytes,
                max_columns=sheet_columns(sheet),
            )
        except UnreadableFile as error:
            sources.problems.append(Problem(path.name, None, "", error.message))
            continue
        sources.notes.extend(f"{path.name}: {note}" for note in table.notes)
        sources.tables[sheet] = table
    _note_missing_and_ignored(sources, ignored, "files")
    return sources


def read_workbook(
    data: bytes,
    filename: str,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Sources:
    """Every sheet of an XLSX workbook named after a sheet of the format."""
    sources = Sources()
    try:
        sheets = workbook_sheets(
            data,
            filename,
            max_rows=max_rows,
            max_bytes=max_bytes,
            max_columns=lambda title: (
                sheet_columns(sheet_name(title)) if sheet_name(title) in SHEETS else None
            ),
        )
    except UnreadableFile as error:
        sources.problems.append(Problem(filename or "the file", None, "", error.message))
        return sources
    ignored = []
    for title, table in sheets:
        sheet = sheet_name(title)
        if table is None:
            ignored.append(title)
            continue
        if sheet in sources.names:
            sources.problems.append(
                Problem(f"{title} sheet", None, "", f"There is more than one {sheet} sheet")
            )
            continue
        sources.names[sheet] = f"{title} sheet"
        if isinstance(table, str):
            sources.problems.append(Problem(f"{title} sheet", None, "", table))
        else:
            sources.tables[sheet] = table
    _note_missing_and_ignored(sources, ignored, "sheets")
    return sources


def read_path(
    path: Path, *, max_rows: int = DEFAULT_MAX_ROWS, max_bytes: int = DEFAULT_MAX_BYTES
) -> Sources:
    """A folder of CSV files or an XLSX workbook, whichever ``path`` is."""
    if path.is_dir():
        return read_folder(path, max_rows=max_rows, max_bytes=max_bytes)
    with path.open("rb") as handle:
        data = handle.read(max_bytes + 1)
    return read_workbook(data, path.name, max_rows=max_rows, max_bytes=max_bytes)


def _note_missing_and_ignored(sources: Sources, ignored: list[str], kind: str) -> None:
    missing = [sheet for sheet in SHEETS if sheet not in sources.tables]
    found_problems = {problem.file for problem in sources.problems}
    missing = [sheet for sheet in missing if sources.name_of(sheet) not in found_problems]
    if missing:
        kinds = "that kind" if len(missing) == 1 else "those kinds"
        sources.notes.append(f"No {', '.join(missing)} {kind}: nothing of {kinds} is imported")
    if ignored:
        sources.notes.append(
            f"These {kind} are not part of the format and were ignored: {', '.join(ignored)}"
        )
