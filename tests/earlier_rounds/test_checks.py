"""Earlier-rounds files are read in full or refused."""

from __future__ import annotations

import time

from portal.db import utcnow
from portal.earlier_rounds import imports
from portal.earlier_rounds.files import read_workbook
from portal.earlier_rounds.samples.generate import workbook_bytes
from tests.earlier_rounds.files import HEADERS, messages, tiny
from tests.fixtures.spreadsheets import declaring, with_wide_row


def tiny_workbook(sheets: dict[str, list[str]] | None = None) -> bytes:
    sheets = sheets or tiny()
    return workbook_bytes(
        {sheet: "\n".join([HEADERS[sheet], *lines]) + "\n" for sheet, lines in sheets.items()}
    )


def check_workbook(session, data: bytes) -> imports.ImportReport:
    report = imports.check(
        session, read_workbook(data, "earlier.xlsx"), "earlier.xlsx", now=utcnow()
    )
    session.rollback()
    return report


# Reading every row, or refusing the file


def test_a_sheet_declaring_fewer_rows_than_it_holds_is_read_in_full(session, reference_data):
    data = declaring(tiny_workbook(), "survey_answers", "A1:Z3")  # 2 of the 4 answers, it says
    report = check_workbook(session, data)
    assert report.ok, messages(report)
    assert report.counts["survey_answers"] == {"created": 3, "blank": 1}


def test_a_sheet_far_wider_than_the_format_is_refused_at_once(session, reference_data):
    data = with_wide_row(tiny_workbook(), "survey_answers", 1_000_000)
    assert len(data) < 200_000
    started = time.process_time()
    report = check_workbook(session, data)
    assert time.process_time() - started < 1
    [problem] = messages(report)
    assert problem.startswith("earlier.xlsx: Row 6 of the sheet “survey_answers” goes past column ")
    assert "Delete the columns after" in problem
