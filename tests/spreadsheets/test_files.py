"""The one spreadsheet reader both imports use (portal/spreadsheets/files.py), on its own:
rows numbered as the spreadsheet shows them, every row of a workbook read whatever it
declares, and files it cannot read refused with a reason."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from portal.spreadsheets.files import UnreadableFile, read_table
from tests.fixtures.spreadsheets import declaring

LIMITS = {"max_rows": 100, "max_bytes": 1_000_000, "max_columns": 10}


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "people"
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_csv_is_read_with_rows_numbered_as_the_spreadsheet_shows_them():
    data = b"name,email\r\nAsha,asha@example.com\r\n,\r\nBen,ben@example.com\r\n"
    table = read_table(data, "people.csv", **LIMITS)
    assert table.header == ["name", "email"]
    assert table.rows == [(2, ["Asha", "asha@example.com"]), (4, ["Ben", "ben@example.com"])]


def test_every_row_of_a_workbook_is_read_whatever_size_it_declares():
    rows = [["name", "email"]] + [[f"Person {n}", f"p{n}@example.com"] for n in range(1, 6)]
    data = declaring(workbook(rows), "people", "A1:B2")
    table = read_table(data, "people.xlsx", **LIMITS)
    assert [number for number, _cells in table.rows] == [2, 3, 4, 5, 6]
    assert table.rows[-1][1] == ["Person 5", "p5@example.com"]


@pytest.mark.parametrize(
    ("data", "filename", "reason"),
    [
        (b"name\r\nAsha\r\n", "people.txt", "must be a CSV or XLSX file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "people.xlsx", "old-style Excel"),
        (b"name,email\r\n", "people.xlsx", "not a real Excel workbook"),
    ],
    ids=["not a spreadsheet", "an old .xls workbook", "a CSV named .xlsx"],
)
def test_a_file_it_cannot_read_is_refused_with_the_reason(data, filename, reason):
    with pytest.raises(UnreadableFile) as refused:
        read_table(data, filename, **LIMITS)
    assert reason in refused.value.message
