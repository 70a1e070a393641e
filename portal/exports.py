"""Spreadsheet downloads (CSV and XLSX) that cannot run anything when they are opened.

Every feature that lets people download a table (applicants, cohorts, outcome figures)
builds its rows and hands them to ``csv_response`` or ``xlsx_response``.

Formula injection: spreadsheet programs treat a cell that begins with ``=``, ``+``, ``-``
or ``@`` (and, in some, a tab or carriage return before one of them) as a formula, and a
formula can fetch web pages or, in older programs, start other programs. Anything typed
by the public or imported from a partner's file can begin that way. So ``safe_cell`` puts
an apostrophe in front of any such text, in both formats: spreadsheets show the text as
typed (with the apostrophe visible in the cell) and never evaluate it. The full-width and
small forms of those characters (U+FF1D, U+FF0B, U+FF0D, U+FF20, U+FE66 ...) are treated
the same, because some programs fold them to the ASCII characters. Text that starts with
spaces before such a character is neutralised too.

Numbers written by the portal (counts, hours, money) are not text: ``xlsx_response``
stores them as numbers, which a spreadsheet never runs. In the CSV they are written as
digits, and a negative number gains the apostrophe like any other text starting with ``-``
(the price of not telling a typed "-5" from a harmful "-2+3" in a text file).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from flask import Response

CSV_MIMETYPE = "text/csv"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The characters that make a spreadsheet read a cell as a formula (NFKC folds their
# full-width, small, superscript and subscript forms to these), and the minus sign, which
# some programs also take as one.
_FORMULA_STARTS = frozenset("=+-@\t\r\u2212")
# Characters an XLSX file cannot hold at all (XML 1.0 forbids them).
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Excel's rules for a worksheet's name.
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_TITLE_MAX = 31

Cell = str | int | float | Decimal | bool | dt.date | None


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (see the module docstring)."""
    stripped = text.lstrip(" ")
    if not stripped:
        return False
    first = stripped[0]
    return first in _FORMULA_STARTS or unicodedata.normalize("NFKC", first) in _FORMULA_STARTS


def safe_cell(value: Any) -> str:
    """``value`` as text a spreadsheet shows and never runs.

    None is empty; True and False are "Yes" and "No"; dates are YYYY-MM-DD. Text that
    could be read as a formula gets an apostrophe in front of it.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        raise TypeError("Format datetimes as local text before exporting them")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return f"'{text}" if is_formula_like(text) else text


def attachment(filename: str) -> str:
    """The Content-Disposition header of a download named ``filename``."""
    # RFC 6266: an ASCII fallback and the exact name, for names with other characters.
    fallback = filename.encode("ascii", "replace").decode("ascii").replace('"', "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Response:
    """A CSV download: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), CRLF line
    ends, every cell through ``safe_cell``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    body = "\ufeff" + buffer.getvalue()
    response = Response(body.encode("utf-8"), mimetype=CSV_MIMETYPE)
    response.headers["Content-Disposition"] = attachment(filename)
    return response


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = _SHEET_TITLE_FORBIDDEN.sub(" ", title).strip().strip("'")
    return cleaned[:_SHEET_TITLE_MAX] or "Sheet1"


def _xlsx_value(value: Cell) -> str | int | float | Decimal:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value
    return _NOT_IN_XML.sub("", safe_cell(value))


def xlsx_bytes(
    sheet_title_text: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> bytes:
    """An XLSX workbook of one sheet: a bold header row, then the rows. Numbers are
    numbers; everything else is text through ``safe_cell`` (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title(sheet_title_text))
    bold = Font(bold=True)
    header_cells = []
    for name in header:
        # openpyxl writes a Decimal as a number; its stubs leave Decimal out of this signature.
        cell = WriteOnlyCell(sheet, value=_xlsx_value(name))  # type: ignore[arg-type]
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_value(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> Response:
    """An XLSX download of one sheet (see ``xlsx_bytes``)."""
    response = Response(xlsx_bytes(sheet_title, header, rows), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = attachment(filename)
    return response
