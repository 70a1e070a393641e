"""Reading a spreadsheet someone uploaded (CSV or XLSX), which may be broken or hostile,
into tables of cells.

Everything a file can do wrong becomes an ``UnreadableFile`` with a message for the
officer, never an error page: the wrong kind of file (or one renamed), text in an encoding
we cannot read, too many rows, rows far wider than the import's format, a file too large, a
compressed file that would unpack to far more than it looks (a "zip bomb"), XML with entity
tricks (refused by defusedxml, and by our own check of each sheet), or anything else the
spreadsheet library chokes on. Every row is read, whatever size a sheet declares. Cells are
returned as they were typed; a real formula in an XLSX cell comes back as a ``Formula``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any
from xml.parsers import expat

logger = logging.getLogger(__name__)

# An XLSX is a zip of XML files; a real one of 2,000 rows unpacks to a few megabytes.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
_ZIP_MAGIC = b"PK\x03\x04"
# Excel 97-2003 (.xls) files are OLE2 compound documents.
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
EXTENSIONS = (".csv", ".xlsx")
# Columns a file may have beyond those of its import's format (its own, which are ignored).
SPARE_COLUMNS = 50
# Blank rows a sheet may hold (they are skipped) beyond the rows of data it may hold.
SPARE_ROWS = 1_000
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW = f"{_MAIN}}}row"
CP1252_NOTE = (
    "The file was not saved as UTF-8 text, so we read it as Windows text (Windows-1252). "
    "Check that names with accents or symbols look right."
)
NOT_A_WORKBOOK = (
    "We could not open the selected file as an Excel workbook. It may be damaged or "
    "another kind of file. Save it from your spreadsheet program as an Excel workbook "
    "(.xlsx) or CSV UTF-8"
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


Cell = str | int | float | dt.date | dt.datetime | dt.time | bool | Formula | None


@dataclass
class Table:
    header: list[str]
    # (row number as the spreadsheet shows it, the header being row 1; the row's cells)
    rows: list[tuple[int, list[Cell]]]
    notes: list[str] = field(default_factory=list)


# A workbook's sheet: its title and its table, or why it cannot be read, or None for a
# sheet that was not asked for (and so never read).
Sheet = tuple[str, Table | str | None]


def read_table(
    data: bytes, filename: str, *, max_rows: int, max_bytes: int, max_columns: int
) -> Table:
    """The first sheet's header and rows (blank rows left out), at most ``max_rows`` rows
    of at most ``max_columns`` cells (the format's columns and ``SPARE_COLUMNS``; empty
    cells at the end of a CSV row are not counted). Raises UnreadableFile."""
    extension = PurePath(filename or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise UnreadableFile("The selected file must be a CSV or XLSX file")
    _check_size(data, max_bytes)
    if data.startswith(_OLE2_MAGIC):
        raise UnreadableFile(
            "The selected file is an old-style Excel file (.xls). Save it as an Excel "
            "workbook (.xlsx) or as CSV UTF-8, then upload it again"
        )
    if data.startswith(_ZIP_MAGIC):
        with _reading_workbook(csv_advice=True):
            sheets = _sheet_parts(data)
            _check_sheet_shapes(data, sheets, max_rows=max_rows, max_columns=lambda _: max_columns)
            with _open_workbook(data) as workbook:
                return _sheet_table(workbook.worksheets[0], max_rows)
    if extension == ".xlsx":
        raise UnreadableFile(
            "The selected file is not a real Excel workbook, even though its name ends in "
            ".xlsx. Save it from your spreadsheet program as an Excel workbook (.xlsx) or CSV"
        )
    return _read_csv(data, max_rows, max_columns)


def workbook_sheets(
    data: bytes,
    filename: str,
    *,
    max_rows: int,
    max_bytes: int,
    max_columns: Callable[[str], int | None],
) -> list[Sheet]:
    """Every sheet of an XLSX workbook, read if ``max_columns`` of its title gives the most
    cells its rows may have (None: a sheet not asked for, never read, so a blank "Sheet1"
    does no harm). A sheet that cannot be read comes with the reason; a file that is not a
    workbook we can open, or with a sheet far larger than the format, raises
    UnreadableFile, as ``read_table`` does."""
    if not filename.lower().endswith(".xlsx"):
        raise UnreadableFile("The selected file must be an Excel workbook (.xlsx)")
    _check_size(data, max_bytes)
    if not data.startswith(_ZIP_MAGIC):
        # Not a zip: let the one-sheet reader give its message (old .xls, renamed CSV ...).
        read_table(data, filename, max_rows=max_rows, max_bytes=max_bytes, max_columns=1)
        raise UnreadableFile(NOT_A_WORKBOOK)
    with _reading_workbook(csv_advice=False):
        sheets = _sheet_parts(data)
        if all(max_columns(title) is None for title, _part in sheets):
            return [(title, None) for title, _part in sheets]  # nothing to read
        _check_sheet_shapes(data, sheets, max_rows=max_rows, max_columns=max_columns)
        with _open_workbook(data) as workbook:
            return [
                (
                    sheet.title,
                    None
                    if max_columns(sheet.title) is None
                    else _wanted_sheet_table(sheet, max_rows),
                )
                for sheet in workbook.worksheets
            ]


def _check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise UnreadableFile("The selected file is empty")
    if len(data) > max_bytes:
        raise UnreadableFile(f"The selected file must be smaller than {_size(max_bytes)}")


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


def _read_csv(data: bytes, max_rows: int, max_columns: int) -> Table:
    text, notes = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    header: list[str] | None = None
    rows: list[tuple[int, list[Cell]]] = []
    number = 0
    try:
        for record in reader:
            number += 1
            while record and not record[-1].strip():
                record.pop()  # the empty cells a spreadsheet writes up to its widest row
            if len(record) > max_columns:
                raise UnreadableFile(_too_wide(number, max_columns))
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


def _too_wide(row: int, max_columns: int, where: str = "the selected file") -> str:
    column = _column_letters(max_columns)
    return (
        f"Row {row:,} of {where} goes past column {column}, further than the import format "
        f"allows. Delete the columns after {column} (empty ones too), then upload the file "
        "again"
    )


def _too_many_row_elements(max_rows: int, limit: int, where: str = "the selected file") -> str:
    return (
        f"{where[0].upper()}{where[1:]} has more than {limit:,} rows, counting empty ones. "
        f"Delete the empty rows below your data, and split it into files of {max_rows:,} "
        "rows or fewer"
    )


def _column_letters(number: int) -> str:
    """The spreadsheet's name for the column: 1 is A, 27 is AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise UnreadableFile(NOT_A_WORKBOOK) from None
    if len(members) > MAX_ZIP_MEMBERS or (
        sum(member.file_size for member in members) > MAX_UNPACKED_BYTES
    ):
        raise UnreadableFile(
            "The selected file unpacks to far more data than a spreadsheet of applicants "
            "needs, so we have not opened it. Save it again as CSV UTF-8 and upload that"
        )


@contextmanager
def _reading_workbook(*, csv_advice: bool) -> Iterator[None]:
    """Every way a hostile file can make the spreadsheet library fail, while the workbook
    is opened or its sheets are read, becomes an UnreadableFile."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about features it drops when reading (styles, data
            # validation, extensions). Only values are read here, so they do not matter.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
            yield
    except UnreadableFile:
        raise
    # A hostile file can make any part of the parser fail, in any way: all are reported.
    except Exception as error:
        logger.warning("An uploaded XLSX could not be read: %r", error)
        if _caused_by_forbidden_xml(error):
            advice = ". Save it again as CSV UTF-8 and upload that" if csv_advice else ""
            raise UnreadableFile(
                "The selected file contains XML that could be harmful (entity definitions), "
                f"so we have not opened it{advice}"
            ) from None
        raise UnreadableFile(NOT_A_WORKBOOK) from None


@contextmanager
def _open_workbook(data: bytes) -> Iterator[Any]:
    """The workbook, opened read-only for its values (its sheets checked already)."""
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    try:
        yield workbook
    finally:
        workbook.close()


def _sheet_parts(data: bytes) -> list[tuple[str, str]]:
    """(title, the part of the zip holding its XML) for each worksheet, as openpyxl finds
    them when it opens the workbook, without reading any sheet."""
    from openpyxl.reader.excel import ExcelReader

    _check_zip(data)
    reader = ExcelReader(io.BytesIO(data), read_only=True, keep_links=False)
    try:
        reader.read_manifest()
        reader.read_workbook()
        return [
            (sheet.name, rel.target)
            for sheet, rel in reader.parser.find_sheets()
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type
        ]
    finally:
        reader.archive.close()


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


def _check_sheet_shapes(
    data: bytes,
    sheets: list[tuple[str, str]],
    *,
    max_rows: int,
    max_columns: Callable[[str], int | None],
) -> None:
    """Refuses a workbook with a sheet wider or longer than the format allows
    (``max_columns`` of the sheet's title; a sheet not asked for may be as wide as the
    widest that is), before openpyxl reads any of it: opening a workbook, it reads through
    each sheet that does not declare its size, and reading a row, it builds the whole row
    first (one row of a million cells in a 100 KB file took 14 seconds)."""
    widest = max((max_columns(title) or 0 for title, _part in sheets), default=0)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for title, part in sheets:
            where = "the selected file" if len(sheets) == 1 else f"the sheet “{title}”"
            with archive.open(part) as xml:
                _check_sheet_shape(
                    xml, max_rows=max_rows, max_columns=max_columns(title) or widest, where=where
                )


def _check_sheet_shape(xml: IO[bytes], *, max_rows: int, max_columns: int, where: str) -> None:
    """Streams a sheet's XML and stops at the first cell past ``max_columns`` in a row (any
    element in a row: openpyxl reads each as a cell) or at the first row past the rows of
    data and ``SPARE_ROWS`` blank ones. A document type (where entities are declared) is
    refused, as defusedxml refuses it."""
    from defusedxml import DTDForbidden

    max_row_elements = max_rows + 1 + max(SPARE_ROWS, max_rows)
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    depth = 0
    row_depth = 0  # the depth of the row being read; 0 between rows
    row_number = rows = cells = 0

    def start(name: str, attributes: dict[str, str]) -> None:
        nonlocal depth, row_depth, row_number, rows, cells
        depth += 1
        if row_depth and depth == row_depth + 1:
            cells += 1
            if cells > max_columns:
                raise UnreadableFile(_too_wide(row_number, max_columns, where))
        elif name == _ROW and not row_depth:
            rows += 1
            if rows > max_row_elements:
                raise UnreadableFile(_too_many_row_elements(max_rows, max_row_elements, where))
            number = attributes.get("r", "")
            row_number = int(number) if number.isdigit() else row_number + 1
            row_depth, cells = depth, 0

    def end(_name: str) -> None:
        nonlocal depth, row_depth
        if depth == row_depth:
            row_depth = 0
        depth -= 1

    def refuse_document_type(name: str, sysid: str | None, pubid: str | None, *_: Any) -> None:
        raise DTDForbidden(name, sysid, pubid)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse_document_type
    parser.ParseFile(xml)


def _sheet_rows(sheet: Any) -> Iterator[list[Cell]]:
    # A read-only sheet trusts the size the file declares (<dimension ref="A1:L2">) and
    # stops there, silently: forget it, so every row in the file is read.
    sheet.reset_dimensions()
    for row in sheet.iter_rows():
        cells: list[Cell] = []
        for cell in row:
            if getattr(cell, "data_type", None) == "f":
                cells.append(Formula(cell.coordinate, str(cell.value)))
            else:
                cells.append(cell.value)
        yield cells


def _sheet_table(sheet: Any, max_rows: int) -> Table:
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


def _wanted_sheet_table(sheet: Any, max_rows: int) -> Table | str:
    try:
        return _sheet_table(sheet, max_rows)
    except UnreadableFile as error:
        message = error.message.replace("The selected file", "This sheet")
        return message.replace("the selected file", "this sheet")


def _blank(value: Cell) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
