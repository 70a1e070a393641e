"""Reading a spreadsheet someone uploaded (CSV or XLSX), which may be broken or hostile, and
its cells as the values they stand for. Both imports (applicants, earlier rounds) read here.

Files: everything a file can do wrong becomes an ``UnreadableFile`` with a message for the
officer, never an error page: the wrong kind of file (or one renamed), text in an encoding
we cannot read, too many rows, rows far wider than the import's format, a file too large, a
compressed file that would unpack to far more than it looks (a "zip bomb"), XML with entity
tricks (refused by defusedxml, and by our own check of each sheet), or anything else the
spreadsheet library chokes on. Every row is read, whatever size a sheet declares.

Cells: ``Row`` holds one row's cells by column name and reads each as a typed value (text,
a key, a date, a time, a number, money, a choice, yes or no, codes from a list), reporting
one problem per thing wrong, so a whole file can be fixed at once. Text is kept as typed
(surrounding spaces and control characters removed): text a spreadsheet could run as a
formula is made harmless when it is exported (``portal.exports``), never changed on the way
in. A real formula in an XLSX cell is not a typed value: it is read as a ``Formula``, which
``Row`` refuses.
"""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import logging
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import PurePath
from typing import IO, Any, TypeVar
from xml.parsers import expat

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from portal.forms import without_control_characters

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


# Files


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


# Cells

E = TypeVar("E", bound=enum.Enum)

KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/\-]{0,59}$")
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YEAR_MONTH_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_LIST = re.compile(r"[;,\n]")
_ITEMS = re.compile(r"[;\n]")
_YES = frozenset({"yes", "y", "true", "1"})
_NO = frozenset({"no", "n", "false", "0"})


def as_text(value: Cell) -> str:
    """A cell as text: numbers without a spurious '.0', dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return without_control_characters(str(value)).strip()


def _email_problem(address: str) -> str:
    domain = address.rpartition("@")[2].strip().rstrip(".").lower()
    ending = domain.rpartition(".")[2]
    if "@" in address and ending in SPECIAL_USE_DOMAIN_NAMES:
        return (
            f"“{domain}” cannot receive email: addresses ending .{ending} are reserved and "
            "never delivered. Enter an address the person receives email at"
        )
    return "Enter an email address in the correct format, like name@example.com"


def choice_key(text: str) -> str:
    """'Very satisfied' and 'very-satisfied' are both 'very_satisfied' (column names too)."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def split_list(text: str) -> list[str]:
    """The parts of a list separated by semicolons, commas or new lines."""
    return [part.strip() for part in _LIST.split(text) if part.strip()]


class Row:
    """One row's cells by column name, read into values. Each problem found is passed to
    ``report`` (column, message) as it is found; ``ok`` says whether the row can be used:
    it had none, and was not set aside."""

    def __init__(
        self, line: int, cells: Mapping[str, Cell], report: Callable[[str, str], None]
    ) -> None:
        self.line = line
        self.cells = cells
        self.report = report
        self.found = 0  # problems found in this row
        self.aside = False

    @property
    def ok(self) -> bool:
        """No problem was found in this row (so far), and it was not set aside."""
        return self.found == 0 and not self.aside

    def set_aside(self) -> None:
        """Not to be used, with no problem of its own: something it depends on was refused,
        which is reported once, there."""
        self.aside = True

    def problem(self, column: str, message: str) -> None:
        self.report(column, message)
        self.found += 1

    def has(self, column: str) -> bool:
        return column in self.cells

    def text(self, column: str, *, required: str | None = None, max_length: int = 200) -> str:
        value = self.cells.get(column)
        if isinstance(value, Formula):
            self.problem(
                column, f"Cell {value.cell} holds a formula. Replace it with the value it shows"
            )
            return ""
        text = as_text(value)
        if not text and required:
            self.problem(column, required)
        elif len(text) > max_length:
            self.problem(column, f"Must be {max_length:,} characters or fewer")
        return text

    def email(self, column: str, *, required: str) -> str:
        """An email address as typed, if it is one email can be sent to: the reason it is
        not, otherwise (an address at a reserved name like .test can never receive email)."""
        address = self.text(column, required=required, max_length=320)
        if address:
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError:
                self.problem(column, _email_problem(address))
        return address

    def key(self, column: str, what: str) -> str:
        """A stable key: letters, digits, spaces and . _ / - (at most 60 characters)."""
        text = self.text(column, required=f"Enter the {what}", max_length=60)
        if text and not KEY.match(text):
            self.problem(
                column,
                f"“{text}” cannot be a {what}: use letters, digits, spaces and . _ / - only",
            )
            return ""
        return text

    def date(
        self,
        column: str,
        *,
        required: str | None = None,
        not_a_date: str = "“{raw}” is not a date: enter it as YYYY-MM-DD or DD/MM/YYYY",
        not_real: str = "“{raw}” is not a real date",
    ) -> dt.date | None:
        """A date cell, or text as YYYY-MM-DD or DD/MM/YYYY. The messages may name the
        text as ``{raw}``."""
        value = self.cells.get(column)
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        raw = self.text(column, required=required)
        if not raw:
            return None
        if match := _YEAR_MONTH_DAY.match(raw):
            year, month, day = (int(part) for part in match.groups())
        elif match := _DAY_MONTH_YEAR.match(raw):
            day, month, year = (int(part) for part in match.groups())
        else:
            self.problem(column, not_a_date.format(raw=raw))
            return None
        try:
            return dt.date(year, month, day)
        except ValueError:
            self.problem(column, not_real.format(raw=raw))
            return None

    def time(self, column: str, *, required: str) -> dt.time | None:
        value = self.cells.get(column)
        if isinstance(value, dt.time):
            return value.replace(second=0, microsecond=0)
        if isinstance(value, dt.datetime):
            return value.time().replace(second=0, microsecond=0)
        raw = self.text(column, required=required)
        if not raw:
            return None
        match = _TIME.match(raw)
        hour, minute = (int(part) for part in match.groups()) if match else (99, 99)
        if hour > 23 or minute > 59:
            self.problem(column, f"“{raw}” is not a time: enter it as HH:MM, like 09:30 or 18:00")
            return None
        return dt.time(hour, minute)

    def decimal(
        self,
        column: str,
        *,
        what: str,
        required: str | None = None,
        places: int = 2,
        minimum: Decimal = Decimal(0),
        maximum: Decimal = Decimal(10**12),
        wrong: str | None = None,
        too_precise: str | None = None,
    ) -> Decimal | None:
        """A number (commas and a £ sign allowed) from ``minimum`` to ``maximum`` with at
        most ``places`` decimal places; ``wrong`` and ``too_precise`` replace the messages."""
        value = self.cells.get(column)
        if isinstance(value, int | float) and not isinstance(value, bool):
            raw = str(value)
        else:
            raw = self.text(column, required=required).replace(",", "").removeprefix("£")
        if not raw:
            return None
        try:
            number = Decimal(raw)
        except InvalidOperation:
            number = Decimal("NaN")
        step = Decimal(1).scaleb(-places)
        if not number.is_finite() or not minimum <= number <= maximum:
            self.problem(column, wrong or f"Enter {what} as a number from {minimum} to {maximum:,}")
            return None
        if number != number.quantize(step):
            self.problem(column, too_precise or f"Enter {what} to {places} decimal places at most")
            return None
        return number.quantize(step)

    def whole(
        self,
        column: str,
        *,
        what: str,
        required: str | None = None,
        minimum: int = 0,
        maximum: int = 10**9,
    ) -> int | None:
        number = self.decimal(
            column,
            what=what,
            required=required,
            places=0,
            minimum=Decimal(minimum),
            maximum=Decimal(maximum),
        )
        return None if number is None else int(number)

    def pence(self, column: str, *, what: str, required: str | None = None) -> int | None:
        """Money in pounds (commas, a £ sign and pence allowed) as whole pence."""
        pounds = self.decimal(column, what=what, required=required)
        return None if pounds is None else int((pounds * 100).quantize(Decimal(1)))

    def choice(
        self,
        column: str,
        values: type[E],
        what: str,
        *,
        required: bool = True,
        labels: Callable[[E], str] | None = None,
        wrong: str = "“{raw}” is not {what}: use one of {allowed}",
    ) -> E | None:
        """One of an enum's values (or its label), any case, spaces or hyphens for _. The
        message may name the text, ``what`` and the allowed values."""
        raw = self.text(column, required=f"Enter {what}" if required else None)
        if not raw:
            return None
        key = choice_key(raw)
        for member in values:
            label = labels(member) if labels else str(member.value)
            if key in (str(member.value), choice_key(label)):
                return member
        allowed = ", ".join(str(member.value) for member in values)
        self.problem(column, wrong.format(raw=raw, what=what, allowed=allowed))
        return None

    def yes_no(
        self, column: str, *, required: str | None = None, wrong: str = "Enter yes or no"
    ) -> bool | None:
        raw = self.text(column, required=required).lower()
        if not raw:
            return None
        if raw in _YES:
            return True
        if raw in _NO:
            return False
        self.problem(column, wrong)
        return None

    def codes(self, column: str, what: str, code_of: Callable[[str], str | None]) -> list[str]:
        """Items of a list, separated by semicolons, commas or new lines, as their codes in
        the order given and without repeats; ``code_of`` gives the code of an item of the
        list of ``what`` (named by its code or its name), or None."""
        found: list[str] = []
        for part in _ITEMS.split(self.text(column, max_length=2_000)):
            # A name may hold a comma ("Agriculture, forestry and fishing").
            items = [part] if code_of(part.strip()) else part.split(",")
            for item in filter(None, (item.strip() for item in items)):
                code = code_of(item)
                if code is None:
                    self.problem(column, f"“{item}” is not a code from the list of {what}")
                elif code not in found:
                    found.append(code)
        return found
