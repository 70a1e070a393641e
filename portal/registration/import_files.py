"""Reading a partner's spreadsheet (CSV or XLSX) that may be broken or hostile.

Everything a file can do wrong becomes an ``UnreadableFile`` with a message for the
officer, never an error page: the wrong kind of file (or one renamed), text in an encoding
we cannot read, too many rows, a file too large, a compressed file that would unpack to
far more than it looks (a "zip bomb"), XML with entity tricks (openpyxl refuses those when
defusedxml is installed, which it is), or anything else the spreadsheet library chokes on.

Cells are returned as they were typed: text is not changed here (formulas are made
harmless when data is exported, see ``portal.exports``). A real formula in an XLSX cell is
not a typed value, so it comes back as a ``Formula`` for the caller to refuse.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

logger = logging.getLogger(__name__)

# An XLSX is a zip of XML files; a real one of 2,000 rows unpacks to a few megabytes.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
_ZIP_MAGIC = b"PK\x03\x04"
# Excel 97-2003 (.xls) files are OLE2 compound documents.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXTENSIONS = (".csv", ".xlsx")
CP1252_NOTE = (
    "The file was not saved as UTF-8 text, so we read it as Windows text (Windows-1252). "
    "Check that names with accents or symbols look right."
)


class UnreadableFile(Exception):
    """The file cannot be read at all; the message says why, for the officer."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Formula:
    """A formula found in an XLSX cell, where a typed value was expected."""

    cell: str  # like "D5"
    text: str


Cell = str | int | float | dt.date | dt.datetime | bool | Formula | None


@dataclass
class Table:
    header: list[str]
    # (row number as the spreadsheet shows it, the header being row 1; the row's cells)
    rows: list[tuple[int, list[Cell]]]
    notes: list[str] = field(default_factory=list)


def read_table(data: bytes, filename: str, *, max_rows: int, max_bytes: int) -> Table:
    """The first sheet's header and rows (blank rows left out). Raises UnreadableFile."""
    extension = PurePath(filename or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise UnreadableFile("The selected file must be a CSV or XLSX file")
    if not data:
        raise UnreadableFile("The selected file is empty")
    if len(data) > max_bytes:
        raise UnreadableFile(f"The selected file must be smaller than {_size(max_bytes)}")
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableFile(
            "The selected file is an old-style Excel file (.xls). Save it as an Excel "
            "workbook (.xlsx) or as CSV UTF-8, then upload it again"
        )
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data, max_rows)
    if extension == ".xlsx":
        raise UnreadableFile(
            "The selected file is not a real Excel workbook, even though its name ends in "
            ".xlsx. Save it from your spreadsheet program as an Excel workbook (.xlsx) or CSV"
        )
    return _read_csv(data, max_rows)


def _size(limit: int) -> str:
    if limit >= 1024 * 1024:
        return f"{limit / (1024 * 1024):g} MB"
    if limit >= 1024:
        return f"{limit // 1024} KB"
    return f"{limit} bytes"


def _decode(data: bytes) -> tuple[str, list[str]]:
    if b"\x00" in data:
        # UTF-16 text or a binary file: neither is a CSV we can read.
        raise UnreadableFile(
            "The selected file is not a CSV file we can read. Save it as CSV UTF-8 "
            "(comma delimited) from your spreadsheet program"
        )
    try:
        return data.decode("utf-8-sig"), []  # with or without a byte-order mark
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), [CP1252_NOTE]
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            "We could not read the text in the selected file (it is neither UTF-8 nor "
            f"Windows text: byte {error.start + 1} cannot be read). Save it as CSV UTF-8 "
            "from your spreadsheet program"
        ) from None


def _read_csv(data: bytes, max_rows: int) -> Table:
    text, notes = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    header: list[str] | None = None
    rows: list[tuple[int, list[Cell]]] = []
    number = 0
    try:
        for record in reader:
            number += 1
            if header is None:
                header = record
                continue
            if not any(value.strip() for value in record):
                continue
            if len(rows) == max_rows:
                raise UnreadableFile(_too_many_rows(max_rows))
            rows.append((number, list(record)))
    except csv.Error:
        raise UnreadableFile(
            f"Row {number + 1} of the selected file cannot be read as CSV (a cell may be "
            "too long or a quotation mark may be missing)"
        ) from None
    if header is None:
        raise UnreadableFile("The selected file is empty")
    return Table(header, rows, notes)


def _too_many_rows(max_rows: int) -> str:
    return (
        f"The selected file has more than {max_rows:,} rows. Split it into files of "
        f"{max_rows:,} rows or fewer"
    )


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UnreadableFile(_NOT_A_WORKBOOK) from None
    if len(members) > MAX_ZIP_MEMBERS or (
        sum(member.file_size for member in members) > MAX_UNPACKED_BYTES
    ):
        raise UnreadableFile(
            "The selected file unpacks to far more data than a spreadsheet of applicants "
            "needs, so we have not opened it. Save it again as CSV UTF-8 and upload that"
        )


_NOT_A_WORKBOOK = (
    "We could not open the selected file as an Excel workbook. It may be damaged or "
    "another kind of file. Save it from your spreadsheet program as an Excel workbook "
    "(.xlsx) or CSV UTF-8"
)


def _read_xlsx(data: bytes, max_rows: int) -> Table:
    _check_zip(data)
    from openpyxl import load_workbook

    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops when reading (styles, data
            # validation, extensions). Only values are read here, so they do not matter.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
            workbook = load_workbook(
                io.BytesIO(data), read_only=True, data_only=False, keep_links=False
            )
            try:
                return _sheet_table(workbook.worksheets[0], max_rows)
            finally:
                workbook.close()
    except UnreadableFile:
        raise
    # A hostile file can make any part of the parser fail, in any way: all are reported.
    except Exception as error:
        logger.warning("An uploaded XLSX could not be read: %r", error)
        if _caused_by_forbidden_xml(error):
            raise UnreadableFile(
                "The selected file contains XML that could be harmful (entity definitions), "
                "so we have not opened it. Save it again as CSV UTF-8 and upload that"
            ) from None
        raise UnreadableFile(_NOT_A_WORKBOOK) from None


def _caused_by_forbidden_xml(error: BaseException | None) -> bool:
    """True when defusedxml refused the XML, even if openpyxl wrapped its error."""
    from defusedxml import DefusedXmlException

    for _ in range(10):  # a cause chain is short; never loop for ever
        if error is None:
            return False
        if isinstance(error, DefusedXmlException):
            return True
        error = error.__cause__ or error.__context__
    return False


def _sheet_rows(sheet: object) -> Iterator[list[Cell]]:
    for row in sheet.iter_rows():  # type: ignore[attr-defined]
        cells: list[Cell] = []
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                cells.append(Formula(cell.coordinate, str(cell.value)))
            else:
                cells.append(cell.value)
        yield cells


def _sheet_table(sheet: object, max_rows: int) -> Table:
    header: list[str] | None = None
    rows: list[tuple[int, list[Cell]]] = []
    for number, cells in enumerate(_sheet_rows(sheet), start=1):
        if header is None:
            if all(_blank(value) for value in cells):
                raise UnreadableFile(
                    "The first row of the selected file must hold the column names"
                )
            header = ["" if value is None else str(value) for value in cells]
            continue
        if all(_blank(value) for value in cells):
            continue
        if len(rows) == max_rows:
            raise UnreadableFile(_too_many_rows(max_rows))
        rows.append((number, cells))
    if header is None:
        raise UnreadableFile("The selected file is empty")
    return Table(header, rows)


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
